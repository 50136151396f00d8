"""Checks on the shipped draaiboek: shape, front matter and originality.

These tests read the Markdown files directly so that they run without the
embedding model; they guard the properties the assistant relies on (a "Kort"
summary per chapter, short citable sections, sources per chapter) and the
house rule that no sentence is copied from the source material.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from assistant.ingest.loaders import markdown_sections, split_front_matter
from assistant.sources import SourceIndex, is_aggregator, is_homepage, links, parse_sources

ROOT = Path(__file__).resolve().parents[1]
DRAAIBOEK = ROOT / "corpus" / "draaiboek"
SHARED = ROOT.parent / "shared"
SOURCES = [SHARED / "seeds" / "stem-neteland-presentatie.txt", SHARED / "facts" / "feitenbundel.md"]
CHAPTERS = sorted(DRAAIBOEK.glob("*.md"))
REQUIRED_KEYS = {"title", "doelgroep", "bronnen", "bijgewerkt"}
MIN_WORDS = 36_000
PRESENTATION_ID = "janssens-2024"
MAX_PRESENTATION_MENTIONS = 12
MAX_SECTION_WORDS = 600
NGRAM = 12


def _split(path: Path) -> tuple[dict, str]:
    meta, body, _ = split_front_matter(path.read_text(encoding="utf-8"))
    assert meta, f"{path.name}: geen YAML front matter"
    return meta, body


def _sections(body: str) -> list[tuple[str, str]]:
    """("## Heading", text under it) for every heading, with the product's own parser."""
    title, sections = markdown_sections(body)
    return [("#" * s.level + " " + (s.path.rsplit(" > ", 1)[-1] if s.path else title), s.text)
            for s in sections if s.level]


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'-]+", unicodedata.normalize("NFKC", text).lower())


def _grams(words: list[str]) -> set[str]:
    return {" ".join(words[i : i + NGRAM]) for i in range(len(words) - NGRAM + 1)}


def test_the_draaiboek_is_complete():
    assert len(CHAPTERS) >= 16, [p.name for p in CHAPTERS]
    total = sum(len(_words(_split(p)[1])) for p in CHAPTERS)
    assert total >= MIN_WORDS, f"draaiboek telt {total} woorden"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_front_matter(path: Path):
    meta, _ = _split(path)
    assert REQUIRED_KEYS <= set(meta), f"ontbreekt: {REQUIRED_KEYS - set(meta)}"
    assert "fase" in meta or "deel" in meta
    assert parse_sources(meta["bronnen"], path.name), "geen bronnen"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_link_resolves_to_a_source_record_and_every_record_is_cited(path: Path):
    meta, body = _split(path)
    index = SourceIndex(parse_sources(meta["bronnen"], path.name))
    unresolved = [target for _, target in links(body) if index.resolve(target) is None]
    assert not unresolved, f"links zonder bronrecord: {unresolved}"
    cited = {r.id for r in index.cited_in(body)}
    uncited = [r.id for r in index.records if r.id not in cited]
    assert not uncited, f"bronnen die nergens in de tekst geciteerd worden: {uncited}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_sources_are_the_publishers_own_pages(path: Path):
    meta, body = _split(path)
    records = parse_sources(meta["bronnen"], path.name)
    homepages = [r.url for r in records if r.url and is_homepage(r.url)]
    assert not homepages, f"startpagina als bron: {homepages}"
    aggregators = [r.url for r in records if r.url and is_aggregator(r.url) and not r.opmerking]
    assert not aggregators, f"kopie op een verzamelsite, citeer de uitgever: {aggregators}"
    bare = [t for _, t in links(body) if t.startswith("http") and is_homepage(t)]
    assert not bare, f"link naar een startpagina in de tekst: {bare}"


def test_the_presentation_is_one_source_everywhere():
    records = []
    for path in CHAPTERS:
        meta, _ = _split(path)
        records += [r for r in parse_sources(meta["bronnen"], path.name) if r.soort == "presentatie"]
    assert records, "de presentatie van L. Janssens (2024) staat bij geen enkel hoofdstuk als bron"
    assert {r.id for r in records} == {PRESENTATION_ID}, {r.id for r in records}
    assert len({r.model_dump_json() for r in records}) == 1, "de presentatie is niet overal hetzelfde record"
    assert all(r.url is None for r in records)


def test_volgens_de_presentatie_is_not_a_refrain():
    body = " ".join(_split(p)[1] for p in CHAPTERS).lower()
    assert body.count("volgens de presentatie") <= MAX_PRESENTATION_MENTIONS


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_anchor_questions_belong_to_sections(path: Path):
    meta, body = _split(path)
    questions = meta.get("vragen") or {}
    assert isinstance(questions, dict), "'vragen' is een mapping van sectietitel naar vragen"
    headings = {h.lstrip("#").strip() for h, _ in _sections(body)}
    for section, asked in questions.items():
        assert section in headings, f"'vragen' noemt een sectie die niet bestaat: {section!r}"
        assert isinstance(asked, list) and 3 <= len(asked) <= 6, f"{section}: 3 tot 6 vragen"
        assert all(isinstance(q, str) and q.strip().endswith("?") for q in asked), section
        assert not any(q in body for q in asked), f"{section}: een vraag staat ook in de leestekst"


def test_no_passage_is_repeated_across_chapters():
    seen: dict[str, str] = {}
    repeated = []
    for path in CHAPTERS:
        _, body = _split(path)
        for gram in _grams(_words(re.sub(r"\([^)]*\)", "", body))):
            other = seen.setdefault(gram, path.name)
            if other != path.name:
                repeated.append((other, path.name, gram))
    assert not repeated, repeated[:5]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_kort_summary_opens_the_chapter(path: Path):
    _, body = _split(path)
    sections = _sections(body)
    assert sections[0][0].startswith("# "), "hoofdstuk begint met een titel (# ...)"
    title, kort = sections[1]
    assert title == "## Kort", f"tweede kop is {title!r}, verwacht '## Kort'"
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", kort.strip()) if s]
    assert 2 <= len(sentences) <= 4, sentences


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_sections_are_short_enough_to_cite(path: Path):
    _, body = _split(path)
    for heading, text in _sections(body):
        n = len(_words(text))
        assert n <= MAX_SECTION_WORDS, f"{heading}: {n} woorden"


def test_no_sentence_is_copied_from_the_sources():
    assert all(p.exists() for p in SOURCES), "../shared/ met de bronnen ontbreekt"
    source_grams: set[str] = set()
    for p in SOURCES:
        source_grams |= _grams(_words(p.read_text(encoding="utf-8")))
    copied = {}
    for path in CHAPTERS:
        shared = _grams(_words(path.read_text(encoding="utf-8"))) & source_grams
        if shared:
            copied[path.name] = sorted(shared)[:3]
    assert not copied, copied
