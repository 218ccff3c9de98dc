from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pytest
from scipy.special import ndtri  # noqa: F401  (documents that thresholds use the normal quantile)

from pht.lake import read_dataset
from pht.refdata import load_parameters
from pht.synth.generate import (
    SSB_AGE_GROUPS,
    SSB_GROUP_LABELS,
    Ages,
    day_of,
    read_consultation_rates,
    year_start,
)

GP_KINDS = {"gp_day", "gp_evening", "e_consultation", "home_visit"}


def _person_years(lake: Path, years: range) -> tuple[dict[int, int], np.ndarray, dict[int, np.ndarray]]:
    """Person-years by SSB age group (age on 1 July), from the residents' list periods."""
    res = read_dataset(lake, "residents")
    ids = res["resident_id"].to_numpy()
    start = res["list_from"].cast("int32").to_numpy().astype(np.int64)
    end = pc.fill_null(res["list_to"].cast("int32"), 10**6).to_numpy().astype(np.int64)
    birth = res["birth_date"].cast("int32").to_numpy().astype(np.int64)
    ages = Ages(birth)
    totals = np.zeros(9)
    groups = {}
    for y in years:
        y0, y1 = int(year_start(y)), int(year_start(y + 1)) - 1
        length = np.clip(np.minimum(end, y1) - np.maximum(start, y0) + 1, 0, None) / 365.0
        group = np.searchsorted(SSB_AGE_GROUPS, np.maximum(ages.on(y0 + 181), 0), side="right") - 1
        totals += np.bincount(group, weights=length, minlength=9)
        groups[y] = group
    index = {int(r): i for i, r in enumerate(ids)}
    return index, totals, groups


def test_consultations_per_person_by_age_group_within_10_percent_of_the_stand_in_table(make_lake) -> None:
    # the base rates, without the confounding's trends, practice effects and pandemic
    small_lake = make_lake(confounding=False)
    years = range(2015, 2022)
    index, person_years, groups = _person_years(small_lake, years)
    contacts = read_dataset(small_lake, "contacts", columns=["resident_id", "kind", "year"]).to_pylist()
    gp_counts, ooh_counts = np.zeros(9), np.zeros(9)
    for c in contacts:
        g = groups[c["year"]][index[c["resident_id"]]]
        if c["kind"] in GP_KINDS:
            gp_counts[g] += 1
        elif c["kind"] == "out_of_hours":
            ooh_counts[g] += 1
    gp_rate, ooh_rate = read_consultation_rates()
    observed = gp_counts / person_years
    for label, got, want in zip(SSB_GROUP_LABELS, observed, gp_rate, strict=True):
        assert abs(got / want - 1) < 0.10, f"fastlege {label}: {got:.2f} per person, table {want}"
    # out-of-hours contacts are rarer, so allow more noise
    assert np.all(np.abs(ooh_counts / person_years / ooh_rate - 1) < 0.20)


@pytest.fixture(scope="module")
def kristiansand(make_lake) -> Path:  # type: ignore[no-untyped-def]
    return make_lake(("1001",), seed=5, years=(2017, 2017))


def test_prevalence_on_2017_01_01_within_10_percent_of_the_parameters(kristiansand: Path) -> None:
    params = load_parameters("synth_morbidity", datetime.date(2017, 1, 1)).values
    bands = params["age_bands"]
    ref = day_of("2017-01-01")
    res = read_dataset(kristiansand, "residents")
    start = res["list_from"].cast("int32").to_numpy()
    end = pc.fill_null(res["list_to"].cast("int32"), 10**6).to_numpy()
    present = (start <= ref) & (end >= ref)
    ids = res["resident_id"].to_numpy()[present]
    ids, first = np.unique(ids, return_index=True)
    birth = res["birth_date"].cast("int32").to_numpy()[present][first].astype(np.int64)
    male = res["sex"].to_numpy(zero_copy_only=False)[present][first] == "M"
    band = np.searchsorted(bands, Ages(birth).on(ref), side="right") - 1
    cond = read_dataset(kristiansand, "conditions").to_pylist()
    observed: dict[str, int] = {}
    id_set = set(ids.tolist())
    for c in cond:
        if c["resident_id"] in id_set and c["onset_date"] <= datetime.date(2017, 1, 1):
            observed[c["condition"]] = observed.get(c["condition"], 0) + 1
    checked = 0
    for c in params["conditions"]:
        p = np.where(male, np.asarray(c["prevalence_male"])[band], np.asarray(c["prevalence_female"])[band])
        expected = p.sum()
        got = observed.get(c["key"], 0)
        sd = np.sqrt((p * (1 - p)).sum())
        assert abs(got - expected) < 5 * sd + 1, f"{c['key']}: {got} cases, expected {expected:.0f}"
        if expected >= 500:
            assert abs(got / expected - 1) < 0.10, f"{c['key']}: {got} cases, expected {expected:.0f}"
            checked += 1
    assert checked >= 15


def test_conditions_cluster(kristiansand: Path) -> None:
    rows = read_dataset(kristiansand, "conditions", columns=["resident_id", "condition"]).to_pylist()
    people: dict[str, set[int]] = {}
    for r in rows:
        people.setdefault(r["condition"], set()).add(r["resident_id"])
    diabetes, heart = people["diabetes"], people["heart_failure"]
    copd = people["copd"]
    # among people with diabetes, heart failure and COPD are more common than overall
    everyone = len({r["resident_id"] for r in rows}) or 1
    assert len(diabetes & heart) / len(diabetes) > 1.5 * len(heart) / everyone
    assert len(diabetes & copd) / len(diabetes) > len(copd) / everyone
