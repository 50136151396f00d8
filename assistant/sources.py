"""Source records: who says a thing, when, and what kind of source it is.

Every draaiboek chapter lists its sources in the front matter under ``bronnen``; the
text cites them inline as Markdown links, either to the source's URL
(``[VLAIO](https://www.vlaio.be/...)``) or, for a source without a URL such as a
talk, to its anchor (``[Janssens, 2024](#bron-janssens-2024)``). A passage's
citations are the records its links resolve to; the app and the raadsnota show
them as "VLAIO, 2023 · overheid".
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Kind = Literal["overheid", "onderzoek", "pers", "praktijk", "presentatie"]

KIND_LABELS: dict[str, str] = {
    "overheid": "overheid",
    "onderzoek": "onderzoek",
    "pers": "pers",
    "praktijk": "praktijk",
    "presentatie": "presentatie",
}
"""Kinds of source; ``pers`` and ``presentatie`` are flagged in answers that rest on them."""

WEAK_KINDS = {"pers", "presentatie"}

AGGREGATOR_DOMAINS = (
    "docslib.org", "studylib.net", "scribd.com", "docsbay.net", "vdocumente.com",
    "vdocuments.mx", "vdocuments.net", "docplayer.nl", "docplayer.net", "pdfslide.net",
    "dokumen.tips", "fdocuments.net", "silo.tips", "coursehero.com",
)
"""Sites that re-host other people's documents; cite the publisher instead."""

ANCHOR_PREFIX = "#bron-"
_LINK = re.compile(r"\[([^\]]+)\]\(((?:https?://|#bron-)[^)\s]+)\)")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class SourceRecord(BaseModel):
    """One entry of a chapter's ``bronnen`` list."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Short stable key, lowercase with hyphens (janssens-2024).")
    titel: str = Field(min_length=3, description="Title of the page, report, article or talk.")
    uitgever: str | None = Field(None, description="Publishing organisation (VLAIO, Vlaams Parlement).")
    auteur: str | None = Field(None, description="Author(s), for articles, books and talks.")
    jaar: int | None = Field(None, ge=1900, le=2100, description="Year of publication.")
    datum: dt.date | None = Field(None, description="Exact date, when known (YYYY-MM-DD).")
    geraadpleegd: dt.date | None = Field(None, description="When an undated web page was consulted "
                                         "(instead of a publication year or date).")
    soort: Kind = Field(description="overheid, onderzoek, pers, praktijk or presentatie.")
    url: str | None = Field(None, description="The publisher's page; none for a talk without slides online.")
    verschenen_in: str | None = Field(None, description="Journal, book, series or event.")
    doi: str | None = Field(None, description="DOI of a research article (10.xxxx/...).")
    vervangen_door: str | None = Field(None, description="Id or URL of a newer source that replaces this one.")
    opmerking: str | None = Field(None, description="What a reader should know (e.g. only known through a press release).")

    @model_validator(mode="after")
    def _complete(self) -> "SourceRecord":
        problems = []
        if not _ID.match(self.id):
            problems.append(f"id '{self.id}' moet uit kleine letters, cijfers en koppeltekens bestaan")
        if not (self.uitgever or self.auteur):
            problems.append("uitgever of auteur ontbreekt")
        if self.jaar is None and self.datum is None and self.geraadpleegd is None:
            problems.append("jaar, datum of (voor een pagina zonder datum) geraadpleegd ontbreekt")
        if self.jaar is not None and self.datum is not None and self.datum.year != self.jaar:
            problems.append("jaar en datum spreken elkaar tegen")
        if self.url is None and self.soort != "presentatie":
            problems.append("url ontbreekt (alleen een presentatie mag zonder)")
        if self.url is not None and not re.match(r"https?://[^\s/]+\.[^\s/]+", self.url):
            problems.append(f"url '{self.url}' is geen webadres")
        if self.doi is not None and not self.doi.startswith("10."):
            problems.append(f"doi '{self.doi}' begint niet met 10.")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def year(self) -> int | None:
        """Year of publication; None for an undated page."""
        return self.datum.year if self.datum else self.jaar

    @property
    def who(self) -> str:
        return self.uitgever or self.auteur or ""

    @property
    def label(self) -> str:
        """The short attribution shown beside a citation: "VLAIO, 2023 · overheid"."""
        return f"{self.who}, {self.year or 'z.d.'} · {KIND_LABELS[self.soort]}"

    @property
    def anchor(self) -> str:
        return f"{ANCHOR_PREFIX}{self.id}"

    def is_stale(self, today: dt.date, max_age_years: int) -> bool:
        """Older than ``max_age_years`` or replaced by a newer source."""
        return bool(self.vervangen_door) or (self.year is not None and today.year - self.year > max_age_years)

    def reference(self) -> str:
        """A full reference line for a bibliography or a footnote."""
        when = f"({self.year})" if self.year else "(z.d.)"
        parts = [self.auteur or self.uitgever or "", when, self.titel]
        if self.auteur and self.uitgever:
            parts.append(self.uitgever)
        if self.verschenen_in:
            parts.append(self.verschenen_in)
        if self.doi:
            parts.append(f"https://doi.org/{self.doi}")
        elif self.url:
            parts.append(self.url)
        if self.geraadpleegd and not self.year:
            parts.append(f"Geraadpleegd op {self.geraadpleegd:%d-%m-%Y}")
        return ". ".join(p.rstrip(".") for p in parts if p) + "."


class SourceProblem(ValueError):
    """A ``bronnen`` list that does not validate; the message is Dutch and names the entry."""


def parse_sources(raw: object, where: str = "") -> list[SourceRecord]:
    """Validate a front-matter ``bronnen`` list into records (ids must be unique)."""
    if not isinstance(raw, list):
        raise SourceProblem(f"{where}: 'bronnen' moet een lijst zijn")
    records, seen = [], set()
    for i, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict):
            raise SourceProblem(f"{where}: bron {i} is geen record met velden (titel, uitgever, jaar, soort, url)")
        try:
            record = SourceRecord.model_validate(entry)
        except ValidationError as exc:
            detail = "; ".join(_message(e) for e in exc.errors())
            raise SourceProblem(f"{where}: bron {i} ({entry.get('id', '?')}): {detail}") from None
        if record.id in seen:
            raise SourceProblem(f"{where}: bron-id '{record.id}' komt twee keer voor")
        seen.add(record.id)
        records.append(record)
    return records


def parse_sources_leniently(raw: object) -> list[SourceRecord]:
    """The valid records of a ``bronnen`` list; anything else is ignored (user documents
    may carry a plain URL list, and one odd entry must never break an ingest)."""
    if not isinstance(raw, list):
        return []
    out: dict[str, SourceRecord] = {}
    for entry in raw:
        if isinstance(entry, dict):
            try:
                record = SourceRecord.model_validate(entry)
            except ValidationError:
                continue
            out.setdefault(record.id, record)
    return list(out.values())


def _message(error: dict) -> str:
    field = ".".join(str(p) for p in error.get("loc", ()))
    msg = str(error.get("msg", "")).removeprefix("Value error, ")
    return f"{field}: {msg}" if field else msg


class SourceIndex:
    """Resolves the links in a text to source records (by URL or by anchor)."""

    def __init__(self, records: list[SourceRecord]):
        self.records = list(records)
        self._by_key: dict[str, SourceRecord] = {}
        for record in self.records:
            self._by_key[record.anchor] = record
            if record.url:
                self._by_key[_url_key(record.url)] = record

    def resolve(self, target: str) -> SourceRecord | None:
        """The record a link target points at, or None."""
        if target.startswith(ANCHOR_PREFIX):
            return self._by_key.get(target)
        return self._by_key.get(_url_key(target))

    def cited_in(self, text: str) -> list[SourceRecord]:
        """The records cited by the links in ``text``, in order of first citation."""
        out: dict[str, SourceRecord] = {}
        for _, target in links(text):
            record = self.resolve(target)
            if record is not None:
                out.setdefault(record.id, record)
        return list(out.values())


def links(text: str) -> list[tuple[str, str]]:
    """(label, target) of every source link (URL or ``#bron-`` anchor) in Markdown text."""
    return [(m.group(1), m.group(2)) for m in _LINK.finditer(text)]


def _url_key(url: str) -> str:
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}?{parts.query}" if parts.query else f"{host}{parts.path.rstrip('/')}"


def is_homepage(url: str) -> bool:
    """A bare domain (or a domain with only '/'): a stand-in, not a source."""
    parts = urlsplit(url)
    return parts.path.strip("/") == "" and not parts.query


def is_aggregator(url: str) -> bool:
    host = urlsplit(url).netloc.lower().removeprefix("www.")
    return any(host == d or host.endswith("." + d) for d in AGGREGATOR_DOMAINS)
