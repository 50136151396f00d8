"""The 12-month plan: which advices apply to a profile, and which of them make the plan.

An advice applies when every condition of its ``wanneer`` holds (:class:`~assistant.scan.parts.Condition`);
the plan takes the applicable advices by priority and spreads them over the dimensions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.scan.answers import ScanAnswers
from assistant.scan.config import ScanConfig
from assistant.scan.parts import Advice, Bounds, Condition
from assistant.scan.profile import Profile
from assistant.types import Citation


def advice_applies(advice: Advice, profile: Profile, answers: ScanAnswers) -> bool:
    """Whether every condition of ``advice.when`` holds for this profile and these answers.

    A region advice's own conditions (``spreiding``, ``ergens``) are not tested here but by
    :func:`assistant.scan.region.region_advice_applies`.
    """
    return condition_holds(advice.when, advice.dimension, profile, answers)


def condition_holds(when: Condition, dimension: str, profile: Profile, answers: ScanAnswers) -> bool:
    """Whether every condition that ``when`` gives holds; ``dimension`` is the advice's own."""
    own = profile.dimension(dimension)
    return all((
        when.fase is None or own.stage in when.fase,
        when.score is None or when.score.holds(own.score),
        all(bounds.holds(profile.dimension(d).score) for d, bounds in (when.dimensies or {}).items()),
        all(answers.answers.get(q) in allowed for q, allowed in (when.antwoorden or {}).items()),
        when.totaal_fase is None or profile.stage in when.totaal_fase,
        all(_context_matches(answers.context.get(k), v) for k, v in (when.context or {}).items()),
        when.of is None or any(condition_holds(sub, dimension, profile, answers) for sub in when.of),
    ))


def _context_matches(value: Any, expected: Bounds | tuple[Any, ...]) -> bool:
    if isinstance(expected, Bounds):
        return isinstance(value, (int, float)) and expected.holds(value)
    return value in expected


def select_advices(config: ScanConfig, profile: Profile, answers: ScanAnswers) -> list[Advice]:
    """The applicable advices, prioritised, spread over dimensions, 5 to 10 of them.

    Ranking is by priority, then by the weakness of the advice's dimension, then by start
    month. The first pass takes one advice per dimension, the second up to the per-dimension
    cap, the last fills up to the limit set by the available staff time.
    """
    rules = config.plan_rules
    ranked = sorted(
        (a for a in config.advices if advice_applies(a, profile, answers)),
        key=lambda a: (a.priority, profile.dimension(a.dimension).score, a.months[0], a.id),
    )
    limit = rules.max_steps(float(answers.context.get("personeelstijd", 0)))
    chosen: list[Advice] = []
    for cap in (1, rules.per_dimension, None):
        _fill(chosen, ranked, limit, cap)
    return sorted(chosen, key=lambda a: (a.priority, a.months[0], profile.dimension(a.dimension).score, a.id))


def _fill(chosen: list[Advice], ranked: list[Advice], limit: int, cap: int | None) -> None:
    for advice in ranked:
        if len(chosen) >= limit:
            return
        per_dim = sum(1 for c in chosen if c.dimension == advice.dimension)
        if advice not in chosen and (cap is None or per_dim < cap):
            chosen.append(advice)


@dataclass
class PlanStep:
    """A step of the plan: the advice, its place in the plan and its citations."""

    rank: int
    advice: Advice
    dimension_name: str
    citations: list[Citation]

    @property
    def months(self) -> tuple[int, int]:
        return self.advice.months

    def text(self, voice: str) -> str:
        """The step in one voice (b1, beleid or academisch)."""
        return " ".join(self.advice.text[voice].split())

    def to_json(self, voice: str) -> dict[str, Any]:
        return {
            "rank": self.rank, "id": self.advice.id, "title": self.advice.title,
            "step": self.text(voice), "months": list(self.months), "dimension": self.advice.dimension,
            "dimension_name": self.dimension_name, "priority": self.advice.priority,
            "citations": [c.to_json() for c in self.citations],
        }
