"""A scan's profile: per dimension the mean answer (1-4) and the stage it reaches, and for the whole."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.scan.answers import ScanAnswers
from assistant.scan.config import ScanConfig


@dataclass
class DimensionProfile:
    """Score (mean answer, 1-4) and stage of one dimension."""

    id: str
    name: str
    short: str
    score: float
    stage: str
    stage_name: str
    answers: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "score": round(self.score, 2),
            "stage": self.stage, "answers": self.answers,
        }


@dataclass
class Profile:
    """The scan's profile: a stage per dimension and for the whole."""

    dimensions: list[DimensionProfile]
    score: float
    stage: str
    stage_name: str

    def dimension(self, dimension_id: str) -> DimensionProfile:
        """The profile of one dimension."""
        return next(d for d in self.dimensions if d.id == dimension_id)

    def strongest(self, n: int = 2) -> list[DimensionProfile]:
        """The ``n`` dimensions with the highest score."""
        return sorted(self.dimensions, key=lambda d: -d.score)[:n]

    def weakest(self, n: int = 2) -> list[DimensionProfile]:
        """The ``n`` dimensions with the lowest score."""
        return sorted(self.dimensions, key=lambda d: d.score)[:n]

    def to_json(self) -> dict[str, Any]:
        return {
            "overall": {"score": round(self.score, 2), "stage": self.stage},
            "dimensions": [d.to_json() for d in self.dimensions],
        }


def compute_profile(config: ScanConfig, answers: ScanAnswers) -> Profile:
    """Score each dimension as the mean of its answers and map scores to stages."""
    dims = []
    for d in config.dimensions:
        values = {q.id: answers.answers[q.id] for q in config.questions if q.dimension == d.id}
        score = sum(values.values()) / len(values)
        stage = config.stage_for(score)
        dims.append(DimensionProfile(d.id, d.name, d.short, score, stage.id, stage.name, values))
    overall = sum(d.score for d in dims) / len(dims)
    stage = config.stage_for(overall)
    return Profile(dims, overall, stage.id, stage.name)
