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
import yaml

ROOT = Path(__file__).resolve().parents[1]
DRAAIBOEK = ROOT / "corpus" / "draaiboek"
SHARED = ROOT.parent / "shared"
SOURCES = [SHARED / "seeds" / "stem-neteland-presentatie.txt", SHARED / "facts" / "feitenbundel.md"]
CHAPTERS = sorted(DRAAIBOEK.glob("*.md"))
REQUIRED_KEYS = {"title", "doelgroep", "bronnen", "bijgewerkt"}
MAX_SECTION_WORDS = 600
NGRAM = 12


def _split(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.S)
    assert match, f"{path.name}: geen YAML front matter"
    return yaml.safe_load(match.group(1)), match.group(2)


def _sections(body: str) -> list[tuple[str, str]]:
    parts = re.split(r"^(#{1,6} .*)$", body, flags=re.M)
    return [(parts[i].strip(), parts[i + 1]) for i in range(1, len(parts) - 1, 2)]


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'-]+", unicodedata.normalize("NFKC", text).lower())


def _grams(words: list[str]) -> set[str]:
    return {" ".join(words[i : i + NGRAM]) for i in range(len(words) - NGRAM + 1)}


def test_the_draaiboek_is_complete():
    assert len(CHAPTERS) >= 16, [p.name for p in CHAPTERS]
    total = sum(len(_words(_split(p)[1])) for p in CHAPTERS)
    assert total >= 20_000, f"draaiboek telt {total} woorden"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_front_matter(path: Path):
    meta, _ = _split(path)
    assert REQUIRED_KEYS <= set(meta), f"ontbreekt: {REQUIRED_KEYS - set(meta)}"
    assert "fase" in meta or "deel" in meta
    urls = meta["bronnen"]
    assert isinstance(urls, list) and urls
    assert all(re.match(r"https?://\S+$", str(u)) for u in urls), urls


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
