"""Answer files: versions, saving and reloading, and the checks on a region's set of files.

No index is needed; every test reads or writes real YAML files.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
import yaml

from assistant.scan import ScanConfig, ScanInputError, parse_answers, read_answers
from assistant.scan.files import dump_answers, read_draft, read_region_files, same_municipality, write_answers

from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"
SMALL = EXAMPLES / "scan-kleine-gemeente.yaml"
REGION_DIR = EXAMPLES / "regio"


@pytest.fixture(scope="module")
def config() -> ScanConfig:
    return ScanConfig.load()


def _raw(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _write(path: Path, raw: dict) -> Path:
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _member(tmp_path: Path, name: str, municipality: str, **changes) -> Path:
    raw = _raw(REGION_DIR / "bremhout.yaml") | {"gemeente": municipality} | changes
    return _write(tmp_path / name, raw)


# --------------------------------------------------------------------------- questionnaire version


def test_the_questionnaire_has_a_version_and_the_examples_carry_it(config):
    assert config.version == 1
    for path in [*EXAMPLES.glob("*.yaml"), *REGION_DIR.glob("*.yaml")]:
        assert _raw(path)["versie"] == config.version, path.name


@pytest.mark.parametrize("version, advice", [
    (2, "Werk de STEM-Alliantiewijzer bij om het te lezen."),
    (0, "De vragen zijn sindsdien veranderd: vul de scan opnieuw in met de huidige vragenlijst."),
])
def test_answers_from_another_questionnaire_version_get_one_clear_dutch_error(config, version, advice):
    raw = _raw(SMALL) | {"versie": version}
    raw["antwoorden"]["x9"] = 3  # a question of that other version: not reported, the version says it all
    with pytest.raises(ScanInputError) as err:
        parse_answers(raw, config)
    assert err.value.problems == [
        f"Dit antwoordbestand is ingevuld met versie {version} van de vragenlijst, maar deze netwerkscan "
        f"gebruikt versie 1. {advice}"
    ]


def test_a_file_without_version_is_read_as_version_1_and_a_bad_version_is_named(config):
    raw = _raw(SMALL)
    del raw["versie"]
    assert parse_answers(raw, config).municipality == "Heidebeek"
    with pytest.raises(ScanInputError, match="Het veld 'versie' moet het versienummer van de vragenlijst zijn .* niet 'twee'"):
        parse_answers(raw | {"versie": "twee"}, config)


def test_scan_date_is_read_and_checked(config):
    assert read_answers(SMALL, config).date == datetime.date(2025, 3, 17)
    with pytest.raises(ScanInputError, match="Het veld 'datum' moet een datum zijn zoals 2026-03-15, niet 'vorig jaar'"):
        parse_answers(_raw(SMALL) | {"datum": "vorig jaar"}, config)


# --------------------------------------------------------------------------- saving and reloading


def test_saved_answers_read_back_the_same_and_explain_every_question(config, tmp_path):
    original = read_answers(EXAMPLES / "scan-kleine-gemeente-een-jaar-later.yaml", config)
    path = write_answers(original, config, tmp_path / "heidebeek.yaml")
    again = read_answers(path, config)
    assert again == original
    text = path.read_text(encoding="utf-8")
    assert text.count("\n  # Hoe ") >= 5 and "# 1 Nee, er is niemand aangeduid · 2 Iemand doet het" in text
    assert "samenwerking: \"informeel\"   # Bestaande samenwerking met buurgemeenten: geen | informeel" in text


def test_an_unfinished_scan_is_saved_and_reloaded_to_continue(config, tmp_path):
    from assistant.scan import ScanAnswers

    draft = ScanAnswers("Olmenhout", {"u1": 2, "g1": 4}, {"inwoners": 7800}, datetime.date(2026, 1, 5))
    path = tmp_path / "half.yaml"
    path.write_text(dump_answers(draft, config), encoding="utf-8")
    loaded = read_draft(path, config)
    assert loaded.answers.answers == {"u1": 2, "g1": 4}
    assert loaded.answers.context == {"inwoners": 7800} and loaded.answers.municipality == "Olmenhout"
    assert any(p.startswith("Vraag u2 is niet beantwoord") for p in loaded.problems)
    assert "Contextveld 'samenwerking' ontbreekt (Bestaande samenwerking met buurgemeenten)." in loaded.problems
    with pytest.raises(ScanInputError, match="versie 3 van de vragenlijst"):
        read_draft(_write(tmp_path / "nieuw.yaml", _raw(path) | {"versie": 3}), config)


def test_an_invalid_value_in_a_draft_is_dropped_and_named(config, tmp_path):
    raw = _raw(SMALL)
    raw["antwoorden"]["g3"] = "misschien"
    loaded = read_draft(_write(tmp_path / "scan.yaml", raw), config)
    assert "g3" not in loaded.answers.answers and loaded.answers.answers["g2"] == 1
    assert any("Vraag g3 heeft een ongeldig antwoord 'misschien'" in p for p in loaded.problems)


# --------------------------------------------------------------------------- a region's files


def test_the_example_region_has_four_different_municipalities_and_a_region_file(config):
    files = read_region_files(sorted(REGION_DIR.glob("*.yaml")), config)
    assert files.name == "Regio Heikant" and files.missing == ()
    assert [m.answers.municipality for m in files.members] == ["Aarveld", "Bremhout", "Heidebeek", "Olmenhout"]
    answer_sets = {tuple(sorted(m.answers.answers.items())) for m in files.members}
    assert len(answer_sets) == 4  # written to differ


def test_a_municipality_twice_is_an_error_naming_both_files(config, tmp_path):
    paths = [_member(tmp_path, "a.yaml", "Bremhout"), _member(tmp_path, "b.yaml", " bremhout"),
             _member(tmp_path, "c.yaml", "Aarveld")]
    with pytest.raises(ScanInputError) as err:
        read_region_files(paths, config)
    assert err.value.problems == [
        "De gemeente 'Bremhout' komt in meer dan één bestand voor (a.yaml, b.yaml); geef per gemeente één antwoordbestand."
    ]


def test_a_municipality_outside_the_region_file_is_an_error(config, tmp_path):
    shutil.copy(REGION_DIR / "regio.yaml", tmp_path / "regio.yaml")
    paths = [tmp_path / "regio.yaml", REGION_DIR / "aarveld.yaml", _member(tmp_path, "zandvliet.yaml", "Zandvliet")]
    with pytest.raises(ScanInputError) as err:
        read_region_files(paths, config)
    assert err.value.problems == [
        "zandvliet.yaml: de gemeente 'Zandvliet' hoort niet bij Regio Heikant volgens regio.yaml; de gemeenten zijn "
        "Aarveld, Bremhout, Heidebeek, Olmenhout. Controleer het veld 'gemeente' of voeg de gemeente toe aan het regiobestand."
    ]


def test_members_without_a_file_are_reported_not_refused(config):
    paths = [REGION_DIR / "regio.yaml", REGION_DIR / "aarveld.yaml", REGION_DIR / "olmenhout.yaml"]
    files = read_region_files(paths, config)
    assert files.missing == ("Bremhout", "Heidebeek")


def test_every_bad_file_of_a_region_is_named(config, tmp_path):
    old = _member(tmp_path, "oud.yaml", "Aarveld", versie=0)
    broken = tmp_path / "kapot.yaml"
    broken.write_text("gemeente: [Olmenhout\n", encoding="utf-8")
    with pytest.raises(ScanInputError) as err:
        read_region_files([old, broken, REGION_DIR / "bremhout.yaml"], config)
    first, second = err.value.problems
    assert first.startswith("oud.yaml: Dit antwoordbestand is ingevuld met versie 0 van de vragenlijst")
    assert second.startswith("kapot.yaml: Het bestand kapot.yaml is geen leesbare YAML")


def test_a_region_needs_two_municipalities_and_one_region_file(config, tmp_path):
    with pytest.raises(ScanInputError, match="minstens twee verschillende gemeenten"):
        read_region_files([REGION_DIR / "aarveld.yaml"], config)
    second = _write(tmp_path / "regio2.yaml", _raw(REGION_DIR / "regio.yaml"))
    with pytest.raises(ScanInputError, match=r"meer dan één regiobestand \(regio.yaml, regio2.yaml\)"):
        read_region_files([REGION_DIR / "regio.yaml", second, REGION_DIR / "aarveld.yaml",
                           REGION_DIR / "bremhout.yaml"], config)


def test_names_match_across_case_accents_and_hyphens():
    assert same_municipality("Sint-Katelijne-Waver", "sint katelijne waver ")
    assert same_municipality("Bléharies", "Bleharies")
    assert not same_municipality("Olen", "Olmen")
