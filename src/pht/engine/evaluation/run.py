"""Run an analysis plan on a lake: the evaluation's pipeline, in stages that follow the
pre-registration order.

1. **Pre-period** (no post-period outcome is read): populations, practice characteristics, matched
   controls with the balance table, and the minimum detectable effect of every estimate from a
   placebo design on pre-period data.
2. **Lock**: the plan hash and the time are recorded.
3. **Estimation** over the whole window: Callaway–Sant'Anna group-time ATTs on the matched sample,
   aggregated overall and by event time; rate ratios for counts; a cluster multiplier bootstrap
   with draws shared across all outcomes (so Romano–Wolf can adjust within a dimension); a
   pre-trend test; a naive post-period comparison with all non-pilot practices beside it; and a
   two-way fixed-effects event study for comparison.

The statistics are ``pht.stats`` (pure); this module only reads panels and assembles the result.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from pht.engine.evaluation.outcomes import CATALOGUE, DIMENSIONS, KNOWN_OUTCOMES
from pht.engine.evaluation.panels import NEVER, EvaluationLake
from pht.engine.evaluation.plan import Plan, deviations, load_plan, lock
from pht.stats import compare, did, matching

Progress = Callable[[str], None]


class EvaluationError(ValueError):
    """The lake cannot carry the plan (too few controls, no pre-period, …); the message says why."""


@dataclass
class Timings:
    stages: dict[str, float] = field(default_factory=dict)

    def measure(self, name: str, started: float) -> None:
        self.stages[name] = round(self.stages.get(name, 0.0) + time.perf_counter() - started, 3)


def _stats_panel(frame: pd.DataFrame) -> did.Panel:
    return did.Panel(
        unit=frame.unit.to_numpy(),
        period=frame.period.to_numpy(np.int64),
        cohort=frame.cohort.to_numpy(np.int64),
        y=frame.y.to_numpy(float),
        w=frame.w.to_numpy(float),
    )


def _matched_sample(lake: EvaluationLake, plan: Plan) -> tuple[list[str], dict[str, Any]]:
    covariates = lake.practice_covariates(plan.covariates)
    names = list(plan.covariates)
    treated = covariates[covariates.cohort != NEVER]
    pool = covariates[covariates.cohort == NEVER]
    if len(pool) < plan.min_control_practices:
        raise EvaluationError(
            f"too few control practices: the lake has {len(pool)} never-treated practices, the plan "
            f"needs at least {plan.min_control_practices} (design.min_control_practices)"
        )
    x_treated = treated[names].to_numpy(float)
    x_pool = pool[names].to_numpy(float)
    neighbours = min(plan.neighbours, max(len(pool) // max(len(treated), 1), 1))
    chosen = matching.match(x_treated, x_pool, k_neighbours=neighbours, replace=False)
    chosen_idx = sorted({int(i) for i in np.asarray(chosen).ravel() if int(i) >= 0})
    matched = pool.iloc[chosen_idx]
    if len(matched) < plan.min_control_practices:
        raise EvaluationError(
            f"too few control practices after matching: {len(matched)} < {plan.min_control_practices}"
        )
    before = matching.smd(x_treated, x_pool, names)
    after = matching.smd(x_treated, matched[names].to_numpy(float), names)
    balance = {
        "covariates": names,
        "before": _records(before),
        "after": _records(after),
        "treated_practices": len(treated),
        "pool_practices": len(pool),
        "matched_control_practices": len(matched),
        "neighbours_per_treated": neighbours,
    }
    return sorted(treated.index.tolist() + matched.index.tolist()), balance


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {str(k): (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()}
        for row in table.to_dict("records")
    ]


def _z(alpha: float) -> float:
    return float(scipy_stats.norm.ppf(1 - alpha / 2))


def _mde(lake: EvaluationLake, plan: Plan, key: str, population: str, units: list[str]) -> float | None:
    """Minimum detectable effect from a placebo design on pre-period data only (``pht.stats``):
    the treated practices pretend to start half-way through the pre-period. On the estimate's
    scale: a difference, or for ratios the rate ratio of the smallest detectable reduction."""
    if not CATALOGUE[key].power_from_pre_period:
        return None
    frame = lake.pre_panel(key, population)
    frame = frame[frame.unit.isin(units)]
    placebo_periods = max(1, (lake.first_cohort_of(key)) // 2)
    try:
        power = did.placebo_power(
            _stats_panel(frame), placebo_periods, "never", alpha=plan.alpha, power=plan.power
        )
    except did.StatsError:
        return None
    if not math.isfinite(power.se) or power.se <= 0:
        return None
    if CATALOGUE[key].scale == "ratio":
        return round(power.mde_ratio, 4) if power.baseline > 0 else None
    return round(power.mde, 4)


def _naive(frame: pd.DataFrame, scale: str) -> float | None:
    """Treated practices' post-period mean against all never-treated practices (unmatched) in the
    same cells, weighted like the design's aggregate: what a comparison without design shows."""
    gt = did.att_gt(_stats_panel(frame), control="never")
    try:
        naive = did.naive_comparison(did.aggregate(gt, kind="simple"), gt)
    except did.StatsError:
        return None
    return float(naive.ratio.estimate if scale == "ratio" else naive.difference.estimate)


def run(
    lake_dir: Path | str,
    plan: Plan | None = None,
    *,
    progress: Progress | None = None,
    threads: int | None = None,
) -> dict[str, Any]:
    say = progress or (lambda _message: None)
    plan = plan or load_plan(None, KNOWN_OUTCOMES)
    reference = load_plan(None, KNOWN_OUTCOMES)
    timings = Timings()

    started = time.perf_counter()
    say("reading populations")
    lake = EvaluationLake(lake_dir, plan, threads=threads)
    timings.measure("populations", started)
    try:
        started = time.perf_counter()
        say("matching controls on pre-period characteristics")
        units, balance = _matched_sample(lake, plan)
        timings.measure("matching", started)

        pairs = [(key, dim, pop) for key, dim in plan.outcome_dimensions() for pop in plan.populations]
        started = time.perf_counter()
        say("power from pre-period data")
        mdes = {(key, pop): _mde(lake, plan, key, pop, units) for key, _dim, pop in pairs}
        timings.measure("power", started)

        locked = lock(plan)
        say(f"plan locked ({locked.plan_hash[:12]}); reading post-period outcomes")

        started = time.perf_counter()
        fits: list[dict[str, Any]] = []
        for key, dimension, population in pairs:
            frame = lake.panel(key, population, locked)
            labels = [p.label for p in lake.calendar(key)]
            fits.append(
                {
                    "key": key,
                    "dimension": dimension,
                    "population": population,
                    "frame": frame,
                    "sample": frame[frame.unit.isin(units)],
                    "period_labels": labels,
                    "first_post_period": labels[lake.first_cohort_of(key)],
                }
            )
        timings.measure("panels", started)

        started = time.perf_counter()
        say(f"estimating {len(fits)} effects")
        estimates = _estimate(fits, plan, units, mdes, timings)
        timings.measure("estimation", started)
        sizes = lake.population_sizes()
    finally:
        lake.close()

    return {
        "plan_hash": locked.plan_hash,
        "plan": {
            "name": plan.name,
            "version": plan.version,
            "locked_at": locked.locked_at,
            "deviations": deviations(plan, reference),
            "deviations_stated": list(plan.deviations_stated),
        },
        "design": {
            "estimator": plan.estimator,
            "control": plan.control,
            "period": plan.period,
            "baseline_date": plan.baseline_date.isoformat(),
            "study_window": [plan.study_start.isoformat(), plan.study_end.isoformat()],
            "first_post_period": lake.periods[lake.first_cohort].label,
            "populations": sizes,
            "target_rules": lake.target_provenance,
            "inference": {
                "cluster": "practice",
                "bootstrap": f"cluster multiplier bootstrap, {plan.bootstrap_weights} weights",
                "draws": plan.bootstrap_draws,
                "seed": plan.seed,
                "alpha": plan.alpha,
                "multiple_testing": plan.multiple_testing,
            },
            "balance": balance,
            "periods": [p.label for p in lake.periods],
        },
        "estimates": estimates,
        "timings": timings.stages,
    }


def _estimate(
    fits: list[dict[str, Any]],
    plan: Plan,
    units: list[str],
    mdes: dict[tuple[str, str], float | None],
    timings: Timings,
) -> list[dict[str, Any]]:
    """Every estimate's influence function goes into one units x estimates matrix, so one
    multiplier bootstrap (the same weights for every outcome) gives all standard errors and the
    joint draws that Romano–Wolf needs."""
    started = time.perf_counter()
    unit_index = {u: i for i, u in enumerate(units)}
    n_all = len(units)
    columns = []
    results: list[dict[str, Any]] = []
    for fit in fits:
        outcome = CATALOGUE[fit["key"]]
        on_logs = outcome.scale == "ratio" and plan.count_scale == "log"
        gt = did.att_gt(
            _stats_panel(fit["sample"]), control=plan.control, scale="log" if on_logs else "level"
        )
        simple = did.aggregate(gt, kind="simple")
        event = did.aggregate(gt, kind="event")
        value, point, influence = float(simple.overall), float(simple.overall), simple.overall_inf
        if on_logs:
            # the simple aggregate is the mean log rate ratio: inference on that scale
            value = math.exp(point)
        elif outcome.scale == "ratio":
            try:
                rate_ratio = did.ratio(simple, gt)
            except did.StatsError:
                value, point, influence = float("nan"), float("nan"), np.zeros(gt.n)
            else:
                # inference for a ratio on the log scale
                value = float(rate_ratio.estimate)
                point = math.log(value)
                influence = np.asarray(rate_ratio.inf, float) / value
        column = np.zeros(n_all)
        # rescale: the bootstrap averages over all units, the estimate over its panel's units
        column[[unit_index[u] for u in gt.units]] = np.nan_to_num(influence) * n_all / gt.n
        columns.append(column)
        results.append(
            {"fit": fit, "outcome": outcome, "value": value, "point": point, "gt": gt, "event": event}
        )
    matrix = np.column_stack(columns) if columns else np.zeros((n_all, 0))
    draws = did.multiplier_bootstrap(
        matrix,
        draws=plan.bootstrap_draws,
        seed=plan.seed,
        weights=plan.bootstrap_weights,
    )
    z = _z(plan.alpha)
    points = np.array([r["point"] for r in results])
    ses = draws.se()
    valid = np.isfinite(points) & (ses > 0)
    pvalues = np.where(valid, draws.p_value(np.nan_to_num(points)), np.nan)
    adjusted = np.full(len(results), np.nan)
    for dimension in DIMENSIONS:
        for population in plan.populations:
            idx = [
                i
                for i, r in enumerate(results)
                if r["fit"]["dimension"] == dimension and r["fit"]["population"] == population and valid[i]
            ]
            if not idx:
                continue
            if plan.multiple_testing == "romano_wolf":
                subset = did.Draws(draws.perturbations[:, idx], draws.seed, draws.weights, draws.n)
                adjusted[idx] = did.romano_wolf(points[idx], subset, se=ses[idx])
            elif plan.multiple_testing == "holm":
                adjusted[idx] = did.holm(pvalues[idx])
            else:
                adjusted[idx] = pvalues[idx]
    # event studies: every estimate's event-time IFs in one matrix, one bootstrap for them all
    event_columns: list[np.ndarray] = []
    offsets: list[int] = []
    for r in results:
        event, gt = r["event"], r["gt"]
        block = np.zeros((n_all, len(event.labels)))
        block[[unit_index[u] for u in gt.units], :] = np.nan_to_num(event.inf) * n_all / gt.n
        offsets.append(sum(c.shape[1] for c in event_columns))
        event_columns.append(block)
    event_draws = did.multiplier_bootstrap(
        np.column_stack(event_columns) if event_columns else np.zeros((n_all, 0)),
        draws=plan.bootstrap_draws,
        seed=plan.seed,
        weights=plan.bootstrap_weights,
    )
    event_rows, pretrends = [], []
    for r, block, first in zip(results, event_columns, offsets, strict=True):
        columns_of = slice(first, first + block.shape[1])
        own = did.Draws(
            event_draws.perturbations[:, columns_of], event_draws.seed, event_draws.weights, n_all
        )
        event_rows.append(_event_rows(r["event"], own, plan.alpha, exponentiate=r["gt"].scale == "log"))
        pretrends.append(did.pretrend_test(r["gt"], max_lead=PRETREND_LEADS))
    timings.measure("estimation: design", started)
    started = time.perf_counter()
    randomisation = [_randomisation_p(r["gt"], plan) for r in results]
    timings.measure("estimation: randomisation inference", started)
    started = time.perf_counter()
    comparisons = [
        _comparisons(r["fit"]["sample"], r["outcome"].scale, r["outcome"].kind, plan) for r in results
    ]
    naive = [_naive(r["fit"]["frame"], r["outcome"].scale) for r in results]
    timings.measure("estimation: comparisons (naive, PPML, TWFE)", started)
    out = []
    for i, r in enumerate(results):
        fit, outcome = r["fit"], r["outcome"]
        se = float(ses[i])
        if not valid[i]:
            low = high = float("nan")
        elif outcome.scale == "ratio":
            low, high = math.exp(r["point"] - z * se), math.exp(r["point"] + z * se)
        else:
            low, high = r["value"] - z * se, r["value"] + z * se
        sample = fit["sample"]
        stat, df, p_pre = pretrends[i]
        out.append(
            {
                "outcome": outcome.key,
                "dimension": fit["dimension"],
                "population": fit["population"],
                "scale": outcome.scale,
                "estimate": _round(r["value"]),
                "ci_low": _round(low),
                "ci_high": _round(high),
                "se": _round(se),
                "se_scale": "log" if outcome.scale == "ratio" else "difference",
                "p_value": _round(pvalues[i]),
                "p_adjusted": _round(adjusted[i]),
                "p_value_randomisation": _round(randomisation[i]),
                "naive_estimate": _round(naive[i]),
                "mde": mdes.get((outcome.key, fit["population"])),
                "pretrend": {
                    "test": f"Wald test of the last {PRETREND_LEADS} pre-period event-time ATTs, "
                    "Hotelling's F for few treated practices",
                    "statistic": _round(stat),
                    "df": int(df),
                    "p_value": _round(p_pre),
                },
                "treated_practices": int(sample.unit[sample.cohort != NEVER].nunique()),
                "control_practices": int(sample.unit[sample.cohort == NEVER].nunique()),
                "estimator": f"{plan.estimator} ({plan.control} controls, matched"
                + (", parallel trends in log rates)" if r["gt"].scale == "log" else ")"),
                "comparison": comparisons[i],
                "event_study": event_rows[i],
                "trends": trends(sample, fit["period_labels"]),
                "trend_measure": TREND_MEASURES[outcome.kind],
                "first_post_period": fit["first_post_period"],
                "event_study_scale": (
                    "rate ratio"
                    if r["gt"].scale == "log"
                    else ("rate difference per person-month" if outcome.kind == "count" else "difference")
                ),
            }
        )
    return out


TREND_MEASURES = {
    "count": "events per person-month",
    "score": "mean score",
    "share": "share",
}


def trends(sample: pd.DataFrame, labels: list[str]) -> list[dict[str, Any]]:
    """The outcome by period for the treated practices and their matched controls, each group's
    sum of ``y`` over its sum of ``w`` (a rate per person-month, a mean score or a share), with
    the number of practices behind each mean; a group without exposure in a period has None."""
    treated = sample.cohort.to_numpy() != NEVER
    out = []
    for period in sorted(int(p) for p in sample.period.unique()):
        row: dict[str, Any] = {"period": labels[period] if 0 <= period < len(labels) else str(period)}
        for name, group in (("treated", treated), ("control", ~treated)):
            cells = sample[group & (sample.period.to_numpy() == period)]
            w = float(cells.w.sum())
            row[name] = _round(float(cells.y.sum()) / w) if w > 0 else None
            row[f"{name}_practices"] = int(cells.unit.nunique())
        out.append(row)
    return out


def _randomisation_p(gt: Any, plan: Plan) -> float | None:
    """Randomisation inference: the sample's cohorts permuted across its practices (waves keep
    their sizes), the simple ATT re-estimated each time; seeded by the plan."""
    if plan.randomisation_permutations == 0:
        return None
    p_value, _ = did.randomisation_p(
        gt.cube, plan.control, permutations=plan.randomisation_permutations, seed=plan.seed
    )
    return float(p_value)


# The pre-trend test covers the last four pre-periods: a test of every lead would have more
# dimensions than there are treated practices.
PRETREND_LEADS = 4


def _comparisons(sample: pd.DataFrame, scale: str, kind: str, plan: Plan) -> dict[str, Any]:
    """The comparison estimators of the plan on the same matched sample (pyfixest)."""
    out: dict[str, Any] = {}
    if "poisson" in plan.comparison and kind == "count" and scale == "ratio":
        try:
            fit = compare.poisson_att(sample, alpha=plan.alpha)
        except Exception as exc:  # pyfixest refuses degenerate panels in several ways
            out["poisson"] = {"error": str(exc)[:200]}
        else:
            out["poisson"] = {
                "estimator": "PPML, treated x post | practice + period, log exposure offset, CRV1 by practice",
                "estimate": _round(fit.rate_ratio),
                "ci_low": _round(fit.ci_low),
                "ci_high": _round(fit.ci_high),
                "p_value": _round(fit.p_value),
                "observations": fit.n_obs,
                "removed_by_separation": fit.separated,
            }
    if "twfe_event_study" in plan.comparison:
        try:
            rows = compare.twfe_event_study(sample, alpha=plan.alpha)
        except Exception as exc:  # as above
            out["twfe_event_study"] = {"error": str(exc)[:200]}
        else:
            out["twfe_event_study"] = {
                "estimator": "weighted OLS of the cell mean on relative-period dummies | practice + period, CRV1",
                "rows": [
                    {k: (_round(v) if k != "rel_period" else int(v)) for k, v in row.items()}
                    for row in rows.to_dict("records")
                ],
            }
    return out


def _event_rows(event: Any, draws: Any, alpha: float, exponentiate: bool = False) -> list[dict[str, Any]]:
    """ATT by periods since the start (pre-period included) with pointwise CIs and a uniform band
    from the event study's bootstrap draws (on the log scale, shown as rate ratios)."""
    if not len(event.labels):
        return []
    low, high = draws.ci(event.estimate, alpha, df=event.df)
    band_low, band_high, _crit = draws.uniform_band(event.estimate, alpha, df=event.df)
    estimate = event.estimate
    if exponentiate:
        estimate, low, high, band_low, band_high = (
            np.exp(a) for a in (estimate, low, high, band_low, band_high)
        )
    return [
        {
            "event_time": int(e),
            "estimate": _round(est),
            "ci_low": _round(lo),
            "ci_high": _round(hi),
            "band_low": _round(bl),
            "band_high": _round(bh),
        }
        for e, est, lo, hi, bl, bh in zip(event.labels, estimate, low, high, band_low, band_high, strict=True)
    ]


def _round(value: Any, digits: int = 6) -> float | None:
    if value is None:
        return None
    value = float(value)
    return round(value, digits) if math.isfinite(value) else None
