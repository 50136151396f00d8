"""The draaiboek as a book: chapters by phase, sections with anchors, reading order."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from assistant.ingest.loaders import load_markdown

PHASES = ["verkennen", "opbouwen", "structureren", "borgen"]
PHASE_LABELS = {
    "inleiding": "Inleiding", "achtergrond": "Achtergrond", "verkennen": "Fase 1 · Verkennen",
    "opbouwen": "Fase 2 · Opbouwen", "structureren": "Fase 3 · Structureren", "borgen": "Fase 4 · Borgen",
    "casus": "Casus", "theorie": "Theorie", "hulpmiddelen": "Hulpmiddelen", "naslag": "Naslag",
}


def slug(text: str) -> str:
    """A stable HTML anchor for a heading."""
    from assistant.text import fold

    return "sec-" + re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


@dataclass
class Chapter:
    doc_id: str
    title: str
    part: str
    path: Path
    sections: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{PHASE_LABELS.get(self.part, self.part.title())} — {self.title}"


class Guide:
    """Reads ``draaiboek/*.md`` under the corpus folder (no index needed)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    @cached_property
    def chapters(self) -> list[Chapter]:
        out = []
        for path in sorted(self.folder.glob("*.md")):
            doc = load_markdown(path)
            part = str(doc.meta.get("fase") or doc.meta.get("deel") or "")
            sections = list(dict.fromkeys(b.section for b in doc.blocks if b.section))
            out.append(Chapter(f"draaiboek/{path.stem}", doc.title, part, path, sections))
        return out

    def chapter(self, doc_id: str) -> Chapter | None:
        return next((c for c in self.chapters if c.doc_id == doc_id), None)

    def by_label(self, label: str) -> Chapter | None:
        return next((c for c in self.chapters if c.label == label), None)

    def phase_of(self, doc_id: str) -> str | None:
        """The phase label of a chapter, or None for chapters outside the four phases."""
        chapter = self.chapter(doc_id)
        return PHASE_LABELS[chapter.part] if chapter and chapter.part in PHASES else None

    def next_section(self, doc_id: str, section: str) -> tuple[Chapter, str] | None:
        """The section that follows in reading order (into the next chapter if needed)."""
        flat = [(c, s) for c in self.chapters for s in c.sections]
        for i, (c, s) in enumerate(flat):
            if c.doc_id == doc_id and s == section and i + 1 < len(flat):
                return flat[i + 1]
        return None

    def render_html(self, doc_id: str) -> str:
        """A chapter as HTML, every heading with an anchor for deep links."""
        from markdown_it import MarkdownIt

        chapter = self.chapter(doc_id)
        if chapter is None:
            return "<p>Hoofdstuk niet gevonden.</p>"
        text = chapter.path.read_text(encoding="utf-8")
        text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
        md = MarkdownIt("commonmark", {"html": False, "linkify": False})
        rendered = md.render(text)

        def anchor(m: re.Match) -> str:
            level, inner = m.group(1), m.group(2)
            name = html.unescape(re.sub(r"<[^>]+>", "", inner))
            return f'<h{level} id="{slug(name)}">{inner}</h{level}>'

        rendered = re.sub(r"<h([1-6])>(.*?)</h\1>", anchor, rendered)
        rendered = rendered.replace('<a href="http', '<a target="_blank" rel="noopener" href="http')
        return rendered + self._bibliography(chapter)

    def _bibliography(self, chapter: Chapter) -> str:
        """The chapter's sources as a list with anchors (inline ``#bron-...`` links land here)."""
        from assistant.sources import parse_sources_leniently

        records = parse_sources_leniently(load_markdown(chapter.path).meta.get("bronnen"))
        if not records:
            return ""
        items = []
        for r in records:
            ref = html.escape(r.reference())
            if r.url:
                ref = ref.replace(html.escape(r.url), f'<a target="_blank" rel="noopener" href="{html.escape(r.url)}">'
                                  f'{html.escape(r.url)}</a>')
            items.append(f'<li id="bron-{html.escape(r.id)}"><strong>{html.escape(r.label)}</strong> — {ref}</li>')
        return '<h2 id="sec-bronnen">Bronnen</h2><ol class="aw-bibliography">' + "".join(items) + "</ol>"
