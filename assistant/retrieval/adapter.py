"""A linear query adapter: a question's vector, moved towards the passages and anchor
questions of the section that answers it.

multilingual-e5-small places a user's question ("onze trekker gaat met pensioen") near
passages that share its words, not always near the section that answers it. A square
matrix, fitted on the draaiboek's anchor questions and the calibration questions by
``evals/fit_adapter.py``, maps the question's vector before the dense and anchor rankings.
It only reorders: the cosines that searches report (and the refusal reads) stay those of
the model itself. An adapter belongs to one embedding model; for any other it is not used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ADAPTER_DIR = Path(__file__).with_name("adapters")
# Fitting (evals/fit_adapter.py; chosen by cross-validation on the calibration questions)
TEMPERATURE = 0.03  # softmax temperature over cosines
PULL = 0.01  # weight of the squared distance to the identity
EPOCHS = 300
LEARNING_RATE = 1e-3


@dataclass(frozen=True)
class QueryAdapter:
    """The fitted matrix and the embedding model it was fitted for."""

    matrix: np.ndarray
    model_id: str

    def apply(self, vectors: np.ndarray) -> np.ndarray:
        """Mapped and unit-length: one vector, or one per row."""
        mapped = np.asarray(vectors, dtype=np.float32) @ self.matrix.T
        norms = np.linalg.norm(mapped, axis=-1, keepdims=True)
        return mapped / np.maximum(norms, 1e-12)


def model_file(directory: Path, model_id: str) -> Path:
    """The file in ``directory`` that belongs to one embedding model (its id made a file name)."""
    return directory / (re.sub(r"[^\w.-]+", "_", model_id).strip("_") + ".npz")


def adapter_path(model_id: str) -> Path:
    """Where the adapter of an embedding model is kept (one file per model)."""
    return model_file(ADAPTER_DIR, model_id)


def save_adapter(matrix: np.ndarray, model_id: str, **provenance: str | float | int) -> Path:
    """Keep a fitted adapter beside this module (float16: it ships in the package)."""
    path = adapter_path(model_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, matrix=np.asarray(matrix, dtype=np.float16), model_id=model_id,
                        **{k: np.asarray(v) for k, v in provenance.items()})
    return path


def load_adapter(model_id: str) -> QueryAdapter | None:
    """The adapter fitted for ``model_id``; None when there is none or it was fitted for another model."""
    path = adapter_path(model_id)
    if not path.is_file():
        return None
    with np.load(path) as data:
        matrix = np.asarray(data["matrix"], dtype=np.float32)
        fitted_for = str(data["model_id"])
    if fitted_for != model_id or matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        return None
    return QueryAdapter(matrix, model_id)


def fit_matrix(questions: np.ndarray, owners: np.ndarray, passages: np.ndarray, passage_sections: np.ndarray,
               seed: int = 0) -> np.ndarray:
    """The matrix that brings each question (a row of ``questions``, answered by the section
    in ``owners``) nearest to the passages of its own section, among all ``passages``
    (whose sections are ``passage_sections``). A contrastive loss, pulled towards the identity."""
    import torch  # the default app never imports torch; fitting is a development step

    torch.manual_seed(seed)
    x = torch.tensor(questions, dtype=torch.float32)
    c = torch.tensor(passages, dtype=torch.float32)
    own = torch.tensor(owners[:, None] == passage_sections[None, :])
    delta = torch.zeros(x.shape[1], x.shape[1], requires_grad=True)
    optimizer = torch.optim.Adam([delta], lr=LEARNING_RATE)
    for _ in range(EPOCHS):
        mapped = x + x @ delta.T
        logits = (mapped / mapped.norm(dim=1, keepdim=True)) @ c.T / TEMPERATURE
        # -log of the probability mass on the own section's passages
        loss = (torch.logsumexp(logits, 1) - torch.logsumexp(logits.masked_fill(~own, -1e9), 1)).mean()
        loss = loss + PULL * (delta**2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return np.eye(x.shape[1], dtype=np.float32) + delta.detach().numpy()
