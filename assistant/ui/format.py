"""Pure formatting for the web app: answers, citations and passages as safe HTML.

Every piece of user or document text is escaped here; only the tags this module
writes reach the browser as HTML.
"""

from __future__ import annotations

import html
import re

from assistant.ingest.guide import Guide
from assistant.index.records import SectionRecord
from assistant.types import Answer, Citation, SectionLink, SourceChunk, SourceNote

_MARK = re.compile(r"\[(\d+)\]")


_MD_CONTROL = {c: f"&#{ord(c)};" for c in "*_`[]()!~|\\"}


def esc(text: str) -> str:
    """Escape text for HTML and neutralise Markdown syntax (links, images, emphasis),
    so user and document text can never become a live link, image or tag."""
    text = html.escape(text, quote=True)
    return "".join(_MD_CONTROL.get(ch, ch) for ch in text)


def cite_link(c: Citation) -> str:
    return (f'<a class="aw-cite" href="#" data-chunk="{esc(c.chunk_id)}" '
            f'title="{esc(c.title)} › {esc(c.section)}">[{c.n}]</a>')


def guide_link(doc_id: str, section: str, label: str) -> str:
    return f'<a class="aw-guide" href="#" data-doc="{esc(doc_id)}" data-sec="{esc(section)}">{esc(label)}</a>'


def where(c: Citation | SourceChunk | SectionLink) -> str:
    parts = [p for p in (c.title, c.section) if p]
    page = f", p. {c.page}" if getattr(c, "page", None) else ""
    return " › ".join(parts) + page


def answer_html(answer: Answer, guide: Guide | None = None) -> str:
    """The assistant's chat message: the answer with clickable [n], then its sources."""
    by_n = {c.n: c for c in answer.citations}
    out = []
    if answer.notice:
        out.append(f"<p class='aw-notice'><em>{esc(answer.notice)}</em></p>")
    for line in answer.text.splitlines():
        parts = _MARK.split(line)  # text, number, text, number, ...
        body = "".join(esc(p) if i % 2 == 0 else (cite_link(by_n[int(p)]) if int(p) in by_n else esc(f"[{p}]"))
                       for i, p in enumerate(parts))
        out.append(body)
    text = "\n".join(out)
    if answer.refused and answer.suggestions:
        items = "".join(f"<li>{guide_link(c.doc_id, c.section, where(c))}</li>" for c in answer.suggestions)
        text = esc(answer.text.splitlines()[0]) + f"\n<ul>{items}</ul>"
    if answer.citations:
        items = "".join(f"<li>{cite_link(c)} {esc(where(c))}{_notes_inline(c.sources)}</li>" for c in answer.citations)
        text += f"\n<div class='aw-sources'><strong>Bronnen</strong><ul>{items}</ul></div>"
        text += _read_next(answer.read_next)
        text += _related(answer.related_questions)
        text += _next_step(answer.citations[0], guide)
    return text


def ask_link(question: str) -> str:
    return f'<a class="aw-ask" href="#" data-q="{esc(question)}">{esc(question)}</a>'


def _related(questions: list[str]) -> str:
    if not questions:
        return ""
    items = "".join(f"<li>{ask_link(q)}</li>" for q in questions)
    return f"\n<div class='aw-related'><strong>Verwante vragen</strong><ul>{items}</ul></div>"


def _read_next(links: list[SectionLink]) -> str:
    if not links:
        return ""
    items = "".join(f"<li>{guide_link(link.doc_id, link.section, where(link))}</li>" if link.doc_id.startswith(
        "draaiboek/") else f"<li>{esc(where(link))}</li>" for link in links)
    return f"\n<div class='aw-read-next'><strong>Lees verder</strong><ul>{items}</ul></div>"


def _notes_inline(notes: list[SourceNote]) -> str:
    """The sources a citation rests on, short: " — VLAIO, 2023 · overheid; ..."."""
    if not notes:
        return ""
    shown = "; ".join(esc(n.label) + (" ⚠" if n.stale else "") for n in notes[:3])
    more = f" (+{len(notes) - 3})" if len(notes) > 3 else ""
    return f" <span class='aw-note'>— {shown}{more}</span>"


def _next_step(first: Citation, guide: Guide | None) -> str:
    if guide is None or not first.doc_id.startswith("draaiboek/"):
        return ""
    phase = guide.phase_of(first.doc_id)
    nxt = guide.next_section(first.doc_id, first.section)
    parts = []
    if phase:
        parts.append(f"Dit hoort bij <strong>{esc(phase)}</strong>.")
    if nxt:
        chapter, section = nxt
        parts.append("Volgende stap: " + guide_link(chapter.doc_id, section, f"{chapter.title} › {section}"))
    return f"\n<p class='aw-next'>{' '.join(parts)}</p>" if parts else ""


def passage_html(chunk: SourceChunk, section: SectionRecord | None, quote: str | None,
                 guide: Guide | None = None, notes: list[SourceNote] | None = None) -> str:
    """The side panel: the whole section the passage belongs to, the quoted sentences
    highlighted, and the sources it rests on with publisher, year and kind."""
    from assistant.ingest.loaders import strip_markdown

    text = strip_markdown(section.text if section is not None and section.text else chunk.text)
    body = esc(text)
    for part in (quote or "").split(" … "):
        for candidate in (part.strip(), part.strip().rstrip(".")):  # list items get a full stop in answers
            if candidate and esc(candidate) in body:
                body = body.replace(esc(candidate), f"<mark>{esc(candidate)}</mark>", 1)
                break
    body = body.replace("\n", "<br>")
    link = ""
    if chunk.doc_id.startswith("draaiboek/") and guide is not None and guide.chapter(chunk.doc_id):
        link = guide_link(chunk.doc_id, chunk.section, "Open dit stuk in het draaiboek")
    return (f"<div class='aw-passage'><h3>{esc(chunk.title)}</h3>"
            f"<p class='aw-where'>{esc(chunk.section or '')}{esc(f' · p. {chunk.page}' if chunk.page else '')}</p>"
            f"<blockquote>{body}</blockquote>"
            f"<p>{link}</p><p class='aw-file'>Bestand: {esc(chunk.source)}</p>" + sources_html(notes or []) + "</div>")


def sources_html(notes: list[SourceNote]) -> str:
    """The sources of a passage: "VLAIO, 2023 · overheid", linked, flagged when outdated."""
    if not notes:
        return ""
    items = []
    for n in notes:
        label = esc(n.label)
        if n.url:
            label = f'<a href="{esc(n.url)}" target="_blank" rel="noopener">{label}</a>'
        flag = " <span class='aw-stale' title='ouder dan de ingestelde leeftijd of vervangen'>⚠ mogelijk " \
               "verouderd</span>" if n.stale else ""
        items.append(f"<li>{label}{flag}<br><small>{esc(n.reference)}</small></li>")
    return "<p>Bronnen in dit stuk:</p><ul class='aw-source-list'>" + "".join(items) + "</ul>"


def conversation_markdown(turns: list[dict]) -> str:
    """The conversation as Markdown with its numbered sources (for export)."""
    lines = ["# Gesprek met de STEM-Alliantiewijzer", ""]
    for i, turn in enumerate(turns, 1):
        a = turn["answer"]
        lines += [f"## Vraag {i}: {turn['question']}", "", a["answer"], ""]
        if a["citations"]:
            lines.append("**Bronnen**")
            lines.append("")
            for c in a["citations"]:
                loc = " › ".join(p for p in (c["title"], c["section"]) if p)
                page = f", p. {c['page']}" if c.get("page") else ""
                lines.append(f"{c['n']}. {loc}{page} ({c['source']}): “{c['quote']}”")
            lines.append("")
    return "\n".join(lines)

