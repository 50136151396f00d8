"""Labelled example questions for the refusal decision: how much closer a question sits to
questions known to be in scope than to questions known to be out of scope.

The draaiboek's own questions (the anchor questions of its sections) and the off-topic
bank (``buiten-bereik.yaml``) are always there. Beside them, the calibration questions,
each labelled in or out of scope, ship as their vectors: one file per embedding model,
written by ``evals/fit_scope.py``, like the query adapter. They hold what the bank cannot:
the near misses users actually ask ("wat is het totale budget van VLAIO voor STEM in 2025?"
beside "welke oproepen lanceerde VLAIO sinds 2018?"). Only the 3 nearest count on each
side, so a question is judged by its neighbours, not by a topic's overall share of
refusals. Calibration questions that lie near an eval question are left out of the file,
so the eval set still measures questions the product has never seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.retrieval.adapter import model_file

EXAMPLES_DIR = Path(__file__).with_name("examples")
NEIGHBOURS = 3  # nearest questions averaged on each side (1, 2, 3 and 5 compared in cross-validation)
# Two questions at or above this cosine ask the same thing in other words. A calibration question
# this close to an eval question is not shipped; in fitting, an example this close to the
# question being scored is set aside (the fit sees no copies of its own questions).
NEAR_DUPLICATE = 0.93


@dataclass(frozen=True)
class ScopeExamples:
    """Vectors of labelled questions: ``inside`` the draaiboek's scope and ``outside`` it."""

    inside: np.ndarray
    outside: np.ndarray
    model_id: str


NO_EXAMPLES = ScopeExamples(np.zeros((0, 0), np.float32), np.zeros((0, 0), np.float32), "")


def examples_path(model_id: str) -> Path:
    """Where the examples of an embedding model are kept (one file per model)."""
    return model_file(EXAMPLES_DIR, model_id)


def save_examples(examples: ScopeExamples, **provenance: str | float | int) -> Path:
    """Keep the examples beside this module (float16: they ship in the package)."""
    path = examples_path(examples.model_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, inside=np.asarray(examples.inside, dtype=np.float16),
                        outside=np.asarray(examples.outside, dtype=np.float16), model_id=examples.model_id,
                        **{k: np.asarray(v) for k, v in provenance.items()})
    load_examples.cache_clear()
    return path


@lru_cache(maxsize=4)
def load_examples(model_id: str) -> ScopeExamples | None:
    """The examples embedded with ``model_id``; None when there are none for that model."""
    path = examples_path(model_id)
    if not model_id or not path.is_file():
        return None
    with np.load(path) as data:
        inside, outside = (np.asarray(data[k], dtype=np.float32) for k in ("inside", "outside"))
        embedded_with = str(data["model_id"])
    if embedded_with != model_id or inside.ndim != 2 or outside.ndim != 2 or inside.shape[1] != outside.shape[1]:
        return None
    return ScopeExamples(inside, outside, model_id)


def neighbour_margin(query_vector: np.ndarray, inside: list[np.ndarray], outside: list[np.ndarray],
                     k: int = NEIGHBOURS) -> float:
    """Mean cosine of the ``k`` nearest questions in ``inside`` minus that of the ``k``
    nearest in ``outside`` (each a list of row-vector matrices; empty ones are skipped).
    0 when either side has no question at all."""
    query = np.asarray(query_vector, dtype=np.float32)
    means = []
    for blocks in (inside, outside):
        sims = [np.asarray(b, dtype=np.float32) @ query for b in blocks if b is not None and len(b)]
        if not sims:
            return 0.0
        sims = np.concatenate(sims)
        top = sims if len(sims) <= k else np.partition(sims, len(sims) - k)[-k:]
        means.append(float(top.mean()))
    return means[0] - means[1]
