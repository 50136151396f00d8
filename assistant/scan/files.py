"""Answer files of the netwerkscan: saving, reloading drafts, and sets of files for a region.

A saved file carries the questionnaire version (``versie``), the municipality, the scan
date, the context and the answers, each answer with its scale in a comment, so that it
can be read, edited by hand and uploaded again a year later. A region is a set of such
files, optionally with a region file (``regio`` and ``gemeenten``) naming its members;
every problem with the set (another version, a municipality twice, a municipality that is
not a member) is reported in Dutch, naming the file.
"""

from __future__ import annotations

import datetime
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Strict, StringConstraints, ValidationError

from assistant.scan.answers import (
    ScanAnswers,
    check_version,
    context_value,
    parse_answers,
    scale_value,
)
from assistant.scan.config import ScanConfig
from assistant.scan.errors import ScanInputError, locate
from assistant.scan.parts import ContextField

REGION_KEYS = ("versie", "regio", "gemeenten")


# --------------------------------------------------------------------------- saving


def dump_answers(answers: ScanAnswers, config: ScanConfig) -> str:
    """The answers as a commented YAML answers file; unanswered questions are left empty.

    ``answers`` may be incomplete (a draft): missing answers and context values are
    written as empty values, so the file can be reloaded and finished later.
    """
    lines = [
        "# Netwerkscan van de STEM-Alliantiewijzer: antwoordbestand.",
        "# Laad dit bestand opnieuw in de app of gebruik het met 'alliantiewijzer scan --answers'.",
        "# Bewaar het: volgend jaar vergelijk je er een nieuwe scan mee (--vorige).",
        "",
        f"versie: {config.version}   # versie van de vragenlijst",
        f"gemeente: {_scalar(answers.municipality)}",
        f"datum: {(answers.date or datetime.date.today()).isoformat()}",
        "",
        "context:",
        *[f"  {f.id}: {_scalar(answers.context.get(f.id))}   # {_field_comment(f)}" for f in config.context_fields],
        "",
        "antwoorden:",
    ]
    for dim in config.dimensions:
        lines.append(f"  # ---- {dim.name}")
        for q in config.questions:
            if q.dimension == dim.id:
                scale = " · ".join(f"{v} {label.rstrip('.')}" for v, label in enumerate(q.labels, start=1))
                lines += [f"  # {q.text}", f"  {q.id}: {_scalar(answers.answers.get(q.id))}   # {scale}"]
    return "\n".join(lines) + "\n"


def _field_comment(f: ContextField) -> str:
    return f"{f.label}: {' | '.join(f.choices)}" if f.choices else f.label


def _scalar(value: Any) -> str:
    """A YAML scalar: empty for None, JSON quoting for text (valid YAML, keeps ë and €)."""
    if value is None or value == "":
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return json.dumps(str(value), ensure_ascii=False)


def write_answers(answers: ScanAnswers, config: ScanConfig, path: Path) -> Path:
    """Write :func:`dump_answers` to ``path``."""
    path = Path(path)
    path.write_text(dump_answers(answers, config), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- reading


def load_yaml(path: Path, what: str = "Het antwoordbestand") -> Any:
    """Parsed YAML of ``path``.

    Raises:
        ScanInputError: when the file is missing or not readable YAML.
    """
    path = Path(path)
    if not path.is_file():
        raise ScanInputError(f"{what} {path.name} bestaat niet.")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = " ".join(str(exc).split())
        raise ScanInputError(f"{what} {path.name} is geen leesbare YAML: {reason}.") from exc


@dataclass(frozen=True)
class Draft:
    """Answers read leniently to fill the form: valid values kept, the rest named in ``problems``."""

    answers: ScanAnswers
    problems: tuple[str, ...]


def read_draft(path: Path, config: ScanConfig) -> Draft:
    """Read a possibly unfinished answers file to continue it.

    Raises:
        ScanInputError: when the file is unreadable or from another questionnaire version.
    """
    raw = load_yaml(path)
    if not isinstance(raw, dict):
        raise ScanInputError(f"{Path(path).name} is geen antwoordbestand van de netwerkscan.")
    check_version(raw, config)
    try:
        return Draft(parse_answers(raw, config), ())
    except ScanInputError as exc:
        problems = tuple(exc.problems)
    answers_raw = raw.get("antwoorden") if isinstance(raw.get("antwoorden"), dict) else {}
    context_raw = raw.get("context") if isinstance(raw.get("context"), dict) else {}
    answers = {q.id: v for q in config.questions if (v := scale_value(answers_raw.get(q.id))) is not None}
    context = {}
    for f in config.context_fields:
        if context_raw.get(f.id) not in (None, ""):
            value, problem = context_value(f, context_raw[f.id])
            if problem is None:
                context[f.id] = value
    name = str(raw.get("gemeente") or "").strip()
    return Draft(ScanAnswers(name, answers, context), problems)


def same_municipality(a: str, b: str) -> bool:
    """Whether two names denote the same municipality (case, accents and spacing ignored)."""
    return _key(a) == _key(b)


def _key(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(plain.casefold().replace("-", " ").split())


# --------------------------------------------------------------------------- a region's files


@dataclass(frozen=True)
class AnswerFile:
    """A validated answers file and the name it is reported under."""

    name: str
    answers: ScanAnswers


@dataclass(frozen=True)
class RegionDefinition:
    """The region file: the region's name and its member municipalities."""

    name: str
    municipalities: tuple[str, ...]
    file: str


@dataclass(frozen=True)
class RegionFiles:
    """The checked input of a regional profile."""

    name: str
    members: tuple[AnswerFile, ...]
    missing: tuple[str, ...]
    """Members named in the region file that sent no answers file."""


def read_region_files(paths: list[Path], config: ScanConfig, names: list[str] | None = None) -> RegionFiles:
    """Read answers files (and at most one region file) into the input of a regional profile.

    Args:
        paths: the files; a file with ``gemeenten`` and without ``antwoorden`` is the region file.
        config: the questionnaire.
        names: how to call each file in messages (default: its file name), e.g. the name of an upload.

    Raises:
        ScanInputError: naming every problem with its file: unreadable, another questionnaire
            version, invalid answers, a municipality twice, a municipality not in the region file,
            more than one region file, or fewer than two municipalities.
    """
    names = names or [Path(p).name for p in paths]
    problems: list[str] = []
    members: list[AnswerFile] = []
    definitions: list[RegionDefinition] = []
    for path, name in zip(paths, names):
        try:
            raw = load_yaml(path, "Het bestand")
            if isinstance(raw, dict) and "gemeenten" in raw and "antwoorden" not in raw:
                definitions.append(_region_definition(raw, name, config))
            else:
                members.append(AnswerFile(name, parse_answers(raw, config)))
        except ScanInputError as exc:
            problems += [f"{name}: {p}" for p in exc.problems]
    if len(definitions) > 1:
        problems.append(f"Er is meer dan één regiobestand ({', '.join(d.file for d in definitions)}); geef er één.")
    definition = definitions[0] if definitions else None
    problems += _member_problems(members, definition)
    if not problems and len(members) < 2:
        problems.append("Een regionaal profiel vraagt antwoordbestanden van minstens twee verschillende gemeenten.")
    if problems:
        raise ScanInputError(problems)
    return RegionFiles(
        name=definition.name if definition else "de regio",
        members=tuple(members),
        missing=_missing(members, definition),
    )


Name = Annotated[str, Strict(), StringConstraints(strip_whitespace=True, min_length=1)]


class RegionFile(BaseModel):
    """The shape of a region file: ``versie``, ``regio`` and a list of ``gemeenten``."""

    model_config = ConfigDict(extra="forbid")

    versie: Any = 1
    regio: Name
    gemeenten: list[Name]


def _region_definition(raw: dict[str, Any], name: str, config: ScanConfig) -> RegionDefinition:
    check_version(raw, config)
    try:
        region = RegionFile.model_validate(raw)
    except ValidationError as exc:
        raise ScanInputError(_region_file_problems(exc, raw)) from exc
    if problems := _double_members(raw["gemeenten"]):
        raise ScanInputError(problems)
    return RegionDefinition(region.regio, tuple(region.gemeenten), name)


def _region_file_problems(error: ValidationError, raw: dict[str, Any]) -> list[str]:
    """Unknown keys (in the file's order), a missing region name, an invalid or doubled list of members."""
    places = [(locate(raw, detail)[0][0], detail["type"] == "extra_forbidden") for detail in error.errors()]
    problems = [f"Onbekend onderdeel '{key}' in het regiobestand; verwacht zijn {', '.join(REGION_KEYS)}."
                for key, unknown in places if unknown]
    wrong = {key for key, unknown in places if not unknown}
    if "regio" in wrong:
        problems.append("Het regiobestand mist de naam van de regio in het veld 'regio'.")
    if "gemeenten" in wrong:
        problems.append("Het veld 'gemeenten' van het regiobestand moet een lijst van gemeentenamen zijn.")
    else:
        problems += _double_members(raw["gemeenten"])
    return problems


def _double_members(municipalities: list[str]) -> list[str]:
    return [f"De gemeente '{m}' staat meer dan eens in het regiobestand." for m in _doubles(municipalities)]


def _doubles(names: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    doubles = []
    for name in names:
        if _key(name) in seen and seen[_key(name)] not in doubles:
            doubles.append(seen[_key(name)])
        seen.setdefault(_key(name), name)
    return doubles


def _member_problems(members: list[AnswerFile], definition: RegionDefinition | None) -> list[str]:
    problems = []
    by_name: dict[str, list[AnswerFile]] = {}
    for m in members:
        by_name.setdefault(_key(m.answers.municipality), []).append(m)
    for files in by_name.values():
        if len(files) > 1:
            problems.append(
                f"De gemeente '{files[0].answers.municipality}' komt in meer dan één bestand voor "
                f"({', '.join(f.name for f in files)}); geef per gemeente één antwoordbestand."
            )
    if definition is not None:
        known = {_key(m) for m in definition.municipalities}
        for m in members:
            if _key(m.answers.municipality) not in known:
                problems.append(
                    f"{m.name}: de gemeente '{m.answers.municipality}' hoort niet bij {definition.name} "
                    f"volgens {definition.file}; de gemeenten zijn {', '.join(definition.municipalities)}. "
                    "Controleer het veld 'gemeente' of voeg de gemeente toe aan het regiobestand."
                )
    return problems


def _missing(members: list[AnswerFile], definition: RegionDefinition | None) -> tuple[str, ...]:
    if definition is None:
        return ()
    present = {_key(m.answers.municipality) for m in members}
    return tuple(m for m in definition.municipalities if _key(m) not in present)
