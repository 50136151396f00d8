"""The parts of the netwerkscan data file: questionnaire, stages, advices and council-note blocks.

Each part is a frozen pydantic model whose Dutch keys (as written in ``netwerkscan.yaml``)
are aliases of English field names, with ``extra="forbid"`` so that a misspelt key is
named instead of ignored. :class:`~assistant.scan.config.ScanConfig` holds them all.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

VOICES = ("b1", "beleid", "academisch")
DEFAULT_VOICE = "beleid"
SCALE = (1, 2, 3, 4)
EPSILON = 1e-9  # scores are means of a few integers; bounds in the file are inclusive

Number = int | float  # int first: whole numbers stay int, as they are written in the file


def listed(value: Any) -> Any:
    """One item or a list of items; absent (``null``) is an empty list."""
    if value is None:
        return []
    return [value] if isinstance(value, dict) else value


def _one_line(text: str) -> str:
    return " ".join(text.split())


class Part(BaseModel):
    """A part of the data file: Dutch keys in the file, English field names in the code."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_by_alias=True, validate_by_name=True)


class Dimension(Part):
    """One dimension of the scan, following a part of the draaiboek."""

    id: str
    name: str = Field(alias="naam")
    short: str = Field(alias="kort", description="short name for charts; the name when not given")

    @model_validator(mode="before")
    @classmethod
    def _short_defaults_to_name(cls, data: Any) -> Any:
        if isinstance(data, dict) and "naam" in data and "kort" not in data and "short" not in data:
            return {**data, "kort": data["naam"]}
        return data


class Question(Part):
    """A question answered on the four-step scale; ``labels[i]`` describes answer ``i + 1``."""

    id: str
    dimension: str = Field(alias="dimensie")
    text: str = Field(alias="tekst")
    labels: tuple[str, ...] = Field(alias="schaal")

    def allowed(self) -> str:
        """The allowed values with their meaning, for error messages."""
        meanings = "; ".join(f"{v} = {label.rstrip('.')}" for v, label in zip(SCALE, self.labels))
        return f"1, 2, 3 of 4 ({meanings})"


class Stage(Part):
    """A phase of the draaiboek; a score of at least ``threshold`` reaches it."""

    id: str
    name: str = Field(alias="naam")
    threshold: float = Field(alias="vanaf")
    description: str = Field("", alias="omschrijving")


class ContextField(Part):
    """A context value of the answers file (inhabitants, region, staff time, ...)."""

    id: str
    label: str
    kind: Literal["tekst", "keuze", "geheel_getal", "getal"] = Field(alias="soort")
    required: bool = Field(False, alias="verplicht")
    minimum: Number | None = Field(None, alias="min")
    maximum: Number | None = Field(None, alias="max")
    choices: dict[str, str] = Field(default_factory=dict, alias="keuzes")


class SourceRef(Part):
    """A draaiboek section that a piece of advice is drawn from."""

    doc_id: str
    section: str
    hint: str = Field("", alias="zoek", description="words that help pick the quote in the section")


Sources = Annotated[tuple[SourceRef, ...], BeforeValidator(listed)]


class Bounds(Part):
    """An inclusive range ``{min, max}``; either end may be left open."""

    min: float = -math.inf
    max: float = math.inf

    def holds(self, number: float | None) -> bool:
        """Whether ``number`` lies within the range (a missing number does not)."""
        return number is not None and self.min - EPSILON <= number <= self.max + EPSILON


class Condition(Part):
    """When an advice applies: every condition that is given must hold (``of``: at least one of these)."""

    fase: tuple[str, ...] | None = Field(None, description="stage of the advice's own dimension")
    score: Bounds | None = Field(None, description="score of the advice's own dimension")
    dimensies: dict[str, Bounds] | None = Field(None, description="scores of other dimensions")
    antwoorden: dict[str, tuple[int, ...]] | None = Field(None, description="answers per question")
    totaal_fase: tuple[str, ...] | None = Field(None, description="stage of the scan as a whole")
    context: dict[str, Bounds | tuple[Any, ...]] | None = Field(None, description="context values")
    of: tuple[Condition, ...] | None = Field(None, description="alternatives, at least one must hold")


class RegionCondition(Condition):
    """A region advice's condition: the usual ones on the median profile, plus two of its own."""

    spreiding: Bounds | None = Field(None, description="spread (highest minus lowest) of the dimension")
    ergens: dict[str, tuple[int, ...]] | None = Field(None, description="answers given by at least one member")


class Advice(Part):
    """One possible step of the plan, with the condition under which it applies."""

    id: str
    dimension: str = Field(alias="dimensie")
    title: str = Field(alias="titel")
    when: Annotated[Condition, BeforeValidator(lambda v: v or {})] = Field(default_factory=Condition, alias="wanneer")
    priority: int = Field(alias="prioriteit")
    months: tuple[int, int] = Field(alias="maanden")
    text: dict[str, str] = Field(alias="stap", description="the step in each voice")
    sources: Sources = Field(alias="bron")


class RegionAdvice(Advice):
    """A step for a region as a whole (``regio_adviezen``)."""

    when: Annotated[RegionCondition, BeforeValidator(lambda v: v or {})] = Field(
        default_factory=RegionCondition, alias="wanneer")


class CouncilBlock(Part):
    """A cited statement for the council note (a figure, an argument, a funding fact)."""

    id: str
    text: dict[str, str] = Field(alias="tekst")
    sources: Sources = Field(alias="bron")


class BudgetBand(Part):
    """Indicative operating budget and staff (FTE) for municipalities up to a size."""

    max_inhabitants: int | None = Field(alias="tot_inwoners")
    operating: tuple[Number, Number] = Field(alias="werking")
    fte: tuple[Number, Number] = Field(alias="vte")


class BudgetRules(Part):
    """The indicative budget ranges of the council note, derived from the draaiboek's cost estimate."""

    note: Annotated[str, AfterValidator(_one_line)] = Field(alias="toelichting")
    cost_per_fte: tuple[Number, Number] = Field(alias="loonkost_per_vte")
    hours_per_fte: float = Field(alias="uren_per_vte")
    bands: tuple[BudgetBand, ...] = Field(alias="schijven")
    sources: Sources = Field((), alias="bron")

    def band_for(self, inhabitants: int) -> BudgetBand:
        """The first band whose upper limit holds ``inhabitants``."""
        for band in self.bands:
            if band.max_inhabitants is None or inhabitants <= band.max_inhabitants:
                return band
        return self.bands[-1]


class StepsByHours(Part):
    """How many steps a plan holds below a number of staff hours per week (none: any number)."""

    hours: Number | None = Field(alias="tot_uren")
    steps: int = Field(alias="stappen")


class PlanRules(Part):
    """How many steps a plan holds, by the staff time available."""

    minimum: int
    maximum: int
    per_dimension: int = Field(alias="per_dimensie")
    by_hours: tuple[StepsByHours, ...] = Field(alias="stappen_volgens_personeelstijd")

    def max_steps(self, hours: float) -> int:
        """Fewer steps when there is little staff time, always within minimum..maximum."""
        for rule in self.by_hours:
            if rule.hours is None or hours < rule.hours:
                return max(self.minimum, min(self.maximum, rule.steps))
        return self.maximum


class CouncilNote(Part):
    """The building blocks of the draft council note (``raadsnota``)."""

    facts: tuple[CouncilBlock, ...] = Field(alias="feiten")
    motivation: tuple[CouncilBlock, ...] = Field(alias="motivering")
    funding: tuple[CouncilBlock, ...] = Field(alias="financiering")
    decision: Annotated[tuple[CouncilBlock, ...], BeforeValidator(listed)] = Field(
        (), alias="besluitvorming", description="how the council decides (the model decision, the place in the BBC)")
    legal_basis: Annotated[tuple[Annotated[str, AfterValidator(_one_line)], ...], BeforeValidator(listed)] = Field(
        (), alias="juridische_grond")
    budget: BudgetRules
    texts: dict[str, dict[str, Any]] = Field(alias="teksten", description="templates per voice")
