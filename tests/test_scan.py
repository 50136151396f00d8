"""The netwerkscan: answers in, a profile and a cited 12-month plan out.

The plan-level tests use the real draaiboek index (``draaiboek_index``, built once per
session); the validation tests need no index and run in milliseconds.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import fields
from pathlib import Path

import pytest
import yaml

from assistant.answer.citations import number_citations
from assistant.index.snapshot import SnapshotStore
from assistant.scan import (
    VOICES,
    NetworkScan,
    ScanAnswers,
    ScanConfig,
    ScanConfigError,
    ScanInputError,
    parse_answers,
    read_answers,
)
from assistant.scan.config import CONFIG_PATH
from assistant.scan.documents import NOTE_HEADINGS, PLAN_HEADINGS
from assistant.scan.export import (
    council_markdown,
    plan_markdown,
    write_council_note,
    write_plan_markdown,
    write_plan_pdf,
)
from assistant.scan.plan import select_advices
from assistant.scan.profile import compute_profile
from assistant.settings import Settings
from assistant.types import Citation

from tests.conftest import ROOT, run_scan_cli

EXAMPLES = ROOT / "examples"
SMALL = EXAMPLES / "scan-kleine-gemeente.yaml"
REGION = EXAMPLES / "scan-regio.yaml"
STARTUP_STEPS = {"gov-trekker", "par-partnerkaart", "ver-eerste-overleg"}
CITATION_KEYS = {f.name for f in fields(Citation)}



@pytest.fixture(scope="module")
def config() -> ScanConfig:
    return ScanConfig.load()


def _raw(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _mature(config: ScanConfig) -> ScanAnswers:
    """A mature alliance: nearly every answer 4, a few 3s."""
    answers = {q.id: 4 for q in config.questions} | {"b2": 3, "f3": 3, "i3": 3}
    context = {"inwoners": 69000, "samenwerking": "projectvereniging", "personeelstijd": 38, "budget": 80000}
    return ScanAnswers("Regio Volwassen", answers, context)



def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())


# --------------------------------------------------------------------------- data file


def test_data_file_has_eight_dimensions_and_20_to_30_questions_on_a_four_step_scale(config):
    assert [d.id for d in config.dimensions] == [
        "urgentie", "partners", "governance", "vertrouwen", "middelen", "aanbod", "impact", "verankering"
    ]
    assert 20 <= len(config.questions) <= 30
    assert all(len(q.labels) == 4 for q in config.questions)
    assert [s.id for s in config.stages] == ["verkennen", "opbouwen", "structureren", "borgen"]
    for advice in config.advices:
        assert set(advice.text) == set(VOICES) and advice.sources, advice.id
        assert 1 <= advice.months[0] <= advice.months[1] <= 12, advice.id


def test_data_file_errors_name_what_is_wrong(config):
    raw = _raw(CONFIG_PATH)
    raw["adviezen"][0]["wanneer"] = {"antwoorden": {"x99": [1]}}
    raw["adviezen"][1]["maanden"] = [3, 14]
    with pytest.raises(ScanConfigError) as err:
        ScanConfig.from_dict(raw)
    assert "x99" in str(err.value) and "3-14" in str(err.value)


def test_data_file_shape_errors_name_the_place_in_dutch():
    raw = _raw(CONFIG_PATH)
    first, second, third = (raw["adviezen"][i]["id"] for i in range(3))
    del raw["adviezen"][0]["titel"]
    raw["adviezen"][1]["kleur"] = "rood"
    raw["adviezen"][2]["wanneer"] = {"fse": ["verkennen"], "spreiding": {"min": 1}}  # spreiding: regions only
    raw["raadsnota"]["budget"]["uren_per_vte"] = "veel"
    with pytest.raises(ScanConfigError) as err:
        ScanConfig.from_dict(raw)
    assert err.value.problems == [
        f"Het databestand van de netwerkscan is onvolledig: adviezen › {first} › titel ontbreekt.",
        f"Het databestand van de netwerkscan bevat een onbekend veld: adviezen › {second} › kleur.",
        f"Advies '{third}': onbekende voorwaarde 'fse'.",
        f"Advies '{third}': onbekende voorwaarde 'spreiding'.",
        "Het databestand van de netwerkscan heeft een ongeldige waarde 'veel' bij raadsnota › budget › uren_per_vte.",
    ]


def test_citations_are_numbered_by_passage_across_groups_and_calls():
    def cite(chunk: str, quote: str) -> Citation:
        return Citation(n=0, chunk_id=chunk, doc_id="d", title="t", source="s", section="x", page=None,
                        quote=quote, score=0.0)

    numbers: dict[tuple[str, str], int] = {}
    first = number_citations([[cite("a", "q1"), cite("b", "q1")], [cite("a", "q1"), cite("a", "q2")]], numbers)
    assert [[c.n for c in group] for group in first] == [[1, 2], [1, 3]]
    (later,) = number_citations([[cite("a", "q2"), cite("c", "q1")]], numbers)  # a document goes on numbering
    assert [c.n for c in later] == [3, 4]


def test_source_check_names_every_missing_section(config):
    present = {(r.doc_id, r.section) for r in config.source_refs()}
    gone = ("draaiboek/04-governance-en-structuur", "De kerngroep als werkend hart van de alliantie")
    with pytest.raises(ScanConfigError) as err:
        config.check_sources(present - {gone})
    assert "De kerngroep als werkend hart van de alliantie" in str(err.value)
    config.check_sources(present)  # nothing missing: no error


def test_every_answer_set_gives_five_to_ten_steps(config):
    rng = random.Random(7)
    for _ in range(500):
        answers = {q.id: rng.randint(1, 4) for q in config.questions}
        context = {"inwoners": rng.choice([4000, 30000, 120000]), "personeelstijd": rng.choice([0, 6, 40]),
                   "samenwerking": rng.choice(["geen", "projectvereniging"]), "budget": 0}
        scan = ScanAnswers("x", answers, context)
        assert 5 <= len(select_advices(config, compute_profile(config, scan), scan)) <= 10


# --------------------------------------------------------------------------- answers validation (no index)


def test_examples_are_valid_answer_files(config):
    assert read_answers(SMALL, config).context["inwoners"] == 9500
    assert read_answers(REGION, config).context["samenwerking"] == "projectvereniging"


def test_missing_answer_gets_a_dutch_error_naming_question_and_values(config):
    raw = _raw(SMALL)
    del raw["antwoorden"]["u2"]
    with pytest.raises(ScanInputError) as err:
        parse_answers(raw, config)
    message = str(err.value)
    assert "Vraag u2 is niet beantwoord" in message
    assert "Toegestane waarden: 1, 2, 3 of 4" in message and "\n" not in message


@pytest.mark.parametrize("value", ["ja", 5, 0, 2.5, True])
def test_invalid_answer_gets_a_dutch_error(config, value):
    raw = _raw(SMALL)
    raw["antwoorden"]["g3"] = value
    with pytest.raises(ScanInputError) as err:
        parse_answers(raw, config)
    assert f"Vraag g3 heeft een ongeldig antwoord '{value}'" in str(err.value)
    assert "1, 2, 3 of 4 (1 = Nee" in str(err.value)


def test_context_and_unknown_keys_are_checked(config):
    raw = _raw(SMALL)
    raw["context"]["samenwerking"] = "fusie"
    raw["context"]["inwoners"] = "veel"
    del raw["context"]["budget"]
    raw["antwoorden"]["z1"] = 3
    with pytest.raises(ScanInputError) as err:
        parse_answers(raw, config)
    problems = " ".join(err.value.problems)
    assert "Contextveld 'samenwerking' heeft een ongeldige waarde 'fusie'" in problems
    assert "Contextveld 'inwoners' moet een geheel getal" in problems
    assert "Contextveld 'budget' ontbreekt" in problems
    assert "Onbekende vraag 'z1'" in problems


def test_unreadable_or_missing_answers_file(config, tmp_path):
    with pytest.raises(ScanInputError, match="bestaat niet"):
        read_answers(tmp_path / "nergens.yaml", config)
    broken = tmp_path / "kapot.yaml"
    broken.write_text("antwoorden: [u1: 2\n", encoding="utf-8")
    with pytest.raises(ScanInputError, match="geen leesbare YAML"):
        read_answers(broken, config)


def test_cli_reports_an_invalid_answer_in_one_dutch_line_without_an_index(tmp_path, capsys):
    raw = _raw(SMALL)
    raw["antwoorden"]["v1"] = "veel"
    answers = tmp_path / "scan.yaml"
    answers.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    code, out, err = run_scan_cli(["scan", "--answers", str(answers)], Settings(index_dir=tmp_path / "geen-index"), capsys)
    assert code == 1 and out == ""
    assert err.startswith("Fout: Vraag v1 heeft een ongeldig antwoord 'veel'") and err.count("\n") == 1


def test_cli_without_index_says_how_to_build_one(tmp_path, capsys):
    code, _, err = run_scan_cli(["scan", "--answers", str(SMALL)], Settings(index_dir=tmp_path / "geen-index"), capsys)
    assert code == 1 and "alliantiewijzer ingest" in err and "Traceback" not in err


# --------------------------------------------------------------------------- plans (real draaiboek index)


@pytest.fixture(scope="module")
def scan(draaiboek_index) -> NetworkScan:
    return NetworkScan(draaiboek_index)


@pytest.fixture(scope="module")
def small_result(scan):
    return scan.run(scan.read_answers(SMALL))


@pytest.fixture(scope="module")
def region_result(scan):
    return scan.run(scan.read_answers(REGION))


def test_starting_municipality_gets_start_up_steps(small_result):
    ids = [s.advice.id for s in small_result.plan]
    assert small_result.profile.stage == "verkennen"
    assert 5 <= len(ids) <= 10
    assert set(ids[:3]) == STARTUP_STEPS  # a lead, a partner map and a first meeting come first
    lead = next(s for s in small_result.plan if s.advice.id == "gov-trekker")
    assert lead.months == (1, 1)
    assert not {"bor-bestuurswissel", "bor-partners-binden", "fin-mix"} & set(ids)


def test_mature_alliance_gets_anchoring_steps(scan, config):
    result = scan.run(_mature(config))
    ids = {s.advice.id for s in result.plan}
    assert result.profile.stage == "borgen"
    assert not ids & STARTUP_STEPS
    anchoring = [s for s in result.plan if s.advice.dimension == "verankering"]
    assert len(anchoring) >= 2
    assert {"draaiboek/09-borgen-en-verduurzamen", "draaiboek/10-valkuilen-en-faalfactoren"} & {
        c.doc_id for s in anchoring for c in s.citations
    }


def test_region_gets_structuring_and_anchoring_steps(region_result):
    ids = [s.advice.id for s in region_result.plan]
    assert region_result.profile.stage == "structureren"
    assert len(ids) == 10
    assert {"fin-basiswerking", "bor-meerjarenplan", "imp-toc"} <= set(ids)
    assert not set(ids) & STARTUP_STEPS


def test_every_citation_quotes_a_section_that_exists_in_the_index(scan, draaiboek_index, small_result, region_result, config):
    snapshot = SnapshotStore(draaiboek_index.index_dir).load()
    for result in (small_result, region_result, scan.run(_mature(config))):
        for step in result.plan:
            assert step.citations, step.advice.id
            for c in step.citations:
                section = snapshot.section_of(c.chunk_id)
                assert (section.doc_id, section.heading) == (c.doc_id, c.section)
                assert (c.doc_id, c.section) == (step.advice.sources[0].doc_id, step.advice.sources[0].section)
                sentences = " ".join(s.text for s in section.sentences)
                assert c.quote.rstrip(" ;,") in sentences and len(c.quote) >= 30
        numbers = [c.n for c in result.citations()]
        assert numbers == list(range(1, len(numbers) + 1))


def test_voices_differ_in_wording_but_share_citations(region_result):
    texts = {v: [s.text(v) for s in region_result.plan] for v in VOICES}
    assert texts["b1"] != texts["beleid"] != texts["academisch"]
    jsons = [region_result.with_voice(v).to_json() for v in VOICES]
    assert jsons[0]["plan"][0]["citations"] == jsons[1]["plan"][0]["citations"] == jsons[2]["plan"][0]["citations"]
    with pytest.raises(ScanInputError, match="Onbekende stem"):
        region_result.with_voice("jip-en-janneke")


def test_markdown_plan_and_note_point_every_step_to_its_section(region_result, tmp_path):
    text = plan_markdown(region_result)
    for heading in PLAN_HEADINGS:
        assert f"## {heading}" in text
    for step in region_result.plan:
        assert f"**{step.advice.title}**" in text
        assert f"{step.citations[0].title} › {step.citations[0].section}" in text
    assert re.search(r"^\[1\] .+ › .+: “.+” \(corpus/draaiboek/.+\.md\)$", text, re.M)
    note = council_markdown(region_result.with_voice("academisch"))
    assert all(f"## {h}" in note for h in NOTE_HEADINGS) and "Indicatieve vork" in note
    written = write_plan_markdown(region_result, tmp_path / "plan.md")
    assert (tmp_path / "plan-radar.png").read_bytes()[:4] == b"\x89PNG"
    assert "![Radar van het profiel per dimensie](plan-radar.png)" in written.read_text(encoding="utf-8")


def test_pdfs_open_and_hold_headings_and_footnotes(small_result, tmp_path):
    plan = write_plan_pdf(small_result.with_voice("b1"), tmp_path / "plan.pdf")
    note = write_council_note(small_result, tmp_path / "nota.pdf")
    plan_text, note_text = _pdf_text(plan), _pdf_text(note)
    assert "Plan van aanpak STEM-alliantie – Heidebeek" in plan_text
    assert all(h in plan_text for h in PLAN_HEADINGS)
    assert "Ontwerp van raadsnota" in note_text and all(h in note_text for h in NOTE_HEADINGS)
    for text, result in ((plan_text, small_result), (note_text, small_result)):
        first = result.plan[0].citations[0]
        assert f"› {first.section}:" in text
        assert " ".join(first.quote.split()[:6]) in text
        assert "[1]" in text
    assert "€" in note_text and "Indicatieve vork" in note_text
    assert small_result.plan[0].text("b1")[:40] in plan_text


def test_cli_json_prints_profile_and_plan_with_chat_citations(draaiboek_index, capsys, tmp_path):
    code, out, err = run_scan_cli(
        ["scan", "--answers", str(REGION), "--json", "--voice", "b1", "--raadsnota", str(tmp_path / "nota.md")],
        draaiboek_index, capsys,
    )
    assert code == 0, err
    data = json.loads(out)
    assert {"profile", "plan", "context"} <= set(data) and data["voice"] == "b1"
    assert len(data["profile"]["dimensions"]) == 8
    assert 5 <= len(data["plan"]) <= 10
    for step in data["plan"]:
        assert {"step", "months", "dimension", "citations"} <= set(step)
        assert step["citations"] and all(set(c) == CITATION_KEYS for c in step["citations"])
    assert "Ontwerp van raadsnota" in (tmp_path / "nota.md").read_text(encoding="utf-8")
    assert "nota.md" in err  # written files are listed on stderr, stdout stays pure JSON
