"""The budget range and the council decision are grounded in the draaiboek's chapter 16.

The band test reads the chapter itself; the citation tests use the real index (``draaiboek_index``).
"""

from __future__ import annotations

import re

import pytest

from assistant.scan import NetworkScan, ScanConfig
from assistant.scan.budget import estimate_budget
from assistant.scan.documents import NOTE_HEADINGS
from assistant.scan.export import council_markdown

from tests.conftest import ROOT

CHAPTER = ROOT / "corpus" / "draaiboek" / "16-budget-en-besluitvorming.md"
COST = "Wat een STEM-alliantie kost: een raming met aannames"
MODEL = "Model van raadsbesluit"


def _section(title: str) -> str:
    text = CHAPTER.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def test_the_band_for_the_draaiboeks_example_region_equals_its_estimate():
    """Five municipalities with 50.000 inhabitants: the draaiboek's low and high totals, and its wage."""
    rules = ScanConfig.load().budget_rules
    estimate = estimate_budget(rules, {"inwoners": 50000})
    section = _section(COST)
    low, high = (int(n.replace(".", "")) for n in re.search(r"\*\*Totaal\*\* \| \*\*([\d.]+)\*\* \| \*\*([\d.]+)\*\*",
                                                              section).groups())
    assert estimate.total == (low, high) == (29000, 92000)
    assert "loonkost van 70.000 euro per voltijdse kracht" in section and rules.cost_per_fte == (70000, 70000)
    assert [(r.doc_id, r.section) for r in rules.sources] == [("draaiboek/16-budget-en-besluitvorming", COST)]


def test_the_legal_basis_is_the_one_of_the_model_decision():
    model = _section(MODEL)
    for line in ScanConfig.load().legal_basis:
        if not line.startswith("["):
            assert line.split(" (")[0].split(",")[0] in model, line


def _footnote_number(markdown: str, section: str) -> int:
    return int(re.search(rf"^\[(\d+)\] Budget en besluitvorming › {re.escape(section)}:", markdown, re.M).group(1))


@pytest.fixture(scope="module")
def result(draaiboek_index):
    scan = NetworkScan(draaiboek_index)
    return scan.run(scan.read_answers(ROOT / "examples" / "scan-regio.yaml"))


def test_the_budget_range_cites_the_cost_section(result):
    (cite,) = result.budget.citations
    assert (cite.doc_id, cite.section) == ("draaiboek/16-budget-en-besluitvorming", COST)
    assert cite.quote in " ".join(_section(COST).split())
    note = council_markdown(result)
    budget = note[note.index(f"## {NOTE_HEADINGS[3]}"):note.index(f"## {NOTE_HEADINGS[4]}")]
    assert "*Indicatieve vork volgens de raming met aannames van het draaiboek" in budget
    n = _footnote_number(note, COST)  # numbered in the order of the note, not of the scan result
    assert budget.split("\n\n")[2].endswith(f" [{n}]*")  # the note on the range ends with its footnote
    assert f"[{n}] Budget en besluitvorming › {COST}: “{cite.quote}”" in note


def test_the_proposal_follows_the_model_decision_and_cites_it(result):
    note = council_markdown(result)
    model = next(i for i in result.decision if i.id == "model-raadsbesluit").citations[0]
    assert model.section == MODEL
    legal = note[note.index(f"## {NOTE_HEADINGS[1]}"):note.index(f"## {NOTE_HEADINGS[2]}")]
    assert legal.split("\n\n")[1].endswith(f" [{_footnote_number(note, MODEL)}]")
    assert "- Decreet over het lokaal bestuur van 22 december 2017, artikel 41" in legal
    decision = note[note.index(f"## {NOTE_HEADINGS[4]}"):note.index(f"## {NOTE_HEADINGS[5]}")]
    assert decision.count("\nArtikel ") == 5 and "Artikel 4. Het college wordt belast met de uitvoering van dit besluit." in decision
    bbc = next(i for i in result.decision if i.id == "bbc").citations[0]
    assert bbc.section == "De alliantie in de BBC: beleidsdoelstelling, actieplan, actie"
