"""The truth dataset and the confounding (issue 16): the truth is exactly observed minus
counterfactual, and the synthetic Norway is one on which naive comparisons are biased."""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from pht.lake import read_dataset
from pht.refdata import load_parameters, municipalities
from pht.refdata.params import PARAMS_DIR
from pht.synth.lake import MANIFEST
from pht.synth.pilot import DEFAULT_EFFECTS, ZERO_EFFECTS

GP_KINDS = ("gp_day", "gp_evening", "e_consultation", "home_visit")
SCORES = ("prom_health_vas", "prem_overall", "prem_continuity", "prem_coordination")
# six pilot municipalities with seven wave-1 practices, for one pre-pilot year
BASELINE = ("0828", "1244", "1401", "1443", "1119", "1833")


def _frame(lake: Path, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    return read_dataset(lake, name, columns=columns).to_pandas()


def _acute(lake: Path) -> tuple[int, int]:
    stays = _frame(lake, "hospital_stays", ["acute", "ambulatory_care_sensitive"])
    return int(stays["acute"].sum()), int((stays["acute"] & stays["ambulatory_care_sensitive"]).sum())


def _contacts(lake: Path, kinds: tuple[str, ...]) -> int:
    contacts = _frame(lake, "contacts", ["kind"])
    return int(contacts["kind"].astype(str).isin(kinds).sum())


def test_the_truth_is_exactly_observed_minus_counterfactual(small_lake: Path, make_lake) -> None:
    """The zero-effect lake of the same seed is the counterfactual (thinning shares its uniforms), so
    every count differs from it by exactly the truth's sum, and every score by the truth's row."""
    zero = make_lake(effects=ZERO_EFFECTS)
    truth = _frame(small_lake, "truth")
    truth["outcome"] = truth["outcome"].astype(str)
    sums = truth.groupby("outcome")["delta"].sum()
    acute, acs = _acute(small_lake)
    acute_cf, acs_cf = _acute(zero)
    assert sums["acute_admissions"] == acute - acute_cf < -20
    assert sums["acs_admissions"] == acs - acs_cf < -5
    ooh, ooh_cf = _contacts(small_lake, ("out_of_hours",)), _contacts(zero, ("out_of_hours",))
    assert sums["out_of_hours_contacts"] == ooh - ooh_cf < -20
    assert _contacts(small_lake, GP_KINDS) == _contacts(zero, GP_KINDS)  # gp_consultation_rr is 1.0
    assert "gp_consultations" not in sums
    events = truth[truth["outcome"].isin(["acute_admissions", "acs_admissions", "out_of_hours_contacts"])]
    assert set(events["delta"]) == {-1.0}  # rate ratios below 1 only remove events

    observed = _frame(small_lake, "survey_responses")
    counterfactual = _frame(zero, "survey_responses")
    both = observed.merge(counterfactual, on=["resident_id", "survey_date"], suffixes=("", "_cf"))
    assert len(both) == len(observed) == len(counterfactual)
    for score in SCORES:
        diff = both[score].astype(int) - both[f"{score}_cf"].astype(int)
        changed = both[diff != 0]
        want = dict(
            zip(
                zip(changed["resident_id"], changed["survey_date"], strict=True), diff[diff != 0], strict=True
            )
        )
        rows = truth[truth["outcome"] == score]
        got = dict(zip(zip(rows["resident_id"], rows["event_date"], strict=True), rows["delta"], strict=True))
        assert got == want and len(got) > 20, score
    assert sums["prom_health_vas"] > 0 and sums["prem_overall"] > 0
    assert not (truth["delta"] == 0).any()  # rows with delta 0 are omitted

    # every row lies in a pilot practice's zone: at or after its start, in the month and year stated
    practices = _frame(small_lake, "practices")
    start = dict(zip(practices["practice_orgnr"], practices["pilot_start"], strict=True))
    assert all(
        start[p] is not None and d >= start[p]
        for p, d in zip(truth["practice_orgnr"].astype(str), truth["event_date"], strict=True)
    )
    assert (truth["year"] == [d.year for d in truth["event_date"]]).all()
    assert (truth["month"] == [d.month for d in truth["event_date"]]).all()
    assert truth["kommunenummer"].astype(str).isin(["0828", "1401"]).all()


def test_zero_effects_give_an_empty_truth(make_lake) -> None:
    zero = make_lake(effects=ZERO_EFFECTS)
    assert read_dataset(zero, "truth").num_rows == 0
    assert (zero / "truth" / "year=2020" / "k1401.parquet").exists()
    manifest = json.loads((zero / MANIFEST).read_text())
    assert manifest["datasets"]["truth"]["rows"] == 0 and manifest["datasets"]["truth"]["partitioned_by_year"]


def test_a_rate_ratio_above_one_adds_events_the_truth_counts(make_lake) -> None:
    """With rr > 1 the draws differ from the zero-effect lake's, so the check is statistical."""
    effects = dataclasses.replace(ZERO_EFFECTS, gp_consultation_rr=1.5)
    more = make_lake(("0828",), years=(2017, 2019), effects=effects)
    zero = make_lake(("0828",), years=(2017, 2019), effects=ZERO_EFFECTS)
    truth = _frame(more, "truth")
    assert set(truth["outcome"].astype(str)) == {"gp_consultations"}
    assert set(truth["delta"]) == {1.0}
    added = truth["delta"].sum()
    n_more, n_zero = _contacts(more, GP_KINDS), _contacts(zero, GP_KINDS)
    assert added > 500
    assert abs((n_more - n_zero) - added) < 4 * np.sqrt(n_more + n_zero)


def _pilot_against_others(lake: Path) -> tuple[float, float, float, int]:
    """Acute-admission and out-of-hours rate ratios (pilot / other practices of the same
    municipality, pooled as observed / expected) and the PROM difference, in 2017."""
    practices = _frame(lake, "practices")
    pilot = set(practices.loc[practices["pilot"], "practice_orgnr"])
    res = _frame(
        lake, "residents", ["resident_id", "kommunenummer", "practice_orgnr", "list_from", "list_to"]
    )
    res["kommunenummer"] = res["kommunenummer"].astype(str)
    res["pilot"] = res["practice_orgnr"].astype(str).isin(pilot)
    first, last = datetime.date(2017, 1, 1), datetime.date(2017, 12, 31)
    res["list_to"] = res["list_to"].fillna(last)
    res["years"] = [
        max((min(b, last) - max(a, first)).days + 1, 0) / 365.25
        for a, b in zip(res["list_from"], res["list_to"], strict=True)
    ]
    exposure = res.groupby(["kommunenummer", "pilot"])["years"].sum()

    def pooled(events: pd.DataFrame, date: str) -> tuple[float, int]:
        joined = events[["resident_id", date]].merge(res, on="resident_id")
        inside = (joined[date] >= joined["list_from"]) & (joined[date] <= joined["list_to"])
        counts = joined[inside].groupby(["kommunenummer", "pilot"]).size()
        observed = expected = 0.0
        for code in res["kommunenummer"].unique():
            if (code, False) not in exposure or (code, True) not in exposure:
                continue  # a municipality whose only practice is the pilot's
            other_rate = counts.get((code, False), 0) / exposure[(code, False)]
            observed += counts.get((code, True), 0)
            expected += other_rate * exposure[(code, True)]
        return observed / expected, int(observed)

    stays = _frame(lake, "hospital_stays", ["resident_id", "admission_date", "acute"])
    acute, n = pooled(stays[stays["acute"]], "admission_date")
    contacts = _frame(lake, "contacts", ["resident_id", "contact_date", "kind"])
    ooh, _ = pooled(contacts[contacts["kind"].astype(str) == "out_of_hours"], "contact_date")
    answers = _frame(lake, "survey_responses", ["practice_orgnr", "prom_health_vas"])
    in_pilot = answers["practice_orgnr"].astype(str).isin(pilot)
    prom = answers.loc[in_pilot, "prom_health_vas"].mean() - answers.loc[~in_pilot, "prom_health_vas"].mean()
    return acute, ooh, float(prom), n


def test_pilot_practices_have_better_baselines_with_confounding(make_lake) -> None:
    """Self-selection: before the pilot starts, pilot practices already admit fewer patients and
    report better PROM than the other practices of their municipalities, so a naive comparison is
    biased; without confounding they do not."""
    on = make_lake(BASELINE, years=(2017, 2017), effects=ZERO_EFFECTS)
    off = make_lake(BASELINE, years=(2017, 2017), effects=ZERO_EFFECTS, confounding=False)
    acute, ooh, prom, n = _pilot_against_others(on)
    assert n > 800
    assert acute < 0.92 and ooh < 0.92 and prom > 1.5
    acute_off, ooh_off, prom_off, n_off = _pilot_against_others(off)
    assert abs(acute_off - 1) < 4 / np.sqrt(n_off)
    assert abs(ooh_off - 1) < 0.08 and abs(prom_off) < 1.5


def _q2_gp_ratio(lake: Path) -> dict[str, float]:
    contacts = _frame(lake, "contacts", ["kind", "kommunenummer", "year", "month"])
    gp = contacts[contacts["kind"].astype(str).isin(GP_KINDS) & contacts["month"].between(4, 6)]
    table = gp.groupby([gp["kommunenummer"].astype(str), "year"]).size().unstack()
    return (table[2020] / table[2019]).to_dict()


def test_the_pandemic_cuts_gp_consultations_more_in_the_larger_municipality(
    small_lake: Path, make_lake
) -> None:
    population = {m.kommunenummer: m.population for m in municipalities(2017)}
    assert population["1401"] > 3 * population["0828"]  # Flora is the larger
    ratio = _q2_gp_ratio(small_lake)
    assert ratio["1401"] < 0.9 and ratio["1401"] < ratio["0828"] - 0.05
    off = _q2_gp_ratio(make_lake(confounding=False))
    assert all(abs(r - 1) < 0.06 for r in off.values())

    def e_share(lake: Path) -> float:
        contacts = _frame(lake, "contacts", ["kind", "year"])
        gp = contacts[contacts["kind"].astype(str).isin(GP_KINDS) & (contacts["year"] == 2020)]
        return float((gp["kind"].astype(str) == "e_consultation").mean())

    assert e_share(small_lake) > e_share(make_lake(confounding=False)) + 0.02


def test_confounding_parameters_are_versioned_and_labelled_assumptions(small_lake: Path) -> None:
    version = load_parameters("synth_evaluation", datetime.date(2017, 1, 1))
    assert set(version.values) == {"practice", "trends", "pandemic"}
    assert all(version.is_assumption(key) for key in version.values)
    assert "Assumption" in version.source
    text = (PARAMS_DIR / "synth_evaluation.toml").read_text(encoding="utf-8")
    values = text.split("[versions.values.practice]", 1)[1]
    lines = [line for line in values.splitlines() if re.match(r"^[a-z_0-9]+ = ", line)]
    assert len(lines) >= 20
    for line in lines:
        same_line = "# assumption" in line
        above = text.splitlines()[text.splitlines().index(line) - 1].startswith("# assumption")
        assert same_line or above, line
    manifest = json.loads((small_lake / MANIFEST).read_text())
    assert manifest["confounding"] is True
    assert manifest["parameters"]["synth_evaluation"]["values"]["practice"] == version.values["practice"]
    assert manifest["true_effects"] == dataclasses.asdict(DEFAULT_EFFECTS)


def test_the_truth_is_declared_partitioned_by_year() -> None:
    from pht.lake import PARTITIONED_BY_YEAR, SCHEMAS

    assert "truth" in PARTITIONED_BY_YEAR
    assert SCHEMAS["truth"].names == [
        "resident_id",
        "kommunenummer",
        "practice_orgnr",
        "event_date",
        "year",
        "month",
        "outcome",
        "delta",
    ]
