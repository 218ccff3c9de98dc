"""Trends of the treated practices and their matched controls in the run's result."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_run import quick_plan

from pht.engine.evaluation.panels import NEVER
from pht.engine.evaluation.run import run, trends


def test_trends_are_exposure_weighted_means_per_group_and_period() -> None:
    sample = pd.DataFrame(
        {
            "unit": ["a", "a", "b", "b", "c", "c", "d"],
            "period": [0, 1, 0, 1, 0, 1, 1],
            "cohort": [1, 1, NEVER, NEVER, NEVER, NEVER, 1],
            "y": [2.0, 6.0, 1.0, 3.0, 3.0, 1.0, 0.0],
            "w": [10.0, 20.0, 10.0, 10.0, 30.0, 10.0, 10.0],
        }
    )
    assert trends(sample, ["2017Q4", "2018Q1"]) == [
        {"period": "2017Q4", "treated": 0.2, "treated_practices": 1, "control": 0.1, "control_practices": 2},
        # treated: (6 + 0) / (20 + 10); controls: (3 + 1) / (10 + 10)
        {"period": "2018Q1", "treated": 0.2, "treated_practices": 2, "control": 0.2, "control_practices": 2},
    ]


def test_a_group_without_exposure_has_no_mean() -> None:
    sample = pd.DataFrame({"unit": ["a"], "period": [0], "cohort": [1], "y": [1.0], "w": [4.0]})
    assert trends(sample, ["2018"]) == [
        {"period": "2018", "treated": 0.25, "treated_practices": 1, "control": None, "control_practices": 0}
    ]


@pytest.fixture(scope="module")
def result(small_lake: Path) -> dict:
    return run(small_lake, quick_plan())


def test_every_estimate_carries_its_trends(result: dict) -> None:
    quarters = result["design"]["periods"]
    for estimate in result["estimates"]:
        rows = estimate["trends"]
        labels = [row["period"] for row in rows]
        assert estimate["first_post_period"] in labels
        if estimate["trend_measure"] != "mean score":  # surveys are yearly
            assert set(labels) <= set(quarters) and estimate["first_post_period"] == "2018Q2"
        assert max(row["treated_practices"] for row in rows) == estimate["treated_practices"]
        assert max(row["control_practices"] for row in rows) == estimate["control_practices"]
        assert any(row["treated"] is not None and row["control"] is not None for row in rows)
