"""Pure formatting for the web app: answers, citations and passages as safe HTML.

Every piece of user or document text is escaped here; only the tags this module
writes reach the browser as HTML.
"""

from __future__ import annotations

import html
import re

from ..guide import Guide
from ..types import Answer, Citation, SourceChunk

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


def where(c: Citation | SourceChunk) -> str:
    parts = [p for p in (c.title, c.section) if p]
    page = f", p. {c.page}" if c.page else ""
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
        items = "".join(f"<li>{cite_link(c)} {esc(where(c))}</li>" for c in answer.citations)
        text += f"\n<div class='aw-sources'><strong>Bronnen</strong><ul>{items}</ul></div>"
        text += _next_step(answer.citations[0], guide)
    return text


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


def passage_html(chunk: SourceChunk, quote: str | None, guide: Guide | None = None) -> str:
    """The side panel: where the passage stands, the quote highlighted in its passage."""
    from ..loaders import strip_markdown

    text = strip_markdown(chunk.text)
    body = esc(text)
    for part in (quote or "").split(" … "):
        part = part.strip()
        if part and esc(part) in body:
            body = body.replace(esc(part), f"<mark>{esc(part)}</mark>", 1)
    body = body.replace("\n", "<br>")
    link = ""
    if chunk.doc_id.startswith("draaiboek/") and guide is not None and guide.chapter(chunk.doc_id):
        link = guide_link(chunk.doc_id, chunk.section, "Open dit stuk in het draaiboek")
    urls = re.findall(r"\]\((https?://[^)\s]+)\)", chunk.text)
    sources = "".join(f'<li><a href="{esc(u)}" target="_blank" rel="noopener">{esc(u)}</a></li>' for u in urls)
    return (f"<div class='aw-passage'><h3>{esc(chunk.title)}</h3>"
            f"<p class='aw-where'>{esc(chunk.section or '')}{esc(f' · p. {chunk.page}' if chunk.page else '')}</p>"
            f"<blockquote>{body}</blockquote>"
            f"<p>{link}</p><p class='aw-file'>Bestand: {esc(chunk.source)}</p>"
            + (f"<p>Bronnen in dit stuk:</p><ul>{sources}</ul>" if sources else "") + "</div>")


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

