"""The on-disk index: Chroma vectors plus a versioned snapshot of everything else.

Layout of ``index_dir``::

    chroma/            persistent Chroma (absent when a Chroma server URL is set)
    CURRENT            name of the live snapshot folder, replaced atomically
    snap-<n>/          manifest.json   signature, documents, vocabulary
                       sections.jsonl  sections with their sentences and anchor questions
                       chunks.jsonl    the searchable pieces of the sections
                       sentences.npy   a vector per sentence (float16, memory-mapped)
                       anchors.npy     a vector per anchor question
                       outside.npy     a vector per off-topic question (assistant/ingest/buiten-bereik.yaml)
                       bm25/           the BM25 index over the chunks

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

from assistant.index.records import ChunkRecord, SectionRecord
from assistant.settings import Settings
from assistant.types import Scores, SourceChunk

FORMAT_VERSION = 7  # 7: sentences no longer split inside initials ("W.K.") or a link's text


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


UBIQUITOUS = 0.12  # a term in more of the chunks than this share says nothing about one section


@dataclass
class Snapshot:
    """Everything but the chunk vectors: documents, sections, chunks, sentence and
    anchor-question vectors, BM25. Read it through its methods; it never changes."""

    signature: dict[str, Any]
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    chunks: dict[str, ChunkRecord] = field(default_factory=dict)
    sections: dict[str, SectionRecord] = field(default_factory=dict)
    sentence_vectors: np.ndarray | None = None
    anchor_vectors: np.ndarray | None = None
    outside_vectors: np.ndarray | None = None
    outside_sha: str = ""
    bm25: Any = None
    vocabulary: frozenset[str] = frozenset()
    order: list[str] = field(default_factory=list)
    df: dict[str, int] = field(default_factory=dict)
    path: Path | None = None
    _speller: Any = field(default=None, repr=False)
    _anchor_owner: list[str] | None = field(default=None, repr=False)
    _anchor_f32: np.ndarray | None = field(default=None, repr=False)
    _asked_terms: dict[str, list[str]] | None = field(default=None, repr=False)
    _anchor_words: tuple[Any, list[str]] | None = field(default=None, repr=False)
    _known_terms: frozenset[str] | None = field(default=None, repr=False)

    @property
    def speller(self):
        """Typo corrector over the corpus vocabulary, built on first use."""
        if self._speller is None:
            from assistant.text import Speller

            self._speller = Speller(self.vocabulary)
        return self._speller

    def topical(self, term: str) -> bool:
        """Whether an analysed term says something about one section: it occurs in at most
        UBIQUITOUS of the chunks ("municipality", "stem" occur everywhere)."""
        return self.df.get(term, 0) / max(len(self.chunks), 1) <= UBIQUITOUS

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency of an analysed term over the chunks."""
        import math

        n = max(len(self.chunks), 1)
        return math.log(1 + (n - self.df.get(term, 0) + 0.5) / (self.df.get(term, 0) + 0.5))

    def has_chunk(self, chunk_id: str) -> bool:
        return chunk_id in self.chunks

    def chunk(self, chunk_id: str, scores: Scores | None = None) -> SourceChunk:
        """The chunk as a retrieval result (with ``scores`` when it was found by a search)."""
        c = self.chunks[chunk_id]
        return SourceChunk(c.id, c.doc_id, c.title, c.source, c.text, c.section, c.page, c.language,
                           c.content_hash, c.section_id, scores or Scores())

    def section(self, section_id: str) -> SectionRecord:
        return self.sections[section_id]

    def section_of(self, chunk_id: str) -> SectionRecord:
        return self.sections[self.chunks[chunk_id].section_id]

    def sentence_vectors_of(self, section: SectionRecord) -> np.ndarray:
        """The (float32) vectors of a section's sentences, in the order of its sentences."""
        rows = self.sentence_vectors[section.sent_start : section.sent_start + len(section.sentences)]
        return np.asarray(rows, dtype=np.float32)

    def anchors(self) -> tuple[np.ndarray, list[str]]:
        """All anchor-question vectors (float32, converted once) and, per row, the id of the
        section it belongs to."""
        if self._anchor_owner is None:
            owner = [""] * (0 if self.anchor_vectors is None else len(self.anchor_vectors))
            for sec in self.sections.values():
                for i in range(len(sec.questions)):
                    owner[sec.anchor_start + i] = sec.id
            vectors = self.anchor_vectors if self.anchor_vectors is not None else np.zeros((0, 1))
            self._anchor_f32 = np.asarray(vectors, dtype=np.float32)
            self._anchor_owner = owner
        return self._anchor_f32, self._anchor_owner

    def asked_terms(self) -> dict[str, list[str]]:
        """Per section with anchor questions, the index terms of those questions, analysed
        once per snapshot (for their BM25 index, the known terms and the refusal evidence)."""
        if self._asked_terms is None:
            from assistant.text import analyze

            self._asked_terms = {sec.id: analyze(" ".join(sec.questions), self.vocabulary)
                                 for sec in self.sections.values() if sec.questions}
        return self._asked_terms

    def anchor_words(self) -> tuple[Any, list[str]]:
        """A BM25 index over the anchor questions, one document per section (all its
        questions together), and the section id per document; built on first use (a few
        milliseconds), so the index on disk does not change."""
        if self._anchor_words is None:
            import bm25s

            asked = self.asked_terms()
            owners, terms = list(asked), list(asked.values())
            model = None
            if any(terms):
                model = bm25s.BM25()
                model.index(terms, show_progress=False)
            self._anchor_words = (model, owners)  # one assignment: a second thread at most builds it twice
        return self._anchor_words

    @property
    def known_terms(self) -> frozenset[str]:
        """The terms the corpus uses: those of its passages and those of the questions its
        sections answer ("reclame" in "Welke afspraken maak je over logo's en reclame?",
        where the text says "reclamekanaal")."""
        if self._known_terms is None:
            self._known_terms = frozenset(self.df).union(*self.asked_terms().values())
        return self._known_terms

    def outside_similarities(self, query_vector: np.ndarray) -> np.ndarray:
        """Cosine of the question with each off-topic question (empty when there are none)."""
        if self.outside_vectors is None or not len(self.outside_vectors):
            return np.zeros(0, dtype=np.float32)
        return np.asarray(self.outside_vectors, dtype=np.float32) @ np.asarray(query_vector, dtype=np.float32)

    def sections_of(self, doc_id: str) -> list[SectionRecord]:
        """The sections of a document in reading order."""
        doc = self.documents.get(doc_id, {})
        return [self.sections[sid] for sid in doc.get("sections", []) if sid in self.sections]

    def find_section(self, doc_id: str, heading: str) -> SectionRecord | None:
        """A section by document and heading path (or its last heading)."""
        candidates = self.sections_of(doc_id)
        exact = [s for s in candidates if s.heading == heading]
        return (exact or [s for s in candidates if s.last_heading == heading] or [None])[0]


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
        if manifest["signature"].get("format") != FORMAT_VERSION:
            return Snapshot(signature=manifest["signature"], path=path)  # check_signature explains
        chunks = {r.id: r for r in (ChunkRecord.from_json(d) for d in _read_jsonl(path / "chunks.jsonl"))}
        sections = {r.id: r for r in (SectionRecord.from_json(d) for d in _read_jsonl(path / "sections.jsonl"))}
        return Snapshot(
            signature=manifest["signature"], documents=manifest["documents"], chunks=chunks, sections=sections,
            sentence_vectors=np.load(path / "sentences.npy", mmap_mode="r"),
            anchor_vectors=np.load(path / "anchors.npy"), outside_vectors=np.load(path / "outside.npy"),
            outside_sha=manifest.get("outside_sha", ""),
            bm25=bm25s.BM25.load(str(path / "bm25")) if chunks else None,
            vocabulary=frozenset(manifest["vocabulary"]), order=list(chunks), df=manifest.get("df", {}), path=path,
        )

    def write(self, snap: Snapshot) -> Path:
        """Write ``snap`` as a new snapshot folder and make it the live one."""

        self.dir.mkdir(parents=True, exist_ok=True)
        existing = [int(p.name.split("-")[1]) for p in self.dir.glob("snap-*") if p.name.split("-")[1].isdigit()]
        final = self.dir / f"snap-{max(existing, default=0) + 1}"
        tmp = self.dir / f".tmp-{final.name}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        _write_jsonl(tmp / "chunks.jsonl", (snap.chunks[cid].to_json() for cid in snap.order))
        _write_jsonl(tmp / "sections.jsonl", (s.to_json() for s in snap.sections.values()))
        np.save(tmp / "sentences.npy", snap.sentence_vectors)
        np.save(tmp / "anchors.npy", snap.anchor_vectors)
        np.save(tmp / "outside.npy", snap.outside_vectors)
        if snap.bm25 is not None:
            snap.bm25.save(str(tmp / "bm25"))
        manifest = {"signature": snap.signature, "documents": snap.documents, "outside_sha": snap.outside_sha,
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


def _read_jsonl(path: Path):
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _write_jsonl(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _fsync_all(path: Path) -> None:
    for p in [*path.iterdir(), path] if path.is_dir() else [path]:
        if p.is_file():
            with open(p, "rb") as fh:
                os.fsync(fh.fileno())


class ChunkVectors:
    """The chunk vectors in a Chroma collection, written and read with our own vectors.

    Chroma is only ever given vectors, never texts to embed, so its default embedding
    function (which would download a model) is never used.
    """

    def __init__(self, collection):
        self.collection = collection

    def add(self, ids: list[str], vectors: np.ndarray, documents: list[str], metadatas: list[dict]) -> None:
        self.collection.upsert(ids=ids, embeddings=np.asarray(vectors, dtype=np.float32),
                               documents=documents, metadatas=metadatas)

    def search(self, vector: np.ndarray, k: int, score_with: np.ndarray | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first; with ``score_with``, in the order of
        ``vector`` but with the cosine against ``score_with`` (an adapted question keeps
        the model's own similarity)."""
        if k <= 0:
            return []
        include = ["distances"] if score_with is None else ["embeddings"]
        hits = self.collection.query(query_embeddings=[np.asarray(vector, dtype=np.float32)], n_results=k,
                                     include=include)
        ids = hits["ids"][0]
        if score_with is None:
            return [(cid, 1.0 - float(d)) for cid, d in zip(ids, hits["distances"][0])]
        found = np.asarray(hits["embeddings"][0], dtype=np.float32).reshape(len(ids), -1)
        query = np.asarray(score_with, dtype=np.float32)
        cosines = found @ query / np.maximum(np.linalg.norm(found, axis=1) * np.linalg.norm(query), 1e-12)
        return [(cid, float(c)) for cid, c in zip(ids, cosines)]

    def ids(self) -> list[str]:
        return list(self.collection.get(include=[])["ids"])

    def delete(self, ids: list[str]) -> None:
        for start in range(0, len(ids), 5000):
            self.collection.delete(ids=ids[start : start + 5000])

    def count(self) -> int:
        return int(self.collection.count())


def make_vector_store(settings: Settings, signature: dict[str, Any]) -> ChunkVectors:
    """The chunk vectors: a persistent Chroma under index_dir, or a Chroma server."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

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
    collection = client.get_or_create_collection(
        name=settings.store.collection, embedding_function=None,
        metadata={"hnsw:space": "cosine", **{k: str(v) for k, v in signature.items()}},
    )
    hnsw = (collection.configuration_json or {}).get("hnsw") or {}
    if hnsw.get("ef_search") != settings.store.search_ef:  # new, or an index from before the setting
        collection.modify(configuration={"hnsw": {"ef_search": settings.store.search_ef}})
    return ChunkVectors(collection)
