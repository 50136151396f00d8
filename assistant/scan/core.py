"""The netwerkscan: from a short questionnaire to a profile and a cited 12-month plan.

The flow is ``ScanConfig`` (the YAML data file next to this module) plus ``ScanAnswers``
(a user's answers file) -> ``Profile`` (score and stage per dimension) -> selected advices
-> ``ScanResult``, whose steps carry :class:`~assistant.types.Citation` objects in the
same form as chat answers. The draaiboek index is only read to check that every named
section exists and to pick the quote of each citation; nothing happens at import time.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.answer.citations import CitationBook
from assistant.settings import Settings
from assistant.text import analyze
from assistant.types import Citation

CONFIG_PATH = Path(__file__).with_name("netwerkscan.yaml")
VOICES = ("b1", "beleid", "academisch")
DEFAULT_VOICE = "beleid"
SCALE = (1, 2, 3, 4)
QUESTION_LIMITS = (20, 30)
CONDITION_KEYS = frozenset({"fase", "score", "dimensies", "antwoorden", "totaal_fase", "context", "of"})
# Region advices may also test the spread of their dimension and whether any municipality gives an answer.
REGION_CONDITION_KEYS = frozenset({"spreiding", "ergens"})
ANSWER_KEYS = ("versie", "gemeente", "datum", "context", "antwoorden")


class ScanError(Exception):
    """A problem the user can fix; ``problems`` holds one Dutch sentence per problem."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(" ".join(self.problems))


class ScanInputError(ScanError):
    """The answers file is missing, unreadable, or has a missing or invalid value."""


class ScanConfigError(ScanError):
    """The netwerkscan data file is inconsistent or names sections that do not exist."""


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Dimension:
    """One dimension of the scan, following a part of the draaiboek."""

    id: str
    name: str
    short: str


@dataclass(frozen=True)
class Question:
    """A question answered on the four-step scale; ``labels[i]`` describes answer ``i + 1``."""

    id: str
    dimension: str
    text: str
    labels: tuple[str, ...]

    def allowed(self) -> str:
        """The allowed values with their meaning, for error messages."""
        meanings = "; ".join(f"{v} = {label.rstrip('.')}" for v, label in zip(SCALE, self.labels))
        return f"1, 2, 3 of 4 ({meanings})"


@dataclass(frozen=True)
class Stage:
    """A phase of the draaiboek; a score of at least ``threshold`` reaches it."""

    id: str
    name: str
    threshold: float
    description: str


@dataclass(frozen=True)
class ContextField:
    """A context value of the answers file (inhabitants, region, staff time, ...)."""

    id: str
    label: str
    kind: str
    required: bool
    minimum: float | None = None
    maximum: float | None = None
    choices: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceRef:
    """A draaiboek section that a piece of advice is drawn from."""

    doc_id: str
    section: str
    hint: str = ""


@dataclass(frozen=True)
class Advice:
    """One possible step of the plan, with the condition under which it applies."""

    id: str
    dimension: str
    title: str
    when: dict[str, Any]
    priority: int
    months: tuple[int, int]
    text: dict[str, str]
    sources: tuple[SourceRef, ...]


@dataclass(frozen=True)
class CouncilBlock:
    """A cited statement for the council note (a figure, an argument, a funding fact)."""

    id: str
    text: dict[str, str]
    sources: tuple[SourceRef, ...]


@dataclass(frozen=True)
class BudgetBand:
    """Indicative operating budget and staff (FTE) for municipalities up to a size."""

    max_inhabitants: int | None
    operating: tuple[float, float]
    fte: tuple[float, float]


@dataclass(frozen=True)
class BudgetRules:
    """The indicative budget ranges of the council note, derived from the draaiboek's cost estimate."""

    note: str
    cost_per_fte: tuple[float, float]
    hours_per_fte: float
    bands: tuple[BudgetBand, ...]
    sources: tuple[SourceRef, ...] = ()

    def band_for(self, inhabitants: int) -> BudgetBand:
        """The first band whose upper limit holds ``inhabitants``."""
        for band in self.bands:
            if band.max_inhabitants is None or inhabitants <= band.max_inhabitants:
                return band
        return self.bands[-1]


@dataclass(frozen=True)
class PlanRules:
    """How many steps a plan holds, by the staff time available."""

    minimum: int
    maximum: int
    per_dimension: int
    by_hours: tuple[tuple[float | None, int], ...]

    def max_steps(self, hours: float) -> int:
        """Fewer steps when there is little staff time, always within minimum..maximum."""
        for limit, steps in self.by_hours:
            if limit is None or hours < limit:
                return max(self.minimum, min(self.maximum, steps))
        return self.maximum


@dataclass
class ScanConfig:
    """Everything the netwerkscan data file defines, checked for consistency."""

    dimensions: list[Dimension]
    questions: list[Question]
    stages: list[Stage]
    context_fields: list[ContextField]
    advices: list[Advice]
    plan_rules: PlanRules
    facts: list[CouncilBlock]
    motivation: list[CouncilBlock]
    funding: list[CouncilBlock]
    budget_rules: BudgetRules
    council_texts: dict[str, dict[str, Any]]
    voices: dict[str, dict[str, str]]
    version: int = 1
    region_advices: list[Advice] = field(default_factory=list)
    decision: list[CouncilBlock] = field(default_factory=list)
    """Cited statements on how the council decides (the model decision, the place in the BBC)."""
    legal_basis: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path | None = None) -> "ScanConfig":
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
    def from_dict(cls, raw: dict[str, Any]) -> "ScanConfig":
        """Build the configuration from the parsed YAML and check it."""
        try:
            config = _build_config(raw)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ScanConfigError(f"Het databestand van de netwerkscan is onvolledig: {exc!r}.") from exc
        problems = _config_problems(config)
        if problems:
            raise ScanConfigError(problems)
        return config

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
        reached = [s for s in self.stages if score >= s.threshold - 1e-9]
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


def _build_config(raw: dict[str, Any]) -> ScanConfig:
    council = raw["raadsnota"]
    return ScanConfig(
        dimensions=[Dimension(d["id"], d["naam"], d.get("kort", d["naam"])) for d in raw["dimensies"]],
        questions=[Question(q["id"], q["dimensie"], q["tekst"], tuple(q["schaal"])) for q in raw["vragen"]],
        stages=[Stage(s["id"], s["naam"], float(s["vanaf"]), s.get("omschrijving", "")) for s in raw["fasen"]],
        context_fields=[_context_field(c) for c in raw["context"]],
        advices=[_advice(a) for a in raw["adviezen"]],
        plan_rules=_plan_rules(raw["plan"]),
        facts=[_council_block(b) for b in council["feiten"]],
        motivation=[_council_block(b) for b in council["motivering"]],
        funding=[_council_block(b) for b in council["financiering"]],
        budget_rules=_budget_rules(council["budget"]),
        council_texts=council["teksten"],
        voices=raw["stemmen"],
        version=int(raw["versie"]),
        region_advices=[_advice(a) for a in raw.get("regio_adviezen") or []],
        decision=[_council_block(b) for b in council.get("besluitvorming") or []],
        legal_basis=tuple(" ".join(g.split()) for g in council.get("juridische_grond") or []),
    )


def _context_field(raw: dict[str, Any]) -> ContextField:
    return ContextField(
        id=raw["id"], label=raw["label"], kind=raw["soort"], required=bool(raw.get("verplicht", False)),
        minimum=raw.get("min"), maximum=raw.get("max"), choices=dict(raw.get("keuzes") or {}),
    )


def _source_refs(raw: dict[str, Any] | list[dict[str, Any]]) -> tuple[SourceRef, ...]:
    items = raw if isinstance(raw, list) else [raw]
    return tuple(SourceRef(b["doc_id"], b["section"], b.get("zoek", "")) for b in items)


def _advice(raw: dict[str, Any]) -> Advice:
    start, end = raw["maanden"]
    return Advice(
        id=raw["id"], dimension=raw["dimensie"], title=raw["titel"], when=dict(raw.get("wanneer") or {}),
        priority=int(raw["prioriteit"]), months=(int(start), int(end)), text=dict(raw["stap"]),
        sources=_source_refs(raw["bron"]),
    )


def _council_block(raw: dict[str, Any]) -> CouncilBlock:
    return CouncilBlock(id=raw["id"], text=dict(raw["tekst"]), sources=_source_refs(raw["bron"]))


def _plan_rules(raw: dict[str, Any]) -> PlanRules:
    steps = tuple((r["tot_uren"], int(r["stappen"])) for r in raw["stappen_volgens_personeelstijd"])
    return PlanRules(int(raw["minimum"]), int(raw["maximum"]), int(raw["per_dimensie"]), steps)


def _budget_rules(raw: dict[str, Any]) -> BudgetRules:
    bands = tuple(
        BudgetBand(b["tot_inwoners"], tuple(b["werking"]), tuple(b["vte"])) for b in raw["schijven"]
    )
    return BudgetRules(
        note=" ".join(raw["toelichting"].split()), cost_per_fte=tuple(raw["loonkost_per_vte"]),
        hours_per_fte=float(raw["uren_per_vte"]), bands=bands, sources=_source_refs(raw.get("bron") or []),
    )


def _config_problems(config: ScanConfig) -> list[str]:
    """Every inconsistency of the data file, as Dutch sentences."""
    return [
        *_dimension_problems(config),
        *_question_problems(config),
        *_stage_problems(config),
        *[p for a in config.advices for p in _advice_problems(a, config)],
        *[p for a in config.region_advices for p in _advice_problems(a, config, REGION_CONDITION_KEYS)],
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


def _advice_problems(advice: Advice, config: ScanConfig, extra_keys: frozenset[str] = frozenset()) -> list[str]:
    start, end = advice.months
    problems = _voice_problems(advice.id, advice.text)
    if advice.dimension not in {d.id for d in config.dimensions}:
        problems.append(f"Advies '{advice.id}' hoort bij een onbekende dimensie '{advice.dimension}'.")
    if not 1 <= start <= end <= 12:
        problems.append(f"Advies '{advice.id}' heeft maanden {start}-{end}; kies binnen 1 tot 12.")
    if not advice.sources:
        problems.append(f"Advies '{advice.id}' noemt geen bron.")
    return problems + _condition_problems(advice.id, advice.when, config, extra_keys)


def _condition_problems(
    advice_id: str, when: dict[str, Any], config: ScanConfig, extra_keys: frozenset[str] = frozenset()
) -> list[str]:
    """Unknown condition keys, questions, stages, dimensions or context fields (``extra_keys``: top level only)."""
    stages = {s.id for s in config.stages}
    dims = {d.id for d in config.dimensions}
    questions = {q.id for q in config.questions}
    fields = {f.id for f in config.context_fields}
    known = CONDITION_KEYS | extra_keys
    problems = [f"Advies '{advice_id}': onbekende voorwaarde '{k}'." for k in when if k not in known]
    for key in ("fase", "totaal_fase"):
        problems += [f"Advies '{advice_id}': onbekende fase '{s}'." for s in when.get(key, []) if s not in stages]
    problems += [f"Advies '{advice_id}': onbekende dimensie '{d}'." for d in when.get("dimensies", {}) if d not in dims]
    for qid, values in [*when.get("antwoorden", {}).items(), *when.get("ergens", {}).items()]:
        if qid not in questions or not set(values) <= set(SCALE):
            problems.append(f"Advies '{advice_id}': voorwaarde op vraag '{qid}' klopt niet.")
    problems += [f"Advies '{advice_id}': onbekend contextveld '{c}'." for c in when.get("context", {}) if c not in fields]
    for sub in when.get("of", []):
        problems += _condition_problems(advice_id, sub, config)
    return problems


# --------------------------------------------------------------------------- answers


@dataclass
class ScanAnswers:
    """A municipality's answers: one value on the scale per question, plus context and scan date."""

    municipality: str
    answers: dict[str, int]
    context: dict[str, Any]
    date: datetime.date | None = None


def read_answers(path: Path, config: ScanConfig) -> ScanAnswers:
    """Read and validate an answers file.

    Raises:
        ScanInputError: with a Dutch message naming each missing or invalid value.
    """
    path = Path(path)
    if not path.is_file():
        raise ScanInputError(f"Het antwoordbestand {path} bestaat niet.")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = " ".join(str(exc).split())
        raise ScanInputError(f"Het antwoordbestand {path} is geen leesbare YAML: {reason}.") from exc
    return parse_answers(raw, config)


def parse_answers(raw: Any, config: ScanConfig) -> ScanAnswers:
    """Validate parsed answers (a dict with gemeente, context and antwoorden).

    Raises:
        ScanInputError: listing every problem, each naming the field and what is allowed.
    """
    if not isinstance(raw, dict):
        raise ScanInputError(
            "Het antwoordbestand moet de onderdelen 'gemeente', 'context' en 'antwoorden' bevatten."
        )
    check_version(raw, config)
    problems = [
        f"Onbekend onderdeel '{k}' in het antwoordbestand; verwacht zijn {', '.join(ANSWER_KEYS)}."
        for k in raw if k not in ANSWER_KEYS
    ]
    municipality = _parse_municipality(raw.get("gemeente"), problems)
    answers = _parse_scale_answers(raw.get("antwoorden"), config, problems)
    context = _parse_context(raw.get("context"), config, problems)
    date = _parse_date(raw.get("datum"), problems)
    if problems:
        raise ScanInputError(problems)
    return ScanAnswers(municipality, answers, context, date)


def check_version(raw: dict[str, Any], config: ScanConfig) -> None:
    """Refuse answers given on another version of the questionnaire.

    A file without ``versie`` predates the field, which came with version 1.

    Raises:
        ScanInputError: one Dutch sentence naming both versions and what to do.
    """
    version = raw.get("versie", 1)
    if isinstance(version, str) and version.strip().isdigit():
        version = int(version)
    if isinstance(version, bool) or not isinstance(version, int):
        raise ScanInputError(
            f"Het veld 'versie' moet het versienummer van de vragenlijst zijn (nu {config.version}), niet '{version}'."
        )
    if version != config.version:
        advice = ("Werk de STEM-Alliantiewijzer bij om het te lezen." if version > config.version else
                  "De vragen zijn sindsdien veranderd: vul de scan opnieuw in met de huidige vragenlijst.")
        raise ScanInputError(
            f"Dit antwoordbestand is ingevuld met versie {version} van de vragenlijst, maar deze netwerkscan "
            f"gebruikt versie {config.version}. {advice}"
        )


def _parse_date(value: Any, problems: list[str]) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value.date() if isinstance(value, datetime.datetime) else value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        problems.append(f"Het veld 'datum' moet een datum zijn zoals 2026-03-15, niet '{value}'.")
        return None


def _parse_municipality(value: Any, problems: list[str]) -> str:
    if isinstance(value, str) and value.strip():
        return value.strip()
    problems.append("Het veld 'gemeente' ontbreekt: geef de naam van de gemeente of de regio.")
    return ""


def _parse_scale_answers(raw: Any, config: ScanConfig, problems: list[str]) -> dict[str, int]:
    if not isinstance(raw, dict):
        problems.append("Het onderdeel 'antwoorden' ontbreekt: geef per vraag (u1, u2, ...) een waarde 1, 2, 3 of 4.")
        return {}
    known = [q.id for q in config.questions]
    problems += [
        f"Onbekende vraag '{k}' in 'antwoorden'; de vragen zijn {', '.join(known)}." for k in raw if k not in known
    ]
    answers: dict[str, int] = {}
    for q in config.questions:
        value = scale_value(raw.get(q.id))
        if q.id not in raw or raw.get(q.id) is None:
            problems.append(f"Vraag {q.id} is niet beantwoord ({q.text}). Toegestane waarden: {q.allowed()}.")
        elif value is None:
            problems.append(f"Vraag {q.id} heeft een ongeldig antwoord '{raw[q.id]}'. Toegestane waarden: {q.allowed()}.")
        else:
            answers[q.id] = value
    return answers


def scale_value(value: Any) -> int | None:
    """An answer on the scale, accepting 3 and "3" but not True, 2.5 or "ja"."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and value in SCALE else None


def _parse_context(raw: Any, config: ScanConfig, problems: list[str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        names = ", ".join(f.id for f in config.context_fields if f.required)
        problems.append(f"Het onderdeel 'context' ontbreekt; geef minstens {names}.")
        return {}
    known = [f.id for f in config.context_fields]
    problems += [
        f"Onbekend contextveld '{k}'; de velden zijn {', '.join(known)}." for k in raw if k not in known
    ]
    context: dict[str, Any] = {}
    for f in config.context_fields:
        value = raw.get(f.id)
        if value is None or (isinstance(value, str) and not value.strip()):
            if f.required:
                problems.append(f"Contextveld '{f.id}' ontbreekt ({f.label}).")
            continue
        parsed, problem = context_value(f, value)
        if problem:
            problems.append(problem)
        else:
            context[f.id] = parsed
    return context


def context_value(f: ContextField, value: Any) -> tuple[Any, str | None]:
    """Parse one context value; returns (value, None) or (None, a Dutch problem)."""
    if f.kind == "tekst":
        return str(value).strip(), None
    if f.kind == "keuze":
        if isinstance(value, str) and value.strip() in f.choices:
            return value.strip(), None
        return None, f"Contextveld '{f.id}' heeft een ongeldige waarde '{value}'. Toegestane waarden: {', '.join(f.choices)}."
    number = _number(value, whole=f.kind == "geheel_getal")
    low = f.minimum if f.minimum is not None else -math.inf
    high = f.maximum if f.maximum is not None else math.inf
    if number is None or not low <= number <= high:
        kind = "een geheel getal" if f.kind == "geheel_getal" else "een getal"
        return None, f"Contextveld '{f.id}' moet {kind} van {_fmt_bound(low)} tot {_fmt_bound(high)} zijn, niet '{value}'."
    return number, None


def _number(value: Any, whole: bool) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(str(value).replace("_", "").strip()) if isinstance(value, str) else float(value)
    except ValueError:
        return None
    if math.isnan(number) or (whole and not number.is_integer()):
        return None
    return int(number) if whole or number.is_integer() else number


def _fmt_bound(value: float) -> str:
    return "onbeperkt" if math.isinf(value) else f"{value:g}"


# --------------------------------------------------------------------------- profile


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


# --------------------------------------------------------------------------- selection


def advice_applies(advice: Advice, profile: Profile, answers: ScanAnswers) -> bool:
    """Whether every condition of ``advice.when`` holds for this profile and these answers."""
    return _holds(advice.when, advice.dimension, profile, answers)


def _holds(when: dict[str, Any], dimension: str, profile: Profile, answers: ScanAnswers) -> bool:
    return all(_condition(key, value, dimension, profile, answers) for key, value in when.items())


def _condition(key: str, value: Any, dimension: str, profile: Profile, answers: ScanAnswers) -> bool:
    match key:
        case "fase":
            return profile.dimension(dimension).stage in value
        case "score":
            return _in_range(profile.dimension(dimension).score, value)
        case "dimensies":
            return all(_in_range(profile.dimension(d).score, r) for d, r in value.items())
        case "antwoorden":
            return all(answers.answers.get(q) in allowed for q, allowed in value.items())
        case "totaal_fase":
            return profile.stage in value
        case "context":
            return all(_context_matches(answers.context.get(k), v) for k, v in value.items())
        case "of":
            return any(_holds(sub, dimension, profile, answers) for sub in value)
    raise ScanConfigError(f"Onbekende voorwaarde '{key}' in de netwerkscan.")


def _in_range(number: float | None, bounds: dict[str, float]) -> bool:
    if number is None:
        return False
    return bounds.get("min", -math.inf) - 1e-9 <= number <= bounds.get("max", math.inf) + 1e-9


def _context_matches(value: Any, expected: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(value, (int, float)) and _in_range(value, expected)
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


# --------------------------------------------------------------------------- citations


class QuoteFinder:
    """Cites a draaiboek section with the 1-2 of its sentences that best fit a text.

    Args:
        snapshot: the live index snapshot (``SnapshotStore(dir).load()``).
    """

    MIN_CHARS = 30
    MAX_QUOTE_CHARS = 360

    def __init__(self, snapshot):
        self.snapshot = snapshot
        self._sections = {(sec.doc_id, sec.heading): sec for sec in snapshot.sections.values()}

    def sections(self) -> set[tuple[str, str]]:
        """All ``(doc_id, section)`` pairs in the index."""
        return set(self._sections)

    def cite(self, ref: SourceRef, text: str) -> Citation:
        """A citation (``n`` = 0) of ``ref`` whose quote best fits ``text`` and ``ref.hint``.

        Raises:
            ScanConfigError: when the section is not in the index.
        """
        section = self._sections.get((ref.doc_id, ref.section))
        if section is None:
            raise ScanConfigError(f"De sectie {ref.doc_id} › {ref.section} staat niet in de index.")
        weights = self._weights(text, ref.hint)
        sentences = [s.text for s in section.sentences]
        index = max(range(len(sentences)), key=lambda i: (self._sentence_score(sentences[i], weights), -i))
        quote = self._quote(sentences, index, weights)
        book = CitationBook()
        book.cite(section, section.chunk_ids[0], quote, index, self._coverage(quote, weights))
        return book.citations()[0]

    def _terms(self, text: str) -> set[str]:
        return set(analyze(text, self.snapshot.vocabulary))

    def _weights(self, text: str, hint: str) -> dict[str, float]:
        """Term weights: idf for the advice text, twice that for the hint words."""
        weights = {t: self.snapshot.idf(t) for t in self._terms(text)}
        for t in self._terms(hint):
            weights[t] = 2 * self.snapshot.idf(t)
        return weights

    def _sentence_score(self, sentence: str, weights: dict[str, float]) -> float:
        if len(sentence) < self.MIN_CHARS or sentence.rstrip().endswith(":"):
            return -1.0
        terms = self._terms(sentence)
        return sum(weights.get(t, 0.0) for t in terms) / math.sqrt(max(len(terms), 8))

    def _quote(self, sentences: list[str], index: int, weights: dict[str, float]) -> str:
        """The best sentence, joined with a neighbour that also fits (in reading order)."""
        best = sentences[index]
        best_score = self._sentence_score(best, weights)
        neighbours = [i for i in (index - 1, index + 1) if 0 <= i < len(sentences)]
        scored = [(self._sentence_score(sentences[i], weights), i) for i in neighbours]
        fitting = [
            (score, i) for score, i in scored
            if score > 0 and score >= 0.5 * best_score
            and len(best) + len(sentences[i]) + 1 <= self.MAX_QUOTE_CHARS
        ]
        if not fitting:
            return tidy_quote(best)
        _, other = max(fitting)
        first, second = sorted((index, other))
        return tidy_quote(f"{sentences[first]} {sentences[second]}")

    def _coverage(self, quote: str, weights: dict[str, float]) -> float:
        total = sum(weights.values())
        return sum(weights.get(t, 0.0) for t in self._terms(quote)) / total if total else 0.0


def tidy_quote(text: str) -> str:
    """A quote as it stands in the section, without the ';' or ',' that ends a list item."""
    return " ".join(text.split()).rstrip(" ;,")


def number_citations(groups: list[list[Citation]]) -> list[list[Citation]]:
    """Number citations in order of first appearance; the same passage keeps its number."""
    numbers: dict[tuple[str, str], int] = {}
    numbered = []
    for group in groups:
        out = []
        for c in group:
            n = numbers.setdefault((c.chunk_id, c.quote), len(numbers) + 1)
            out.append(dataclasses.replace(c, n=n))
        numbered.append(out)
    return numbered


# --------------------------------------------------------------------------- result


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


@dataclass
class CouncilItem:
    """A cited statement of the council note, in every voice."""

    id: str
    text: dict[str, str]
    citations: list[Citation]

    def text_in(self, voice: str) -> str:
        """The statement in one voice."""
        return " ".join(self.text[voice].split())


@dataclass
class BudgetEstimate:
    """Indicative budget range for the council note, cited to the draaiboek's cost estimate."""

    operating: tuple[float, float]
    fte: tuple[float, float]
    hours: tuple[float, float]
    staff_cost: tuple[float, float]
    total: tuple[float, float]
    available_hours: float
    available_budget: float
    note: str
    citations: list[Citation] = field(default_factory=list)

    @staticmethod
    def position(value: float, bounds: tuple[float, float]) -> str:
        """'onder', 'binnen' or 'boven' the range."""
        return "onder" if value < bounds[0] else "boven" if value > bounds[1] else "binnen"

    def to_json(self) -> dict[str, Any]:
        return {
            "indicative": True, "note": self.note,
            "operating_eur_per_year": list(self.operating), "staff_fte": list(self.fte),
            "staff_hours_per_week": [round(h, 1) for h in self.hours],
            "staff_cost_eur_per_year": list(self.staff_cost), "total_eur_per_year": list(self.total),
            "available_hours_per_week": self.available_hours, "available_budget_eur_per_year": self.available_budget,
            "citations": [c.to_json() for c in self.citations],
        }


def estimate_budget(rules: BudgetRules, context: dict[str, Any]) -> BudgetEstimate:
    """The indicative range for a municipality or region of this size."""
    band = rules.band_for(int(context["inwoners"]))
    staff_cost = (_round_to(band.fte[0] * rules.cost_per_fte[0]), _round_to(band.fte[1] * rules.cost_per_fte[1]))
    return BudgetEstimate(
        operating=band.operating, fte=band.fte,
        hours=(band.fte[0] * rules.hours_per_fte, band.fte[1] * rules.hours_per_fte),
        staff_cost=staff_cost,
        total=(band.operating[0] + staff_cost[0], band.operating[1] + staff_cost[1]),
        available_hours=float(context.get("personeelstijd", 0)),
        available_budget=float(context.get("budget", 0)), note=rules.note,
    )


def _round_to(value: float, step: int = 500) -> float:
    return float(round(value / step) * step)


@dataclass
class ScanResult:
    """Profile, prioritised plan and council-note material, in one voice."""

    municipality: str
    voice: str
    context: dict[str, Any]
    profile: Profile
    plan: list[PlanStep]
    facts: list[CouncilItem]
    motivation: list[CouncilItem]
    funding: list[CouncilItem]
    budget: BudgetEstimate
    config: ScanConfig = field(repr=False)
    decision: list[CouncilItem] = field(default_factory=list)

    def with_voice(self, voice: str) -> "ScanResult":
        """The same result and citations, written in another voice."""
        return dataclasses.replace(self, voice=check_voice(voice))

    def citations(self) -> list[Citation]:
        """Every distinct citation, in number order."""
        items = [*self.plan, *self.facts, *self.motivation, *self.funding, *self.decision, self.budget]
        unique = {c.n: c for item in items for c in item.citations}
        return [unique[n] for n in sorted(unique)]

    def to_json(self) -> dict[str, Any]:
        """The CLI's JSON object: profile, plan (with chat-form citations), context, budget."""
        return {
            "municipality": self.municipality,
            "voice": self.voice,
            "context": self.context,
            "profile": self.profile.to_json(),
            "plan": [s.to_json(self.voice) for s in self.plan],
            "budget": self.budget.to_json(),
        }


def check_voice(voice: str) -> str:
    """Return ``voice`` or raise a Dutch error naming the allowed voices."""
    if voice not in VOICES:
        raise ScanInputError(f"Onbekende stem '{voice}'. Kies {', '.join(VOICES[:-1])} of {VOICES[-1]}.")
    return voice


class NetworkScan:
    """The netwerkscan service: validates answers and turns them into a cited plan.

    Args:
        settings: where the index lives (``settings.index_dir``).
        config: the scan data; loaded from ``assistant/scan/netwerkscan.yaml`` when omitted.
        snapshot: the index snapshot; loaded from ``settings.index_dir`` when first needed.
    """

    def __init__(self, settings: Settings, config: ScanConfig | None = None, snapshot=None):
        self.settings = settings
        self._config = config
        self._snapshot = snapshot
        self._finder: QuoteFinder | None = None

    @property
    def config(self) -> ScanConfig:
        """The scan data, loaded once."""
        if self._config is None:
            self._config = ScanConfig.load()
        return self._config

    @property
    def finder(self) -> QuoteFinder:
        """The quote finder over the index, built (and the sources checked) once."""
        if self._finder is None:
            if self._snapshot is None:
                from assistant.index.snapshot import SnapshotStore

                self._snapshot = SnapshotStore(self.settings.index_dir).load()
            finder = QuoteFinder(self._snapshot)
            self.config.check_sources(finder.sections())
            self._finder = finder
        return self._finder

    def read_answers(self, path: Path) -> ScanAnswers:
        """Read and validate an answers file (no index needed)."""
        return read_answers(path, self.config)

    def run(self, answers: ScanAnswers, voice: str = DEFAULT_VOICE) -> ScanResult:
        """Profile, plan and council-note material for ``answers``.

        Raises:
            ScanInputError: for an unknown voice.
            IndexMissing: when no index has been built.
            ScanConfigError: when the data file names sections missing from the index.
        """
        check_voice(voice)
        config = self.config
        profile = compute_profile(config, answers)
        advices = select_advices(config, profile, answers)
        blocks = [*config.facts, *config.motivation, *config.funding, *config.decision]
        rules = config.budget_rules
        groups = number_citations(
            [self._cite(a.sources, a.text[DEFAULT_VOICE]) for a in advices]
            + [self._cite(b.sources, b.text[DEFAULT_VOICE]) for b in blocks]
            + [self._cite(rules.sources, rules.note)]
        )
        steps = [
            PlanStep(rank, a, config.dimension(a.dimension).name, cites)
            for rank, (a, cites) in enumerate(zip(advices, groups), start=1)
        ]
        items = [CouncilItem(b.id, b.text, cites) for b, cites in zip(blocks, groups[len(advices):-1])]
        n_facts, n_motivation, n_funding = len(config.facts), len(config.motivation), len(config.funding)
        budget = dataclasses.replace(estimate_budget(rules, answers.context), citations=groups[-1])
        return ScanResult(
            municipality=answers.municipality, voice=voice, context=answers.context, profile=profile,
            plan=steps, facts=items[:n_facts], motivation=items[n_facts:n_facts + n_motivation],
            funding=items[n_facts + n_motivation:n_facts + n_motivation + n_funding], budget=budget,
            config=config, decision=items[n_facts + n_motivation + n_funding:],
        )

    def _cite(self, refs: tuple[SourceRef, ...], text: str) -> list[Citation]:
        # The quote is chosen once, from the policy wording, so all voices share citations.
        return [self.finder.cite(ref, text) for ref in refs]
