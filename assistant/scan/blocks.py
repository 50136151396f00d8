"""The document model of the netwerkscan exports: a title and a list of blocks, with footnotes.

A plan, a council note or a regional profile is first built as a :class:`Document`, then
rendered to Markdown (:mod:`assistant.scan.markdown`), PDF (:mod:`assistant.scan.pdf`) or
DOCX (:mod:`assistant.scan.docx`). Footnotes are numbered in order of first use in each
document and give the document title, section (or page) and the quote, like the citations
of a chat answer; text that cites carries its footnote numbers as data (:class:`Noted`),
and only the Markdown and PDF renderers turn them into ``[n]`` markers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.answer.citations import number_citations
from assistant.types import Citation

MONTHS = 12


@dataclass(frozen=True)
class Noted:
    """Text followed by footnotes; ``str()`` gives the Markdown and PDF form ``text [1][3]``."""

    text: str
    notes: tuple[int, ...] = ()

    def __str__(self) -> str:
        marks = "".join(f"[{n}]" for n in self.notes)
        return f"{self.text} {marks}" if marks else self.text


@dataclass(frozen=True)
class Note:
    """A numbered footnote: the citation it stands for."""

    n: int
    citation: Citation

    def __str__(self) -> str:
        return f"[{self.n}] {footnote_text(self.citation)}"


@dataclass
class Block:
    """One piece of a document; ``kind`` decides how it is rendered.

    ``text`` and the items of bullets may be :class:`Noted`; footnotes items are :class:`Note`.
    """

    kind: str  # title, heading, para, note, bullets, numbered, table, chart, steps, timeline, footnotes
    text: str | Noted = ""
    items: list[Any] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    data: bytes = b""


@dataclass
class Document:
    """A rendered-agnostic document: a title for the metadata and a list of blocks."""

    title: str
    blocks: list[Block]


@dataclass
class StepItem:
    """A plan step as rendered: heading line, body, source line with footnote markers."""

    title: str
    meta: str
    body: str
    source: Noted


class Footnotes:
    """Numbers citations in order of first use; one passage keeps one number.

    The numbering is :func:`~assistant.answer.citations.number_citations`, continued over the
    calls to :meth:`mark` as the document is built.
    """

    def __init__(self) -> None:
        self._numbers: dict[tuple[str, str], int] = {}
        self._citations: list[Citation] = []

    def mark(self, citations: list[Citation]) -> tuple[int, ...]:
        """The footnote numbers of ``citations``, registering new ones."""
        (numbered,) = number_citations([citations], self._numbers)
        for c in numbered:
            if c.n > len(self._citations):
                self._citations.append(c)
        return tuple(c.n for c in numbered)

    def noted(self, text: str, citations: list[Citation]) -> Noted:
        """``text`` with the footnotes of ``citations``."""
        return Noted(text, self.mark(citations))

    def entries(self) -> list[Note]:
        """The footnotes in number order."""
        return [Note(i, c) for i, c in enumerate(self._citations, start=1)]


def footnote_text(c: Citation) -> str:
    """Document title, section (and page) and quote of a citation."""
    where = " › ".join(p for p in (c.title, c.section) if p)
    if c.page is not None:
        where += f", p. {c.page}"
    return f"{where}: “{c.quote}” ({c.source})"


def source_line(citations: list[Citation]) -> str:
    """'Bron: title › section' for the sections a step draws from."""
    places = dict.fromkeys(" › ".join(p for p in (c.title, c.section) if p) for c in citations)
    return "Bron: " + "; ".join(places)
