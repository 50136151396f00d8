"""Ingestion with real files, the real model and a real Chroma."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from assistant.index.snapshot import IndexMismatch, SnapshotStore
from assistant.ingest.ingestor import Ingestor
from assistant.retrieval.search import Retriever
from assistant.settings import ChunkSettings, StoreSettings

from tests.conftest import SMALL_CORPUS, make_pdf, make_settings, write_corpus


def _bad_inputs(folder: Path) -> dict[str, str]:
    """Every kind of bad input, with a word its Dutch reason must contain."""
    from pypdf import PdfReader, PdfWriter

    good = make_pdf(folder / "goed.pdf", ["Een geldige pagina over de STEM-regio."])
    (folder / "kapot.pdf").write_bytes(good.read_bytes()[: len(good.read_bytes()) // 3])
    writer = PdfWriter(clone_from=PdfReader(good))
    writer.encrypt(user_password="geheim", owner_password="eigenaar", algorithm="AES-256")
    with open(folder / "versleuteld.pdf", "wb") as fh:
        writer.write(fh)
    make_pdf(folder / "gescand.pdf", [""])  # a page with no text layer
    (folder / "leeg.md").write_text("", encoding="utf-8")
    (folder / "tabel.xlsx").write_bytes(b"PK\x03\x04 not really a spreadsheet")
    (folder / "binair.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "groot.txt").write_bytes(b"woord " * 300_000)  # 1.8 MB, over the 1 MB limit below
    return {"kapot.pdf": "beschadigd", "versleuteld.pdf": "versleuteld", "gescand.pdf": "leesbare tekst",
            "leeg.md": "leeg", "tabel.xlsx": "niet ondersteund", "binair.txt": "binair", "groot.txt": "te groot"}


def test_bad_input_is_skipped_with_a_dutch_reason_and_the_rest_goes_in(tmp_path, embeddings):
    corpus = write_corpus(tmp_path / "corpus", {"goed.md": SMALL_CORPUS["gids/partners.md"]})
    (corpus / "windows.txt").write_bytes("Café, crèche en coördinatie in Vorselaar.".encode("cp1252"))
    expected = _bad_inputs(corpus)
    settings = make_settings(tmp_path)
    settings.ingest.max_file_mb = 1.0
    report = Ingestor(settings, embeddings).run()
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert set(reasons) == set(expected), report.summary()
    for name, word in expected.items():
        assert word in reasons[name], (name, reasons[name])
    assert sorted(Path(p).name for p in report.added) == ["goed.md", "goed.pdf", "windows.txt"]
    assert report.exit_code == 2
    hits = Retriever(settings, embeddings).search("café coördinatie Vorselaar", k=1)
    assert hits[0].text.startswith("Café, crèche en coördinatie")  # cp1252 read, not skipped


def test_chunks_carry_their_place_and_identity(small_index, embeddings):
    snap = SnapshotStore(small_index.index_dir).load()
    by_doc = {}
    for rec in snap.chunks.values():
        by_doc.setdefault(rec.doc_id, []).append(rec)
    assert set(by_doc) == {"gids/governance", "gids/financiering", "gids/partners", "advies"}
    sections = {r.section for r in by_doc["gids/governance"]}
    assert sections == {"Kort", "Een kerngroep samenstellen", "Juridische vormen"}
    pdf = sorted(by_doc["advies"], key=lambda r: r.page)
    assert [r.page for r in pdf] == [1, 2]
    assert "Coördinatie en één aanspreekpunt" in pdf[1].text  # accents survive the PDF
    rec = by_doc["gids/governance"][0]
    assert rec.title == "Governance van een netwerk" and rec.source.endswith("gids/governance.md")
    assert rec.language == "nl" and len(rec.content_hash) == 64 and len(rec.id) == 24
    section = snap.section_of(rec.id)
    assert section.phase == "structureren" and section.doc_id == rec.doc_id and rec.id in section.chunk_ids


def test_sections_keep_their_sentences_lists_and_vectors(small_index):
    snap = SnapshotStore(small_index.index_dir).load()
    section = snap.find_section("gids/governance", "Een kerngroep samenstellen")
    assert [s.text for s in section.sentences] == [
        "De kerngroep bestaat uit vier tot zes trekkers uit overheid, onderwijs, onderzoek en ondernemingen.",
        "De kerngroep komt maandelijks samen en bereidt de beslissingen van de stuurgroep voor.",
    ]
    vectors = snap.sentence_vectors_of(section)
    assert vectors.shape == (2, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-2)
    assert snap.sections_of("advies")[1].page == 2


def test_sentences_know_their_list_and_the_sources_they_cite(tmp_path, embeddings):
    text = """---
title: Bronnen
bronnen:
  - {id: vlaio-2023, titel: Drie nieuwe STEM-oproepen, uitgever: VLAIO, jaar: 2023, soort: overheid,
     url: "https://www.vlaio.be/nl/nieuws/drie-nieuwe-stem-oproepen-gelanceerd"}
  - {id: janssens-2024, titel: Ervaringen uit het STEM-landschap, auteur: Lieven Janssens, datum: 2024-05-16,
     soort: presentatie}
---
# Bronnen

## Oproepen
Uitrollers kregen een bedrag per gemeente ([VLAIO](https://www.vlaio.be/nl/nieuws/drie-nieuwe-stem-oproepen-gelanceerd)). Drie stappen:

1. Kies een trekker ([Janssens, 2024](#bron-janssens-2024)).
2. Maak een partnerkaart.
"""
    write_corpus(tmp_path / "corpus", {"bronnen.md": text})
    settings = make_settings(tmp_path)
    Ingestor(settings, embeddings).run(show_progress=False)
    section = SnapshotStore(settings.index_dir).load().find_section("bronnen", "Oproepen")
    texts = [(s.text, s.list_no, s.item_no, s.sources) for s in section.sentences]
    assert texts == [
        ("Uitrollers kregen een bedrag per gemeente.", 0, 0, ("vlaio-2023",)),
        ("Drie stappen:", 0, 0, ()),
        ("Kies een trekker.", 1, 1, ("janssens-2024",)),
        ("Maak een partnerkaart.", 1, 2, ()),
    ]
    assert [r.label for r in section.sources] == ["VLAIO, 2023 · overheid", "Lieven Janssens, 2024 · presentatie"]


def test_noop_change_and_removal_are_incremental(tmp_path, embeddings):
    corpus = write_corpus(tmp_path / "corpus", SMALL_CORPUS)
    settings = make_settings(tmp_path)
    first = Ingestor(settings, embeddings).run()
    assert len(first.added) == 3

    before = embeddings.texts_embedded
    noop = Ingestor(settings, embeddings).run()
    assert embeddings.texts_embedded == before, "a no-op ingest must not embed anything"
    assert len(noop.unchanged) == 3 and noop.chunks_embedded == 0

    path = corpus / "gids" / "financiering.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "met geld, met vrijwilligers", "met sponsoring, met vrijwilligers"), encoding="utf-8")
    changed = Ingestor(settings, embeddings).run()
    assert [Path(p).name for p in changed.updated] == ["financiering.md"]
    assert changed.chunks_embedded == 1, "only the edited passage is embedded again"
    assert changed.sentences_embedded == 1, "only the edited sentence is embedded again"
    (corpus / "gids" / "partners.md").unlink()
    removed = Ingestor(settings, embeddings).run()
    assert [Path(p).name for p in removed.removed] == ["partners.md"]

    retriever = Retriever(settings, embeddings)
    texts = [c.text for c in retriever.search("bedrijven dragen bij met sponsoring", k=10)]
    assert any("sponsoring" in t for t in texts) and not any("met geld" in t for t in texts)
    assert not any(c.doc_id == "gids/partners" for c in retriever.search("4O-model bibliotheek", k=10))
    stored = retriever.store.ids()
    assert set(stored) == set(retriever.snapshot.chunks), "no stale vectors are left in Chroma"


def test_a_failed_ingest_leaves_the_previous_index_usable(tmp_path, embeddings, monkeypatch):
    corpus = write_corpus(tmp_path / "corpus", SMALL_CORPUS)
    settings = make_settings(tmp_path)
    Ingestor(settings, embeddings).run()
    (corpus / "gids" / "nieuw.md").write_text("# Nieuw\n\nDe zwembadtarieven van de gemeente.", encoding="utf-8")
    (corpus / "gids" / "governance.md").unlink()

    def crash(self, snap):
        raise OSError("schijf vol")

    monkeypatch.setattr(SnapshotStore, "write", crash)
    with pytest.raises(OSError):
        Ingestor(settings, embeddings).run()
    monkeypatch.undo()

    retriever = Retriever(settings, embeddings)
    hits = retriever.search("kerngroep trekkers", k=3)
    assert hits and hits[0].doc_id == "gids/governance", "the old index still answers"
    assert all(c.doc_id != "gids/nieuw" for c in retriever.search("zwembadtarieven", k=10))
    retry = Ingestor(settings, embeddings).run()
    assert [Path(p).name for p in retry.added] == ["nieuw.md"] and retry.removed


def test_an_index_built_with_other_settings_is_a_clear_error(tmp_path, embeddings):
    write_corpus(tmp_path / "corpus", SMALL_CORPUS)
    Ingestor(make_settings(tmp_path), embeddings).run()
    other = make_settings(tmp_path, chunking=ChunkSettings(size=800))
    with pytest.raises(IndexMismatch, match="ingest --rebuild"):
        Retriever(other, embeddings).search("kerngroep")
    with pytest.raises(IndexMismatch, match="ingest --rebuild"):
        Ingestor(other, embeddings).run()
    rebuilt = Ingestor(other, embeddings).run(rebuild=True)
    assert len(rebuilt.added) == 3
    assert Retriever(other, embeddings).search("kerngroep")


def test_chroma_never_downloads_its_default_model(small_index):
    assert not (Path.home() / ".cache" / "chroma" / "onnx_models").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.server
def test_the_same_code_works_against_a_chroma_server(tmp_path, embeddings):
    chroma = Path(sys.executable).parent / "chroma"
    port = _free_port()
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
                break
            except OSError:
                assert time.time() < deadline, "chroma server did not start"
                time.sleep(0.3)
        write_corpus(tmp_path / "corpus", SMALL_CORPUS)
        settings = make_settings(tmp_path, store=StoreSettings(chroma_url=f"http://127.0.0.1:{port}"))
        report = Ingestor(settings, embeddings).run()
        assert len(report.added) == 3
        assert not (settings.index_dir / "chroma").exists(), "server mode keeps no local Chroma"
        hits = Retriever(settings, embeddings).search("projectvereniging Decreet Lokaal Bestuur", k=2)
        assert hits[0].section == "Juridische vormen"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        shutil.rmtree(tmp_path / "server", ignore_errors=True)
