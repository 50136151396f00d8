"""Hybrid retrieval: Dutch BM25 and dense Chroma search fused by reciprocal rank fusion."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from .embeddings import Embedder, make_embeddings
from .language import detect_language
from .query import PreparedQuery, prepare
from .index import Snapshot, SnapshotStore, build_signature, check_signature, make_vector_store
from .settings import Settings
from .text import analyze, words
from .types import SourceChunk


class Retriever:
    """Searches the live index; reloads itself when an ingest flips the snapshot.

    Args:
        settings: product settings.
        embeddings: an embedder to share (built from settings when omitted).
    """

    def __init__(self, settings: Settings, embeddings: Embedder | None = None):
        self.settings = settings
        self.embeddings = embeddings or make_embeddings(settings.embeddings)
        self.snapshots = SnapshotStore(settings.index_dir)
        self._snapshot: Snapshot | None = None
        self._store = None
        self._lock = threading.RLock()

    @property
    def snapshot(self) -> Snapshot:
        """The live snapshot, loaded on first use and after every ingest."""
        current = self.snapshots.current_path()
        with self._lock:
            if self._snapshot is None or self._snapshot.path != current:
                snap = self.snapshots.load()
                check_signature(snap.signature, build_signature(self.settings, self.embeddings))
                self._snapshot = snap
            return self._snapshot

    @property
    def store(self):
        """The Chroma store, opened once (Chroma's client set-up is not thread-safe)."""
        with self._lock:
            if self._store is None:
                self._store = make_vector_store(self.settings, self.embeddings, self.snapshot.signature)
            return self._store

    def prepare(self, question: str, resolved: str | None = None, language: str | None = None) -> PreparedQuery:
        """Typo repair and English expansion against the live vocabulary."""
        snap = self.snapshot
        language = language or detect_language(question)
        return prepare(question, language, snap.vocabulary, snap.speller, resolved, snap.df)

    def search(self, query: str | PreparedQuery, k: int | None = None,
               query_vector: np.ndarray | None = None) -> list[SourceChunk]:
        """The ``k`` best passages for ``query``, best first, near-duplicates removed.

        ``score`` is the fused RRF score; ``extra`` holds ``dense`` (cosine) and
        ``bm25`` scores and both ranks, which the answer layer uses for refusals.
        """
        cfg = self.settings.retrieval
        k = k or cfg.k
        snap = self.snapshot
        if not snap.records:
            return []
        prepared = query if isinstance(query, PreparedQuery) else self.prepare(query)
        if query_vector is None:
            query_vector = self.embed_query(prepared.search_text)
        dense = self.dense_ranking(query_vector, cfg.fetch_k)
        sparse = self.bm25_ranking(prepared.search_text, cfg.fetch_k)
        fused = fuse([(cfg.dense_weight, dense), (cfg.bm25_weight, sparse)], cfg.rrf_k)
        dense_scores, bm25_scores = dict(dense), dict(sparse)
        dense_rank = {cid: r + 1 for r, (cid, _) in enumerate(dense)}
        bm25_rank = {cid: r + 1 for r, (cid, _) in enumerate(sparse)}
        results: list[SourceChunk] = []
        for cid in sorted(fused, key=fused.get, reverse=True):
            chunk = snap.chunk(cid, fused[cid])
            if any(_near_duplicate(chunk.text, r.text, cfg.dedup_threshold) for r in results):
                continue
            chunk.extra.update(dense=dense_scores.get(cid, 0.0), bm25=bm25_scores.get(cid, 0.0),
                               dense_rank=dense_rank.get(cid), bm25_rank=bm25_rank.get(cid))
            results.append(chunk)
            if len(results) == k:
                break
        return results

    def with_siblings(self, chunks: list[SourceChunk], top: int = 3) -> list[SourceChunk]:
        """``chunks`` plus the other chunks of the sections of the first ``top``.

        A long section is cut into several chunks; when one of them is found, the
        answer composer should see the whole section (siblings keep their parent's score).
        """
        snap = self.snapshot
        seen = {c.id for c in chunks}
        out: list[SourceChunk] = []
        for i, parent in enumerate(chunks):
            out.append(parent)
            if i >= top:
                continue
            doc = snap.documents.get(parent.doc_id, {})
            for cid in doc.get("chunks", []):
                rec = snap.records.get(cid)
                if cid in seen or rec is None or rec["section"] != parent.section or rec["page"] != parent.page:
                    continue
                seen.add(cid)
                sibling = snap.chunk(cid, parent.score)
                sibling.extra.update(dense=parent.extra.get("dense", 0.0), bm25=parent.extra.get("bm25", 0.0))
                out.append(sibling)
        return out

    def embed_query(self, query: str) -> np.ndarray:
        return self.embeddings.embed_query_vector(query)

    def dense_ranking(self, query_vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """(chunk id, cosine) from Chroma, limited to chunks of the live snapshot."""
        snap = self.snapshot
        hits = self.store.similarity_search_by_vector_with_relevance_scores(
            query_vector.tolist(), k=min(n + 10, max(len(snap.records), 1))
        )
        ranking = [(doc.id, 1.0 - float(dist)) for doc, dist in hits if doc.id in snap.records]
        return ranking[:n]

    def bm25_ranking(self, query: str, n: int) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) for chunks with a positive score only."""
        snap = self.snapshot
        terms = analyze(query, snap.vocabulary, query=True)
        if not terms or snap.bm25 is None:
            return []
        scores = snap.bm25.get_scores(terms)
        top = np.argsort(-scores)[:n]
        return [(snap.order[i], float(scores[i])) for i in top if scores[i] > 0]

    def as_langchain(self) -> BaseRetriever:
        """This retriever behind LangChain's retriever interface."""
        return LangChainRetriever(retriever=self)


class LangChainRetriever(BaseRetriever):
    """Adapter for LangChain chains; converts our chunks to Documents at the boundary."""

    retriever: Any
    k: int | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [
            Document(page_content=c.text, id=c.id, metadata={**c.metadata(), "score": c.score})
            for c in self.retriever.search(query, self.k)
        ]


def fuse(rankings: list[tuple[float, list[tuple[str, float]]]], rrf_k: int) -> dict[str, float]:
    """Weighted reciprocal rank fusion: sum of ``weight / (rrf_k + rank)`` over the rankings."""
    fused: dict[str, float] = {}
    for weight, ranking in rankings:
        for rank, (cid, _) in enumerate(ranking):
            fused[cid] = fused.get(cid, 0.0) + weight / (rrf_k + rank + 1)
    return fused


def _shingles(text: str, n: int = 3) -> set[tuple[str, ...]]:
    ws = words(text)
    return {tuple(ws[i : i + n]) for i in range(max(len(ws) - n + 1, 1))}


def _near_duplicate(a: str, b: str, threshold: float) -> bool:
    if a == b:
        return True
    sa, sb = _shingles(a), _shingles(b)
    return bool(sa and sb) and len(sa & sb) / min(len(sa), len(sb)) >= threshold


