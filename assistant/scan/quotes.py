"""Quotes for the netwerkscan's citations, picked from the draaiboek sections of the index snapshot.

Every advice and council block names the sections it is drawn from; :class:`QuoteFinder`
cites such a section with the one or two of its sentences that best fit the advice text
(and the ``zoek`` words), in the same :class:`~assistant.types.Citation` form as a chat answer.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from assistant.answer.citations import CitationBook
from assistant.scan.errors import ScanConfigError
from assistant.scan.parts import SourceRef
from assistant.text import analyze
from assistant.types import Citation

if TYPE_CHECKING:  # pragma: no cover - numpy is only loaded with the index
    from assistant.index.snapshot import Snapshot


class QuoteFinder:
    """Cites a draaiboek section with the 1-2 of its sentences that best fit a text.

    Args:
        snapshot: the live index snapshot (``SnapshotStore(dir).load()``).
    """

    MIN_CHARS = 30
    MAX_QUOTE_CHARS = 360

    def __init__(self, snapshot: Snapshot):
        self.snapshot = snapshot
        self._sections = {(sec.doc_id, sec.heading): sec for sec in snapshot.sections.values()}

    def sections(self) -> set[tuple[str, str]]:
        """All ``(doc_id, section)`` pairs in the index."""
        return set(self._sections)

    def cite(self, ref: SourceRef, text: str) -> Citation:
        """A citation (``n`` = 0) of ``ref`` whose quote best fits ``text`` and ``ref.hint``.

        Raises:
            ScanConfigError: when the section is not in the index.
        """
        section = self._sections.get((ref.doc_id, ref.section))
        if section is None:
            raise ScanConfigError(f"De sectie {ref.doc_id} › {ref.section} staat niet in de index.")
        weights = self._weights(text, ref.hint)
        sentences = [s.text for s in section.sentences]
        index = max(range(len(sentences)), key=lambda i: (self._sentence_score(sentences[i], weights), -i))
        quote = self._quote(sentences, index, weights)
        book = CitationBook()
        book.cite(section, section.chunk_ids[0], quote, index, self._coverage(quote, weights))
        return book.citations()[0]

    def _terms(self, text: str) -> set[str]:
        return set(analyze(text, self.snapshot.vocabulary))

    def _weights(self, text: str, hint: str) -> dict[str, float]:
        """Term weights: idf for the advice text, twice that for the hint words."""
        weights = {t: self.snapshot.idf(t) for t in self._terms(text)}
        for t in self._terms(hint):
            weights[t] = 2 * self.snapshot.idf(t)
        return weights

    def _sentence_score(self, sentence: str, weights: dict[str, float]) -> float:
        if len(sentence) < self.MIN_CHARS or sentence.rstrip().endswith(":"):
            return -1.0
        terms = self._terms(sentence)
        return sum(weights.get(t, 0.0) for t in terms) / math.sqrt(max(len(terms), 8))

    def _quote(self, sentences: list[str], index: int, weights: dict[str, float]) -> str:
        """The best sentence, joined with a neighbour that also fits (in reading order)."""
        best = sentences[index]
        best_score = self._sentence_score(best, weights)
        neighbours = [i for i in (index - 1, index + 1) if 0 <= i < len(sentences)]
        scored = [(self._sentence_score(sentences[i], weights), i) for i in neighbours]
        fitting = [
            (score, i) for score, i in scored
            if score > 0 and score >= 0.5 * best_score
            and len(best) + len(sentences[i]) + 1 <= self.MAX_QUOTE_CHARS
        ]
        if not fitting:
            return tidy_quote(best)
        _, other = max(fitting)
        first, second = sorted((index, other))
        return tidy_quote(f"{sentences[first]} {sentences[second]}")

    def _coverage(self, quote: str, weights: dict[str, float]) -> float:
        total = sum(weights.values())
        return sum(weights.get(t, 0.0) for t in self._terms(quote)) / total if total else 0.0


def tidy_quote(text: str) -> str:
    """A quote as it stands in the section, without the ';' or ',' that ends a list item."""
    return " ".join(text.split()).rstrip(" ;,")
