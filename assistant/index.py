"""The on-disk index: Chroma vectors plus a versioned snapshot of everything else.

Layout of ``index_dir``::

    chroma/            persistent Chroma (absent when a Chroma server URL is set)
    CURRENT            name of the live snapshot folder, replaced atomically
    snap-<n>/          manifest.json, chunks.jsonl, sentences.npy, bm25/

An ingest writes new vectors into Chroma first, then a complete new snapshot, then
flips ``CURRENT``, and only then deletes vectors that the new snapshot no longer
lists. Readers ignore vectors whose id is not in the live snapshot, so an ingest
that fails or is killed at any point leaves the previous index fully usable.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .settings import Settings
from .types import SourceChunk

FORMAT_VERSION = 4


class IndexProblem(RuntimeError):
    """Base class for index problems that the user can fix."""


class IndexMissing(IndexProblem):
    """No index has been built yet."""


class IndexMismatch(IndexProblem):
    """The index was built with other embedding or chunk settings."""


def build_signature(settings: Settings, embedder) -> dict[str, Any]:
    """What must match between ingest and query for the index to be valid."""
    return {
        "format": FORMAT_VERSION,
        "embedding_backend": embedder.backend,
        "embedding_model": embedder.model_id,
        "chunk_size": settings.chunking.size,
        "chunk_overlap": settings.chunking.overlap,
    }


@dataclass
class Snapshot:
    """Everything but the vectors: documents, chunk records, sentence vectors, BM25."""

    signature: dict[str, Any]
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    sentence_vectors: np.ndarray | None = None
    bm25: Any = None
    vocabulary: frozenset[str] = frozenset()
    order: list[str] = field(default_factory=list)
    df: dict[str, int] = field(default_factory=dict)
    path: Path | None = None
    _speller: Any = field(default=None, repr=False)

    @property
    def speller(self):
        """Typo corrector over the corpus vocabulary, built on first use."""
        if self._speller is None:
            from .text import Speller

            self._speller = Speller(self.vocabulary)
        return self._speller

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency of an analysed term over the chunks."""
        import math

        n = max(len(self.records), 1)
        return math.log(1 + (n - self.df.get(term, 0) + 0.5) / (self.df.get(term, 0) + 0.5))

    def chunk(self, chunk_id: str, score: float = 0.0) -> SourceChunk:
        return SourceChunk.from_record(self.records[chunk_id], score)

    def sentences_of(self, chunk_id: str) -> tuple[list[str], np.ndarray]:
        """The sentences of a chunk and their (float32) embedding vectors."""
        rec = self.records[chunk_id]
        start, count = rec["extra"]["sent_start"], len(rec["extra"]["sentences"])
        vecs = self.sentence_vectors[start : start + count].astype(np.float32)
        return rec["extra"]["sentences"], vecs


def check_signature(found: dict[str, Any], expected: dict[str, Any]) -> None:
    """Raise :class:`IndexMismatch` with the fix when the settings differ."""
    diffs = [f"{k}: index {found.get(k)!r}, instellingen {v!r}" for k, v in expected.items() if found.get(k) != v]
    if diffs:
        raise IndexMismatch(
            "De index is gebouwd met andere instellingen (" + "; ".join(diffs) + "). "
            "Bouw hem opnieuw met: alliantiewijzer ingest --rebuild"
        )


class SnapshotStore:
    """Reads and writes snapshot folders under ``index_dir``."""

    def __init__(self, index_dir: Path):
        self.dir = Path(index_dir)

    def current_path(self) -> Path | None:
        pointer = self.dir / "CURRENT"
        if not pointer.exists():
            return None
        path = self.dir / pointer.read_text(encoding="utf-8").strip()
        return path if (path / "manifest.json").exists() else None

    def read_manifest(self) -> dict[str, Any] | None:
        """The live manifest (signature and documents) without loading vectors or BM25."""
        path = self.current_path()
        return json.loads((path / "manifest.json").read_text(encoding="utf-8")) if path else None

    def load(self) -> Snapshot:
        """Load the live snapshot; raises :class:`IndexMissing` when there is none."""
        path = self.current_path()
        if path is None:
            raise IndexMissing(
                f"Er is nog geen index in {self.dir}. Bouw hem met: alliantiewijzer ingest"
            )
        import bm25s

        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        records: dict[str, dict[str, Any]] = {}
        with (path / "chunks.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                records[rec["id"]] = rec
        vectors = np.load(path / "sentences.npy", mmap_mode="r")
        bm25 = bm25s.BM25.load(str(path / "bm25")) if records else None
        return Snapshot(
            signature=manifest["signature"], documents=manifest["documents"], records=records,
            sentence_vectors=vectors, bm25=bm25, vocabulary=frozenset(manifest["vocabulary"]),
            order=list(records), df=manifest.get("df", {}), path=path,
        )

    def write(self, snap: Snapshot) -> Path:
        """Write ``snap`` as a new snapshot folder and make it the live one."""

        self.dir.mkdir(parents=True, exist_ok=True)
        existing = [int(p.name.split("-")[1]) for p in self.dir.glob("snap-*") if p.name.split("-")[1].isdigit()]
        final = self.dir / f"snap-{max(existing, default=0) + 1}"
        tmp = self.dir / f".tmp-{final.name}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        with (tmp / "chunks.jsonl").open("w", encoding="utf-8") as fh:
            for cid in snap.order:
                fh.write(json.dumps(snap.records[cid], ensure_ascii=False) + "\n")
        np.save(tmp / "sentences.npy", snap.sentence_vectors)
        if snap.bm25 is not None:
            snap.bm25.save(str(tmp / "bm25"))
        manifest = {"signature": snap.signature, "documents": snap.documents,
                    "vocabulary": sorted(snap.vocabulary), "df": snap.df}
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
        _fsync_all(tmp)
        os.replace(tmp, final)
        pointer_tmp = self.dir / ".CURRENT.tmp"
        pointer_tmp.write_text(final.name, encoding="utf-8")
        os.replace(pointer_tmp, self.dir / "CURRENT")
        _fsync_all(self.dir)
        self._clean(keep=final)
        snap.path = final
        return final

    def _clean(self, keep: Path) -> None:
        for p in list(self.dir.glob("snap-*")) + list(self.dir.glob(".tmp-*")):
            if p != keep:
                shutil.rmtree(p, ignore_errors=True)

    def clear(self) -> None:
        """Remove every snapshot (used by ``ingest --rebuild``)."""
        for p in list(self.dir.glob("snap-*")) + [self.dir / "CURRENT"]:
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            elif p.exists():
                p.unlink()


def _fsync_all(path: Path) -> None:
    for p in [*path.iterdir(), path] if path.is_dir() else [path]:
        if p.is_file():
            with open(p, "rb") as fh:
                os.fsync(fh.fileno())


def make_vector_store(settings: Settings, embeddings, signature: dict[str, Any]):
    """The Chroma vector store: persistent under index_dir, or a Chroma server.

    Always built with our embeddings, so Chroma's own default embedding function
    (which downloads a model) is never used.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.store.chroma_url:
        from urllib.parse import urlparse

        url = urlparse(settings.store.chroma_url)
        client = chromadb.HttpClient(
            host=url.hostname or "127.0.0.1", port=url.port or 8000,
            ssl=url.scheme == "https", settings=chroma_settings,
        )
    else:
        path = Path(settings.index_dir) / "chroma"
        path.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    return Chroma(
        collection_name=settings.store.collection,
        embedding_function=embeddings,
        client=client,
        collection_metadata={"hnsw:space": "cosine", **{k: str(v) for k, v in signature.items()}},
    )
