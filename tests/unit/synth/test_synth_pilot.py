from __future__ import annotations

import dataclasses
import datetime
import json
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pytest

from pht.lake import read_dataset
from pht.refdata import municipalities
from pht.synth.lake import MANIFEST
from pht.synth.pilot import DEFAULT_EFFECTS, ZERO_EFFECTS, Effects, default_pilot
from pht.synth.registry import generate_municipality

RANA = ("1833",)  # two wave-1 pilot practices among 26,000 residents
YEARS = (2017, 2019)
STRONG = Effects(acute_admission_rr=0.5, out_of_hours_rr=0.5, gp_consultation_rr=1.0, prem_shift_sd=1.0)


def test_default_pilot_is_the_real_shape_and_deterministic() -> None:
    pilot = default_pilot(2017)
    wave1 = [p for p in pilot.practices if p.wave == 1]
    wave2 = [p for p in pilot.practices if p.wave == 2]
    assert len(wave1) == 13 and len(wave2) == 4
    assert {p.start for p in wave1} == {datetime.date(2018, 4, 1)}
    assert all(p.start.year == 2020 for p in wave2)
    assert sum(p.financing_model == "fee" for p in wave1) == 8
    assert sum(p.financing_model == "capitation" for p in wave1) == 5
    assert {p.kommunenummer for p in pilot.practices} == {
        "0828",
        "1244",
        "1119",
        "1401",
        "1443",
        "1001",
        "0412",
        "1833",
        "0301",
    }
    assert default_pilot(2017) == pilot
    # the chosen practices exist in the registry generated from the same seed
    by_code = {m.kommunenummer: m for m in municipalities(2017)}
    for p in pilot.practices:
        assert p.practice_orgnr in {x.orgnr for x in generate_municipality(by_code[p.kommunenummer], 2017)}
    assert default_pilot(2018).practices != pilot.practices


def test_manifest_states_the_pilot_and_the_true_effects(small_lake: Path) -> None:
    manifest = json.loads((small_lake / MANIFEST).read_text())
    assert manifest["seed"] == 11
    assert manifest["true_effects"] == dataclasses.asdict(DEFAULT_EFFECTS)
    assert manifest["pilot"]["effects_are_zero"] is False
    assert {p["practice_orgnr"] for p in manifest["pilot"]["practices"]} == {
        p.practice_orgnr for p in default_pilot(11).practices
    }
    assert "synth_morbidity" in manifest["parameters"] and "fee_schedule" in manifest["parameters"]
    practices = read_dataset(small_lake, "practices").to_pylist()
    assert {p["practice_orgnr"] for p in practices if p["pilot"]} == {
        p.practice_orgnr for p in default_pilot(11).practices if p.kommunenummer in ("0828", "1401")
    }


def _without_nurse(lake: Path, name: str) -> list[dict[str, object]]:
    table = read_dataset(lake, name)
    if name == "contacts":
        table = table.filter(pc.not_equal(table["kind"].cast("string"), "nurse"))
        table = table.drop_columns(["contact_id"])
    return table.to_pylist()


def test_with_zero_effects_the_pilot_changes_nothing_but_nurse_contacts(make_lake) -> None:  # type: ignore[no-untyped-def]
    # without confounding: with it, pilot practices are self-selected (better latent), which a
    # lake without a pilot does not have
    zero = make_lake(RANA, years=YEARS, effects=ZERO_EFFECTS, confounding=False)
    none = make_lake(RANA, years=YEARS, effects=None, confounding=False)
    for name in (
        "residents",
        "conditions",
        "hospital_stays",
        "municipal_care",
        "survey_responses",
        "contacts",
    ):
        assert _without_nurse(zero, name) == _without_nurse(none, name), name
    nurse = read_dataset(zero, "contacts").filter(
        pc.equal(read_dataset(zero, "contacts")["kind"].cast("string"), "nurse")
    )
    assert nurse.num_rows > 1000
    assert (
        read_dataset(none, "contacts")
        .filter(pc.equal(read_dataset(none, "contacts")["kind"].cast("string"), "nurse"))
        .num_rows
        == 0
    )


def _acute_rate_by_pilot(lake: Path, since: datetime.date) -> tuple[float, float, int, int]:
    """Acute admissions per listed person-year after ``since``, for pilot and other practices."""
    pilot = {p["practice_orgnr"] for p in read_dataset(lake, "practices").to_pylist() if p["pilot"]}
    res = read_dataset(lake, "residents").to_pylist()
    end = datetime.date(YEARS[1], 12, 31)
    years = {True: 0.0, False: 0.0}
    listed_at: dict[int, list[tuple[datetime.date, datetime.date, bool]]] = {}
    for r in res:
        a, b = max(r["list_from"], since), min(r["list_to"] or end, end)
        in_pilot = r["practice_orgnr"] in pilot
        if a <= b:
            years[in_pilot] += ((b - a).days + 1) / 365.25
        listed_at.setdefault(r["resident_id"], []).append((r["list_from"], r["list_to"] or end, in_pilot))
    stays = {True: 0, False: 0}
    for s in read_dataset(lake, "hospital_stays").to_pylist():
        if s["acute"] and s["admission_date"] >= since:
            for a, b, in_pilot in listed_at[s["resident_id"]]:
                if a <= s["admission_date"] <= b:
                    stays[in_pilot] += 1
    return stays[True] / years[True], stays[False] / years[False], stays[True], stays[False]


def test_zero_effects_pilot_and_other_practices_have_the_same_outcome_rates(make_lake) -> None:  # type: ignore[no-untyped-def]
    zero = make_lake(RANA, years=YEARS, effects=ZERO_EFFECTS, confounding=False)
    pilot_rate, other_rate, pilot_n, other_n = _acute_rate_by_pilot(zero, datetime.date(2018, 4, 1))
    # Poisson noise on the pilot count dominates; 4 standard errors
    assert abs(pilot_rate / other_rate - 1) < 4 / np.sqrt(pilot_n)


def test_true_effects_show_in_the_data(make_lake) -> None:  # type: ignore[no-untyped-def]
    zero = make_lake(RANA, years=YEARS, effects=ZERO_EFFECTS, confounding=False)
    strong = make_lake(RANA, years=YEARS, effects=STRONG, confounding=False)
    since = datetime.date(2018, 4, 1)
    zero_pilot, zero_other, *_ = _acute_rate_by_pilot(zero, since)
    strong_pilot, strong_other, *_ = _acute_rate_by_pilot(strong, since)
    assert strong_other == pytest.approx(zero_other)  # other practices untouched
    assert strong_pilot < 0.9 * zero_pilot  # half the target group's acute stays removed
    pilot_orgnrs = {p.practice_orgnr for p in default_pilot(11).practices}
    prem = {}
    for lake in (zero, strong):
        answers = read_dataset(lake, "survey_responses").to_pylist()
        prem[lake] = np.mean(
            [
                r["prem_overall"]
                for r in answers
                if r["practice_orgnr"] in pilot_orgnrs and r["survey_date"] >= since
            ]
        )
    assert prem[strong] > prem[zero]
