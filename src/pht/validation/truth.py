"""The true effect on the treated for the estimands of a plan, from the lake's ``truth/`` record.

The truth holds, per affected event or survey answer, ``delta`` = observed − counterfactual. For an
estimate over the treated practices' post-period cells (the design's simple aggregate), with
observed sums Y (events or scores) and weights W (exposure or answers):

- rate ratio (counts): Y / (Y − Σdelta);
- difference (scores, shares): Σdelta / W (per 1,000 person-months where the outcome says so).

Outcomes whose generating mechanism the pilot does not touch (deaths, municipal care starts) have
no injected effect by construction: their true ratio is 1. Other outcomes without a truth record
(follow-up after discharge, continuity, nurse contacts) are reported as not recorded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pht.engine.evaluation.outcomes import CATALOGUE, KNOWN_OUTCOMES
from pht.engine.evaluation.panels import NEVER, EvaluationLake
from pht.engine.evaluation.plan import Plan, load_plan, lock
from pht.lake import TRUTH_OUTCOMES, LakeError, read_dataset

# Outcomes with a truth record written by the generator (delta per event or answer).
RECORDED = frozenset(TRUTH_OUTCOMES)
# Outcomes the generator draws independently of the pilot: no effect by construction.
UNTOUCHED = frozenset({"mortality", "home_care_starts", "nursing_home_long_starts"})


def _read_truth(lake_dir: Path) -> pd.DataFrame:
    try:
        frame = read_dataset(lake_dir, "truth", ["resident_id", "event_date", "outcome", "delta"]).to_pandas()
    except LakeError as exc:
        raise LakeError(f"lake {lake_dir}: no readable truth record ({exc})") from exc
    frame["outcome"] = frame.outcome.astype(str)
    return frame


def _truth_rows(truth: pd.DataFrame, lake: EvaluationLake, key: str) -> pd.DataFrame:
    frame = truth[truth.outcome == key]
    if frame.empty:
        return pd.DataFrame(columns=["practice", "target", "period", "outcome", "delta"])
    pop = lake.con.execute("SELECT resident_id, practice, target FROM pop").df()
    frame = frame.merge(pop, on="resident_id", how="inner")
    calendar = lake.calendar(key)
    starts = np.array([np.datetime64(p.start) for p in calendar])
    stops = np.array([np.datetime64(p.stop) for p in calendar])
    days = frame.event_date.to_numpy(dtype="datetime64[D]")
    index = np.searchsorted(starts, days, side="right") - 1
    inside = (index >= 0) & (days <= stops[np.clip(index, 0, len(stops) - 1)])
    frame = frame[inside].assign(period=index[inside])
    cohorts = lake.practices[f"cohort_{lake.unit_of(key)}"]
    cohort = frame.practice.map(cohorts).fillna(NEVER).astype(int)
    # the treated practices' post-period cells: the cells the design's simple aggregate averages
    frame = frame[(cohort != NEVER) & (frame.period >= cohort)]
    return frame[["practice", "target", "period", "outcome", "delta"]]


def truth_estimates(lake_dir: Path | str, plan: Plan | None = None) -> list[dict[str, Any]]:
    lake_dir = Path(lake_dir)
    plan = plan or load_plan(None, KNOWN_OUTCOMES)
    lake = EvaluationLake(lake_dir, plan)
    try:
        locked = lock(plan)
        truth = _read_truth(lake_dir)
        out = []
        for key, _dimension in plan.outcome_dimensions():
            outcome = CATALOGUE[key]
            for population in plan.populations:
                entry: dict[str, Any] = {"outcome": key, "population": population, "scale": outcome.scale}
                if key in UNTOUCHED:
                    entry.update(value=1.0 if outcome.scale == "ratio" else 0.0, source="no injected effect")
                elif key not in RECORDED:
                    entry.update(value=None, source="not recorded")
                else:
                    panel = lake.panel(key, population, locked)
                    post = panel[(panel.cohort != NEVER) & (panel.period >= panel.cohort)]
                    mine = _truth_rows(truth, lake, key)
                    if population == "target":
                        mine = mine.loc[mine.target.astype(bool)]
                    delta = float(mine.delta.sum()) * outcome.per
                    observed, weight = float(post.y.sum()), float(post.w.sum())
                    if outcome.scale == "ratio":
                        counterfactual = observed - delta
                        value = observed / counterfactual if counterfactual > 0 else None
                    else:
                        value = delta / weight if weight > 0 else None
                    entry.update(value=value, source="truth record")
                out.append(entry)
        return out
    finally:
        lake.close()
