"""``pht evaluate validate``: generate N synthetic lakes, run the plan on each, and compare every
estimate with the truth: coverage of the confidence intervals, bias, and (with zero effects) the
rate of false rejections; the naive comparison's bias beside the design's.

Each lake is generated with a different seed into a temporary directory and removed after use.
The pilot is PHT's default pilot; the municipalities default to the pilot's municipalities without
Oslo (Oslo alone is two thirds of the pilot's population and would make each lake ~4x slower;
its 5 practices are left out of the treated set, 12 treated practices remain). The effects are the
generator's defaults or zero.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pht.engine.evaluation.plan import Plan
from pht.engine.evaluation.run import run
from pht.validation.truth import truth_estimates

VALIDATION_MUNICIPALITIES = ("0828", "1244", "1119", "1401", "1443", "1001", "0412", "1833")
VALIDATION_YEARS = (2016, 2021)


@dataclass(frozen=True)
class Experiment:
    seeds: tuple[int, ...]
    effects: str  # default / zero
    municipalities: tuple[str, ...] = VALIDATION_MUNICIPALITIES
    years: tuple[int, int] = VALIDATION_YEARS


def one_lake(seed: int, experiment: Experiment, plan: Plan | None, work: str) -> dict[str, Any]:
    from pht.synth.lake import run as generate
    from pht.synth.lake import select_municipalities
    from pht.synth.pilot import DEFAULT_EFFECTS, ZERO_EFFECTS, default_pilot

    effects = ZERO_EFFECTS if experiment.effects == "zero" else DEFAULT_EFFECTS
    lake = Path(tempfile.mkdtemp(prefix=f"pht-validate-{seed}-", dir=work))
    try:
        generate(
            lake,
            select_municipalities(list(experiment.municipalities), None),
            seed=seed,
            first_year=experiment.years[0],
            last_year=experiment.years[1],
            pilot=default_pilot(seed, effects),
            jobs=1,
            progress=False,
        )
        result = run(lake, plan, threads=1)
        truth = {(t["outcome"], t["population"]): t["value"] for t in truth_estimates(lake, plan)}
    finally:
        shutil.rmtree(lake, ignore_errors=True)
    rows = []
    for estimate in result["estimates"]:
        value = truth.get((estimate["outcome"], estimate["population"]))
        rows.append(
            {
                "seed": seed,
                "outcome": estimate["outcome"],
                "population": estimate["population"],
                "scale": estimate["scale"],
                "truth": value,
                "estimate": estimate["estimate"],
                "ci_low": estimate["ci_low"],
                "ci_high": estimate["ci_high"],
                "p_value": estimate["p_value"],
                "naive_estimate": estimate["naive_estimate"],
            }
        )
    return {"seed": seed, "plan_hash": result["plan_hash"], "rows": rows, "timings": result["timings"]}


def summarise(rows: list[dict[str, Any]], alpha: float, effects: str) -> list[dict[str, Any]]:
    """Per outcome and population: coverage of the truth, bias and RMSE of the design estimate,
    bias of the naive comparison, and the share of seeds that reject 'no effect'."""
    keys = sorted({(r["outcome"], r["population"], r["scale"]) for r in rows})
    out = []
    for outcome, population, scale in keys:
        mine = [r for r in rows if (r["outcome"], r["population"]) == (outcome, population)]
        known = [
            r
            for r in mine
            if r["truth"] is not None and r["estimate"] is not None and r["ci_low"] is not None
        ]
        entry: dict[str, Any] = {
            "outcome": outcome,
            "population": population,
            "scale": scale,
            "lakes": len(mine),
        }
        if known:
            truth = np.array([r["truth"] for r in known], float)
            est = np.array([r["estimate"] for r in known], float)
            covered = [r["ci_low"] <= r["truth"] <= r["ci_high"] for r in known]
            naive = np.array([r["naive_estimate"] for r in known if r["naive_estimate"] is not None], float)
            naive_truth = np.array([r["truth"] for r in known if r["naive_estimate"] is not None], float)
            entry.update(
                with_truth=len(known),
                mean_truth=round(float(truth.mean()), 5),
                coverage=round(float(np.mean(covered)), 3),
                bias=round(float((est - truth).mean()), 5),
                rmse=round(float(np.sqrt(((est - truth) ** 2).mean())), 5),
                naive_bias=round(float((naive - naive_truth).mean()), 5) if len(naive) else None,
            )
        pvalues = [r["p_value"] for r in mine if r["p_value"] is not None]
        if pvalues:
            entry["rejection_rate"] = round(float(np.mean([p < alpha for p in pvalues])), 3)
        out.append(entry)
    return out


def validate(
    experiment: Experiment,
    plan: Plan | None = None,
    *,
    jobs: int = 1,
    on_lake: Callable[[dict[str, Any]], None] | None = None,
    work_dir: Path | None = None,
) -> dict[str, Any]:
    from pht.engine.evaluation.outcomes import KNOWN_OUTCOMES
    from pht.engine.evaluation.plan import load_plan

    plan = plan or load_plan(None, KNOWN_OUTCOMES)
    work = str(work_dir or tempfile.gettempdir())
    results: list[dict[str, Any]] = []
    if jobs > 1 and len(experiment.seeds) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(one_lake, seed, experiment, plan, work) for seed in experiment.seeds]
            for future in futures:
                results.append(future.result())
                if on_lake:
                    on_lake(results[-1])
    else:
        for seed in experiment.seeds:
            results.append(one_lake(seed, experiment, plan, work))
            if on_lake:
                on_lake(results[-1])
    rows = [row for result in results for row in result["rows"]]
    summary = summarise(rows, plan.alpha, experiment.effects)
    with_truth = [s for s in summary if "coverage" in s]
    cases = [r for r in rows if r["truth"] is not None and r["ci_low"] is not None]
    overall_coverage = (
        float(np.mean([r["ci_low"] <= r["truth"] <= r["ci_high"] for r in cases])) if cases else math.nan
    )
    rejections = [r["p_value"] < plan.alpha for r in rows if r["p_value"] is not None]
    # the false-positive rate: rejections where the truth is exactly "no effect"
    null = [
        r["p_value"] < plan.alpha
        for r in rows
        if r["p_value"] is not None
        and r["truth"] is not None
        and r["truth"] == (1.0 if r["scale"] == "ratio" else 0.0)
    ]
    return {
        "plan_hash": plan.hash,
        "effects": experiment.effects,
        "seeds": list(experiment.seeds),
        "municipalities": list(experiment.municipalities),
        "years": list(experiment.years),
        "coverage": round(overall_coverage, 3),
        "cases_with_truth": len(cases),
        "rejection_rate": round(float(np.mean(rejections)), 3) if rejections else None,
        "null_cases": len(null),
        "false_positive_rate": round(float(np.mean(null)), 3) if null else None,
        "outcomes": summary,
        "outcomes_with_truth": len(with_truth),
        "lakes": [{"seed": r["seed"], "timings": r["timings"]} for r in results],
        "rows": rows,
    }
