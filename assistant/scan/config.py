"""The netwerkscan data file (``netwerkscan.yaml``), read into one checked :class:`ScanConfig`.

pydantic checks the shape of the file (see :mod:`assistant.scan.parts`); what it finds is
told in Dutch, naming the place in the file. A file of the right shape is then checked for
consistency: unknown ids, month ranges, missing voices. The people who edit the file read
every problem at once, one Dutch sentence each.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BeforeValidator, Field, ValidationError

from assistant.scan.errors import MISSING, ScanConfigError, locate
from assistant.scan.parts import (
    EPSILON,
    SCALE,
    VOICES,
    Advice,
    BudgetRules,
    Condition,
    ContextField,
    CouncilBlock,
    CouncilNote,
    Dimension,
    Part,
    PlanRules,
    Question,
    RegionAdvice,
    SourceRef,
    Stage,
    listed,
)

CONFIG_PATH = Path(__file__).with_name("netwerkscan.yaml")
QUESTION_LIMITS = (20, 30)
FILE = "Het databestand van de netwerkscan"


class ScanConfig(Part):
    """Everything the netwerkscan data file defines; build it with :meth:`load` or :meth:`from_dict`."""

    version: int = Field(alias="versie")
    scale: tuple[int, ...] = Field(SCALE, alias="schaal", description="documents the scale; the code uses SCALE")
    voices: dict[str, dict[str, str]] = Field(alias="stemmen")
    stages: tuple[Stage, ...] = Field(alias="fasen")
    dimensions: tuple[Dimension, ...] = Field(alias="dimensies")
    questions: tuple[Question, ...] = Field(alias="vragen")
    context_fields: tuple[ContextField, ...] = Field(alias="context")
    plan_rules: PlanRules = Field(alias="plan")
    advices: tuple[Advice, ...] = Field(alias="adviezen")
    region_advices: Annotated[tuple[RegionAdvice, ...], BeforeValidator(listed)] = Field((), alias="regio_adviezen")
    council: CouncilNote = Field(alias="raadsnota")

    @classmethod
    def load(cls, path: Path | None = None) -> ScanConfig:
        """Read and check the data file (default: ``assistant/scan/netwerkscan.yaml``).

        Raises:
            ScanConfigError: when the file is unreadable or inconsistent.
        """
        path = Path(path or CONFIG_PATH)
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ScanConfigError(f"Het databestand van de netwerkscan ({path}) is onleesbaar: {exc}") from exc
        return cls.from_dict(raw)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ScanConfig:
        """Build the configuration from the parsed YAML and check it.

        Raises:
            ScanConfigError: naming every missing, unknown or invalid value, or else every inconsistency.
        """
        try:
            config = cls.model_validate(raw)
        except ValidationError as exc:
            raise ScanConfigError(_shape_problems(exc, raw)) from exc
        problems = _consistency_problems(config)
        if problems:
            raise ScanConfigError(problems)
        return config

    @property
    def facts(self) -> tuple[CouncilBlock, ...]:
        return self.council.facts

    @property
    def motivation(self) -> tuple[CouncilBlock, ...]:
        return self.council.motivation

    @property
    def funding(self) -> tuple[CouncilBlock, ...]:
        return self.council.funding

    @property
    def decision(self) -> tuple[CouncilBlock, ...]:
        return self.council.decision

    @property
    def budget_rules(self) -> BudgetRules:
        return self.council.budget

    @property
    def council_texts(self) -> dict[str, dict[str, Any]]:
        return self.council.texts

    @property
    def legal_basis(self) -> tuple[str, ...]:
        return self.council.legal_basis

    def dimension(self, dimension_id: str) -> Dimension:
        """The dimension with this id."""
        return next(d for d in self.dimensions if d.id == dimension_id)

    def question(self, question_id: str) -> Question:
        """The question with this id."""
        return next(q for q in self.questions if q.id == question_id)

    def stage(self, stage_id: str) -> Stage:
        """The stage with this id."""
        return next(s for s in self.stages if s.id == stage_id)

    def stage_for(self, score: float) -> Stage:
        """The highest stage whose threshold ``score`` reaches."""
        reached = [s for s in self.stages if score >= s.threshold - EPSILON]
        return reached[-1] if reached else self.stages[0]

    def source_refs(self) -> list[SourceRef]:
        """Every draaiboek section the data file names, advices and council blocks alike."""
        blocks = [*self.advices, *self.region_advices, *self.facts, *self.motivation, *self.funding, *self.decision]
        return [ref for block in blocks for ref in block.sources] + list(self.budget_rules.sources)

    def check_sources(self, sections: set[tuple[str, str]]) -> None:
        """Check that every named section exists among ``(doc_id, section)`` pairs.

        Raises:
            ScanConfigError: naming every missing section.
        """
        missing = sorted({(r.doc_id, r.section) for r in self.source_refs()} - sections)
        if missing:
            names = "; ".join(f"{doc} › {section}" for doc, section in missing)
            raise ScanConfigError(
                f"De netwerkscan verwijst naar {len(missing)} sectie(s) die niet in de index staan: {names}. "
                "Bouw de index opnieuw met 'alliantiewijzer ingest' of pas assistant/scan/netwerkscan.yaml aan."
            )


# --------------------------------------------------------------------------- the shape of the file


def _shape_problems(error: ValidationError, raw: Any) -> list[str]:
    """What pydantic found, in Dutch, each naming its place in the file (once)."""
    problems = []
    for detail in error.errors():
        path, value = locate(raw, detail)
        if not path:
            problem = f"{FILE} is onvolledig: het bevat geen onderdelen (versie, dimensies, vragen, adviezen, ...)."
        elif detail["type"] == "extra_forbidden" and "wanneer" in path:
            problem = f"Advies '{_item_name(raw, path[:2])}': onbekende voorwaarde '{path[-1]}'."
        elif detail["type"] == "extra_forbidden":
            problem = f"{FILE} bevat een onbekend veld: {_place(raw, path)}."
        elif value is MISSING:
            problem = f"{FILE} is onvolledig: {_place(raw, path)} ontbreekt."
        else:
            problem = f"{FILE} heeft een ongeldige waarde '{value}' bij {_place(raw, path)}."
        if problem not in problems:
            problems.append(problem)
    return problems


def _place(raw: Any, path: tuple[str | int, ...]) -> str:
    """``adviezen › gov-trekker › maanden``: list items by their id, or else by their number."""
    names = [_item_name(raw, path[:i + 1]) if isinstance(part, int) else part for i, part in enumerate(path)]
    return " › ".join(map(str, names))


def _item_name(raw: Any, path: tuple[str | int, ...]) -> str:
    item = raw
    for part in path:
        item = item[part]
    if isinstance(item, dict) and isinstance(item.get("id"), str):
        return item["id"]
    return f"nr. {path[-1] + 1}"


# --------------------------------------------------------------------------- consistency


def _consistency_problems(config: ScanConfig) -> list[str]:
    """Every inconsistency of the data file, as Dutch sentences."""
    return [
        *_dimension_problems(config),
        *_question_problems(config),
        *_stage_problems(config),
        *[p for a in config.advices for p in _advice_problems(a, config)],
        *[p for a in config.region_advices for p in _advice_problems(a, config)],
        *_duplicates("advies", [a.id for a in [*config.advices, *config.region_advices]]),
        *[p for b in [*config.facts, *config.motivation, *config.funding, *config.decision]
          for p in _voice_problems(b.id, b.text)],
        *[f"De raadsnota mist teksten voor stem '{v}'." for v in VOICES if v not in config.council_texts],
    ]


def _duplicates(kind: str, ids: list[str]) -> list[str]:
    return [f"Het {kind} '{i}' komt meer dan eens voor." for i in sorted({i for i in ids if ids.count(i) > 1})]


def _dimension_problems(config: ScanConfig) -> list[str]:
    asked = {q.dimension for q in config.questions}
    return [
        *_duplicates("dimensie-id", [d.id for d in config.dimensions]),
        *[f"Dimensie '{d.id}' heeft geen vragen." for d in config.dimensions if d.id not in asked],
    ]


def _question_problems(config: ScanConfig) -> list[str]:
    low, high = QUESTION_LIMITS
    dims = {d.id for d in config.dimensions}
    problems = _duplicates("vraag-id", [q.id for q in config.questions])
    if not low <= len(config.questions) <= high:
        problems.append(f"De scan telt {len(config.questions)} vragen; dat moeten er {low} tot {high} zijn.")
    for q in config.questions:
        if q.dimension not in dims:
            problems.append(f"Vraag '{q.id}' hoort bij een onbekende dimensie '{q.dimension}'.")
        if len(q.labels) != len(SCALE):
            problems.append(f"Vraag '{q.id}' heeft {len(q.labels)} schaallabels in plaats van {len(SCALE)}.")
    return problems


def _stage_problems(config: ScanConfig) -> list[str]:
    thresholds = [s.threshold for s in config.stages]
    if not thresholds or thresholds != sorted(thresholds) or thresholds[0] > SCALE[0]:
        return ["De fasen moeten oplopende drempels hebben, te beginnen bij 1."]
    return []


def _voice_problems(block_id: str, text: dict[str, str]) -> list[str]:
    return [f"'{block_id}' mist een tekst in stem '{v}'." for v in VOICES if not str(text.get(v) or "").strip()]


def _advice_problems(advice: Advice, config: ScanConfig) -> list[str]:
    start, end = advice.months
    problems = _voice_problems(advice.id, advice.text)
    if advice.dimension not in {d.id for d in config.dimensions}:
        problems.append(f"Advies '{advice.id}' hoort bij een onbekende dimensie '{advice.dimension}'.")
    if not 1 <= start <= end <= 12:
        problems.append(f"Advies '{advice.id}' heeft maanden {start}-{end}; kies binnen 1 tot 12.")
    if not advice.sources:
        problems.append(f"Advies '{advice.id}' noemt geen bron.")
    return problems + _condition_problems(advice.id, advice.when, config)


def _condition_problems(advice_id: str, when: Condition, config: ScanConfig) -> list[str]:
    """Unknown stages, dimensions, questions, answers or context fields in a condition and its alternatives."""
    stages = {s.id for s in config.stages}
    dims = {d.id for d in config.dimensions}
    questions = {q.id for q in config.questions}
    fields = {f.id for f in config.context_fields}
    problems = []
    for named in (when.fase, when.totaal_fase):
        problems += [f"Advies '{advice_id}': onbekende fase '{s}'." for s in named or () if s not in stages]
    problems += [f"Advies '{advice_id}': onbekende dimensie '{d}'." for d in when.dimensies or {} if d not in dims]
    anywhere = getattr(when, "ergens", None) or {}
    for qid, values in [*(when.antwoorden or {}).items(), *anywhere.items()]:
        if qid not in questions or not set(values) <= set(SCALE):
            problems.append(f"Advies '{advice_id}': voorwaarde op vraag '{qid}' klopt niet.")
    problems += [f"Advies '{advice_id}': onbekend contextveld '{c}'." for c in when.context or {} if c not in fields]
    for sub in when.of or ():
        problems += _condition_problems(advice_id, sub, config)
    return problems
