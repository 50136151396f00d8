"""Editable Word exports: opened again with python-docx, they hold real headings, numbered
steps, tables, the radar picture and Word footnotes with document, section and quote.

The plan and raadsnota tests use the real draaiboek index (``draaiboek_index``); the
footnote-numbering test builds a small document by hand and needs no index.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document as open_docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from lxml import etree

from assistant.scan import NetworkScan, compare_scans, write_docx
from assistant.scan.blocks import Block, Document, Note, Noted
from assistant.scan.charts import radar_png
from assistant.scan.documents import NOTE_HEADINGS, PLAN_HEADINGS, council_document, plan_document
from assistant.scan.reports import PROGRESS_HEADING, council_report, plan_report
from assistant.types import Citation

from tests.conftest import ROOT, run_scan_cli

EXAMPLES = ROOT / "examples"
FIRST = EXAMPLES / "scan-kleine-gemeente.yaml"
LATER = EXAMPLES / "scan-kleine-gemeente-een-jaar-later.yaml"



def _footnotes(doc) -> dict[int, str]:
    """Word footnote id -> its text, separators left out."""
    root = etree.fromstring(doc.part.part_related_by(RT.FOOTNOTES).blob)
    notes = {int(f.get(qn("w:id"))): "".join(t.text or "" for t in f.iter(qn("w:t"))) for f in root.iter(qn("w:footnote"))}
    return {i: text.strip() for i, text in notes.items() if i > 0}


def _references(element) -> list[int]:
    return [int(r.get(qn("w:id"))) for r in element.iter(qn("w:footnoteReference"))]


def _styled(doc, style: str) -> list:
    return [p for p in doc.paragraphs if p.style.name == style]


def _num_id(paragraph) -> int:
    return paragraph._p.pPr.numPr.numId.val


def _citation(n: int, section: str) -> Citation:
    return Citation(n=n, chunk_id=f"c{n}", doc_id="draaiboek/x", title="Testhoofdstuk", source="corpus/draaiboek/x.md",
                    section=section, page=None, quote=f"Een citaat uit {section.lower()}.", score=1.0)


def test_a_passage_cited_twice_gets_a_second_footnote_pointing_back(tmp_path):
    first, second = _citation(1, "Eerste sectie"), _citation(2, "Tweede sectie")
    doc = Document("Test", [
        Block("title", "Test"), Block("heading", "Tekst"),
        Block("para", Noted("Eerste zin.", (1,))), Block("bullets", items=[Noted("Tweede zin.", (2, 1))]),
        Block("numbered", items=["een", "twee"]), Block("numbered", items=["opnieuw een"]),
        Block("heading", "Voetnoten"), Block("footnotes", items=[Note(1, first), Note(2, second)]),
    ])
    word = open_docx(str(write_docx(doc, tmp_path / "test.docx")))
    assert _footnotes(word) == {
        1: "Testhoofdstuk › Eerste sectie: “Een citaat uit eerste sectie.” (corpus/draaiboek/x.md)",
        2: "Testhoofdstuk › Tweede sectie: “Een citaat uit tweede sectie.” (corpus/draaiboek/x.md)",
        3: "Zie voetnoot 1: Testhoofdstuk › Eerste sectie.",
    }
    assert _references(word.element.body) == [1, 2, 3]
    assert [p.text for p in _styled(word, "Heading 1")] == ["Tekst"]  # notes are footnotes, not a section
    numbered = _styled(word, "List Number")
    assert _num_id(numbered[0]) == _num_id(numbered[1]) != _num_id(numbered[2])  # the second list restarts
    numbering = word.part.numbering_part.element
    for p in (numbered[0], numbered[2]):
        num = numbering.num_having_numId(_num_id(p))
        assert num.find(qn("w:lvlOverride")).find(qn("w:startOverride")).get(qn("w:val")) == "1"


# --------------------------------------------------------------------------- with the draaiboek index


@pytest.fixture(scope="module")
def scan(draaiboek_index) -> NetworkScan:
    return NetworkScan(draaiboek_index)


@pytest.fixture(scope="module")
def result(scan):
    return scan.run(scan.read_answers(FIRST))


def test_plan_docx_has_headings_numbered_steps_a_table_the_radar_and_footnotes(result, tmp_path):
    word = open_docx(str(write_docx(plan_document(result, radar_png(result)), tmp_path / "plan.docx")))
    assert word.paragraphs[0].style.name == "Title"
    assert word.paragraphs[0].text == "Plan van aanpak STEM-alliantie – Heidebeek"
    assert [p.text for p in _styled(word, "Heading 1")] == list(PLAN_HEADINGS[:-1])
    steps = _styled(word, "List Number")
    assert [p.text for p in steps] == [s.advice.title for s in result.plan]
    assert len({_num_id(p) for p in steps}) == 1 and all(p.runs[0].bold for p in steps)
    body = [p.text for p in _styled(word, "List Continue")]
    assert all(s.text(result.voice) in body for s in result.plan)
    profile = word.tables[0]
    assert [c.text for c in profile.rows[0].cells] == ["Dimensie", "Score (1–4)", "Fase"] and len(profile.rows) == 9
    assert len(word.inline_shapes) == 1  # the radar chart
    notes = _footnotes(word)
    assert _references(word.element.body) == sorted(notes) == list(range(1, len(notes) + 1))
    first = result.plan[0].citations[0]
    assert notes[1] == f"{first.title} › {first.section}: “{first.quote}” ({first.source})"
    source_line = next(p for p in _styled(word, "List Continue") if p.text.startswith("Bron:"))
    assert _references(source_line._p) == [1]
    assert word.core_properties.language == "nl-BE"


def test_council_note_docx_follows_the_model_decision_with_footnotes(result, tmp_path):
    word = open_docx(str(write_docx(council_document(result), tmp_path / "nota.docx")))
    assert [p.text for p in _styled(word, "Heading 1")] == list(NOTE_HEADINGS[:-1])
    assert NOTE_HEADINGS[:5] == ("Aanleiding", "Juridische grond", "Argumentatie", "Financiële weerslag", "Besluit")
    articles = [p.text for p in word.paragraphs if p.text.startswith("Artikel ")]
    assert [a.split(".")[0] for a in articles] == [f"Artikel {n}" for n in range(1, 6)]
    assert articles[1].startswith("Artikel 2. De gemeenteraad keurt een jaarlijkse werkingsbijdrage tussen € 2.000 en € 8.000")
    assert "na te kijken en aan te vullen door de administratie" in word.paragraphs[2].text
    legal = [p.text for p in _styled(word, "List Bullet") if "Decreet over het lokaal bestuur" in p.text]
    assert legal == ["Decreet over het lokaal bestuur van 22 december 2017, artikel 41 "
                     "(bevoegdheden die de raad niet kan toevertrouwen)."]
    notes = _footnotes(word)
    assert len(notes) == len(_references(word.element.body)) >= len(result.plan)
    fact = result.facts[0].citations[0]
    assert any(f"› {fact.section}: “{fact.quote}”" in text for text in notes.values())
    assert any("Budget en besluitvorming › Model van raadsbesluit: “" in text for text in notes.values())
    assert any(len(t.rows) == len(result.plan) + 1 and len(t.columns) == 13 for t in word.tables)  # the timeline


def test_plan_docx_after_a_rescan_shows_the_progress_before_the_steps(scan, tmp_path):
    before, after = scan.read_answers(FIRST), scan.read_answers(LATER)
    comparison = compare_scans(scan.config, before, after)
    result = scan.run(after)
    word = open_docx(str(write_docx(plan_report(result, comparison), tmp_path / "plan.docx")))
    headings = [p.text for p in _styled(word, "Heading 1")]
    assert headings == [*PLAN_HEADINGS[:2], PROGRESS_HEADING, *PLAN_HEADINGS[2:-1]]
    change = next(t for t in word.tables if t.rows[0].cells[1].text == "2025-03-17")
    governance = next(r for r in change.rows if r.cells[0].text == "Trekker en governance")
    assert [c.text for c in governance.cells] == ["Trekker en governance", "1,00", "2,00", "▲ +1,00", "Verkennen → Opbouwen"]
    assert any(p.text.startswith("✓ Een trekker met mandaat aanduiden: afgerond") for p in _styled(word, "List Bullet"))
    note = open_docx(str(write_docx(council_report(result, comparison), tmp_path / "nota.docx")))
    assert any(p.text.startswith("Vergeleken met de scan van 2025-03-17") for p in note.paragraphs)



def test_cli_rescan_writes_both_word_files_and_the_comparison(draaiboek_index, capsys, tmp_path):
    plan, note = tmp_path / "plan.docx", tmp_path / "nota.docx"
    code, out, err = run_scan_cli(["scan", "--answers", str(LATER), "--vorige", str(FIRST), "--json",
                           "--docx", str(plan), "--raadsnota-docx", str(note)], draaiboek_index, capsys)
    assert code == 0, err
    data = json.loads(out)
    governance = next(d for d in data["comparison"]["dimensions"] if d["id"] == "governance")
    assert governance["direction"] == "beter" and governance["change"] == 1.0
    steps = {s["id"]: s["status"] for s in data["comparison"]["earlier_steps"]}
    assert steps["gov-trekker"] == "afgerond" and steps["ver-eerste-overleg"] == "loopt nog"
    assert PROGRESS_HEADING in [p.text for p in open_docx(str(plan)).paragraphs]
    assert open_docx(str(note)).paragraphs[0].text == "Ontwerp van raadsnota"
    assert f"Plan van aanpak (DOCX): {plan}" in err


def test_cli_names_the_earlier_file_when_it_is_from_another_version(tmp_path, capsys):
    from assistant.settings import Settings

    old = tmp_path / "vorig-jaar.yaml"
    old.write_text(Path(FIRST).read_text(encoding="utf-8").replace("versie: 1 ", "versie: 0 "), encoding="utf-8")
    code, out, err = run_scan_cli(["scan", "--answers", str(LATER), "--vorige", str(old)],
                          Settings(index_dir=tmp_path / "geen-index"), capsys)
    assert code == 1 and out == ""
    assert err.startswith("Fout: vorig-jaar.yaml: Dit antwoordbestand is ingevuld met versie 0 van de vragenlijst")
