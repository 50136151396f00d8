"""A regional view: several municipalities' scans combined into one profile and shared steps.

Per dimension the region gets the median of the municipalities' scores, the spread (highest
minus lowest) and who leads and who lags. The median scores form a regional profile on
which the region advices of the data file (``regio_adviezen``) are tested with the usual
conditions, plus two of their own: ``spreiding`` (the spread of the advice's dimension) and
``ergens`` (at least one municipality gives one of these answers). Region steps are cited
from the draaiboek exactly like the steps of a municipality's plan.
"""

from __future__ import annotations

import dataclasses
import statistics
from dataclasses import dataclass, field
from typing import Any

from assistant.answer.citations import number_citations
from assistant.scan.answers import ScanAnswers
from assistant.scan.budget import BudgetEstimate, estimate_budget
from assistant.scan.config import ScanConfig
from assistant.scan.files import RegionFiles
from assistant.scan.network import NetworkScan, check_voice
from assistant.scan.parts import DEFAULT_VOICE, RegionAdvice
from assistant.scan.plan import advice_applies
from assistant.scan.profile import DimensionProfile, Profile, compute_profile
from assistant.types import Citation

MAX_REGION_STEPS = 6
PER_DIMENSION = 2
SUMMED_CONTEXT = ("inwoners", "personeelstijd", "budget")


@dataclass(frozen=True)
class MemberScore:
    """One municipality's score on one dimension."""

    municipality: str
    score: float


@dataclass(frozen=True)
class DimensionSpread:
    """The region on one dimension: median, lowest, highest, and who leads and lags."""

    id: str
    name: str
    short: str
    scores: tuple[MemberScore, ...]
    stage: str
    stage_name: str

    @property
    def median(self) -> float:
        return statistics.median(s.score for s in self.scores)

    @property
    def low(self) -> float:
        return min(s.score for s in self.scores)

    @property
    def high(self) -> float:
        return max(s.score for s in self.scores)

    @property
    def spread(self) -> float:
        """Highest minus lowest score."""
        return self.high - self.low

    @property
    def leaders(self) -> tuple[str, ...]:
        """The municipalities with the highest score; none when all score the same."""
        return tuple(s.municipality for s in self.scores if s.score == self.high) if self.spread else ()

    @property
    def laggards(self) -> tuple[str, ...]:
        """The municipalities with the lowest score; none when all score the same."""
        return tuple(s.municipality for s in self.scores if s.score == self.low) if self.spread else ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "median": round(self.median, 2), "low": round(self.low, 2),
            "high": round(self.high, 2), "spread": round(self.spread, 2), "stage": self.stage,
            "leaders": list(self.leaders), "laggards": list(self.laggards),
            "scores": {s.municipality: round(s.score, 2) for s in self.scores},
        }


@dataclass
class RegionProfile:
    """The regional profile: member profiles, spread per dimension and the median profile."""

    name: str
    members: list[ScanAnswers]
    member_profiles: list[Profile]
    dimensions: list[DimensionSpread]
    profile: Profile
    """The median profile: per dimension the median score and the stage it reaches."""
    answers: ScanAnswers
    """The median answer per question (the lower middle for an even count), the summed context
    and the loosest form of cooperation among the members."""
    missing: tuple[str, ...] = ()

    def dimension(self, dimension_id: str) -> DimensionSpread:
        return next(d for d in self.dimensions if d.id == dimension_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "region": self.name, "municipalities": [m.municipality for m in self.members],
            "missing": list(self.missing),
            "overall": {"score": round(self.profile.score, 2), "stage": self.profile.stage},
            "dimensions": [d.to_json() for d in self.dimensions],
        }


def region_profile(config: ScanConfig, members: list[ScanAnswers], name: str, missing: tuple[str, ...] = ()) -> RegionProfile:
    """Combine the scans of several municipalities (at least one) into a regional profile."""
    profiles = [compute_profile(config, m) for m in members]
    spreads = []
    for i, d in enumerate(config.dimensions):
        scores = tuple(MemberScore(m.municipality, p.dimensions[i].score) for m, p in zip(members, profiles))
        stage = config.stage_for(statistics.median(s.score for s in scores))
        spreads.append(DimensionSpread(d.id, d.name, d.short, scores, stage.id, stage.name))
    dims = [
        DimensionProfile(s.id, s.name, s.short, s.median, s.stage, s.stage_name, {}) for s in spreads
    ]
    overall = sum(d.score for d in dims) / len(dims)
    stage = config.stage_for(overall)
    median = Profile(dims, overall, stage.id, stage.name)
    return RegionProfile(name, list(members), profiles, spreads, median, _median_answers(config, members, name), missing)


def _median_answers(config: ScanConfig, members: list[ScanAnswers], name: str) -> ScanAnswers:
    answers = {q.id: statistics.median_low(m.answers[q.id] for m in members) for q in config.questions}
    context: dict[str, Any] = {k: sum(m.context.get(k, 0) for m in members) for k in SUMMED_CONTEXT}
    # The region is only as formally bound as its loosest member (choices go from loose to formal).
    forms = list(next(f for f in config.context_fields if f.id == "samenwerking").choices)
    context["samenwerking"] = min((m.context.get("samenwerking", forms[0]) for m in members), key=forms.index)
    context["regio"] = ", ".join(m.municipality for m in members)
    return ScanAnswers(name, answers, context)


# --------------------------------------------------------------------------- region steps


def region_advice_applies(advice: RegionAdvice, region: RegionProfile) -> bool:
    """Whether a region advice holds: its usual conditions on the median profile, plus its own."""
    if not advice_applies(advice, region.profile, region.answers):
        return False
    when = advice.when
    if when.spreiding is not None and not when.spreiding.holds(region.dimension(advice.dimension).spread):
        return False
    anywhere = when.ergens or {}
    return all(any(m.answers[q] in allowed for m in region.members) for q, allowed in anywhere.items())


def select_region_advices(config: ScanConfig, region: RegionProfile) -> list[RegionAdvice]:
    """The applicable region advices: by priority, then the weakest and most uneven dimension first.

    At most :data:`MAX_REGION_STEPS`, and at most :data:`PER_DIMENSION` per dimension.
    """
    ranked = sorted(
        (a for a in config.region_advices if region_advice_applies(a, region)),
        key=lambda a: (a.priority, region.dimension(a.dimension).median,
                       -region.dimension(a.dimension).spread, a.months[0], a.id),
    )
    chosen: list[RegionAdvice] = []
    for advice in ranked:
        same_dimension = sum(1 for c in chosen if c.dimension == advice.dimension)
        if len(chosen) < MAX_REGION_STEPS and same_dimension < PER_DIMENSION:
            chosen.append(advice)
    return sorted(chosen, key=lambda a: (a.priority, a.months[0], a.id))


@dataclass
class RegionStep:
    """A step for the region as a whole, with its citations and the dimension it addresses."""

    rank: int
    advice: RegionAdvice
    focus: DimensionSpread
    citations: list[Citation]

    @property
    def months(self) -> tuple[int, int]:
        return self.advice.months

    @property
    def dimension_name(self) -> str:
        return self.focus.name

    def text(self, voice: str) -> str:
        return " ".join(self.advice.text[voice].split())

    def to_json(self, voice: str) -> dict[str, Any]:
        return {
            "rank": self.rank, "id": self.advice.id, "title": self.advice.title, "step": self.text(voice),
            "months": list(self.months), "dimension": self.advice.dimension, "priority": self.advice.priority,
            "leaders": list(self.focus.leaders), "laggards": list(self.focus.laggards),
            "citations": [c.to_json() for c in self.citations],
        }


@dataclass
class RegionResult:
    """The regional profile, the region steps and an indicative budget for the region as a whole."""

    region: RegionProfile
    steps: list[RegionStep]
    budget: BudgetEstimate
    voice: str
    config: ScanConfig = field(repr=False)

    def with_voice(self, voice: str) -> "RegionResult":
        return dataclasses.replace(self, voice=check_voice(voice))

    def citations(self) -> list[Citation]:
        unique = {c.n: c for item in [*self.steps, self.budget] for c in item.citations}
        return [unique[n] for n in sorted(unique)]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.region.to_json(), "voice": self.voice,
            "steps": [s.to_json(self.voice) for s in self.steps], "budget": self.budget.to_json(),
        }


class RegionScan:
    """The regional netwerkscan service, on top of a :class:`~assistant.scan.NetworkScan`.

    Args:
        scan: gives the questionnaire and the cited quotes from the draaiboek index.
    """

    def __init__(self, scan: NetworkScan):
        self.scan = scan

    def run(self, files: RegionFiles, voice: str = DEFAULT_VOICE) -> RegionResult:
        """The regional profile and cited region steps for a checked set of answers files.

        Raises:
            ScanInputError: for an unknown voice.
            IndexMissing: when no index has been built.
            ScanConfigError: when the data file names sections missing from the index.
        """
        check_voice(voice)
        config = self.scan.config
        region = region_profile(config, [m.answers for m in files.members], files.name, files.missing)
        advices = select_region_advices(config, region)
        finder, rules = self.scan.finder, config.budget_rules
        groups = number_citations(
            [[finder.cite(ref, a.text[DEFAULT_VOICE]) for ref in a.sources] for a in advices]
            + [[finder.cite(ref, rules.note) for ref in rules.sources]]
        )
        steps = [
            RegionStep(rank, a, region.dimension(a.dimension), cites)
            for rank, (a, cites) in enumerate(zip(advices, groups), start=1)
        ]
        budget = dataclasses.replace(estimate_budget(rules, region.answers.context), citations=groups[-1])
        return RegionResult(region, steps, budget, voice, config)
