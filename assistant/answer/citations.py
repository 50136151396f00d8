"""Numbered citations: one module for the chat answer, the LLM check and the netwerkscan.

A citation points at a section (and the chunk that represents it, for the passage
panel), quotes the sentences that were used, and carries the sources those sentences
cite, shown as "VLAIO, 2023 · overheid" and flagged when old or replaced.
:class:`CitationBook` numbers the sections an answer cites; :func:`number_citations`
numbers passages (a chunk and its quote) across the steps and footnotes of a document.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from assistant.index.records import SectionRecord
from assistant.sources import WEAK_KINDS, SourceRecord
from assistant.types import Citation, SourceNote

QUOTE_JOIN = " … "


def source_note(record: SourceRecord, today: dt.date, max_age_years: int) -> SourceNote:
    """How a source record is shown beside a citation."""
    return SourceNote(label=record.label, kind=record.soort, year=record.year or 0, reference=record.reference(),
                      url=record.url, stale=record.is_stale(today, max_age_years))


class CitationBook:
    """Numbers sections in the order they are first cited and collects their quotes.

    Args:
        max_age_years: sources older than this are flagged as possibly outdated.
        today: the date ages are counted from (injectable for tests).
    """

    def __init__(self, max_age_years: int = 6, today: dt.date | None = None):
        self.max_age_years = max_age_years
        self.today = today or dt.date.today()
        self._numbers: dict[str, int] = {}
        self._entries: dict[str, tuple[SectionRecord, str, float]] = {}
        self._quotes: dict[str, list[str]] = {}
        self._positions: dict[str, list[int]] = {}

    def cite(self, section: SectionRecord, chunk_id: str, quote: str, position: int | None = None,
             score: float = 0.0) -> int:
        """The number of ``section`` (new or existing), after recording ``quote``."""
        n = self._numbers.setdefault(section.id, len(self._numbers) + 1)
        self._entries.setdefault(section.id, (section, chunk_id, score))
        if quote and quote not in self._quotes.setdefault(section.id, []):
            self._quotes[section.id].append(quote)
        if position is not None:
            self._positions.setdefault(section.id, []).append(position)
        return n

    def number(self, section_id: str) -> int | None:
        return self._numbers.get(section_id)

    def __len__(self) -> int:
        return len(self._numbers)

    def citations(self) -> list[Citation]:
        """The citations, numbered 1..n, each with its quote and the sources it rests on."""
        out = []
        for sid, n in sorted(self._numbers.items(), key=lambda kv: kv[1]):
            section, chunk_id, score = self._entries[sid]
            quotes = self._quotes.get(sid) or [s.text for s in section.sentences[:2]]
            records = self._records(section, self._positions.get(sid))
            out.append(Citation(
                n=n, chunk_id=chunk_id, doc_id=section.doc_id, title=section.title, source=section.source,
                section=section.heading, page=section.page, quote=QUOTE_JOIN.join(quotes), score=round(score, 6),
                sources=[source_note(r, self.today, self.max_age_years) for r in records],
                section_id=section.id,
            ))
        return out

    @staticmethod
    def _records(section: SectionRecord, positions: Iterable[int] | None) -> list[SourceRecord]:
        """The sources cited by the quoted sentences; all of the section's when none is."""
        ids: list[str] = []
        for i in positions or ():
            if 0 <= i < len(section.sentences):
                ids += [s for s in section.sentences[i].sources if s not in ids]
        records = [r for r in (section.source_record(i) for i in ids) if r is not None]
        return records or list(section.sources)


def weak_source_notice(citations: list[Citation]) -> str | None:
    """A Dutch notice when an answer rests on press or a presentation (not independently checked)."""
    weak = {}
    for c in citations:
        for note in c.sources:
            if note.kind in WEAK_KINDS:
                weak.setdefault(note.kind, note.label.split(" · ")[0])
    if not weak:
        return None
    kinds = {"pers": "een persbron", "presentatie": "een presentatie"}
    what = " en ".join(f"{kinds[k]} ({who})" for k, who in weak.items())
    return f"Dit antwoord steunt deels op {what}: die beweringen zijn niet onafhankelijk gecontroleerd."


def number_citations(
    groups: Iterable[Iterable[Citation]], numbers: dict[tuple[str, str], int] | None = None
) -> list[list[Citation]]:
    """Number citations in order of first appearance; the same passage keeps its number.

    A passage is a chunk with its quote: the netwerkscan cites one section with different
    quotes for different steps, and each quote gets a number (a footnote) of its own.

    Args:
        groups: the citations in the order they are shown, one group per step or paragraph.
        numbers: the numbers given so far, by ``(chunk_id, quote)``; pass the same dict again
            to go on numbering where the previous call stopped (it is updated).

    Returns:
        The groups, each citation a copy carrying its number ``n``.
    """
    numbers = {} if numbers is None else numbers
    return [
        [dataclasses.replace(c, n=numbers.setdefault((c.chunk_id, c.quote), len(numbers) + 1)) for c in group]
        for group in groups
    ]
