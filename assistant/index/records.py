"""What the index stores: sections with their sentences, and the chunks cut from them.

A *section* is the unit an answer is built from: a heading path of a Markdown, HTML or
Word document, or a page of a PDF. It keeps its sentences in reading order (with the
list each belongs to), the questions it answers (anchor questions from the
draaiboek's front matter) and the sources its text cites. A *chunk* is a piece of a
section of at most ``chunking.size`` characters: the unit of dense and BM25 search.
Vectors live outside the records (Chroma for chunks, numpy arrays for sentences and
anchors); a section records where its rows start.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.sources import SourceRecord


@dataclass(frozen=True)
class SentenceRecord:
    """One sentence of a section, as reading text (Markdown stripped).

    Attributes:
        text: the sentence.
        list_no: 0 for prose, else the number of the list (in the section) it belongs to.
        item_no: 0 for prose, else the number of the list item (sentences of one item share it).
        sources: ids of the source records the sentence cites (its Markdown links).
    """

    text: str
    list_no: int = 0
    item_no: int = 0
    sources: tuple[str, ...] = ()

    @property
    def in_list(self) -> bool:
        return self.list_no > 0


@dataclass
class SectionRecord:
    """A section of a document: the unit of answers, citations and "Lees verder"."""

    id: str
    doc_id: str
    title: str
    source: str
    heading: str
    page: int | None
    language: str
    phase: str
    chunk_ids: list[str]
    sentences: list[SentenceRecord]
    text: str = ""
    questions: list[str] = field(default_factory=list)
    sources: list[SourceRecord] = field(default_factory=list)
    sent_start: int = 0
    anchor_start: int = 0

    @property
    def location(self) -> str:
        """Human-readable place: heading path, page, or both."""
        parts = [self.heading] if self.heading else []
        if self.page is not None:
            parts.append(f"p. {self.page}")
        return ", ".join(parts)

    def source_record(self, source_id: str) -> SourceRecord | None:
        return next((s for s in self.sources if s.id == source_id), None)

    @property
    def last_heading(self) -> str:
        return self.heading.rsplit(" > ", 1)[-1]

    def lists(self) -> dict[int, list[int]]:
        """Sentence positions per list number, in order."""
        out: dict[int, list[int]] = {}
        for i, s in enumerate(self.sentences):
            if s.list_no:
                out.setdefault(s.list_no, []).append(i)
        return out

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["sentences"] = [[s.text, s.list_no, s.item_no, list(s.sources)] for s in self.sentences]
        data["sources"] = [s.model_dump(mode="json", exclude_none=True) for s in self.sources]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "SectionRecord":
        data = dict(data)
        data["sentences"] = [SentenceRecord(t, n, i, tuple(src)) for t, n, i, src in data["sentences"]]
        data["sources"] = [SourceRecord.model_validate(s) for s in data.get("sources", [])]
        return cls(**data)


@dataclass(frozen=True)
class ChunkRecord:
    """A searchable piece of a section (never crossing a section or page boundary)."""

    id: str
    doc_id: str
    title: str
    source: str
    text: str
    section: str
    page: int | None
    language: str
    content_hash: str
    section_id: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ChunkRecord":
        return cls(**data)

    def metadata(self) -> dict[str, Any]:
        """Flat metadata for the vector store (no None values, scalars only)."""
        meta = {"doc_id": self.doc_id, "title": self.title, "source": self.source, "section": self.section,
                "language": self.language, "content_hash": self.content_hash, "section_id": self.section_id}
        if self.page is not None:
            meta["page"] = self.page
        return meta
