"""pht.stats.compare: the pyfixest TWFE event study and PPML rate ratio."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from stats_sim import simulate

from pht.stats.compare import poisson_att, twfe_event_study
from pht.stats.did import NEVER


def exact_panel(effect: float, multiplicative: bool) -> pd.DataFrame:
    """Noise-free staggered panel: mean = unit + period effect, shifted (or scaled) by the effect
    in treated post cells; exposure constant within a unit."""
    rng = np.random.default_rng(1)
    n, periods = 30, 8
    cohort = np.array([4] * 6 + [6] * 6 + [NEVER] * 18)
    u, p = np.meshgrid(np.arange(n), np.arange(1, periods + 1), indexing="ij")
    a, b = rng.uniform(1, 3, n), rng.uniform(-0.5, 0.5, periods)
    w = rng.uniform(100, 1000, n)[u]
    post = (cohort[u] != NEVER) & (p >= cohort[u])
    if multiplicative:
        mean = np.exp(np.log(a)[u] + b[p - 1]) * np.where(post, effect, 1.0)
    else:
        mean = a[u] + b[p - 1] + np.where(post, effect, 0.0)
    return pd.DataFrame(
        {
            "unit": u.ravel(),
            "period": p.ravel(),
            "cohort": cohort[u].ravel(),
            "y": (mean * w).ravel(),
            "w": w.ravel(),
        }
    )


def test_twfe_recovers_a_homogeneous_effect_exactly() -> None:
    out = twfe_event_study(exact_panel(-0.3, multiplicative=False))
    pre, post = out[out["rel_period"] < 0], out[out["rel_period"] >= 0]
    np.testing.assert_allclose(pre["estimate"], 0.0, atol=1e-8)
    np.testing.assert_allclose(post["estimate"], -0.3, atol=1e-8)
    assert out.loc[out["rel_period"] == -1, "se"].item() == 0.0
    assert out["rel_period"].tolist() == list(range(-5, 5))


def test_twfe_window_bins_the_tails_and_columns_can_be_named() -> None:
    df = exact_panel(0.2, multiplicative=False).rename(columns={"unit": "practice", "y": "events"})
    out = twfe_event_study(df, unit="practice", y="events", window=(-2, 2))
    assert out["rel_period"].tolist() == [-2, -1, 0, 1, 2]
    np.testing.assert_allclose(out.loc[out["rel_period"] >= 0, "estimate"], 0.2, atol=1e-8)


def test_poisson_rate_ratio_exact_and_with_noise() -> None:
    exact = poisson_att(exact_panel(0.8, multiplicative=True))
    assert exact.rate_ratio == pytest.approx(0.8, rel=1e-6)
    sim = simulate(5, effect=0.8, n_units=200, waves=((5, 30), (9, 30)), noise_sd=0.02)
    noisy = poisson_att(sim.frame())
    assert noisy.ci_low < 0.8 < noisy.ci_high
    assert noisy.ci_low < noisy.rate_ratio < noisy.ci_high
    assert noisy.p_value < 0.001
    assert noisy.n_obs == len(sim.frame())


def test_rows_without_exposure_are_dropped() -> None:
    df = exact_panel(0.8, multiplicative=True)
    df.loc[df.index % 5 == 0, ["y", "w"]] = 0.0
    res = poisson_att(df)
    assert res.n_obs == int((df["w"] > 0).sum())
    assert res.rate_ratio == pytest.approx(0.8, rel=1e-6)


def test_separation_is_counted_with_the_estimate_not_printed() -> None:
    """A control practice with no events at all is separated: PPML drops its 8 cells. The count
    comes back with the estimate (and the run's JSON), not as a warning on the console; the
    estimate on the rest is unchanged."""
    import warnings

    panel = exact_panel(0.8, multiplicative=True)
    assert poisson_att(panel).separated == 0
    zero = panel["unit"] == panel.loc[panel["cohort"] == NEVER, "unit"].iloc[0]
    panel.loc[zero, "y"] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = poisson_att(panel)
    assert fit.separated == int(zero.sum()) == 8
    assert fit.rate_ratio == pytest.approx(0.8, rel=1e-6)
