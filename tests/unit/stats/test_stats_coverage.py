"""Monte Carlo: on a small staggered panel with 15 treated practices (two waves) and a known
effect, the 95 % bootstrap CIs cover the truth and a zero effect is rarely rejected."""

from __future__ import annotations

import numpy as np
from stats_sim import simulate

from pht.stats.did import aggregate, att_gt, multiplier_bootstrap, randomisation_p, ratio

REPS = 200


def test_ci_coverage_and_size_with_fifteen_treated_clusters() -> None:
    covered = covered_ratio = rejected = 0
    for rep in range(REPS):
        sim = simulate(rep, effect=0.85)
        gt = att_gt(sim.panel)
        agg = aggregate(gt, "simple")
        low, high = multiplier_bootstrap(agg.overall_inf, draws=499, seed=rep).ci([agg.overall])
        covered += int(low[0] <= sim.true_att <= high[0])
        rr = ratio(agg, gt)
        low, high = multiplier_bootstrap(rr.inf, draws=499, seed=rep).ci([rr.estimate])
        covered_ratio += int(low[0] <= sim.true_ratio <= high[0])

        null = simulate(10_000 + rep, effect=1.0)
        agg0 = aggregate(att_gt(null.panel), "simple")
        p = multiplier_bootstrap(agg0.overall_inf, draws=499, seed=rep).p_value([agg0.overall])[0]
        rejected += int(p < 0.05)
    assert 0.90 <= covered / REPS <= 0.99, covered / REPS
    assert 0.90 <= covered_ratio / REPS <= 0.99, covered_ratio / REPS
    assert rejected / REPS <= 0.10, rejected / REPS


def test_uniform_event_study_band_covers_every_event_time() -> None:
    """The sup-t band over all 15 event times (pre and post) covers the whole true path in about
    95 % of replications once it has t tails (df = fewest treated clusters - 1 = 6); the plain
    normal sup-t band, and jointly the pointwise intervals, cover less often."""
    t_band = normal_band = pointwise = 0
    reps = 150
    for rep in range(reps):
        sim = simulate(rep, effect=0.85)
        ev = aggregate(att_gt(sim.panel), "event")
        assert ev.df == 6  # the earliest and latest event times rest on one wave of 7 practices
        truth = np.array([sim.true_event[int(e)] for e in ev.labels])
        draws = multiplier_bootstrap(ev.inf, draws=499, seed=rep)

        def covers(low: np.ndarray, high: np.ndarray, truth: np.ndarray = truth) -> int:
            return int(np.all((low <= truth) & (truth <= high)))

        t_band += covers(*draws.uniform_band(ev.estimate, df=ev.df)[:2])
        normal_band += covers(*draws.uniform_band(ev.estimate)[:2])
        pointwise += covers(*draws.ci(ev.estimate))
    assert 0.90 <= t_band / reps <= 0.995, t_band / reps
    assert pointwise < normal_band < t_band


def test_effect_is_detected_when_large() -> None:
    """Power: a 30 % reduction is found in nearly every replication (the test can reject)."""
    hits = 0
    for rep in range(40):
        agg = aggregate(att_gt(simulate(rep, effect=0.7).panel), "simple")
        p = multiplier_bootstrap(agg.overall_inf, draws=499, seed=rep).p_value([agg.overall])[0]
        hits += int(p < 0.05 and agg.overall < 0)
    assert hits >= 36


def test_randomisation_inference_size_and_power() -> None:
    null = [
        randomisation_p(simulate(rep, effect=1.0).panel, permutations=99, seed=rep)[0] for rep in range(30)
    ]
    assert np.mean(np.array(null) < 0.05) <= 0.15
    strong = [
        randomisation_p(simulate(rep, effect=0.6).panel, permutations=99, seed=rep)[0] for rep in range(5)
    ]
    assert max(strong) < 0.05
