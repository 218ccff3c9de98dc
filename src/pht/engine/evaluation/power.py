"""Power before the lock: the minimum detectable effect of every planned estimate, from a placebo
design on pre-period data only (no post-period outcome is read), on the matched sample."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pht.engine.evaluation.outcomes import CATALOGUE
from pht.engine.evaluation.panels import EvaluationLake
from pht.engine.evaluation.plan import Plan
from pht.engine.evaluation.run import _matched_sample, _mde


def power_table(
    lake_dir: Path | str, plan: Plan, progress: Callable[[int, str], None] | None = None
) -> list[dict[str, Any]]:
    """One row per (outcome, population): its dimension, scale and MDE (None where the pre-period
    cannot show it), in plan order."""
    say = progress or (lambda _pct, _message: None)
    say(5, "reading populations")
    lake = EvaluationLake(lake_dir, plan)
    try:
        say(20, "matching controls on pre-period characteristics")
        units, _balance = _matched_sample(lake, plan)
        pairs = [(key, dim, pop) for key, dim in plan.outcome_dimensions() for pop in plan.populations]
        rows = []
        for done, (key, dimension, population) in enumerate(pairs):
            say(30 + 65 * done // max(len(pairs), 1), f"power: {key} ({population})")
            rows.append(
                {
                    "outcome": key,
                    "dimension": dimension,
                    "population": population,
                    "scale": CATALOGUE[key].scale,
                    "mde": _mde(lake, plan, key, population, units),
                }
            )
    finally:
        lake.close()
    return rows
