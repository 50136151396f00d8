"""Coming back later: compare a new netwerkscan with an earlier one of the same municipality.

The comparison needs no index: it recomputes the earlier profile and the earlier plan from
the earlier answers (same questionnaire version, so the same rules) and sets them against
the new answers. An earlier step counts as done when it no longer applies and an answer it
was triggered by has improved past its trigger; it counts as outgrown when its dimension
(or the scan as a whole) moved past the stage the step was meant for. The new plan itself is
the ordinary plan for the new answers, so it moves on to the advice of the next stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from assistant.scan.answers import ScanAnswers
from assistant.scan.config import ScanConfig
from assistant.scan.errors import ScanInputError
from assistant.scan.files import same_municipality
from assistant.scan.parts import Advice, Condition, Question
from assistant.scan.plan import advice_applies, select_advices
from assistant.scan.profile import DimensionProfile, Profile, compute_profile

TOLERANCE = 1e-9  # scores are means of a few integers: any real change is at least 0.2


class Direction(str, Enum):
    """How a dimension score moved between two scans."""

    BETTER = "beter"
    SAME = "gelijk"
    WORSE = "minder"


class StepStatus(str, Enum):
    """What became of a step of the earlier plan, judged from the new answers."""

    DONE = "afgerond"
    OUTGROWN = "voorbij"
    OPEN = "loopt nog"
    DROPPED = "niet meer van toepassing"


@dataclass(frozen=True)
class DimensionChange:
    """One dimension's score and stage in the earlier and in the new scan."""

    id: str
    name: str
    short: str
    before: float
    after: float
    stage_before: str
    stage_after: str

    @property
    def delta(self) -> float:
        return self.after - self.before

    @property
    def direction(self) -> Direction:
        if self.delta > TOLERANCE:
            return Direction.BETTER
        return Direction.WORSE if self.delta < -TOLERANCE else Direction.SAME

    @property
    def new_stage(self) -> bool:
        """Whether the dimension reached another stage."""
        return self.stage_before != self.stage_after

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "before": round(self.before, 2), "after": round(self.after, 2),
            "change": round(self.delta, 2), "direction": self.direction.value,
            "stage_before": self.stage_before, "stage_after": self.stage_after,
        }


@dataclass(frozen=True)
class AnswerChange:
    """An answer that moved between the two scans."""

    question: Question
    before: int
    after: int

    def describe(self) -> str:
        """'g1 van 1 naar 3: “Er is een aangeduid aanspreekpunt met enkele uren per maand”'."""
        return f"{self.question.id} van {self.before} naar {self.after}: “{self.question.labels[self.after - 1].rstrip('.')}”"


@dataclass(frozen=True)
class StepProgress:
    """A step of the earlier plan and what the new answers say about it."""

    advice: Advice
    status: StepStatus
    evidence: tuple[AnswerChange, ...] = ()
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.advice.id, "title": self.advice.title, "status": self.status.value,
            "evidence": [c.describe() for c in self.evidence], "reason": self.reason,
        }


@dataclass
class ScanComparison:
    """The earlier and the new scan of one municipality, side by side."""

    municipality: str
    before: Profile
    after: Profile
    dimensions: list[DimensionChange]
    steps: list[StepProgress]
    label_before: str
    label_after: str

    def with_status(self, status: StepStatus) -> list[StepProgress]:
        """The earlier steps with this status, in the order of the earlier plan."""
        return [s for s in self.steps if s.status == status]

    def improved(self) -> list[DimensionChange]:
        return [d for d in self.dimensions if d.direction == Direction.BETTER]

    def to_json(self) -> dict[str, Any]:
        return {
            "before": self.label_before, "after": self.label_after,
            "overall": {"before": round(self.before.score, 2), "after": round(self.after.score, 2),
                        "stage_before": self.before.stage, "stage_after": self.after.stage},
            "dimensions": [d.to_json() for d in self.dimensions],
            "earlier_steps": [s.to_json() for s in self.steps],
        }


def compare_scans(config: ScanConfig, before: ScanAnswers, after: ScanAnswers) -> ScanComparison:
    """Compare two scans of the same municipality made with the same questionnaire.

    Raises:
        ScanInputError: when the two scans are of different municipalities.
    """
    if not same_municipality(before.municipality, after.municipality):
        raise ScanInputError(
            f"De vorige scan is van '{before.municipality}', de nieuwe van '{after.municipality}'. "
            "Vergelijk twee scans van dezelfde gemeente of regio; is de naam veranderd, pas dan het veld "
            "'gemeente' in het vorige antwoordbestand aan."
        )
    old, new = compute_profile(config, before), compute_profile(config, after)
    changes = [_change(b, a) for b, a in zip(old.dimensions, new.dimensions)]
    earlier = select_advices(config, old, before)
    steps = [_progress(a, config, (old, before), (new, after)) for a in earlier]
    return ScanComparison(
        municipality=after.municipality, before=old, after=new, dimensions=changes, steps=steps,
        label_before=_label(before, "vorige scan"), label_after=_label(after, "nieuwe scan"),
    )


def _label(answers: ScanAnswers, fallback: str) -> str:
    return answers.date.isoformat() if answers.date else fallback


def _change(before: DimensionProfile, after: DimensionProfile) -> DimensionChange:
    return DimensionChange(
        before.id, before.name, before.short, before.score, after.score, before.stage_name, after.stage_name
    )


def _progress(
    advice: Advice, config: ScanConfig, old: tuple[Profile, ScanAnswers], new: tuple[Profile, ScanAnswers]
) -> StepProgress:
    """Done, outgrown, open or dropped, with the answers that show it."""
    (old_profile, old_answers), (new_profile, new_answers) = old, new
    if advice_applies(advice, new_profile, new_answers):
        return StepProgress(advice, StepStatus.OPEN)
    moved = [
        AnswerChange(config.question(qid), old_answers.answers[qid], new_answers.answers[qid])
        for qid, trigger in _answer_triggers(advice.when)
        if new_answers.answers[qid] not in trigger and new_answers.answers[qid] > old_answers.answers[qid]
    ]
    if moved:
        return StepProgress(advice, StepStatus.DONE, tuple(moved))
    grown = _outgrown(advice, old_profile, new_profile)
    if grown:
        return StepProgress(advice, StepStatus.OUTGROWN, reason=grown)
    return StepProgress(advice, StepStatus.DROPPED, reason="de voorwaarden van deze stap gelden niet meer")


def _answer_triggers(when: Condition) -> list[tuple[str, tuple[int, ...]]]:
    """Every (question, triggering answers) of a condition, including those under 'of'."""
    pairs = list((when.antwoorden or {}).items())
    for sub in when.of or ():
        pairs += _answer_triggers(sub)
    return pairs


def _outgrown(advice: Advice, old: Profile, new: Profile) -> str:
    """Why a stage-bound step no longer applies, or '' when it is not a matter of growth."""
    dim_old, dim_new = old.dimension(advice.dimension), new.dimension(advice.dimension)
    stages = advice.when.fase or ()
    if stages and dim_new.stage not in stages and dim_new.score > dim_old.score:
        return f"{dim_new.name} zit nu in de fase {dim_new.stage_name}"
    overall = advice.when.totaal_fase or ()
    if overall and new.stage not in overall and new.score > old.score:
        return f"de samenwerking als geheel zit nu in de fase {new.stage_name}"
    return ""
