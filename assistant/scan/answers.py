"""A municipality's answers file: read, checked by a pydantic model, and told in Dutch what is wrong.

The model of an answers file follows the questionnaire: :func:`answers_model` builds it from
the :class:`~assistant.scan.config.ScanConfig`, with one field per question and one per
context field, and ``extra="forbid"`` at every level. pydantic finds every problem at once;
:func:`parse_answers` turns each into the Dutch sentence the people who fill in the file
read, naming the field and what is allowed.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    create_model,
)

from assistant.scan.config import ScanConfig
from assistant.scan.errors import MISSING, ScanInputError, locate
from assistant.scan.parts import SCALE, ContextField

ANSWER_KEYS = ("versie", "gemeente", "datum", "context", "antwoorden")
STRICT = ConfigDict(extra="forbid")


@dataclass
class ScanAnswers:
    """A municipality's answers: one value on the scale per question, plus context and scan date."""

    municipality: str
    answers: dict[str, int]
    context: dict[str, Any]
    date: datetime.date | None = None


# --------------------------------------------------------------------------- value types


def _digits(value: Any) -> Any:
    """Accept "3" for 3 (a quoted answer); everything else goes to the strict check."""
    return int(value.strip()) if isinstance(value, str) and value.strip().isdigit() else value


Scale = Annotated[int, BeforeValidator(_digits), Strict(), Field(ge=SCALE[0], le=SCALE[-1])]
"""An answer on the scale: 3 and "3", but not True, 2.5 or "ja"."""
_SCALE = TypeAdapter(Scale)

Municipality = Annotated[str, Strict(), StringConstraints(strip_whitespace=True, min_length=1)]


def _date(value: Any) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value.date() if isinstance(value, datetime.datetime) else value
    return datetime.date.fromisoformat(str(value).strip())


ScanDate = Annotated[datetime.date | None, BeforeValidator(_date)]


def _number(whole: bool):
    """A number as written by hand: 9500, 9_500, "9500" or 4.5 (not True, not NaN); int when whole."""

    def parse(value: Any) -> int | float:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError("geen getal")
        number = float(str(value).replace("_", "").strip()) if isinstance(value, str) else float(value)
        if math.isnan(number) or (whole and not number.is_integer()):
            raise ValueError("geen geldig getal")
        return int(number) if whole or number.is_integer() else number

    return parse


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _as_text(value: Any) -> Any:
    """Any given value as text (a number for a region name is fine); None stays None."""
    return value if value is None else str(value).strip()


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _context_type(f: ContextField) -> Any:
    """The type of a given (non-blank) context value."""
    if f.kind == "tekst":
        return Annotated[str, BeforeValidator(_as_text)]
    if f.kind == "keuze":
        choices = tuple(f.choices) or ("",)  # without choices nothing is allowed ("" is blank, so absent)
        return Annotated[Literal[choices], BeforeValidator(_stripped)]
    bounds = Field(ge=f.minimum, le=f.maximum)
    if f.kind == "geheel_getal":
        return Annotated[int, BeforeValidator(_number(whole=True)), bounds]
    return Annotated[int | float, BeforeValidator(_number(whole=False)), bounds]


def _context_field(f: ContextField) -> tuple[Any, Any]:
    """A context field of the model: blank counts as absent, absent is an error only when required."""
    kind = _context_type(f)
    if f.required:
        return Annotated[kind, BeforeValidator(_blank_is_none)], Field(alias=f.id)
    return Annotated[kind | None, BeforeValidator(_blank_is_none)], Field(None, alias=f.id)


def answers_model(config: ScanConfig) -> type[BaseModel]:
    """The pydantic model of an answers file for this questionnaire.

    Question and context ids are aliases (the fields are ``f0``, ``f1``, ...), so that any id
    the data file chooses is a valid key.
    """
    answers = create_model(
        "Antwoorden", __config__=STRICT,
        **{f"f{i}": (Scale, Field(alias=q.id)) for i, q in enumerate(config.questions)},
    )
    context = create_model(
        "Context", __config__=STRICT,
        **{f"f{i}": _context_field(f) for i, f in enumerate(config.context_fields)},
    )
    return create_model(
        "Antwoordbestand", __config__=STRICT,
        versie=(Any, 1), gemeente=(Municipality, ...), antwoorden=(answers, ...), context=(context, ...),
        datum=(ScanDate, None),
    )


# --------------------------------------------------------------------------- reading


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
    try:
        checked = answers_model(config).model_validate(raw)
    except ValidationError as exc:
        raise ScanInputError(_problems(exc, raw, config)) from exc
    answers = {q.id: getattr(checked.antwoorden, f"f{i}") for i, q in enumerate(config.questions)}
    context = {f.id: value for i, f in enumerate(config.context_fields)
               if (value := getattr(checked.context, f"f{i}")) is not None}
    return ScanAnswers(checked.gemeente, answers, context, checked.datum)


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


def scale_value(value: Any) -> int | None:
    """An answer on the scale, accepting 3 and "3" but not True, 2.5 or "ja"; None when invalid."""
    try:
        return _SCALE.validate_python(value)
    except ValidationError:
        return None


def context_value(f: ContextField, value: Any) -> tuple[Any, str | None]:
    """Parse one given context value; returns (value, None) or (None, a Dutch problem)."""
    try:
        return TypeAdapter(_context_type(f)).validate_python(value), None
    except ValidationError:
        return None, _context_problem(f, value)



# --------------------------------------------------------------------------- Dutch problems

SECTIONS = ("gemeente", "antwoorden", "context", "datum")


def _problems(error: ValidationError, raw: dict[str, Any], config: ScanConfig) -> list[str]:
    """One Dutch sentence per problem, in the order of the file's parts: unknown keys, then each field."""
    found = {}
    for detail in error.errors():
        path, value = locate(raw, detail)
        key, problem = _problem(path, value, detail["type"] == "extra_forbidden", raw, config)
        found.setdefault(problem, key)
    return sorted(found, key=found.get)


def _problem(path: tuple, value: Any, unknown: bool, raw: dict[str, Any], config: ScanConfig) -> tuple[tuple, str]:
    """The sort key and the Dutch sentence of one problem at ``path``."""
    section = path[0]
    if unknown and len(path) == 1:
        return (0, 0, list(raw).index(section)), (
            f"Onbekend onderdeel '{section}' in het antwoordbestand; verwacht zijn {', '.join(ANSWER_KEYS)}.")
    rank = 1 + SECTIONS.index(section)
    if section == "gemeente":
        return (rank,), "Het veld 'gemeente' ontbreekt: geef de naam van de gemeente of de regio."
    if section == "datum":
        return (rank,), f"Het veld 'datum' moet een datum zijn zoals 2026-03-15, niet '{value}'."
    if len(path) == 1 and section == "antwoorden":
        return (rank,), "Het onderdeel 'antwoorden' ontbreekt: geef per vraag (u1, u2, ...) een waarde 1, 2, 3 of 4."
    if len(path) == 1:
        names = ", ".join(f.id for f in config.context_fields if f.required)
        return (rank,), f"Het onderdeel 'context' ontbreekt; geef minstens {names}."
    key = path[1]
    if unknown:
        return (rank, 0, list(raw[section]).index(key)), _unknown(section, key, config)
    if section == "antwoorden":
        index, question = next((i, q) for i, q in enumerate(config.questions) if q.id == key)
        return (rank, 1, index), _answer_problem(question, value)
    index, field = next((i, f) for i, f in enumerate(config.context_fields) if f.id == key)
    if value is MISSING or value is None or (isinstance(value, str) and not value.strip()):
        return (rank, 1, index), f"Contextveld '{field.id}' ontbreekt ({field.label})."
    return (rank, 1, index), _context_problem(field, value)


def _unknown(section: str, key: str, config: ScanConfig) -> str:
    if section == "antwoorden":
        return f"Onbekende vraag '{key}' in 'antwoorden'; de vragen zijn {', '.join(q.id for q in config.questions)}."
    return f"Onbekend contextveld '{key}'; de velden zijn {', '.join(f.id for f in config.context_fields)}."


def _answer_problem(q, value: Any) -> str:
    if value is MISSING or value is None:
        return f"Vraag {q.id} is niet beantwoord ({q.text}). Toegestane waarden: {q.allowed()}."
    return f"Vraag {q.id} heeft een ongeldig antwoord '{value}'. Toegestane waarden: {q.allowed()}."


def _context_problem(f: ContextField, value: Any) -> str:
    if f.kind == "keuze":
        return f"Contextveld '{f.id}' heeft een ongeldige waarde '{value}'. Toegestane waarden: {', '.join(f.choices)}."
    low = f.minimum if f.minimum is not None else -math.inf
    high = f.maximum if f.maximum is not None else math.inf
    kind = "een geheel getal" if f.kind == "geheel_getal" else "een getal"
    return f"Contextveld '{f.id}' moet {kind} van {_bound(low)} tot {_bound(high)} zijn, niet '{value}'."


def _bound(value: float) -> str:
    return "onbeperkt" if math.isinf(value) else f"{value:g}"
