"""Cut loaded documents into citable chunks that keep their place in the document."""

from __future__ import annotations

import hashlib
from pathlib import Path

from langchain_text_splitters import RecursiveCharacterTextSplitter

from .loaders import LoadedDocument, strip_markdown
from .settings import ChunkSettings
from .text import split_sentences
from .types import SourceChunk


def content_hash(data: bytes | str) -> str:
    """SHA-256 hex digest of bytes or UTF-8 text."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def chunk_id(source: str, section: str, page: int | None, text: str) -> str:
    """Stable chunk id: a hash of where the text stands and the text itself."""
    return content_hash(f"{source}\x1f{section}\x1f{page or ''}\x1f{text}")[:24]


def chunk_document(
    doc: LoadedDocument, doc_id: str, source: str, language: str, cfg: ChunkSettings
) -> list[SourceChunk]:
    """Split every block of ``doc`` into chunks of at most ``cfg.size`` characters.

    A chunk never crosses a section or page boundary; long sections are cut at
    paragraph, line and sentence boundaries with ``cfg.overlap`` characters of overlap.
    Each chunk carries its sentences (plain text) for the answer composer.
    """
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=cfg.size,
        chunk_overlap=min(cfg.overlap, cfg.size // 2),
        separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""],
        keep_separator="end",
    )
    extra = {k: _flat(v) for k, v in doc.meta.items() if k in ("fase", "deel", "doelgroep", "bijgewerkt")}
    chunks: list[SourceChunk] = []
    seen: set[str] = set()
    for block in doc.blocks:
        pieces = [block.text] if len(block.text) <= cfg.size else splitter.split_text(block.text)
        for piece in pieces:
            piece = piece.strip()
            cid = chunk_id(source, block.section, block.page, piece)
            if not piece or cid in seen:
                continue
            seen.add(cid)
            chunks.append(
                SourceChunk(
                    id=cid, doc_id=doc_id, title=doc.title, source=source, text=piece,
                    section=block.section, page=block.page, language=language,
                    content_hash=content_hash(piece),
                    extra={**extra, "sentences": [strip_markdown(s) for s in split_sentences(piece)]},
                )
            )
    return chunks


def embedding_text(chunk: SourceChunk) -> str:
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


def _flat(value) -> str | int | float | bool:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return value if isinstance(value, (str, int, float, bool)) else str(value)
