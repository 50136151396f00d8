"""Coming back a year later: the comparison of a new scan with an earlier one (no index needed)."""

from __future__ import annotations

import dataclasses

import pytest

from assistant.scan import ScanConfig, ScanInputError, read_answers
from assistant.scan.charts import comparison_radar
from assistant.scan.compare import Direction, StepStatus, compare_scans
from assistant.scan.plan import advice_applies, select_advices
from assistant.scan.profile import compute_profile
from assistant.scan.reports import change_rows

from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="module")
def config() -> ScanConfig:
    return ScanConfig.load()


@pytest.fixture(scope="module")
def heidebeek(config):
    """Heidebeek's first scan (2025) and its scan a year later (2026)."""
    return (read_answers(EXAMPLES / "scan-kleine-gemeente.yaml", config),
            read_answers(EXAMPLES / "scan-kleine-gemeente-een-jaar-later.yaml", config))


def test_a_dimension_that_improved_is_shown_as_improved(config, heidebeek):
    comparison = compare_scans(config, *heidebeek)
    governance = next(d for d in comparison.dimensions if d.id == "governance")
    assert (governance.before, governance.after) == (1.0, 2.0)
    assert governance.direction == Direction.BETTER and governance.new_stage
    assert (governance.stage_before, governance.stage_after) == ("Verkennen", "Opbouwen")
    anchoring = next(d for d in comparison.dimensions if d.id == "verankering")
    assert anchoring.direction == Direction.SAME and anchoring.delta == 0
    rows = {row[0]: row for row in change_rows(comparison)}
    assert rows["Trekker en governance"] == ["Trekker en governance", "1,00", "2,00", "▲ +1,00", "Verkennen → Opbouwen"]
    assert rows["Verankering in beleid"][3:] == ["= 0,00", "Verkennen"]
    assert (comparison.label_before, comparison.label_after) == ("2025-03-17", "2026-03-16")


def test_a_dimension_that_slipped_is_shown_as_worse(config):
    before = read_answers(EXAMPLES / "scan-regio.yaml", config)
    after = dataclasses.replace(before, answers=before.answers | {"v1": 2, "v2": 2})
    trust = next(row for row in change_rows(compare_scans(config, before, after)) if row[0] == "Vertrouwen en werkwijze")
    assert trust == ["Vertrouwen en werkwijze", "3,00", "2,00", "▼ −1,00", "Structureren → Opbouwen"]


def test_earlier_steps_whose_answers_moved_past_their_trigger_are_done(config, heidebeek):
    comparison = compare_scans(config, *heidebeek)
    status = {s.advice.id: s for s in comparison.steps}
    earlier_plan = select_advices(config, compute_profile(config, heidebeek[0]), heidebeek[0])
    assert list(status) == [a.id for a in earlier_plan]
    lead = status["gov-trekker"]
    assert lead.status == StepStatus.DONE
    assert [e.describe() for e in lead.evidence] == [
        "g1 van 1 naar 3: “Er is een aangeduid aanspreekpunt met enkele uren per maand”"
    ]
    assert status["par-partnerkaart"].status == StepStatus.DONE
    assert status["ver-eerste-overleg"].status == StepStatus.OPEN  # v1 went from 1 to 2: still a first meeting to hold


def test_a_step_for_a_stage_left_behind_is_outgrown_and_one_undone_by_a_setback_is_dropped(config, heidebeek):
    later = heidebeek[1]
    next_year = dataclasses.replace(later, answers=later.answers | {"u1": 4, "u2": 4, "u3": 4, "g2": 3, "g3": 2})
    earlier = {a.id for a in select_advices(config, compute_profile(config, later), later)}
    assert "urg-doel" in earlier  # 'a shared goal', advised while urgency is in the stages opbouwen/structureren
    status = {s.advice.id: s for s in compare_scans(config, later, next_year).steps}
    assert status["urg-doel"].status == StepStatus.OUTGROWN
    assert status["urg-doel"].reason == "Urgentie en draagvlak zit nu in de fase Borgen"

    region = read_answers(EXAMPLES / "scan-regio.yaml", config)
    setback = dataclasses.replace(region, answers=region.answers | {"g2": 2})  # the core group fell apart
    steering = {s.advice.id: s for s in compare_scans(config, region, setback).steps}["gov-stuurgroep"]
    assert steering.status == StepStatus.DROPPED and not steering.evidence


def test_the_new_plan_moves_on_to_the_next_stage(config, heidebeek):
    before, after = heidebeek
    old_profile, new_profile = compute_profile(config, before), compute_profile(config, after)
    old_plan = {a.id for a in select_advices(config, old_profile, before)}
    new_plan = {a.id: a for a in select_advices(config, new_profile, after)}
    done = {s.advice.id for s in compare_scans(config, before, after).with_status(StepStatus.DONE)}
    assert len(done) >= 5 and not done & set(new_plan)
    # advice for the stage 'opbouwen' that the dimension (or the scan as a whole) has now reached
    for advice_id in ("ver-tweede-lijn", "imp-teller"):
        assert advice_id in new_plan and advice_id not in old_plan
        assert not advice_applies(new_plan[advice_id], old_profile, before)


def test_scans_of_different_municipalities_are_not_compared(config, heidebeek):
    other = read_answers(EXAMPLES / "scan-regio.yaml", config)
    with pytest.raises(ScanInputError) as err:
        compare_scans(config, other, heidebeek[1])
    assert str(err.value).startswith("De vorige scan is van 'Regio Netevallei', de nieuwe van 'Heidebeek'.")


def test_the_radar_shows_both_profiles(config, heidebeek):
    comparison = compare_scans(config, *heidebeek)
    png = comparison_radar(config, comparison.before, comparison.after, ("2025", "2026"), "Heidebeek")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
