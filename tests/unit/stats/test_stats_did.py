"""pht.stats.did: properties (hypothesis), validation, aggregation, inference helpers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from stats_sim import simulate

from pht.stats.did import (
    NEVER,
    Panel,
    Power,
    StatsError,
    aggregate,
    analytic_se,
    att_gt,
    cluster_inf,
    holm,
    mde,
    multiplier_bootstrap,
    naive_comparison,
    placebo_power,
    pretrend_test,
    randomisation_p,
    ratio,
    romano_wolf,
    simple_att,
    to_cube,
)

seeds = st.integers(min_value=0, max_value=2**32 - 1)
controls = st.sampled_from(["never", "notyet"])
bases = st.sampled_from(["varying", "universal"])


def small(seed: int) -> Panel:
    return simulate(seed, n_units=14, waves=((3, 3), (5, 3)), periods=6).panel


def take(panel: Panel, rows: np.ndarray, unit: np.ndarray | None = None) -> Panel:
    return Panel(
        unit=(panel.unit if unit is None else unit)[rows],
        period=panel.period[rows],
        cohort=panel.cohort[rows],
        y=panel.y[rows],
        w=panel.w[rows],
    )


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(seed=seeds, control=controls, base=bases)
def test_att_invariant_to_unit_relabelling_and_row_order(seed: int, control: str, base: str) -> None:
    panel = small(seed % 10_000)
    rng = np.random.default_rng(seed)
    ids = np.unique(panel.unit)
    names = dict(zip(ids, [f"practice-{i}" for i in rng.permutation(ids.size)], strict=True))
    relabelled = np.array([names[u] for u in panel.unit])
    rows = rng.permutation(panel.unit.size)
    a = att_gt(panel, control, base)  # type: ignore[arg-type]
    b = att_gt(take(panel, rows, relabelled), control, base)  # type: ignore[arg-type]
    np.testing.assert_allclose(a.att, b.att, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(a.se(), b.se(), rtol=1e-10)
    # the IF rows follow the units: the same unit has the same IF under its new name
    order = np.argsort([names[u] for u in a.units])
    np.testing.assert_allclose(a.inf[order], b.inf, rtol=1e-10, atol=1e-14)
    assert aggregate(a).overall == pytest.approx(aggregate(b).overall, rel=1e-12)


@settings(max_examples=30, deadline=None)
@given(seed=seeds, shift=st.floats(-5, 5), control=controls)
@example(seed=1567, shift=1.0, control="never")  # a seed whose common shock once made a rate negative
def test_adding_a_constant_to_every_mean_leaves_att_unchanged(seed: int, shift: float, control: str) -> None:
    panel = small(seed % 10_000)
    shifted = Panel(panel.unit, panel.period, panel.cohort, panel.y + shift * panel.w, panel.w)
    a, b = att_gt(panel, control), att_gt(shifted, control)  # type: ignore[arg-type]
    np.testing.assert_allclose(a.att, b.att, atol=1e-9)
    assert aggregate(a).overall == pytest.approx(aggregate(b).overall, abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(
    seed=seeds,
    levels=st.lists(st.floats(0.5, 5.0), min_size=8, max_size=8),
    trend=st.lists(st.floats(-0.4, 0.4), min_size=5, max_size=5),
)
def test_ratio_is_one_when_att_is_zero(seed: int, levels: list[float], trend: list[float]) -> None:
    """Exact parallel trends in levels (mean = unit level + period effect) and exposure constant
    within a unit: ATT 0, ratio 1."""
    rng = np.random.default_rng(seed)
    cohort = np.array([3, 3, 4, 4, NEVER, NEVER, NEVER, 5])
    u, p = np.meshgrid(np.arange(8), np.arange(1, 6), indexing="ij")
    w = rng.uniform(1, 100, 8)[u]  # exposure constant within a unit: composition fixed
    mean = np.array(levels)[u] + np.array(trend)[p - 1]
    panel = Panel(u.ravel(), p.ravel(), cohort[u].ravel(), (mean * w).ravel(), w.ravel())
    gt = att_gt(panel)
    agg = aggregate(gt)
    assert agg.overall == pytest.approx(0.0, abs=1e-9)
    assert ratio(agg, gt).estimate == pytest.approx(1.0, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=12))
def test_holm_adjusted_at_least_raw_and_monotone(pvalues: list[float]) -> None:
    p = np.array(pvalues)
    adj = holm(p)
    assert np.all(adj >= p - 1e-15) and np.all(adj <= 1.0)
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(adj[order]) >= -1e-15)


@settings(max_examples=30, deadline=None)
@given(
    seed=seeds,
    effects=st.lists(st.floats(-3.0, 3.0), min_size=2, max_size=6),
    rho=st.floats(0.0, 0.95),
)
def test_romano_wolf_adjusted_at_least_raw_and_monotone(seed: int, effects: list[float], rho: float) -> None:
    rng = np.random.default_rng(seed)
    k = len(effects)
    common = rng.normal(size=(40, 1))
    inf = np.sqrt(rho) * common + np.sqrt(1 - rho) * rng.normal(size=(40, k))
    est = np.array(effects) / 40  # roughly t = effect
    draws = multiplier_bootstrap(inf, draws=299, seed=seed % 1000)
    raw = draws.p_value(est)
    adj = romano_wolf(est, draws)
    # raw max-t: single-step p of each against its own column (same +1 convention)
    assert np.all(adj >= raw - 1e-12)
    t = np.abs(est) / draws.se()
    order = np.argsort(-t, kind="stable")
    assert np.all(np.diff(adj[order]) >= -1e-15)
    assert np.all(adj <= 1.0)


def test_romano_wolf_against_its_limits() -> None:
    """Identical outcomes: no multiplicity, adjusted = raw. Independent outcomes: between raw
    and Bonferroni, near Sidak's 1 - (1 - p)^k."""
    rng = np.random.default_rng(3)
    column = rng.normal(size=(200, 1))
    same = multiplier_bootstrap(np.hstack([column] * 4), draws=1999, seed=1)
    est = np.full(4, 2.0 * same.se()[0])
    np.testing.assert_allclose(romano_wolf(est, same), same.p_value(est))
    indep = multiplier_bootstrap(rng.normal(size=(400, 4)), draws=4999, seed=2)
    est = 2.2 * indep.se() * np.array([1.0, 1.0, 1.0, 1.0])
    raw = indep.p_value(est)
    adj = romano_wolf(est, indep)
    assert np.all(adj > raw) and adj.max() <= 4 * raw.max() + 0.01  # raw p is not studentised
    assert adj.max() == pytest.approx(1 - (1 - raw.mean()) ** 4, abs=0.03)


def test_romano_wolf_controls_the_familywise_error_rate() -> None:
    rng = np.random.default_rng(8)
    any_rejected = 0
    for rep in range(150):
        common = rng.normal(size=(60, 1))
        inf = 0.6 * common + 0.8 * rng.normal(size=(60, 5))  # correlated outcomes, no effect
        est = inf.mean(axis=0)  # the estimates' sampling error around a true zero
        draws = multiplier_bootstrap(inf - inf.mean(axis=0), draws=299, seed=rep)
        any_rejected += int(np.any(romano_wolf(est, draws) < 0.05))
    assert any_rejected / 150 <= 0.10


# --- the bootstrap ----------------------------------------------------------------------------


def test_same_seed_same_draws_and_shared_multipliers() -> None:
    gt = att_gt(small(1))
    a = multiplier_bootstrap(gt.inf, draws=200, seed=42)
    b = multiplier_bootstrap(gt.inf, draws=200, seed=42)
    c = multiplier_bootstrap(gt.inf, draws=200, seed=43)
    np.testing.assert_array_equal(a.perturbations, b.perturbations)
    assert not np.array_equal(a.perturbations, c.perturbations)
    # a column bootstrapped alone gets the same draws as within the stack (shared multipliers)
    alone = multiplier_bootstrap(gt.inf[:, 3], draws=200, seed=42)
    np.testing.assert_allclose(alone.perturbations[:, 0], a.perturbations[:, 3], rtol=1e-12)
    np.testing.assert_array_equal(a.apply(gt.inf[:, :2]).perturbations, a.perturbations[:, :2])


@pytest.mark.parametrize("kind", ["webb", "rademacher", "mammen"])
def test_multiplier_weights_have_mean_zero_and_unit_variance(kind: str) -> None:
    """With IF = one unit indicator per column, the perturbations are the multipliers / n."""
    n = 50
    draws = multiplier_bootstrap(np.eye(n) * n, draws=4000, seed=1, weights=kind)  # type: ignore[arg-type]
    v = draws.perturbations.ravel()
    assert abs(v.mean()) < 0.01
    assert abs(v.var() - 1.0) < 0.01
    support = {"webb": 6, "rademacher": 2, "mammen": 2}[kind]
    assert np.unique(np.round(v, 12)).size == support


def test_bootstrap_se_matches_analytic_and_uniform_band_is_wider() -> None:
    gt = att_gt(simulate(3).panel)
    ev = aggregate(gt, "event")
    draws = multiplier_bootstrap(ev.inf, draws=1999, seed=9)
    np.testing.assert_allclose(draws.se("sd"), ev.se(), rtol=0.06)
    np.testing.assert_allclose(draws.se(), ev.se(), rtol=0.25)  # IQR-based: non-normal draws
    low, high = draws.ci(ev.estimate)
    ulow, uhigh, crit = draws.uniform_band(ev.estimate)
    assert crit > 1.96
    assert np.all(ulow < low) and np.all(uhigh > high)
    with pytest.raises(StatsError):
        multiplier_bootstrap(ev.inf, draws=1)


def test_t_tails_widen_intervals_and_bands_deterministically() -> None:
    gt = att_gt(simulate(3).panel)
    ev = aggregate(gt, "event")
    assert aggregate(gt).treated_clusters.tolist() == [15]
    assert aggregate(gt, "group").treated_clusters.tolist() == [8, 7]
    assert ev.df == 6
    draws = multiplier_bootstrap(ev.inf, draws=499, seed=4)
    low, high = draws.ci(ev.estimate)
    tlow, thigh = draws.ci(ev.estimate, df=6)
    np.testing.assert_allclose((thigh - tlow) / (high - low), 2.446912 / 1.959964, rtol=1e-5)
    c_normal = draws.uniform_band(ev.estimate)[2]
    c_t = draws.uniform_band(ev.estimate, df=6)[2]
    assert c_t > c_normal
    assert draws.uniform_band(ev.estimate, df=6)[2] == c_t
    with pytest.raises(StatsError):
        draws.uniform_band(ev.estimate, df=0)


def test_p_value_is_small_for_a_large_effect_and_large_for_none() -> None:
    draws = multiplier_bootstrap(np.random.default_rng(0).normal(size=(100, 1)), draws=999, seed=0)
    se = draws.se()[0]
    assert draws.p_value([10 * se])[0] == pytest.approx(1 / 1000)
    assert draws.p_value([0.0])[0] == 1.0


# --- estimation details -----------------------------------------------------------------------


def test_hand_computed_two_by_two_with_exposure_weights() -> None:
    """Two periods, one treated and two control units: the exposure-weighted means by hand."""
    panel = Panel(
        unit=np.array(["a", "a", "b", "b", "c", "c"]),
        period=np.array([1, 2, 1, 2, 1, 2]),
        cohort=np.array([2, 2, NEVER, NEVER, NEVER, NEVER]),
        y=np.array([10.0, 6.0, 4.0, 6.0, 30.0, 20.0]),
        w=np.array([100.0, 100.0, 10.0, 20.0, 100.0, 50.0]),
    )
    gt = att_gt(panel, control="never")
    control_change = (6 + 20) / (20 + 50) - (4 + 30) / (10 + 100)
    assert gt.att.tolist() == pytest.approx([(0.06 - 0.10) - control_change])
    assert gt.exposure.tolist() == [100.0]
    agg = aggregate(gt)
    rr = ratio(agg, gt)
    assert rr.estimate == pytest.approx(0.06 / (0.06 - gt.att[0]))


def test_unbalanced_panel_units_absent_where_exposure_is_zero() -> None:
    panel = small(5)
    rows = np.arange(panel.unit.size)
    dropped = rows[rows % 7 != 0]  # remove some unit-periods
    zeroed = Panel(panel.unit, panel.period, panel.cohort, panel.y, np.where(rows % 7 == 0, 0.0, panel.w))
    a, b = att_gt(take(panel, dropped)), att_gt(zeroed)
    np.testing.assert_allclose(a.att, b.att, equal_nan=True)


def test_always_treated_dropped_and_late_cohorts_never_treated() -> None:
    sim = small(2)
    cohort = sim.cohort.copy()
    cohort[sim.unit == 0] = 1  # treated in the first period: no pre-period
    cohort[sim.unit == 1] = 99  # treated after the last period: never treated here
    cube = to_cube(Panel(sim.unit, sim.period, cohort, sim.y, sim.w))
    assert cube.dropped.tolist() == [0]
    assert 0 not in cube.units
    assert cube.cohort[cube.units == 1][0] == NEVER


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("duplicate", "more than one row"),
        ("cohort", "constant within a unit"),
        ("negative", "non-negative"),
        ("period", "periods must be non-negative"),
    ],
)
def test_invalid_panels_rejected(change: str, message: str) -> None:
    p = small(0)
    unit, period, cohort, y, w = (a.copy() for a in (p.unit, p.period, p.cohort, p.y, p.w))
    if change == "duplicate":
        period[1] = period[0]
    elif change == "cohort":
        cohort[0] = 4 if cohort[0] == NEVER else NEVER
    elif change == "period":
        period = period - 3
    else:
        w[3] = -1.0
    with pytest.raises(StatsError, match=message):
        att_gt(Panel(unit, period, cohort, y, w))


def test_cells_and_bases_follow_callaway_santanna() -> None:
    gt = att_gt(small(0), base="varying")
    pre, post = gt.pre, gt.post
    assert np.all(gt.base[pre] == gt.time[pre] - 1)
    assert np.all(gt.base[post] == gt.group[post] - 1)
    uni = att_gt(small(0), base="universal")
    assert np.all(uni.base == uni.group - 1)
    assert not np.any(uni.time == uni.base)
    # not-yet-treated controls include the later wave before it starts
    never = att_gt(small(0), control="never")
    notyet = att_gt(small(0), control="notyet")
    first_wave_early = (notyet.group == 3) & (notyet.time == 3)
    assert notyet.att[first_wave_early] != pytest.approx(never.att[first_wave_early])
    last_wave = notyet.group == 5  # no later cohort: the same controls
    np.testing.assert_allclose(notyet.att[last_wave & notyet.post], never.att[last_wave & never.post])


def test_small_sample_correction_only_inflates_the_variance() -> None:
    plain = att_gt(small(4), small_sample=False)
    cr2 = att_gt(small(4))
    np.testing.assert_allclose(plain.att, cr2.att)
    assert np.all(cr2.se() >= plain.se())
    assert np.any(cr2.se() > plain.se() * 1.01)


def test_event_and_group_aggregation_weights() -> None:
    gt = att_gt(simulate(8).panel)
    ev = aggregate(gt, "event")
    assert ev.labels.min() < 0 <= ev.labels.max()
    for label, cells, weights in zip(ev.labels, ev.members, ev.weights, strict=True):
        assert np.all(gt.event_time[cells] == label)
        np.testing.assert_allclose(weights, gt.exposure[cells] / gt.exposure[cells].sum())
    assert ev.overall == pytest.approx(ev.estimate[ev.labels >= 0].mean())
    grp = aggregate(gt, "group")
    assert grp.labels.tolist() == [5, 9]
    only = aggregate(gt, "event", min_e=0, max_e=2)
    assert only.labels.tolist() == [0, 1, 2]
    with pytest.raises(StatsError):
        aggregate(gt, "bogus")  # type: ignore[arg-type]


def test_simple_att_fast_path_equals_full_estimate() -> None:
    for seed in range(5):
        for control in ("never", "notyet"):
            cube = to_cube(simulate(seed).panel)
            full = aggregate(att_gt(cube, control)).overall  # type: ignore[arg-type]
            assert simple_att(cube, control) == pytest.approx(full, rel=1e-10)  # type: ignore[arg-type]


def test_pretrend_test_size_and_power() -> None:
    """Eight pre event times from 15 treated practices: the chi-square Wald over-rejects; the
    Hotelling-corrected default holds its size and still finds a real pre-trend."""
    hotelling, chi2 = [], []
    for s in range(40):
        gt = att_gt(simulate(s).panel)
        hotelling.append(pretrend_test(gt)[2])
        chi2.append(pretrend_test(gt, small_sample=False)[2])
    assert np.mean(np.array(hotelling) < 0.05) <= 0.125
    assert np.mean(np.array(chi2) < 0.05) > np.mean(np.array(hotelling) < 0.05)
    gt = att_gt(simulate(1, pre_trend=0.15).panel)
    stat, df, p = pretrend_test(gt)
    assert df == 7  # event times -7 .. -1 (wave 9, periods 2 .. 8; period 1 is only a base)
    assert p < 0.01
    draws = multiplier_bootstrap(gt.inf, draws=999, seed=2)
    assert pretrend_test(gt, draws)[2] < 0.01
    assert np.isnan(pretrend_test(att_gt(simulate(1, waves=((9, 4),)).panel))[2])  # G <= df


def test_mde_formula() -> None:
    assert mde(1.0) == pytest.approx(1.959964 + 0.841621, rel=1e-5)
    assert mde(2.0, alpha=0.1, power=0.9) == pytest.approx(2 * (1.644854 + 1.281552), rel=1e-5)


def test_randomisation_p_is_seeded() -> None:
    panel = simulate(0).panel
    a = randomisation_p(panel, permutations=49, seed=3)
    b = randomisation_p(panel, permutations=49, seed=3)
    assert a[0] == b[0]
    np.testing.assert_array_equal(a[1], b[1])
    assert 1 / 50 <= a[0] <= 1


# --- naive comparison, power, influence functions --------------------------------------------


def test_naive_comparison_by_hand_and_biased_under_selection() -> None:
    panel = Panel(
        unit=np.array(["a", "a", "b", "b", "c", "c"]),
        period=np.array([1, 2, 1, 2, 1, 2]),
        cohort=np.array([2, 2, NEVER, NEVER, NEVER, NEVER]),
        y=np.array([10.0, 6.0, 4.0, 6.0, 30.0, 20.0]),
        w=np.array([100.0, 100.0, 10.0, 20.0, 100.0, 50.0]),
    )
    gt = att_gt(panel, control="never")
    naive = naive_comparison(aggregate(gt), gt)
    assert naive.treated.estimate == pytest.approx(0.06)
    assert naive.control.estimate == pytest.approx(26 / 70)
    assert naive.difference.estimate == pytest.approx(0.06 - 26 / 70)
    assert naive.ratio.estimate == pytest.approx(0.06 / (26 / 70))
    # selection on levels: the keener practices have higher rates, so the naive comparison is
    # biased upwards while the design estimate is not
    naive_bias, design_bias = [], []
    for seed in range(20):
        sim = simulate(seed, effect=0.85)
        gt = att_gt(sim.panel)
        agg = aggregate(gt)
        naive_bias.append(naive_comparison(agg, gt).difference.estimate - sim.true_att)
        design_bias.append(agg.overall - sim.true_att)
    assert np.mean(naive_bias) > 5 * abs(np.mean(design_bias))
    assert np.mean(naive_bias) > 0.005


def test_placebo_power_reads_only_pre_periods() -> None:
    sim = simulate(6)
    power = placebo_power(sim.panel, post_periods=2)
    assert power.placebo_periods == (3, 4)  # first wave at 5
    assert power.mde == pytest.approx(mde(power.se))
    assert abs(power.placebo) < 3 * power.se
    assert 0 < power.mde_ratio < 1
    later = sim.panel.period >= 5
    scrambled = Panel(
        sim.panel.unit, sim.panel.period, sim.panel.cohort, np.where(later, 0.0, sim.panel.y), sim.panel.w
    )
    assert placebo_power(scrambled, post_periods=2) == power
    with pytest.raises(StatsError):
        placebo_power(sim.panel, post_periods=4)


def jackknife_se(estimator, panel: Panel) -> float:  # type: ignore[no-untyped-def]
    units = np.unique(panel.unit)
    leave_out = []
    for u in units:
        rows = panel.unit != u
        leave_out.append(estimator(take(panel, np.flatnonzero(rows))))
    values = np.array(leave_out)
    n = units.size
    return float(np.sqrt((n - 1) / n * np.sum((values - values.mean()) ** 2)))


@pytest.mark.parametrize("target", ["simple", "event", "group", "ratio", "naive_ratio"])
def test_influence_functions_agree_with_the_jackknife(target: str) -> None:
    """An independent check of the IF algebra (weights' IF, delta method): the leave-one-unit-out
    jackknife SE of each estimator against its analytic IF SE (plain, uncorrected IFs)."""
    panel = simulate(11, n_units=120, waves=((5, 25), (9, 25))).panel

    def estimate(p: Panel) -> tuple[float, float]:
        gt = att_gt(p, small_sample=False)
        agg = aggregate(gt, "simple" if target in ("simple", "ratio", "naive_ratio") else target)  # type: ignore[arg-type]
        if target == "ratio":
            r = ratio(agg, gt)
            return r.estimate, r.se()
        if target == "naive_ratio":
            r = naive_comparison(agg, gt).ratio
            return r.estimate, r.se()
        return agg.overall, agg.overall_se()

    jk = jackknife_se(lambda p: estimate(p)[0], panel)
    assert estimate(panel)[1] == pytest.approx(jk, rel=0.05)


def test_cluster_inf_identity_and_by_hand() -> None:
    inf = np.array([[1.0, 2.0], [3.0, -1.0], [-4.0, 0.5], [2.0, 2.0]])
    units = np.array(["a", "b", "c", "d"])
    ids, same = cluster_inf(inf, units, units)
    assert ids.tolist() == ["a", "b", "c", "d"]
    np.testing.assert_array_equal(same, inf)
    ids, two = cluster_inf(inf, units, np.array(["x", "y", "x", "y"]))
    np.testing.assert_allclose(two, np.array([[-3.0, 2.5], [5.0, 1.0]]) * 2 / 4)
    np.testing.assert_allclose(analytic_se(two), np.sqrt([9 + 25, 6.25 + 1]) / 4)


def test_pretrend_test_can_keep_only_the_last_leads() -> None:
    gt = att_gt(simulate(1, pre_trend=0.15).panel)
    full = pretrend_test(gt)
    last_four = pretrend_test(gt, max_lead=4)
    assert full[1] == 7 and last_four[1] == 4
    events = aggregate(gt, "event")
    kept = (events.labels < 0) & (events.labels >= -4)
    inf = events.inf[:, kept]
    est = events.estimate[kept]
    wald = float(est @ np.linalg.pinv(inf.T @ inf / gt.n**2) @ est)
    assert last_four[0] == pytest.approx(wald, rel=1e-9)
    assert pretrend_test(gt, max_lead=None) == full


def _multiplicative_panel(effect: float) -> Panel:
    """Rates a_i * b_t * effect (treated post cells), no noise: practice levels and period shocks
    act multiplicatively, treated practices have lower levels (as self-selected pilots)."""
    units, periods, cohorts, ys, ws = [], [], [], [], []
    levels = {f"p{i}": 0.6 + 0.1 * i for i in range(8)}
    cohort = {"p0": 4, "p1": 4, "p2": 6}
    shocks = [1.0, 1.1, 0.9, 1.2, 0.7, 0.5, 0.8, 1.0]
    for unit, level in levels.items():
        for t, shock in enumerate(shocks, start=1):
            g = cohort.get(unit, NEVER)
            rate = 0.02 * level * shock * (effect if g != NEVER and t >= g else 1.0)
            w = 1000.0 + 10 * t
            units.append(unit)
            periods.append(t)
            cohorts.append(g)
            ys.append(rate * w)
            ws.append(w)
    return Panel(np.array(units), np.array(periods), np.array(cohorts), np.array(ys), np.array(ws))


@pytest.mark.parametrize("control", ["never", "notyet"])
def test_log_scale_recovers_a_rate_ratio_under_multiplicative_confounding(control: str) -> None:
    panel = _multiplicative_panel(0.8)
    on_logs = att_gt(panel, control=control, scale="log")
    post = on_logs.post
    assert np.allclose(on_logs.att[post], np.log(0.8))
    assert np.allclose(on_logs.att[~post & np.isfinite(on_logs.att)], 0.0, atol=1e-12)
    assert ratio(aggregate(on_logs, "simple"), on_logs).estimate == pytest.approx(0.8, rel=1e-12)
    # in levels, the same data break parallel trends: the treated practices' lower rates fall
    # less in absolute terms when every rate is cut by a share
    in_levels = att_gt(panel, control=control)
    assert ratio(aggregate(in_levels, "simple"), in_levels).estimate != pytest.approx(0.8, abs=0.01)


def test_log_scale_influence_functions_agree_with_the_jackknife() -> None:
    panel = simulate(11, n_units=120, waves=((5, 25), (9, 25))).panel

    def estimate(p: Panel) -> tuple[float, float]:
        gt = att_gt(p, small_sample=False, scale="log")
        r = ratio(aggregate(gt, "simple"), gt)
        return r.estimate, r.se()

    assert estimate(panel)[1] == pytest.approx(jackknife_se(lambda p: estimate(p)[0], panel), rel=0.05)
    with pytest.raises(StatsError, match="scale"):
        att_gt(panel, scale="sqrt")  # type: ignore[arg-type]


def test_placebo_power_from_pre_period_rows_only_equals_the_full_panel_s() -> None:
    """The engine passes only pre-period rows (nothing after the first start is read before the
    plan is locked): the placebo must be the same as from the whole panel."""
    sim = simulate(4)
    full = placebo_power(sim.panel, post_periods=2)
    p = sim.panel
    first = int(p.cohort[p.cohort != NEVER].min())
    keep = p.period < first
    pre_only = Panel(p.unit[keep], p.period[keep], p.cohort[keep], p.y[keep], p.w[keep])
    assert placebo_power(pre_only, post_periods=2) == full


def test_the_detectable_rate_ratio_is_never_negative() -> None:
    """A noisy outcome whose MDE exceeds its baseline: not even removing every event is detectable."""
    noisy = Power(mde=0.3, se=0.1, placebo=0.0, baseline=0.2, placebo_periods=(3, 4))
    assert noisy.mde_ratio == 0.0
    assert Power(
        mde=0.05, se=0.02, placebo=0.0, baseline=0.2, placebo_periods=(3,)
    ).mde_ratio == pytest.approx(0.75)
