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

from assistant.ingest.chunking import CutDocument, content_hash, cut_document, doc_identity, embedding_text
from assistant.index.embeddings import Embedder, make_embeddings
from assistant.index.snapshot import ChunkVectors, IndexMismatch, Snapshot, SnapshotStore, build_signature, check_signature, make_vector_store
from assistant.ingest.loaders import SkipFile, load
from assistant.ingest.outside import OutsideBank, load_bank
from assistant.index.records import ChunkRecord, SectionRecord
from assistant.settings import Settings
from assistant.text import analyze, vocabulary_of

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
    sections_total: int = 0
    chunks_embedded: int = 0
    sentences_embedded: int = 0
    questions_embedded: int = 0
    seconds: float = 0.0
    rebuilt_because: str | None = None

    @property
    def exit_code(self) -> int:
        """0 when every file went in, 2 when some were skipped."""
        return 2 if self.skipped else 0

    def summary(self) -> str:
        """A short Dutch summary, one line per skipped file."""
        lines = [
            f"{self.files_seen} bestanden bekeken: {len(self.added)} nieuw, {len(self.updated)} gewijzigd, "
            f"{len(self.unchanged)} ongewijzigd, {len(self.removed)} verwijderd, {len(self.skipped)} overgeslagen.",
            f"{self.chunks_total} passages in {self.sections_total} secties in de index; nieuw ingebed: "
            f"{self.chunks_embedded} passages, {self.sentences_embedded} zinnen, {self.questions_embedded} "
            f"vragen; in {self.seconds:.1f} s.",
        ]
        if self.rebuilt_because:
            lines.insert(0, f"De index is opnieuw opgebouwd: {self.rebuilt_because}")
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
        rebuild_if_needed: bool = False,
    ) -> IngestReport:
        """Bring the index in line with the files under ``paths``.

        Unchanged files (same SHA-256) cost nothing; changed files replace their
        sections; files that disappeared from an ingested folder leave the index.
        With ``rebuild_if_needed`` an index built with other settings (another
        embedding model, another index format) is rebuilt instead of refused.
        """
        started = time.perf_counter()
        roots = [Path(p) for p in (paths or self.settings.corpus_dirs)]
        report = IngestReport()
        self._show_progress = show_progress
        with self._lock():
            try:
                old = self._previous(rebuild)
            except IndexMismatch as exc:
                if not rebuild_if_needed:
                    raise
                report.rebuilt_because = str(exc).split(". Bouw", 1)[0]
                old = self._previous(True)
            candidates = list(self._scan(roots, report))
            report.files_seen = len(candidates) + len(report.skipped)
            by_doc = {c.doc_id: c for c in candidates}
            changed = [c for c in candidates if old.documents.get(c.doc_id, {}).get("sha256") != c.sha]
            gone = [d for d, info in old.documents.items()
                    if remove_missing and d not in by_doc and _under(Path(info["path"]), roots)]
            report.unchanged = [c.source for c in candidates if c not in changed]
            bank, bank_sha = load_bank(self.settings.answer.outside_questions)
            if not changed and not gone and old.path is not None and old.outside_sha == bank_sha:
                report.chunks_total, report.sections_total = len(old.chunks), len(old.sections)
                report.seconds = time.perf_counter() - started
                return report
            new = self._apply(old, changed, gone, report, progress, (bank, bank_sha))
            report.chunks_total, report.sections_total = len(new.chunks), len(new.sections)
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
               report: IngestReport, progress: ProgressFn | None, outside: tuple[OutsideBank, str]) -> Snapshot:
        documents = {d: info for d, info in old.documents.items() if d not in gone}
        report.removed = [old.documents[d]["source"] for d in gone]
        fresh: dict[str, CutDocument] = {}
        for cand in changed:
            try:
                doc = load(cand.path)
            except SkipFile as exc:
                report.skipped.append(Skipped(cand.source, str(exc)))
                continue
            language = _language(doc.meta.get("language") or doc.meta.get("taal"), doc.blocks)
            cut = cut_document(doc, cand.doc_id, cand.source, language, self.settings.chunking)
            if not cut.chunks:
                report.skipped.append(Skipped(cand.source, "geen tekst gevonden"))
                continue
            fresh[cand.doc_id] = cut
            (report.updated if cand.doc_id in old.documents else report.added).append(cand.source)
            documents[cand.doc_id] = {
                "path": str(cand.path.resolve()), "source": cand.source, "sha256": cand.sha,
                "title": doc.title, "meta": _jsonable(doc.meta),
                "chunks": [c.id for c in cut.chunks], "sections": [s.id for s in cut.sections],
                "ingested": time.strftime("%Y-%m-%dT%H:%M:%S"),
            }
        chunks, sections = self._records(old, documents, fresh)
        signature = build_signature(self.settings, self.embeddings)
        to_embed = [c for c in chunks.values() if c.id not in old.chunks]
        vectors = _Vectors.reusing(old)
        new_sentences = vectors.missing_sentences(sections.values())
        new_questions = vectors.missing_questions(sections.values())
        bank, bank_sha = outside
        reuse_outside = old.outside_sha == bank_sha and old.outside_vectors is not None
        store = None
        total = len(to_embed) + len(new_sentences) + len(new_questions) + (0 if reuse_outside else len(bank.questions))
        with _progress_bar(total, progress, self._show_progress) as tick:
            if to_embed:
                store = make_vector_store(self.settings, signature)
                chunk_vectors = self.embeddings.embed_passages([embedding_text(c) for c in to_embed], tick)
                _upsert(store, to_embed, chunk_vectors)
            vectors.add_sentences(new_sentences, self.embeddings.embed_passages(new_sentences, tick))
            vectors.add_questions(new_questions, self.embeddings.embed_queries(new_questions) if new_questions
                                  else None, tick)
            outside_vectors = (np.asarray(old.outside_vectors) if reuse_outside
                               else self.embeddings.embed_queries(bank.questions).astype(np.float16))
            if not reuse_outside:
                tick(len(bank.questions))
        report.chunks_embedded, report.sentences_embedded = len(to_embed), len(new_sentences)
        report.questions_embedded = len(new_questions)
        order = [cid for d in documents.values() for cid in d["chunks"] if cid in chunks]
        sentence_matrix, anchor_matrix = vectors.matrices(sections.values())
        vocab = vocabulary_of(c.text for c in chunks.values())
        terms = [analyze(_bm25_text(chunks[cid]), vocab) or ["_"] for cid in order]
        new = Snapshot(signature=signature, documents=documents, chunks={cid: chunks[cid] for cid in order},
                       sections=sections, sentence_vectors=sentence_matrix, anchor_vectors=anchor_matrix,
                       outside_vectors=outside_vectors, outside_sha=bank_sha,
                       bm25=_build_bm25(terms), vocabulary=vocab, order=order,
                       df=dict(Counter(t for ts in terms for t in set(ts))))
        self.snapshots.write(new)
        self._delete_stale(store, signature, set(order))
        return new

    @staticmethod
    def _records(old: Snapshot, documents: dict, fresh: dict[str, CutDocument]):
        """Chunk and section records of every live document: fresh ones for changed
        documents, the old snapshot's for the rest."""
        chunks: dict[str, ChunkRecord] = {}
        sections: dict[str, SectionRecord] = {}
        for doc_id, info in documents.items():
            if doc_id in fresh:
                chunks.update((c.id, c) for c in fresh[doc_id].chunks)
                sections.update((s.id, s) for s in fresh[doc_id].sections)
            else:
                chunks.update((cid, old.chunks[cid]) for cid in info["chunks"] if cid in old.chunks)
                sections.update((sid, old.sections[sid]) for sid in info.get("sections", []) if sid in old.sections)
        return chunks, sections

    def _delete_stale(self, store, signature: dict, live: set[str]) -> None:
        store = store or make_vector_store(self.settings, signature)
        store.delete([i for i in store.ids() if i not in live])

    @contextmanager
    def _lock(self):
        self.settings.index_dir.mkdir(parents=True, exist_ok=True)
        with open(self.settings.index_dir / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


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


def _bm25_text(chunk: ChunkRecord) -> str:
    return f"{chunk.title} {chunk.section} {chunk.section} {chunk.text}"


def _upsert(store: ChunkVectors, chunks: list[ChunkRecord], vectors: np.ndarray) -> None:
    """Write our vectors (Chroma never embeds anything itself)."""
    for start in range(0, len(chunks), 1000):
        batch = chunks[start : start + 1000]
        store.add([c.id for c in batch], vectors[start : start + len(batch)],
                  [c.text for c in batch], [c.metadata() for c in batch])


class _Vectors:
    """Sentence and anchor-question vectors by text, reused from the old snapshot:
    an edit re-embeds only the sentences that changed."""

    def __init__(self, dim: int):
        self.dim = dim
        self.sentences: dict[str, np.ndarray] = {}
        self.questions: dict[str, np.ndarray] = {}

    @classmethod
    def reusing(cls, old: Snapshot) -> "_Vectors":
        dim = old.sentence_vectors.shape[1] if old.sentence_vectors is not None and old.sentence_vectors.size else 0
        out = cls(dim)
        anchors = old.anchor_vectors
        for sec in old.sections.values():
            rows = old.sentence_vectors_of(sec)
            for sentence, row in zip(sec.sentences, rows):
                out.sentences.setdefault(sentence.text, row)
            for i, q in enumerate(sec.questions):
                out.questions.setdefault(q, np.asarray(anchors[sec.anchor_start + i], dtype=np.float32))
        return out

    def missing_sentences(self, sections) -> list[str]:
        return list(dict.fromkeys(s.text for sec in sections for s in sec.sentences if s.text not in self.sentences))

    def missing_questions(self, sections) -> list[str]:
        return list(dict.fromkeys(q for sec in sections for q in sec.questions if q not in self.questions))

    def add_sentences(self, texts: list[str], vectors: np.ndarray) -> None:
        self.sentences.update(zip(texts, vectors))
        self.dim = self.dim or (vectors.shape[1] if vectors.size else 0)

    def add_questions(self, texts: list[str], vectors: np.ndarray | None, tick) -> None:
        if vectors is not None:
            self.questions.update(zip(texts, vectors))
            tick(len(texts))

    def matrices(self, sections) -> tuple[np.ndarray, np.ndarray]:
        """Sentence and anchor matrices (float16) in section order; sets each section's start rows."""
        sent_rows: list[np.ndarray] = []
        anchor_rows: list[np.ndarray] = []
        for sec in sections:
            sec.sent_start, sec.anchor_start = len(sent_rows), len(anchor_rows)
            sent_rows += [self.sentences[s.text] for s in sec.sentences]
            anchor_rows += [self.questions[q] for q in sec.questions]
        dim = self.dim or 384
        as_matrix = lambda rows: (np.vstack(rows).astype(np.float16) if rows  # noqa: E731
                                  else np.zeros((0, dim), dtype=np.float16))
        return as_matrix(sent_rows), as_matrix(anchor_rows)


def _language(declared, blocks) -> str:
    if declared:
        return str(declared)
    from assistant.language import detect_language

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
