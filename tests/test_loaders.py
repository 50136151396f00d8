"""Loaders on real files of every supported type."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ingest.loaders import SkipFile, load


def test_markdown_sections_keep_the_heading_path(tmp_path):
    path = tmp_path / "gids.md"
    path.write_text(
        "---\ntitle: Fase 2\nbronnen: [https://example.org]\n---\n# Fase 2\n\n## Kort\nSamen.\n\n"
        "## Partners zoeken\nTekst.\n\n### Scholen\nMeer tekst.\n\n## Volgende\nEinde.\n",
        encoding="utf-8",
    )
    doc = load(path)
    assert doc.title == "Fase 2" and doc.meta["bronnen"] == ["https://example.org"]
    assert [b.section for b in doc.blocks] == ["Kort", "Partners zoeken", "Partners zoeken > Scholen", "Volgende"]


def test_html_drops_scripts_and_splits_on_headings(tmp_path):
    path = tmp_path / "pagina.html"
    path.write_text(
        "<html><head><title>Nieuws</title><script>alert(1)</script></head><body>"
        "<h2>Het congres</h2><p>Op 16 mei kwamen 200 mensen.</p><ul><li>Workshops</li></ul></body></html>",
        encoding="utf-8",
    )
    doc = load(path)
    assert doc.title == "Nieuws"
    assert doc.blocks[0].section == "Het congres"
    assert "200 mensen" in doc.blocks[0].text and "- Workshops" in doc.blocks[0].text
    assert "alert" not in " ".join(b.text for b in doc.blocks)


def test_docx_headings_become_sections(tmp_path):
    import docx

    d = docx.Document()
    d.core_properties.title = "Beleidsnota"
    d.add_heading("Context", level=1)
    d.add_paragraph("De gemeente wil een STEM-academie.")
    d.add_heading("Voorstel", level=1)
    d.add_paragraph("Een coördinator voor één jaar.")
    d.save(tmp_path / "nota.docx")
    doc = load(tmp_path / "nota.docx")
    assert doc.title == "Beleidsnota"
    assert [(b.section, b.text) for b in doc.blocks] == [
        ("Context", "De gemeente wil een STEM-academie."), ("Voorstel", "Een coördinator voor één jaar."),
    ]


def test_a_zip_that_is_no_word_file_is_skipped(tmp_path):
    (tmp_path / "kapot.docx").write_bytes(b"PK\x03\x04 kapot")
    with pytest.raises(SkipFile, match="Word"):
        load(tmp_path / "kapot.docx")


def test_windows_1252_text_is_read(tmp_path):
    (tmp_path / "oud.txt").write_bytes("Schepen van Onderwijs – coördinatie, €500.".encode("cp1252"))
    assert load(tmp_path / "oud.txt").blocks[0].text == "Schepen van Onderwijs – coördinatie, €500."


def test_invalid_front_matter_is_a_reason_not_a_crash(tmp_path):
    (tmp_path / "fout.md").write_text("---\ntitle: [onafgesloten\n---\n# x\n", encoding="utf-8")
    with pytest.raises(SkipFile, match="YAML"):
        load(tmp_path / "fout.md")


def test_unsupported_extension(tmp_path: Path):
    (tmp_path / "foto.jpg").write_bytes(b"\xff\xd8\xff")
    with pytest.raises(SkipFile, match="niet ondersteund"):
        load(tmp_path / "foto.jpg")
