"""A small simulated staggered panel with a known effect, for the pht.stats tests.

Practices (units) with a latent level, common period shocks (additive on the rate), multiplicative
cell noise (so cells are overdispersed), exposure in person-months, and events drawn as Poisson counts. Treated
practices (two waves) are chosen with a higher latent level (selection on levels, which
difference in differences removes). The effect multiplies the rate of treated post cells.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pht.stats.did import NEVER, Panel


@dataclass(frozen=True)
class Sim:
    panel: Panel
    true_att: float  # exposure-weighted mean over treated post cells of (rate - counterfactual rate)
    true_ratio: float  # sum of actual expected events / sum of counterfactual ones, same cells
    true_event: dict[int, float]  # per event time t - g: the exposure-weighted effect (0 before)

    def frame(self) -> pd.DataFrame:
        p = self.panel
        return pd.DataFrame({"unit": p.unit, "period": p.period, "cohort": p.cohort, "y": p.y, "w": p.w})


def simulate(
    seed: int,
    *,
    effect: float = 0.85,
    n_units: int = 60,
    waves: tuple[tuple[int, int], ...] = ((5, 8), (9, 7)),
    periods: int = 12,
    base_rate: float = 0.02,
    noise_sd: float = 0.08,
    pre_trend: float = 0.0,
) -> Sim:
    """``waves``: (first treated period, number of practices); periods are 1..periods."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(0.0, 0.3, n_units)
    order = np.argsort(-latent + rng.normal(0, 0.3, n_units))  # the keener practices join
    cohort = np.full(n_units, NEVER)
    start = 0
    for first, count in waves:
        cohort[order[start : start + count]] = first
        start += count
    shocks = rng.normal(0.0, 0.1, periods)
    t = np.arange(1, periods + 1)
    size = rng.integers(600, 2500, n_units)
    u, p = np.meshgrid(np.arange(n_units), t, indexing="ij")
    g = cohort[u]
    w = 3.0 * size[u] * rng.uniform(0.95, 1.05, u.shape)  # person-months in a quarter
    # Common shocks are additive on the rate, so parallel trends hold in levels (the estimand of
    # the exposure-weighted DiD); the cell noise is multiplicative with a constant mean.
    level = np.exp(latent[u]) + shocks[p - 1] + pre_trend * (g != NEVER) * p
    # a rate is never negative: a shock that would take a small practice below zero leaves it at zero
    # (2 of 10,000 seeds of a 14-practice panel; Poisson refuses a negative mean)
    counterfactual = base_rate * np.maximum(level, 0.0) * np.exp(rng.normal(0.0, noise_sd, u.shape))
    treated_post = (g != NEVER) & (p >= g)
    rate = np.where(treated_post, counterfactual * effect, counterfactual)
    y = rng.poisson(rate * w).astype(float)
    ww = w[treated_post]
    true_att = float(np.sum((rate - counterfactual)[treated_post] * ww) / ww.sum())
    true_ratio = float(np.sum(rate[treated_post] * ww) / np.sum(counterfactual[treated_post] * ww))
    event = np.where(g != NEVER, p - g, np.iinfo(np.int64).min)
    true_event = {}
    for e in np.unique(event[(g != NEVER) & (p > 1)]):
        cells = event == e
        true_event[int(e)] = float(np.sum((rate - counterfactual)[cells] * w[cells]) / w[cells].sum())
    panel = Panel(unit=u.ravel(), period=p.ravel(), cohort=g.ravel(), y=y.ravel(), w=w.ravel())
    return Sim(panel, true_att, true_ratio, true_event)
