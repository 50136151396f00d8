"""The data types that cross layers: retrieval hands out SourceChunks, answering
hands out Answers with Citations. Framework objects never leave their module."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class SourceChunk:
    """One citable passage of a document, as stored in the index."""

    id: str
    doc_id: str
    title: str
    source: str
    text: str
    section: str = ""
    page: int | None = None
    language: str = "nl"
    content_hash: str = ""
    score: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def location(self) -> str:
        """Human-readable place of the passage: section, page, or both."""
        parts = [self.section] if self.section else []
        if self.page is not None:
            parts.append(f"p. {self.page}")
        return ", ".join(parts)

    def metadata(self) -> dict[str, Any]:
        """Flat metadata for the vector store (no None values, scalars only)."""
        meta = {
            "doc_id": self.doc_id,
            "title": self.title,
            "source": self.source,
            "section": self.section,
            "language": self.language,
            "content_hash": self.content_hash,
        }
        if self.page is not None:
            meta["page"] = self.page
        meta.update({k: v for k, v in self.extra.items() if isinstance(v, (str, int, float, bool))})
        return meta

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

    @classmethod
    def from_record(cls, record: dict[str, Any], score: float = 0.0) -> "SourceChunk":
        """Rebuild a chunk from the stored record written by :meth:`to_record`."""
        return cls(**{**record, "score": score})

    def to_record(self) -> dict[str, Any]:
        """Everything needed to rebuild the chunk, without its score."""
        record = asdict(self)
        record.pop("score")
        return record


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
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }
