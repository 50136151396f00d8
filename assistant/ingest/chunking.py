"""Cut loaded documents into sections (the unit of answers) and chunks (the unit of search)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.ingest.loaders import Block, LoadedDocument, strip_markdown
from assistant.index.records import ChunkRecord, SectionRecord, SentenceRecord
from assistant.settings import ChunkSettings
from assistant.sources import SourceIndex, SourceRecord, parse_sources_leniently
from assistant.text import split_units


def content_hash(data: bytes | str) -> str:
    """SHA-256 hex digest of bytes or UTF-8 text."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def chunk_id(source: str, section: str, page: int | None, text: str) -> str:
    """Stable chunk id: a hash of where the text stands and the text itself."""
    return content_hash(f"{source}\x1f{section}\x1f{page or ''}\x1f{text}")[:24]


def section_id(doc_id: str, heading: str, page: int | None) -> str:
    """Stable section id: a hash of the document and the place in it."""
    return content_hash(f"{doc_id}\x1f{heading}\x1f{page or ''}")[:16]


@dataclass
class CutDocument:
    """A document cut into sections and chunks, ready to embed."""

    sections: list[SectionRecord]
    chunks: list[ChunkRecord]


def cut_document(doc: LoadedDocument, doc_id: str, source: str, language: str, cfg: ChunkSettings) -> CutDocument:
    """Sections (with sentences, anchor questions and cited sources) and their chunks.

    A chunk never crosses a section or page boundary; long sections are cut at
    paragraph, line and sentence boundaries with ``cfg.overlap`` characters of overlap.
    """
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=cfg.size, chunk_overlap=min(cfg.overlap, cfg.size // 2),
        separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""], keep_separator="end",
    )
    records = parse_sources_leniently(doc.meta.get("bronnen"))
    sources = SourceIndex(records)
    questions = _anchor_questions(doc.meta.get("vragen"))
    phase = str(doc.meta.get("fase") or doc.meta.get("deel") or "")
    sections: list[SectionRecord] = []
    chunks: list[ChunkRecord] = []
    seen: set[str] = set()
    for block in _merge(doc.blocks):
        sid = section_id(doc_id, block.section, block.page)
        pieces = [block.text] if len(block.text) <= cfg.size else splitter.split_text(block.text)
        ids: list[str] = []
        for piece in (p.strip() for p in pieces):
            cid = chunk_id(source, block.section, block.page, piece)
            if not piece or cid in seen:
                continue
            seen.add(cid)
            ids.append(cid)
            chunks.append(ChunkRecord(cid, doc_id, doc.title, source, piece, block.section, block.page, language,
                                      content_hash(piece), sid))
        if not ids:
            continue
        sentences = [SentenceRecord(strip_markdown(s).strip(), n, i, tuple(r.id for r in sources.cited_in(s)))
                     for s, n, i in split_units(block.text)]
        last = block.section.rsplit(" > ", 1)[-1]
        sections.append(SectionRecord(
            id=sid, doc_id=doc_id, title=doc.title, source=source, heading=block.section, page=block.page,
            language=language, phase=phase, chunk_ids=ids, sentences=[s for s in sentences if s.text],
            text=block.text,
            questions=questions.get(block.section) or questions.get(last) or [],
            sources=sources.cited_in(block.text),
        ))
    return CutDocument(sections, chunks)


def _merge(blocks: list[Block]) -> list[Block]:
    """One block per (section, page): text under a repeated heading joins the first."""
    merged: dict[tuple[str, int | None], Block] = {}
    for b in blocks:
        key = (b.section, b.page)
        if key in merged:
            merged[key] = Block(b.section, merged[key].text + "\n\n" + b.text, b.page)
        else:
            merged[key] = b
    return list(merged.values())


def _anchor_questions(raw) -> dict[str, list[str]]:
    """The ``vragen`` front matter: heading -> questions (anything malformed is ignored)."""
    if not isinstance(raw, dict):
        return {}
    return {str(k): [str(q).strip() for q in v if str(q).strip()]
            for k, v in raw.items() if isinstance(v, list)}


def embedding_text(chunk: ChunkRecord) -> str:
    """What the embedder sees: title and section give a short passage its context."""
    head = " > ".join(p for p in (chunk.title, chunk.section) if p)
    return f"{head}\n{strip_markdown(chunk.text)}"


def doc_identity(path: Path, root: Path) -> tuple[str, str]:
    """(doc_id, source) of a file found under ``root``.

    doc_id is the path below the folder that holds ``root`` without its extension,
    with a leading ``corpus/`` dropped (``draaiboek/04-governance``); source is the
    path relative to the working directory when possible, else the absolute path.
    """
    base = root.parent if root.is_dir() else root.parent.parent
    rel = path.resolve().relative_to(base.resolve()).with_suffix("")
    parts = rel.parts[1:] if rel.parts[0] == "corpus" and len(rel.parts) > 1 else rel.parts
    try:
        source = str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        source = str(path.resolve())
    return "/".join(parts), source


__all__ = ["CutDocument", "SourceRecord", "chunk_id", "content_hash", "cut_document", "doc_identity",
           "embedding_text", "section_id"]
