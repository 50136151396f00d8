"""The regional view: median and spread per dimension, leaders and laggards, cited region steps.

The profile tests use hand-made answers with known scores and need no index; the steps,
the documents and the CLI use the real draaiboek index (``draaiboek_index``).
"""

from __future__ import annotations

import json

import pytest

from assistant.scan import NetworkScan, ScanAnswers, ScanConfig
from assistant.scan.files import read_region_files
from assistant.scan.markdown import to_markdown
from assistant.scan.region import RegionScan, region_advice_applies, region_profile, select_region_advices
from assistant.scan.reports import REGION_HEADINGS, leader_rows, region_document, region_rows

from tests.conftest import ROOT, run_scan_cli

REGION_DIR = ROOT / "examples" / "regio"
CONTEXT = {"inwoners": 10000, "samenwerking": "interlokale_vereniging", "personeelstijd": 4, "budget": 5000}



@pytest.fixture(scope="module")
def config() -> ScanConfig:
    return ScanConfig.load()


def _answers(config: ScanConfig, name: str, by_dimension: dict[str, list[int]], **context) -> ScanAnswers:
    """Every answer 2, except the dimensions given (their answers in question order)."""
    answers = {q.id: 2 for q in config.questions}
    for dim, values in by_dimension.items():
        answers |= dict(zip([q.id for q in config.questions if q.dimension == dim], values, strict=True))
    return ScanAnswers(name, answers, CONTEXT | context)


@pytest.fixture(scope="module")
def known(config) -> list[ScanAnswers]:
    """Governance 1.0, 2.5 and 4.0; aanbod 3.0 everywhere; everything else 2.0."""
    return [
        _answers(config, "Aa", {"governance": [1, 1, 1, 1], "aanbod": [3, 3, 3]}, samenwerking="informeel"),
        _answers(config, "Bee", {"governance": [2, 2, 3, 3], "aanbod": [3, 3, 3]}, inwoners=20000),
        _answers(config, "Cee", {"governance": [4, 4, 4, 4], "aanbod": [3, 3, 3]}, inwoners=30000),
    ]


def test_median_spread_leader_and_laggard_for_known_inputs(config, known):
    region = region_profile(config, known, "Testregio")
    governance = region.dimension("governance")
    assert (governance.median, governance.low, governance.high, governance.spread) == (2.5, 1.0, 4.0, 3.0)
    assert (governance.leaders, governance.laggards) == (("Cee",), ("Aa",))
    assert governance.stage == "structureren"  # the median 2.5 reaches 'structureren'
    offer = region.dimension("aanbod")
    assert (offer.median, offer.spread, offer.leaders, offer.laggards) == (3.0, 0.0, (), ())
    assert region.answers.context["inwoners"] == 60000
    assert region.answers.context["samenwerking"] == "informeel"  # the loosest form among the members
    assert region.answers.answers["g1"] == 2  # median answer per question


def test_an_even_number_of_municipalities_takes_the_middle_two_and_ties_share_the_lead(config, known):
    fourth = _answers(config, "Dee", {"governance": [2, 2, 2, 2], "aanbod": [3, 3, 3]})
    region = region_profile(config, [*known, fourth], "Testregio")
    governance = region.dimension("governance")
    assert governance.median == 2.25 and governance.stage == "opbouwen"
    twins = region_profile(config, [*known, _answers(config, "Cee bis", {"governance": [4, 4, 4, 4]})], "x")
    assert twins.dimension("governance").leaders == ("Cee", "Cee bis")


def test_region_steps_follow_the_spread_and_the_answers_anywhere_in_the_region(config, known):
    region = region_profile(config, known, "Testregio")
    advice = {a.id: a for a in config.region_advices}
    assert region_advice_applies(advice["reg-coordinator"], region)  # Aa has no lead with a mandate (g1 = 1)
    assert not region_advice_applies(advice["reg-aanbod"], region)  # the offer is equal everywhere
    uneven = [*known[:2], _answers(config, "Cee", {"governance": [4, 4, 4, 4], "aanbod": [4, 4, 4]})]
    assert region_advice_applies(advice["reg-aanbod"], region_profile(config, uneven, "x"))
    all_led = [_answers(config, n, {"governance": [4, 4, 4, 4]}) for n in ("Aa", "Bee")]
    assert not region_advice_applies(advice["reg-coordinator"], region_profile(config, all_led, "x"))
    chosen = select_region_advices(config, region)
    assert 1 <= len(chosen) <= 6 and "reg-coordinator" in {a.id for a in chosen}


def test_region_advices_are_checked_and_cited_like_every_step(config):
    refs = {(r.doc_id, r.section) for r in config.source_refs()}
    assert len(config.region_advices) >= 8
    for advice in config.region_advices:
        assert advice.sources and {(s.doc_id, s.section) for s in advice.sources} <= refs, advice.id
    assert {"reg-coordinator", "reg-partnerkaart", "reg-convenant"} <= {a.id for a in config.region_advices}


def test_the_example_region_profile(config):
    files = read_region_files(sorted(REGION_DIR.glob("*.yaml")), config)
    region = region_profile(config, [m.answers for m in files.members], files.name)
    partners = region.dimension("partners")
    assert (partners.leaders, partners.laggards) == (("Aarveld",), ("Olmenhout",))
    assert round(partners.spread, 2) == 1.6
    assert all(d.spread > 0 for d in region.dimensions)  # the four municipalities differ on every dimension


# --------------------------------------------------------------------------- with the draaiboek index


@pytest.fixture(scope="module")
def region_result(draaiboek_index):
    scan = NetworkScan(draaiboek_index)
    return RegionScan(scan).run(read_region_files(sorted(REGION_DIR.glob("*.yaml")), scan.config))


def test_region_steps_cite_their_own_draaiboek_section(region_result):
    assert 3 <= len(region_result.steps) <= 6
    assert {"reg-coordinator", "reg-partnerkaart"} <= {s.advice.id for s in region_result.steps}
    for step in region_result.steps:
        assert step.citations, step.advice.id
        for c in step.citations:
            assert (c.doc_id, c.section) == (step.advice.sources[0].doc_id, step.advice.sources[0].section)
            assert len(c.quote) >= 30
    numbers = [c.n for c in region_result.citations()]
    assert numbers == list(range(1, len(numbers) + 1))


def test_region_document_shows_the_profile_the_leaders_and_the_steps(region_result):
    text = to_markdown(region_document(region_result))
    assert all(f"## {h}" in text for h in REGION_HEADINGS)
    assert "| Partners per O | 2,20 | 1,80 | 3,40 | 1,60 | Opbouwen |" in text
    assert "| Partners per O | Aarveld (3,40) | Olmenhout (1,80) |" in text
    assert region_rows(region_result)[1][0] == "Partners per O" and len(leader_rows(region_result)) == 8
    for step in region_result.steps:
        assert f"**{step.advice.title}**" in text
    assert "Voor de regio samen (59.000 inwoners)" in text



def test_cli_region_json_and_files(draaiboek_index, capsys, tmp_path):
    paths = [str(p) for p in sorted(REGION_DIR.glob("*.yaml"))]
    code, out, err = run_scan_cli(["scan", "--regio", *paths, "--json", "--docx", str(tmp_path / "regio.docx"),
                           "--radar", str(tmp_path / "regio.png")], draaiboek_index, capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["region"] == "Regio Heikant" and data["municipalities"] == ["Aarveld", "Bremhout", "Heidebeek", "Olmenhout"]
    partners = next(d for d in data["dimensions"] if d["id"] == "partners")
    assert partners | {"scores": None} == {
        "id": "partners", "name": "Partners per O", "median": 2.2, "low": 1.8, "high": 3.4, "spread": 1.6,
        "stage": "opbouwen", "leaders": ["Aarveld"], "laggards": ["Olmenhout"], "scores": None,
    }
    assert all(s["citations"] for s in data["steps"])
    assert (tmp_path / "regio.png").read_bytes()[:4] == b"\x89PNG" and (tmp_path / "regio.docx").stat().st_size > 10_000


def test_cli_region_errors_are_dutch_and_need_no_index(tmp_path, capsys):
    from assistant.settings import Settings

    settings = Settings(index_dir=tmp_path / "geen-index")
    code, out, err = run_scan_cli(["scan", "--regio", str(REGION_DIR / "aarveld.yaml"), str(REGION_DIR / "aarveld.yaml")],
                          settings, capsys)
    assert code == 1 and out == ""
    assert err == ("Fout: De gemeente 'Aarveld' komt in meer dan één bestand voor (aarveld.yaml, aarveld.yaml); "
                   "geef per gemeente één antwoordbestand.\n")
    code, _, err = run_scan_cli(["scan", "--regio", str(REGION_DIR / "aarveld.yaml"), "--raadsnota", "x.pdf"], settings, capsys)
    assert code == 2 and "de raadsnota is er voor één gemeente" in err
