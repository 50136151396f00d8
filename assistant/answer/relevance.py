"""The refusal decision's evidence: how well the retrieved sections cover a question."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.retrieval.search import SearchResult
from assistant.text import analyze


@dataclass
class Relevance:
    """How well the retrieved sections cover the question (for the refusal decision).

    Attributes:
        dense: best cosine between the question and a passage (semantic match).
        anchor: best cosine between the question and a question a section answers.
        coverage: rarity-weighted share of the question's words found in the top sections together.
        best_passage: the same share for the best single section.
        outside: best cosine between the question and an off-topic question.
    """

    dense: float
    anchor: float
    coverage: float
    best_passage: float
    outside: float = 0.0

    @property
    def margin(self) -> float:
        """How much closer the question is to a section than to an off-topic theme
        (sections without anchor questions count with their passage cosine)."""
        return max(self.anchor, self.dense + 0.03) - self.outside

    def combine(self, settings) -> float:
        """One score in [0, 1] from the rescaled cosines and the lexical coverages."""
        cfg = settings
        rescale = lambda x: min(max((x - cfg.dense_floor) / (cfg.dense_ceiling - cfg.dense_floor), 0.0), 1.0)  # noqa: E731
        lexical = max(1.0 - cfg.dense_weight - cfg.anchor_weight - cfg.union_weight, 0.0)
        return (cfg.dense_weight * rescale(self.dense) + cfg.anchor_weight * rescale(self.anchor)
                + cfg.union_weight * self.coverage + lexical * self.best_passage + cfg.margin_weight * self.margin)


def relevance_of(result: SearchResult) -> Relevance:
    """How much of the question the sections hold, in meaning and in words.

    Coverage weighs each content word by its rarity in general language (wordfreq),
    so a proper name or a generic word cannot carry a question on its own. Weights
    and threshold are calibrated with ``evals/tune.py`` on the calibration set.
    """
    if not result.hits:
        return Relevance(0.0, 0.0, 0.0, 0.0, 1.0)
    vocab = result.snapshot.vocabulary
    per_section = [set(analyze(f"{h.section.title} {h.section.heading} {h.section.text}", vocab))
                   for h in result.hits[:3]]
    coverage = result.query.coverage(set().union(*per_section))
    best = max(result.query.coverage(t) for t in per_section)
    outside = result.snapshot.outside_similarity(np.asarray(result.query_vector, dtype=np.float32))
    return Relevance(result.best_dense, result.best_anchor, coverage, best, outside)
