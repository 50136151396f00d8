"""Hybrid, section-first retrieval.

Four rankings of the live snapshot's sections are fused by weighted reciprocal rank
fusion: dense (the question's vector against the chunk vectors in Chroma), BM25 with
Dutch analysis over the chunks, and the anchor questions (the questions each draaiboek
section answers), both by the question's vector and by BM25 over their words. A section
ranks by its best chunk; a search hands out one chunk per section, the section's best.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from assistant.index.embeddings import Embedder, make_embeddings
from assistant.index.snapshot import ChunkVectors, Snapshot, SnapshotStore, build_signature, check_signature, make_vector_store
from assistant.language import detect_language
from assistant.retrieval.adapter import QueryAdapter, load_adapter
from assistant.retrieval.query import PreparedQuery, prepare
from assistant.index.records import SectionRecord
from assistant.settings import Settings
from assistant.text import analyze, words
from assistant.types import Scores, SourceChunk

Ranking = list[tuple[str, float]]
_embed_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="embed")


@dataclass
class SectionHit:
    """A ranked section with the chunk that represents it and how it was found."""

    section: SectionRecord
    chunk: SourceChunk

    @property
    def scores(self) -> Scores:
        return self.chunk.scores


@dataclass
class SearchResult:
    """Everything one search found, read against one snapshot."""

    snapshot: Snapshot
    query: PreparedQuery
    query_vector: np.ndarray
    hits: list[SectionHit]
    best_dense: float
    best_anchor: float

    @property
    def chunks(self) -> list[SourceChunk]:
        return [h.chunk for h in self.hits]


class Retriever:
    """Searches the live index; picks up a new snapshot after every ingest.

    Args:
        settings: product settings.
        embeddings: an embedder to share (built from settings when omitted).
    """

    def __init__(self, settings: Settings, embeddings: Embedder | None = None):
        self.settings = settings
        self.embeddings = embeddings or make_embeddings(settings.embeddings)
        self.snapshots = SnapshotStore(settings.index_dir)
        self._snapshot: Snapshot | None = None
        self._store: ChunkVectors | None = None
        self._lock = threading.RLock()
        self._adapter = load_adapter(self.embeddings.model_id) if settings.retrieval.query_adapter else None
        self._adapted_anchors: tuple[Snapshot, np.ndarray] | None = None  # (snapshot, its mapped anchor vectors)

    @property
    def adapter(self) -> QueryAdapter | None:
        """The query adapter in use (None: the model's own vectors order the rankings)."""
        return self._adapter

    @adapter.setter
    def adapter(self, adapter: QueryAdapter | None) -> None:
        with self._lock:
            self._adapter, self._adapted_anchors = adapter, None

    @property
    def snapshot(self) -> Snapshot:
        """The live snapshot, loaded on first use and after every ingest.

        A request takes it once and passes it down, so an ingest that flips the
        index halfway through a question cannot mix two snapshots.
        """
        current = self.snapshots.current_path()
        with self._lock:
            if self._snapshot is None or self._snapshot.path != current:
                snap = self.snapshots.load()
                check_signature(snap.signature, build_signature(self.settings, self.embeddings))
                self._snapshot = snap
            return self._snapshot

    @property
    def store(self) -> ChunkVectors:
        """The Chroma collection, opened once (Chroma's client set-up is not thread-safe)."""
        with self._lock:
            if self._store is None:
                self._store = make_vector_store(self.settings, self.snapshot.signature)
            return self._store

    def prepare(self, question: str, resolved: str | None = None, language: str | None = None,
                snapshot: Snapshot | None = None) -> PreparedQuery:
        """Analyse a question once: language, typo repair, English expansion, weights."""
        snap = snapshot or self.snapshot
        language = language or detect_language(question)
        return prepare(question, language, snap.vocabulary, snap.speller, resolved, snap.known_terms)

    def embed_query(self, query: str) -> np.ndarray:
        return self.embeddings.embed_query_vector(query)

    def embed_queries(self, queries: list[str]) -> list[np.ndarray]:
        """Vectors for several questions at once (a question and its parts), embedded side
        by side: one engine call runs on one core, so two run in about the time of one."""
        if len(queries) < 2:
            return [self.embed_query(q) for q in queries]
        return list(_embed_pool.map(self.embed_query, queries))

    def search(self, query: str | PreparedQuery, k: int | None = None,
               query_vector: np.ndarray | None = None, snapshot: Snapshot | None = None) -> list[SourceChunk]:
        """The best passage of each of the ``k`` best sections, best first."""
        return self.retrieve(query, k, query_vector, snapshot).chunks

    def retrieve(self, query: str | PreparedQuery, k: int | None = None, query_vector: np.ndarray | None = None,
                 snapshot: Snapshot | None = None) -> SearchResult:
        """Rank sections for ``query`` against one snapshot (the live one by default)."""
        cfg = self.settings.retrieval
        k = k or cfg.k
        snap = snapshot or self.snapshot
        prepared = query if isinstance(query, PreparedQuery) else self.prepare(query, snapshot=snap)
        if query_vector is None:
            query_vector = self.embed_query(prepared.search_text)
        if not snap.chunks:
            return SearchResult(snap, prepared, query_vector, [], 0.0, 0.0)
        dense = self.dense_ranking(query_vector, cfg.fetch_k, snap)
        sparse = self.bm25_ranking(prepared.search_text, cfg.fetch_k, snap)
        anchors = self.anchor_ranking(query_vector, cfg.fetch_k, snap)
        anchor_words = self.anchor_bm25_ranking(prepared.search_text, cfg.fetch_k, snap)
        hits = self._fuse(snap, dense, sparse, anchors, anchor_words, k)
        # the model's own best cosines (an adapter orders the rankings, so the best need not come first)
        return SearchResult(snap, prepared, query_vector, hits, max((c for _, c in dense), default=0.0),
                            max((c for _, c in anchors), default=0.0))

    def _fuse(self, snap: Snapshot, dense: Ranking, sparse: Ranking, anchors: Ranking, anchor_words: Ranking,
              k: int) -> list[SectionHit]:
        cfg = self.settings.retrieval
        dense_s, sparse_s = section_ranking(snap, dense), section_ranking(snap, sparse)
        fused = fuse([(cfg.dense_weight, dense_s), (cfg.bm25_weight, sparse_s), (cfg.anchor_weight, anchors),
                      (cfg.anchor_bm25_weight, anchor_words)], cfg.rrf_k)
        best_chunk = {}
        for cid, _ in sparse + dense:  # the dense best chunk wins: it is written last
            best_chunk[snap.chunks[cid].section_id] = cid
        lookup = [{sid: (score, rank) for rank, (sid, score) in enumerate(r, 1)} for r in (dense_s, sparse_s, anchors)]
        hits: list[SectionHit] = []
        for sid in sorted(fused, key=fused.get, reverse=True):
            section = snap.sections[sid]
            (d, dr), (b, br), (a, ar) = (table.get(sid, (0.0, None)) for table in lookup)
            scores = Scores(fused[sid], d, b, a, dr, br, ar)
            chunk = snap.chunk(best_chunk.get(sid, section.chunk_ids[0]), scores)
            if any(_near_duplicate(chunk.text, h.chunk.text, cfg.dedup_threshold) for h in hits):
                continue
            hits.append(SectionHit(section, chunk))
            if len(hits) == k:
                break
        return hits

    def dense_ranking(self, query_vector: np.ndarray, n: int, snapshot: Snapshot | None = None) -> Ranking:
        """(chunk id, cosine) from Chroma, limited to chunks of the snapshot."""
        snap = snapshot or self.snapshot
        depth = min(n + 10, max(len(snap.chunks), 1))
        if self.adapter is None:
            hits = self.store.search(query_vector, depth)
        else:
            hits = self.store.search(self.adapter.apply(query_vector), depth, score_with=query_vector)
        return [(cid, score) for cid, score in hits if snap.has_chunk(cid)][:n]

    def bm25_ranking(self, query: str, n: int, snapshot: Snapshot | None = None) -> Ranking:
        """(chunk id, BM25 score) for chunks with a positive score only."""
        snap = snapshot or self.snapshot
        return _bm25_top(snap.bm25, analyze(query, snap.vocabulary, query=True), snap.order, n)

    def anchor_ranking(self, query_vector: np.ndarray, n: int, snapshot: Snapshot | None = None) -> Ranking:
        """(section id, cosine of its closest anchor question), best first (by the adapter's
        order when there is one, with the model's own cosine)."""
        snap = snapshot or self.snapshot
        vectors, owner = snap.anchors()
        if not len(vectors):
            return []
        sims = vectors @ np.asarray(query_vector, dtype=np.float32)  # float32 already (Snapshot.anchors)
        order = sims if self.adapter is None else self._mapped_anchors(snap) @ self.adapter.apply(query_vector)
        best: dict[str, float] = {}
        for i in np.argsort(-order, kind="stable")[: n * 4]:
            best.setdefault(owner[i], float(sims[i]))
        return list(best.items())[:n]

    def _mapped_anchors(self, snap: Snapshot) -> np.ndarray:
        """The snapshot's anchor questions through the adapter, mapped once per snapshot."""
        assert self.adapter is not None
        with self._lock:
            if self._adapted_anchors is None or self._adapted_anchors[0] is not snap:
                self._adapted_anchors = (snap, self.adapter.apply(snap.anchors()[0]))
            return self._adapted_anchors[1]

    def anchor_bm25_ranking(self, query: str, n: int, snapshot: Snapshot | None = None) -> Ranking:
        """(section id, BM25 score of the question against the section's anchor questions):
        the words users use ("kick-off", "praatclub") where the draaiboek uses its own."""
        snap = snapshot or self.snapshot
        model, owners = snap.anchor_words()
        return _bm25_top(model, analyze(query, snap.vocabulary, query=True), owners, n)

    def as_langchain(self) -> BaseRetriever:
        """This retriever behind LangChain's retriever interface."""
        return LangChainRetriever(retriever=self)


def _bm25_top(model: Any, terms: list[str], ids: list[str], n: int) -> Ranking:
    """(id, BM25 score) of the ``n`` best documents with a positive score, best first."""
    if model is None or not terms:
        return []
    scores = model.get_scores(terms)
    return [(ids[i], float(scores[i])) for i in np.argsort(-scores)[:n] if scores[i] > 0]


def section_ranking(snap: Snapshot, chunk_ranking: Ranking) -> Ranking:
    """A chunk ranking as a section ranking: each section at the rank of its best chunk."""
    out: dict[str, float] = {}
    for cid, score in chunk_ranking:
        out.setdefault(snap.chunks[cid].section_id, score)
    return list(out.items())


def fuse(rankings: list[tuple[float, Ranking]], rrf_k: int) -> dict[str, float]:
    """Weighted reciprocal rank fusion: sum of ``weight / (rrf_k + rank)`` over the rankings."""
    fused: dict[str, float] = {}
    for weight, ranking in rankings:
        for rank, (key, _) in enumerate(ranking):
            fused[key] = fused.get(key, 0.0) + weight / (rrf_k + rank + 1)
    return fused


class LangChainRetriever(BaseRetriever):
    """Adapter for LangChain chains; converts our chunks to Documents at the boundary."""

    retriever: Any
    k: int | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [
            Document(page_content=c.text, id=c.id, metadata={
                "doc_id": c.doc_id, "title": c.title, "source": c.source, "section": c.section,
                "page": c.page, "score": c.score})
            for c in self.retriever.search(query, self.k)
        ]


@lru_cache(maxsize=20_000)
def _shingles(text: str, n: int = 3) -> frozenset[tuple[str, ...]]:
    ws = words(text)
    return frozenset(tuple(ws[i : i + n]) for i in range(max(len(ws) - n + 1, 1)))


def _near_duplicate(a: str, b: str, threshold: float) -> bool:
    if a == b:
        return True
    sa, sb = _shingles(a), _shingles(b)
    return bool(sa and sb) and len(sa & sb) / min(len(sa), len(sb)) >= threshold
