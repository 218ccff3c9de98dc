"""Panels from the lake, checked against the same sums computed independently with pandas over
the raw Parquet files."""

from __future__ import annotations

import copy
import datetime
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from evaluation_plans import small_plan

from pht.engine.evaluation.outcomes import KNOWN_OUTCOMES
from pht.engine.evaluation.panels import DAYS_PER_MONTH, NEVER, EvaluationLake, periods
from pht.engine.evaluation.plan import lock, parse_plan
from pht.lake import LakeError

BASELINE = datetime.date(2017, 12, 31)


def read(lake: Path, name: str) -> pd.DataFrame:
    frames = [pq.read_table(p).to_pandas() for p in sorted((lake / name).rglob("*.parquet"))]
    frame = pd.concat(frames, ignore_index=True)
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype(object)
    return frame


def baseline_population(lake: Path) -> pd.DataFrame:
    residents = read(lake, "residents")
    on = pd.Timestamp(BASELINE).date()
    listed = residents[
        (residents.list_from <= on)
        & (residents.list_to.isna() | (residents.list_to >= on))
        & (residents.death_date.isna() | (residents.death_date > on))
    ]
    return listed[["resident_id", "practice_orgnr"]].drop_duplicates("resident_id")


@pytest.fixture(scope="module")
def opened(small_lake: Path):
    lake = EvaluationLake(small_lake, small_plan())
    yield lake
    lake.close()


def test_acute_admissions_per_practice_and_quarter_match_a_count_of_the_raw_stays(small_lake, opened) -> None:
    pop = baseline_population(small_lake)
    stays = read(small_lake, "hospital_stays")
    stays = stays[stays.acute].merge(pop, on="resident_id")
    stays["period"] = [(d.year - 2016) * 4 + (d.month - 1) // 3 for d in stays.admission_date]
    expected = stays[stays.period < 16].groupby(["practice_orgnr", "period"]).size()
    panel = opened.panel("acute_admissions", "all", lock(opened.plan)).set_index(["unit", "period"]).y
    got = panel[panel > 0]
    assert len(expected) > 20
    assert got.to_dict() == {k: float(v) for k, v in expected.items()}


def test_exposure_is_the_population_s_days_present_in_person_months(small_lake, opened) -> None:
    pop = baseline_population(small_lake)
    residents = read(small_lake, "residents").merge(pop[["resident_id"]], on="resident_id")
    first = residents.groupby("resident_id").list_from.min()
    end = datetime.date(2019, 12, 31)
    last = residents.assign(to=residents.list_to.fillna(end)).groupby("resident_id").to.max()
    death = residents.groupby("resident_id").death_date.min()
    last = pd.Series(
        [min(t, d) if pd.notna(d) else t for t, d in zip(last, death.reindex(last.index), strict=True)],
        last.index,
    )
    start = datetime.date(2016, 1, 1)
    days = sum(
        max((min(b, end) - max(a, start)).days + 1, 0)
        for a, b in zip(first.reindex(last.index), last, strict=True)
    )
    panel = opened.panel("gp_consultations", "all", lock(opened.plan))
    assert panel.w.sum() == pytest.approx(days / DAYS_PER_MONTH, rel=1e-9)


def test_the_pre_panel_reads_no_period_from_the_first_pilot_start(opened) -> None:
    assert opened.first_cohort == 9  # 2018Q2, counted from 2016Q1
    pre = opened.pre_panel("acute_admissions", "target")
    assert pre.period.max() == 8
    assert set(pre.cohort) == {9, NEVER}


def test_the_full_panel_needs_the_locked_plan(opened) -> None:
    with pytest.raises(ValueError, match="locked plan"):
        opened.panel("acute_admissions", "all", None)  # type: ignore[arg-type]
    other = copy.deepcopy(opened.plan.document)
    other["inference"]["seed"] = 1
    with pytest.raises(ValueError, match="locked plan"):
        opened.panel("acute_admissions", "all", lock(parse_plan(other, KNOWN_OUTCOMES)))


def test_target_is_a_subset_of_all_with_fewer_people(opened) -> None:
    locked = lock(opened.plan)
    target = opened.panel("out_of_hours_contacts", "target", locked)
    everyone = opened.panel("out_of_hours_contacts", "all", locked)
    sizes = opened.population_sizes()
    assert 0 < sizes["target"] < sizes["all"]
    assert 0 < target.y.sum() < everyone.y.sum()
    assert 0 < target.w.sum() < everyone.w.sum()


def test_score_outcomes_weigh_by_answers(small_lake, opened) -> None:
    pop = baseline_population(small_lake)
    answers = read(small_lake, "survey_responses").merge(pop[["resident_id"]], on="resident_id")
    panel = opened.panel("prem_overall", "all", lock(opened.plan))
    assert panel.w.sum() == len(answers)
    assert panel.y.sum() == answers.prem_overall.astype(int).sum()


def test_periods_are_quarters_that_tile_the_window() -> None:
    ps = periods(small_plan())
    assert [p.label for p in ps[:2]] == ["2016Q1", "2016Q2"]
    assert len(ps) == 16
    assert all((b.start - a.stop).days == 1 for a, b in zip(ps, ps[1:], strict=False))


def test_a_lake_without_pre_period_years_is_refused(small_lake, tmp_path) -> None:
    lake = tmp_path / "lake"
    shutil.copytree(small_lake, lake)
    for year in (2016, 2017):
        for dataset in ("contacts", "claims", "hospital_stays", "survey_responses"):
            shutil.rmtree(lake / dataset / f"year={year}", ignore_errors=True)
    document = copy.deepcopy(small_plan().document)
    document["design"]["study_start"] = "2018-01-01"
    document["design"]["baseline_date"] = "2018-02-01"
    with pytest.raises(LakeError, match="pre-period"):
        EvaluationLake(lake, parse_plan(document, KNOWN_OUTCOMES))
    with pytest.raises(LakeError, match="pre-period"):
        EvaluationLake(lake, small_plan())


def test_a_missing_lake_is_refused(tmp_path) -> None:
    with pytest.raises(LakeError, match="does not exist"):
        EvaluationLake(tmp_path / "nowhere", small_plan())
    assert np.isfinite(DAYS_PER_MONTH)


def test_the_exported_panels_add_up_to_the_practice_panels(opened, tmp_path) -> None:
    locked = lock(opened.plan)
    keys = ["acute_admissions", "prem_overall"]
    rows = opened.write_practice_panels(tmp_path / "practice.parquet", locked, keys)
    practice = pd.read_parquet(tmp_path / "practice.parquet")
    assert rows == len(practice) and set(practice.outcome) == set(keys)
    assert set(practice.population) == {"target", "all"}
    months = opened.write_patient_month_panel(tmp_path / "months.parquet", locked, keys)
    patient = pd.read_parquet(tmp_path / "months.parquet")
    assert months == len(patient) and "prem_overall" not in patient.columns  # counts only
    # patient-months summed to practice x quarter give the practice panel's counts and exposure
    patient["period"] = patient.month // 3
    summed = patient.groupby(["practice", "period"]).agg(
        y=("acute_admissions", "sum"), days=("days_present", "sum")
    )
    panel = opened.panel("acute_admissions", "all", locked).set_index(["unit", "period"])
    assert summed.y.to_dict() == panel.y.astype(int).to_dict()
    assert np.allclose(summed.days.to_numpy() / DAYS_PER_MONTH, panel.w.reindex(summed.index).to_numpy())
    with pytest.raises(ValueError, match="locked plan"):
        opened.write_patient_month_panel(tmp_path / "x.parquet", None, keys)  # type: ignore[arg-type]
