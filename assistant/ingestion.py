"""Incremental, idempotent and safe ingestion of documents into the index."""

from __future__ import annotations

import fcntl
from collections import Counter
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .chunking import chunk_document, content_hash, doc_identity, embedding_text
from .embeddings import Embedder, make_embeddings
from .index import Snapshot, SnapshotStore, build_signature, check_signature, make_vector_store
from .loaders import SkipFile, load
from .settings import Settings
from .text import analyze, vocabulary_of
from .types import SourceChunk

ProgressFn = Callable[[int, int, str], None]
"""progress(done, total, description) for the UI; the CLI shows a tqdm bar instead."""


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class IngestReport:
    """What an ingest did, for the CLI summary and the upload panel."""

    files_seen: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    chunks_total: int = 0
    chunks_embedded: int = 0
    sentences_embedded: int = 0
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        """0 when every file went in, 2 when some were skipped."""
        return 2 if self.skipped else 0

    def summary(self) -> str:
        """A short Dutch summary, one line per skipped file."""
        lines = [
            f"{self.files_seen} bestanden bekeken: {len(self.added)} nieuw, {len(self.updated)} gewijzigd, "
            f"{len(self.unchanged)} ongewijzigd, {len(self.removed)} verwijderd, {len(self.skipped)} overgeslagen.",
            f"{self.chunks_total} passages in de index, {self.chunks_embedded} nieuw ingebed, "
            f"in {self.seconds:.1f} s.",
        ]
        lines += [f"Overgeslagen: {s.path}: {s.reason}" for s in self.skipped]
        return "\n".join(lines)


@dataclass
class _Candidate:
    path: Path
    root: Path
    doc_id: str
    source: str
    sha: str


class Ingestor:
    """Builds and updates the index from files on disk.

    Args:
        settings: the product settings.
        embeddings: an embedder to reuse (the app passes its own); built lazily
            from settings when needed, so a no-op ingest never loads the model.
    """

    def __init__(self, settings: Settings, embeddings: Embedder | None = None):
        self.settings = settings
        self._embeddings = embeddings
        self.snapshots = SnapshotStore(settings.index_dir)
        self._show_progress = True

    @property
    def embeddings(self) -> Embedder:
        if self._embeddings is None:
            self._embeddings = make_embeddings(self.settings.embeddings)
        return self._embeddings

    def run(
        self,
        paths: Iterable[Path] | None = None,
        rebuild: bool = False,
        progress: ProgressFn | None = None,
        remove_missing: bool = True,
        show_progress: bool = True,
    ) -> IngestReport:
        """Bring the index in line with the files under ``paths``.

        Unchanged files (same SHA-256) cost nothing; changed files replace their
        chunks; files that disappeared from an ingested folder leave the index.
        """
        started = time.perf_counter()
        roots = [Path(p) for p in (paths or self.settings.corpus_dirs)]
        report = IngestReport()
        self._show_progress = show_progress
        with self._lock():
            old = self._previous(rebuild)
            candidates = list(self._scan(roots, report))
            report.files_seen = len(candidates) + len(report.skipped)
            by_doc = {c.doc_id: c for c in candidates}
            changed = [c for c in candidates if old.documents.get(c.doc_id, {}).get("sha256") != c.sha]
            gone = [d for d, info in old.documents.items()
                    if remove_missing and d not in by_doc and _under(Path(info["path"]), roots)]
            report.unchanged = [c.source for c in candidates if c not in changed]
            if not changed and not gone and old.path is not None:
                report.chunks_total = len(old.records)
                report.seconds = time.perf_counter() - started
                return report
            new = self._apply(old, changed, gone, report, progress)
            report.chunks_total = len(new.records)
        report.seconds = time.perf_counter() - started
        return report

    # -- steps ---------------------------------------------------------------

    def _previous(self, rebuild: bool) -> Snapshot:
        manifest = self.snapshots.read_manifest()
        if rebuild or manifest is None:
            return Snapshot(signature={})
        check_signature(manifest["signature"], build_signature(self.settings, self.embeddings))
        return self.snapshots.load()

    def _scan(self, roots: list[Path], report: IngestReport) -> Iterator[_Candidate]:
        limit = self.settings.ingest.max_file_mb * 1024 * 1024
        allowed = {e.lower() for e in self.settings.ingest.extensions}
        for root in roots:
            if not root.exists():
                report.skipped.append(Skipped(str(root), "pad bestaat niet"))
                continue
            files = sorted(root.rglob("*")) if root.is_dir() else [root]
            for path in files:
                if not path.is_file() or any(part.startswith(".") for part in path.relative_to(root.parent).parts):
                    continue
                doc_id, source = doc_identity(path, root)
                if path.suffix.lower() not in allowed:
                    report.skipped.append(Skipped(source, f"bestandstype {path.suffix or '(geen extensie)'} wordt niet ondersteund"))
                elif path.stat().st_size > limit:
                    mb = path.stat().st_size / 1024 / 1024
                    report.skipped.append(Skipped(source, f"te groot ({mb:.1f} MB, limiet {self.settings.ingest.max_file_mb:g} MB)"))
                elif path.stat().st_size == 0:
                    report.skipped.append(Skipped(source, "leeg bestand"))
                else:
                    yield _Candidate(path, root, doc_id, source, content_hash(path.read_bytes()))

    def _apply(self, old: Snapshot, changed: list[_Candidate], gone: list[str],
               report: IngestReport, progress: ProgressFn | None) -> Snapshot:
        documents = {d: info for d, info in old.documents.items() if d not in gone}
        report.removed = [old.documents[d]["source"] for d in gone]
        fresh: dict[str, list[SourceChunk]] = {}
        for cand in changed:
            try:
                doc = load(cand.path)
            except SkipFile as exc:
                report.skipped.append(Skipped(cand.source, str(exc)))
                continue
            language = _language(doc.meta.get("language") or doc.meta.get("taal"), doc.blocks)
            fresh[cand.doc_id] = chunk_document(doc, cand.doc_id, cand.source, language, self.settings.chunking)
            (report.updated if cand.doc_id in old.documents else report.added).append(cand.source)
            documents[cand.doc_id] = {
                "path": str(cand.path.resolve()), "source": cand.source, "sha256": cand.sha,
                "title": doc.title, "meta": _jsonable(doc.meta), "chunks": [c.id for c in fresh[cand.doc_id]],
                "ingested": time.strftime("%Y-%m-%dT%H:%M:%S"),
            }
        chunk_ids = [cid for d in documents.values() for cid in d["chunks"]]
        new_records = {c.id: c.to_record() for chunks in fresh.values() for c in chunks}
        records = {cid: old.records.get(cid) or new_records[cid] for cid in chunk_ids}
        to_embed = [SourceChunk.from_record(records[cid]) for cid in chunk_ids if cid not in old.records]
        signature = build_signature(self.settings, self.embeddings)
        store = None
        if to_embed:
            store = make_vector_store(self.settings, self.embeddings, signature)
            self._embed_and_store(store, to_embed, records, report, progress)
        sentence_vectors = self._sentence_matrix(old, records, chunk_ids)
        vocab = vocabulary_of(r["text"] for r in records.values())
        terms = [analyze(_bm25_text(records[cid]), vocab) or ["_"] for cid in chunk_ids]
        new = Snapshot(signature=signature, documents=documents, records=records,
                       sentence_vectors=sentence_vectors, bm25=_build_bm25(terms), vocabulary=vocab,
                       order=chunk_ids, df=dict(Counter(t for ts in terms for t in set(ts))))
        self.snapshots.write(new)
        self._delete_stale(store, signature, set(chunk_ids))
        return new

    def _embed_and_store(self, store, chunks: list[SourceChunk], records: dict, report: IngestReport,
                         progress: ProgressFn | None) -> None:
        sentences = [s for c in chunks for s in c.extra["sentences"]]
        total = len(chunks) + len(sentences)
        with _progress_bar(total, progress, self._show_progress) as tick:
            vectors = self.embeddings.embed_passages([embedding_text(c) for c in chunks], tick)
            sent_vectors = self.embeddings.embed_passages(sentences, tick)
        offset = 0
        for c in chunks:
            n = len(c.extra["sentences"])
            records[c.id]["extra"]["_new_sentences"] = sent_vectors[offset : offset + n]
            offset += n
        collection = store._collection  # vectors are ours: Chroma never embeds anything itself
        for start in range(0, len(chunks), 1000):
            batch = chunks[start : start + 1000]
            collection.upsert(
                ids=[c.id for c in batch],
                embeddings=vectors[start : start + len(batch)],
                documents=[c.text for c in batch],
                metadatas=[c.metadata() for c in batch],
            )
        report.chunks_embedded = len(chunks)
        report.sentences_embedded = len(sentences)

    def _sentence_matrix(self, old: Snapshot, records: dict, chunk_ids: list[str]) -> np.ndarray:
        dim = old.sentence_vectors.shape[1] if old.sentence_vectors is not None and old.sentence_vectors.size else None
        parts: list[np.ndarray] = []
        offset = 0
        for cid in chunk_ids:
            extra = records[cid]["extra"]
            new_vecs = extra.pop("_new_sentences", None)
            if new_vecs is None:
                vecs = old.sentence_vectors[extra["sent_start"] : extra["sent_start"] + len(extra["sentences"])]
            else:
                vecs = new_vecs
            dim = dim or (vecs.shape[1] if vecs.size else None)
            extra["sent_start"] = offset
            offset += len(vecs)
            parts.append(np.asarray(vecs, dtype=np.float16))
        if not parts or offset == 0:
            return np.zeros((0, dim or 384), dtype=np.float16)
        return np.vstack([p for p in parts if p.size])

    def _delete_stale(self, store, signature: dict, live: set[str]) -> None:
        if store is None:
            store = make_vector_store(self.settings, self._embeddings_or_none(), signature)
        collection = store._collection
        stale = [i for i in collection.get(include=[])["ids"] if i not in live]
        for start in range(0, len(stale), 5000):
            collection.delete(ids=stale[start : start + 5000])

    def _embeddings_or_none(self):
        return self._embeddings or _NoEmbeddings()

    @contextmanager
    def _lock(self):
        self.settings.index_dir.mkdir(parents=True, exist_ok=True)
        with open(self.settings.index_dir / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


class _NoEmbeddings:
    """Stands in for the embedder when only deletions are needed (never called)."""

    def embed_documents(self, texts):  # pragma: no cover - guarded by design
        raise RuntimeError("geen embeddings nodig bij verwijderen")

    embed_query = embed_documents


@contextmanager
def _progress_bar(total: int, progress: ProgressFn | None, show: bool = True):
    from tqdm import tqdm

    done = 0
    with tqdm(total=total, desc="Inbedden", unit="tekst", disable=not show or progress is not None or total == 0) as bar:
        def tick(n: int) -> None:
            nonlocal done
            done += n
            bar.update(n)
            if progress:
                progress(done, total, "Inbedden")
        yield tick


def _build_bm25(terms: list[list[str]]):
    import bm25s

    if not terms:
        return None
    bm25 = bm25s.BM25()
    bm25.index(terms, show_progress=False)
    return bm25


def _bm25_text(record: dict) -> str:
    return f"{record['title']} {record['section']} {record['section']} {record['text']}"


def _language(declared, blocks) -> str:
    if declared:
        return str(declared)
    from .language import detect_language

    return detect_language(" ".join(b.text for b in blocks)[:3000])


def _under(path: Path, roots: list[Path]) -> bool:
    for root in roots:
        root = root.resolve()
        if path == root or root in path.parents:
            return True
    return False


def _jsonable(meta: dict) -> dict:
    import json

    return json.loads(json.dumps(meta, default=str))
