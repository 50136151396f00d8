"""The data types that cross layers: retrieval hands out SourceChunks, answering
hands out Answers with Citations. Framework objects never leave their module."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Scores:
    """How a passage was found: the fused score and what each ranking said."""

    fused: float = 0.0
    dense: float = 0.0
    bm25: float = 0.0
    anchor: float = 0.0
    dense_rank: int | None = None
    bm25_rank: int | None = None
    anchor_rank: int | None = None


@dataclass
class SourceChunk:
    """One citable passage of a document, as handed out by retrieval."""

    id: str
    doc_id: str
    title: str
    source: str
    text: str
    section: str = ""
    page: int | None = None
    language: str = "nl"
    content_hash: str = ""
    section_id: str = ""
    scores: Scores = field(default_factory=Scores)

    @property
    def score(self) -> float:
        return self.scores.fused

    @property
    def location(self) -> str:
        """Human-readable place of the passage: section, page, or both."""
        parts = [self.section] if self.section else []
        if self.page is not None:
            parts.append(f"p. {self.page}")
        return ", ".join(parts)

    def to_json(self) -> dict[str, Any]:
        """The CLI's JSON shape of a search result."""
        return {
            "id": self.id,
            "doc_id": self.doc_id,
            "title": self.title,
            "source": self.source,
            "section": self.section,
            "page": self.page,
            "text": self.text,
            "score": round(self.score, 6),
        }


@dataclass
class SourceNote:
    """A source cited in a passage, as the citation panel shows it ("VLAIO, 2023 · overheid")."""

    label: str
    kind: str
    year: int
    reference: str
    url: str | None = None
    stale: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SectionLink:
    """A pointer into the Draaiboek tab (or another document's section)."""

    doc_id: str
    section: str
    title: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class AnswerSentence:
    """One sentence (or list item) of an answer and where it comes from.

    Attributes:
        text: the sentence as shown, without its citation marks.
        citations: the numbers of the citations it carries.
        section_id: the section it was taken from (offline answers).
        position: its place among that section's sentences (offline answers).
        support: for LLM answers, how well the cited passage supports it (0-1).
    """

    text: str
    citations: list[int]
    section_id: str = ""
    position: int | None = None
    support: float | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Citation:
    """A numbered source of an answer, pointing at the exact passage."""

    n: int
    chunk_id: str
    doc_id: str
    title: str
    source: str
    section: str
    page: int | None
    quote: str
    score: float
    sources: list[SourceNote] = field(default_factory=list)
    section_id: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Answer:
    """What the assistant says, with the sources that back every sentence."""

    question: str
    text: str
    citations: list[Citation]
    refused: bool
    mode: str
    timings_ms: dict[str, float] = field(default_factory=dict)
    notice: str | None = None
    language: str = "nl"
    suggestions: list[Citation] = field(default_factory=list)
    sentences: list[AnswerSentence] = field(default_factory=list)
    related_questions: list[str] = field(default_factory=list)
    read_next: list[SectionLink] = field(default_factory=list)
    retrieved_ids: list[str] = field(default_factory=list)
    """Chunk ids the answer was built from (for checks; not part of the JSON contract)."""

    def to_json(self) -> dict[str, Any]:
        """The CLI and API JSON object."""
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "mode": self.mode,
            "language": self.language,
            "notice": self.notice,
            "citations": [c.to_json() for c in self.citations],
            "suggestions": [c.to_json() for c in self.suggestions],
            "sentences": [s.to_json() for s in self.sentences],
            "related_questions": list(self.related_questions),
            "read_next": [link.to_json() for link in self.read_next],
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }
