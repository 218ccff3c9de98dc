"""Staggered difference in differences: Callaway--Sant'Anna group-time ATTs on exposure-weighted cells.

Data
    A :class:`Panel` has one row per unit and period. ``y`` is the SUM of the outcome in the cell
    (events, or the sum of scores) and ``w`` its exposure (person-months, or number of responses),
    so the cell mean is ``y / w``. A unit with ``w = 0`` in a period is absent from that period
    (its ``y`` there is ignored), as is a unit without a row. Periods are non-negative integers.
    ``cohort`` is the first treated period (:data:`NEVER` if never treated). As in Callaway and
    Sant'Anna (2021) and R ``did``, units treated in or before the first period have no pre-period
    and are dropped, and units first treated after the last period count as never treated.

Group-time ATT (Callaway and Sant'Anna 2021, unconditional parallel trends, no covariates)
    For a cohort ``g``, a period ``t`` and a base period ``b``::

        ATT(g, t) = [Ybar_g(t) - Ybar_g(b)] - [Ybar_C(t) - Ybar_C(b)],   Ybar_A(s) = sum_A y / sum_A w

    i.e. exposure-weighted means over the units of the treated cohort and of the controls ``C``.
    ``base="varying"``: ``b`` is the last period before ``g`` for post cells (``t >= g``) and the
    period before ``t`` for pre cells (short differences, as in C--S); ``base="universal"``: ``b``
    is the last period before ``g`` for every cell (the cell ``t = b`` itself is not reported).
    ``control="never"``: the never-treated; ``control="notyet"``: the never-treated and the units
    first treated after ``max(t, b)``, cohort ``g`` excluded. With ``w`` constant within a unit this
    is exactly C--S (R ``did`` / ``csdid``, ``est_method="reg"``) with sampling weights ``w``; the
    reference tests hold it to ``csdid`` to 1e-6.

Influence functions (the normalisation used throughout this module)
    Each estimate comes with a per-unit influence function ``IF`` (rows: the panel's units after
    the drops above, ``n`` of them) such that ``estimate - truth ~ (1/n) sum_i IF_i``; its analytic
    variance is ``sum_i IF_i^2 / n^2`` (the convention of R ``did``). A cell mean is a ratio of
    sums, ``IF_i = n * 1[i in A] * (y_is - Ybar_A(s) w_is) / sum_A w_s``, and a cell's ATT is the
    signed sum of its four cell means' IFs. Units are the clusters: all of a unit's periods
    enter its one row, so inference is clustered by unit; :func:`cluster_inf` sums the rows to a
    coarser cluster (patients to practices) when the panel's unit is finer than the cluster.

    Small samples (``small_sample=True``, the default): with ~15 treated practices the plain IF
    variance is biased down (a weighted mean's residuals are shrunk by its leverage). Each unit's
    term in a cell mean is divided by ``sqrt(1 - h_i)``, ``h_i = w_is / sum_A w_s`` (the unit's
    leverage in the ratio mean, which is the WLS intercept with variance proportional to
    exposure): the CR2 correction of Bell and McCaffrey (2002). ``small_sample=False`` gives R
    ``did``'s influence functions exactly; with large groups the two agree.

Aggregation
    ``simple``: the post cells weighted by their treated exposure ``E_gt = sum_{i in g} w_it``
    (with ``w = 1`` and a balanced panel: by cohort size, C--S's simple ATT); ``event``: for each
    event time ``e = t - g`` (pre ``e < 0`` included) the cells weighted by treated exposure, and
    an overall average of the post event times with equal weights (C--S's dynamic overall);
    ``group``: per cohort the exposure-weighted average of its post cells, and an overall average
    weighted by the cohort's mean post-period exposure. The weights are estimated, so each
    aggregate's IF includes the IF of its weights (as C--S's ``wif``).

Rate ratio
    ``m / (m - ATT)`` with ``m`` the exposure-weighted treated mean over the simple aggregate's
    cells and ``m - ATT`` the counterfactual mean; IF by the delta method.

Naive comparison and power
    :func:`naive_comparison` sets the post-period treated mean against the controls' mean in the
    same cells, with no pre-period (what a design-free reading would report).
    :func:`placebo_power` gives the minimum detectable effect from pre-period data alone: a
    placebo treatment of the treated units on their last pre-periods, whose simple ATT's SE
    feeds :func:`mde`.

Inference
    :func:`multiplier_bootstrap` perturbs the per-unit IFs with i.i.d. multipliers ``v_i`` (Webb's
    six-point distribution by default; Rademacher or Mammen), one per unit (cluster):
    ``theta*_b = (1/n) sum_i v_bi IF_i``. Multipliers are generated from the seed alone, so two
    calls with the same seed, number of units and draws share them (:meth:`Draws.apply`), which
    Romano--Wolf needs across outcomes. The standard error is the bootstrap interquartile range
    over ``1.349`` (as R ``did``), the p-value symmetric (``#{|theta*| >= |theta - null|}``, with
    ``+1`` in numerator and denominator) and the uniform band uses the sup-t critical value.
    With few treated clusters, intervals and bands take Student t tails with ``df`` = the fewest
    treated clusters behind an estimate minus one (:attr:`Aggregate.df`); the tests' Monte Carlo
    shows why (over 15 event times from 7-8 treated practices per wave, 150 replications: the
    normal sup-t band covers the whole path in 77 %, the t band in 96 %, pointwise CIs in 42 %).
    :func:`pretrend_test` is a Wald test that the pre-period event-time ATTs (or pre cells) are
    jointly zero; :func:`holm` and :func:`romano_wolf` adjust p-values across outcomes;
    :func:`randomisation_p` permutes cohorts across units; :func:`mde` is the minimum detectable
    effect from a standard error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import stats as sps

NEVER = -1  # cohort value of never-treated units

Control = Literal["never", "notyet"]
Base = Literal["varying", "universal"]
Kind = Literal["simple", "event", "group"]
Weights = Literal["webb", "rademacher", "mammen"]
Scale = Literal["level", "log"]

FloatArray = NDArray[np.float64]
ArrayLike = float | Sequence[float] | np.ndarray


class StatsError(ValueError):
    """A panel or an argument the estimators cannot use."""


@dataclass(frozen=True)
class Panel:
    """One row per unit x period (balanced or not); all 1-D numpy arrays of equal length."""

    unit: np.ndarray  # unit ids (str or int), clusters for inference
    period: np.ndarray  # int period index (e.g. quarter number)
    cohort: np.ndarray  # int first treated period, NEVER if never treated; constant within a unit
    y: np.ndarray  # float: SUM of the outcome in the cell (events, or sum of scores)
    w: np.ndarray  # float: exposure in the cell (person-months, or number of responses)


@dataclass(frozen=True)
class Cube:
    """A panel as unit x period matrices (zeros where a unit is absent)."""

    units: np.ndarray  # (n,) unit ids, sorted
    periods: np.ndarray  # (T,) periods, sorted
    cohort: np.ndarray  # (n,) cohort per unit (NEVER for never treated)
    y: FloatArray  # (n, T)
    w: FloatArray  # (n, T)
    dropped: np.ndarray  # unit ids dropped as treated in or before the first period


def to_cube(panel: Panel) -> Cube:
    """Validate a panel and pivot it to unit x period matrices."""
    arrays = [np.asarray(a) for a in (panel.unit, panel.period, panel.cohort, panel.y, panel.w)]
    lengths = {a.shape for a in arrays}
    if len(lengths) != 1 or arrays[0].ndim != 1:
        raise StatsError("panel arrays must be 1-D and of equal length")
    unit, period, cohort, y, w = arrays
    if unit.size == 0:
        raise StatsError("empty panel")
    y = y.astype(float)
    w = w.astype(float)
    period = period.astype(np.int64)
    cohort = cohort.astype(np.int64)
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(w))):
        raise StatsError("y and w must be finite")
    if np.any(w < 0):
        raise StatsError("exposure w must be non-negative")
    units, ui = np.unique(unit, return_inverse=True)
    periods, pi = np.unique(period, return_inverse=True)
    n, t = units.size, periods.size
    if np.unique(ui * t + pi).size != ui.size:
        raise StatsError("more than one row for a unit and period")
    unit_cohort = np.full(n, np.iinfo(np.int64).min)
    unit_cohort[ui] = cohort
    if np.any(unit_cohort[ui] != cohort):
        raise StatsError("cohort must be constant within a unit")
    if periods[0] < 0:
        raise StatsError(f"periods must be non-negative (NEVER = {NEVER} marks the never treated)")
    if np.any((unit_cohort != NEVER) & (unit_cohort < 0)):
        raise StatsError(f"cohort must be a period or NEVER ({NEVER})")
    ym = np.zeros((n, t))
    wm = np.zeros((n, t))
    present = w > 0
    ym[ui[present], pi[present]] = y[present]
    wm[ui[present], pi[present]] = w[present]
    unit_cohort = np.where(unit_cohort > periods[-1], NEVER, unit_cohort)
    keep = (unit_cohort == NEVER) | (unit_cohort > periods[0])
    return Cube(
        units=units[keep],
        periods=periods,
        cohort=unit_cohort[keep],
        y=ym[keep],
        w=wm[keep],
        dropped=units[~keep],
    )


@dataclass(frozen=True)
class GroupTime:
    """Group-time ATTs: one entry per (cohort g, period t) cell.

    ``inf`` is units x cells with ``att - truth ~ inf.mean(axis=0)``; ``var(att) ~ sum inf^2 / n^2``.
    """

    units: np.ndarray  # (n,) unit ids: the rows of inf
    group: np.ndarray  # (m,) cohort g of each cell
    time: np.ndarray  # (m,) period t
    base: np.ndarray  # (m,) base period b
    att: FloatArray  # (m,) ATT(g, t); NaN where a mean is undefined (no exposure)
    inf: FloatArray  # (n, m) per-unit influence function
    exposure: FloatArray  # (m,) treated exposure of the cell: sum of w over cohort g at t
    pre: np.ndarray  # (m,) bool: t < g
    control: str
    base_kind: str
    small_sample: bool
    cube: Cube = field(repr=False)
    scale: str = "level"  # "log": ATTs are differences of log cell means (see att_gt)

    @property
    def n(self) -> int:
        return int(self.units.size)

    @property
    def post(self) -> np.ndarray:
        return ~self.pre

    @property
    def event_time(self) -> np.ndarray:
        return np.asarray(self.time - self.group, dtype=np.int64)

    def se(self) -> FloatArray:
        """Analytic standard errors, ``sqrt(sum_i IF_i^2) / n``."""
        return analytic_se(self.inf)


def analytic_se(inf: FloatArray) -> FloatArray:
    """``sqrt(sum_i IF_i^2) / n`` per column of a units x k influence-function matrix."""
    inf2 = np.asarray(inf, dtype=float)
    if inf2.ndim == 1:
        inf2 = inf2[:, None]
    return np.asarray(np.sqrt(np.sum(inf2**2, axis=0)) / inf2.shape[0], dtype=float)


def cluster_inf(inf: FloatArray, units: np.ndarray, clusters: np.ndarray) -> tuple[np.ndarray, FloatArray]:
    """Per-unit IFs summed to clusters above the unit (e.g. patients to their practice).

    ``units`` labels the rows of ``inf`` and ``clusters`` gives each row's cluster. Returns the
    sorted cluster ids and a G x k matrix rescaled by ``G / n`` so that this module's
    normalisation still holds with G rows: ``sum_c IF_c^2 / G^2 = sum_c (sum_{i in c} IF_i)^2 / n^2``
    (R ``did``'s clustered variance), and :func:`multiplier_bootstrap` of the result draws one
    multiplier per cluster.
    """
    matrix = np.asarray(inf, dtype=float)
    if matrix.ndim == 1:
        matrix = matrix[:, None]
    if len(units) != matrix.shape[0] or len(clusters) != matrix.shape[0]:
        raise StatsError("one unit and one cluster per row of the influence functions")
    ids, codes = np.unique(np.asarray(clusters), return_inverse=True)
    sums = np.zeros((ids.size, matrix.shape[1]))
    np.add.at(sums, codes, matrix)
    return ids, sums * (ids.size / matrix.shape[0])


def _cells(periods: np.ndarray, cohorts: np.ndarray, base: Base) -> list[tuple[int, int, int]]:
    """(g, t, b) for every cell, in cohort then period order (as R ``did``)."""
    out: list[tuple[int, int, int]] = []
    for g in cohorts:
        last_pre = int(periods[periods < g][-1])
        for j, t in enumerate(periods):
            t = int(t)
            if base == "varying":
                if j == 0:
                    continue
                b = int(periods[j - 1]) if t < g else last_pre
            else:
                b = last_pre
                if t == b:
                    continue
            out.append((int(g), t, b))
    return out


def _ratio_mean(ys: FloatArray, ws: FloatArray, small_sample: bool) -> tuple[float, FloatArray]:
    """``sum y / sum w`` over units (zeros outside the group) and its per-unit IF (module doc)."""
    n = ys.size
    total = ws.sum()
    if total <= 0:
        return float("nan"), np.zeros(n)
    mean = ys.sum() / total
    psi = n * (ys - mean * ws) / total
    if small_sample:
        h = ws / total  # leverage of each unit in the group's (ratio) mean
        psi = np.where(h < 1.0, psi / np.sqrt(np.maximum(1.0 - h, 1e-12)), psi)
    return float(mean), np.asarray(psi, dtype=float)


def _control_mask(cohort: np.ndarray, g: int, t: int, b: int, control: Control) -> np.ndarray:
    never = np.asarray(cohort == NEVER, dtype=bool)
    if control == "never":
        return never
    return np.asarray(never | ((cohort > max(t, b)) & (cohort != g)), dtype=bool)


def att_gt(
    panel: Panel | Cube,
    control: Control = "notyet",
    base: Base = "varying",
    *,
    small_sample: bool = True,
    scale: Scale = "level",
) -> GroupTime:
    """Callaway--Sant'Anna group-time ATTs with exposure-weighted cell means (see the module doc).

    ``small_sample`` applies the CR2-type leverage correction to the influence functions (see
    the module doc); ``False`` gives R ``did``'s plain influence functions.

    ``scale="log"``: parallel trends in the *logarithm* of the cell means (proportional trends,
    as PPML assumes): ``ATT(g, t) = [log Ybar_g(t) - log Ybar_g(b)] - [log Ybar_C(t) - log
    Ybar_C(b)]``, the log of a ratio of rate ratios; each log mean's IF is the mean's IF divided by
    the mean (delta method). A cell with a zero mean has no ATT. Use it for rates whose confounders
    act multiplicatively (practice effects, a shock that cuts every rate by a share).
    """
    if scale not in ("level", "log"):
        raise StatsError(f"scale must be 'level' or 'log', not {scale!r}")
    if control not in ("never", "notyet"):
        raise StatsError(f"control must be 'never' or 'notyet', not {control!r}")
    if base not in ("varying", "universal"):
        raise StatsError(f"base must be 'varying' or 'universal', not {base!r}")
    cube = panel if isinstance(panel, Cube) else to_cube(panel)
    if cube.periods.size < 2:
        raise StatsError("a difference in differences needs at least two periods")
    cohorts = np.unique(cube.cohort[cube.cohort != NEVER])
    if cohorts.size == 0:
        raise StatsError("no treated units with a pre-period")
    if control == "never" and not np.any(cube.cohort == NEVER):
        raise StatsError("control='never' but there are no never-treated units")
    n = cube.units.size
    col = {int(p): j for j, p in enumerate(cube.periods)}
    cells = _cells(cube.periods, cohorts, base)
    m = len(cells)
    att = np.full(m, np.nan)
    inf = np.zeros((n, m))
    exposure = np.zeros(m)

    def mean_and_if(mask: np.ndarray, s: int) -> tuple[float, FloatArray]:
        mean, psi = _ratio_mean(cube.y[:, col[s]] * mask, cube.w[:, col[s]] * mask, small_sample)
        if scale == "log":
            if not mean > 0:
                return float("nan"), psi
            return float(np.log(mean)), psi / mean
        return mean, psi

    with np.errstate(invalid="ignore"):
        for k, (g, t, b) in enumerate(cells):
            treated = cube.cohort == g
            controls = _control_mask(cube.cohort, g, t, b, control)
            exposure[k] = float(cube.w[treated, col[t]].sum())
            parts = [
                (+1.0, mean_and_if(treated, t)),
                (-1.0, mean_and_if(treated, b)),
                (-1.0, mean_and_if(controls, t)),
                (+1.0, mean_and_if(controls, b)),
            ]
            if any(np.isnan(mean) for _, (mean, _) in parts):
                continue
            att[k] = sum(sign * mean for sign, (mean, _) in parts)
            inf[:, k] = sum(sign * psi for sign, (_, psi) in parts)
    g_arr = np.array([c[0] for c in cells], dtype=np.int64)
    t_arr = np.array([c[1] for c in cells], dtype=np.int64)
    return GroupTime(
        units=cube.units,
        group=g_arr,
        time=t_arr,
        base=np.array([c[2] for c in cells], dtype=np.int64),
        att=att,
        inf=inf,
        exposure=exposure,
        pre=t_arr < g_arr,
        control=control,
        base_kind=base,
        small_sample=small_sample,
        cube=cube,
        scale=scale,
    )


# ---------------------------------------------------------------------------------------------
# Aggregation


@dataclass(frozen=True)
class Aggregate:
    """Aggregated ATTs: one estimate per label (event time, cohort, or the single 'simple')."""

    kind: str
    labels: np.ndarray  # (k,) event times, cohorts, or [0] for simple
    estimate: FloatArray  # (k,)
    inf: FloatArray  # (n, k) per-unit influence functions, same normalisation as GroupTime
    members: tuple[np.ndarray, ...]  # per label: the GroupTime cell indices it averages
    weights: tuple[FloatArray, ...]  # per label: the cell weights (sum to one)
    overall: float  # simple: the estimate; event: mean of post event times; group: weighted
    overall_inf: FloatArray  # (n,)
    units: np.ndarray
    treated_clusters: np.ndarray  # (k,) treated units with exposure in each label's cells

    @property
    def n(self) -> int:
        return int(self.units.size)

    @property
    def df(self) -> int:
        """Small-sample degrees of freedom: the fewest treated clusters behind a label, minus 1."""
        return max(1, int(self.treated_clusters.min()) - 1)

    def se(self) -> FloatArray:
        return analytic_se(self.inf)

    def overall_se(self) -> float:
        return float(analytic_se(self.overall_inf)[0])


def _combine(
    estimates: FloatArray, inf: FloatArray, unit_weights: FloatArray
) -> tuple[float, FloatArray, FloatArray]:
    """A weighted mean of estimates with weights estimated as column means of ``unit_weights``.

    Returns the mean, its IF (the estimates' IFs plus the weights' IF) and the weights.
    """
    n = inf.shape[0]
    pi = unit_weights.mean(axis=0)
    total = pi.sum()
    if total <= 0:
        return float("nan"), np.zeros(n), np.full(pi.size, np.nan)
    omega = pi / total
    est = float(estimates @ omega)
    psi = unit_weights - pi  # IF of each pi_k
    wif = (psi / total - np.outer(psi.sum(axis=1), pi) / total**2) @ estimates
    return est, inf @ omega + wif, omega


def _cell_unit_exposure(gt: GroupTime, cells: np.ndarray) -> FloatArray:
    """n x len(cells): each unit's exposure in each cell's treated group (0 if not in cohort g)."""
    cube = gt.cube
    cols = np.searchsorted(cube.periods, gt.time[cells])
    in_group = cube.cohort[:, None] == gt.group[cells][None, :]
    return np.asarray(cube.w[:, cols] * in_group, dtype=float)


def aggregate(
    gt: GroupTime,
    kind: Kind = "simple",
    *,
    min_e: int | None = None,
    max_e: int | None = None,
) -> Aggregate:
    """Aggregate group-time ATTs (see the module doc). ``min_e``/``max_e`` bound event time.

    Cells with an undefined ATT are left out (their weight goes to the others).
    """
    e = gt.event_time
    ok = np.isfinite(gt.att)
    if min_e is not None:
        ok &= e >= min_e
    if max_e is not None:
        ok &= e <= max_e
    att = np.nan_to_num(gt.att)
    n = gt.n

    def combine(cells: np.ndarray) -> tuple[float, FloatArray, FloatArray]:
        return _combine(att[cells], gt.inf[:, cells], _cell_unit_exposure(gt, cells))

    labels: list[int] = []
    members: list[np.ndarray] = []
    weights: list[FloatArray] = []
    ests: list[float] = []
    infs: list[FloatArray] = []
    if kind == "simple":
        cells = np.flatnonzero(ok & gt.post)
        if cells.size == 0:
            raise StatsError("no post-treatment cells to aggregate")
        est, psi, omega = combine(cells)
        labels, members, weights, ests, infs = [0], [cells], [omega], [est], [psi]
        overall, overall_inf = est, psi
    elif kind == "event":
        for value in np.unique(e[ok]):
            cells = np.flatnonzero(ok & (e == value))
            est, psi, omega = combine(cells)
            labels.append(int(value))
            members.append(cells)
            weights.append(omega)
            ests.append(est)
            infs.append(psi)
        post = np.array(labels) >= 0
        if not np.any(post):
            raise StatsError("no post-treatment event times to aggregate")
        overall = float(np.mean(np.array(ests)[post]))
        overall_inf = np.column_stack(infs)[:, post].mean(axis=1)
    elif kind == "group":
        cohort_weights: list[FloatArray] = []
        for g in np.unique(gt.group):
            cells = np.flatnonzero(ok & gt.post & (gt.group == g))
            if cells.size == 0:
                continue
            est, psi, omega = combine(cells)
            labels.append(int(g))
            members.append(cells)
            weights.append(omega)
            ests.append(est)
            infs.append(psi)
            cohort_weights.append(_cell_unit_exposure(gt, cells).mean(axis=1))
        if not labels:
            raise StatsError("no post-treatment cells to aggregate")
        overall, overall_inf, _ = _combine(
            np.array(ests), np.column_stack(infs), np.column_stack(cohort_weights)
        )
    else:
        raise StatsError(f"kind must be 'simple', 'event' or 'group', not {kind!r}")
    return Aggregate(
        kind=kind,
        labels=np.array(labels, dtype=np.int64),
        estimate=np.array(ests, dtype=float),
        inf=np.column_stack(infs) if infs else np.zeros((n, 0)),
        members=tuple(members),
        weights=tuple(weights),
        overall=float(overall),
        overall_inf=np.asarray(overall_inf, dtype=float),
        units=gt.units,
        treated_clusters=np.array(
            [int(np.sum(_cell_unit_exposure(gt, cells).sum(axis=1) > 0)) for cells in members], dtype=np.int64
        ),
    )


@dataclass(frozen=True)
class Estimate:
    """A scalar estimate with its per-unit influence function (normalisation as GroupTime)."""

    estimate: float
    inf: FloatArray  # (n,)

    def se(self) -> float:
        return float(analytic_se(self.inf)[0])


def treated_mean(agg: Aggregate, gt: GroupTime) -> Estimate:
    """The exposure-weighted treated mean over the cells of a simple aggregate, with its IF."""
    if agg.kind != "simple":
        raise StatsError("the treated mean is defined for the simple aggregate")
    cube = gt.cube
    cells = agg.members[0]
    cols = np.searchsorted(cube.periods, gt.time[cells])
    in_group = cube.cohort[:, None] == gt.group[cells][None, :]
    ys = (cube.y[:, cols] * in_group).sum(axis=1)
    ws = (cube.w[:, cols] * in_group).sum(axis=1)
    m, inf = _ratio_mean(ys, ws, gt.small_sample)
    return Estimate(m, inf)


def ratio(agg: Aggregate, gt: GroupTime) -> Estimate:
    """Rate ratio ``m / (m - ATT)`` of a simple aggregate; IF by the delta method. On the log
    scale the rate ratio is ``exp(ATT)``."""
    if gt.scale == "log":
        value = float(np.exp(agg.overall))
        return Estimate(value, value * agg.overall_inf)
    mean = treated_mean(agg, gt)
    m, a = mean.estimate, agg.overall
    cf = m - a
    if cf <= 0:
        raise StatsError("the counterfactual mean m - ATT is not positive; no rate ratio")
    inf = (-a / cf**2) * mean.inf + (m / cf**2) * agg.overall_inf
    return Estimate(m / cf, inf)


@dataclass(frozen=True)
class Naive:
    """The naive post-period comparison beside a design estimate (what the design buys)."""

    difference: Estimate  # treated mean - control mean, same cells and weights
    ratio: Estimate  # treated mean / control mean
    treated: Estimate
    control: Estimate


def naive_comparison(agg: Aggregate, gt: GroupTime) -> Naive:
    """Treated versus control means in the post cells, with no pre-period and no trend.

    Over the simple aggregate's cells with its weights ``omega_k`` (treated exposure):
    ``m = sum_k omega_k Ybar_g(t)`` (the treated mean of :func:`ratio`) against
    ``c = sum_k omega_k Ybar_C(t)``, ``C`` the design's controls at ``t`` (never-treated, or also
    the not-yet-treated). Returns ``m - c`` and ``m / c`` with IFs (the weights' IF included).
    """
    treated = treated_mean(agg, gt)
    cube = gt.cube
    cells = agg.members[0]
    values = np.empty(cells.size)
    infs = np.empty((gt.n, cells.size))
    for j, k in enumerate(cells):
        g, t = int(gt.group[k]), int(gt.time[k])
        mask = _control_mask(cube.cohort, g, t, t, gt.control)  # type: ignore[arg-type]
        s = int(np.searchsorted(cube.periods, t))
        values[j], infs[:, j] = _ratio_mean(cube.y[:, s] * mask, cube.w[:, s] * mask, gt.small_sample)
    if np.any(np.isnan(values)):
        raise StatsError("a post cell has no exposed control units")
    c, c_inf, _ = _combine(values, infs, _cell_unit_exposure(gt, cells))
    control = Estimate(c, c_inf)
    m = treated.estimate
    difference = Estimate(m - c, treated.inf - c_inf)
    rr = (
        Estimate(m / c, treated.inf / c - m * c_inf / c**2)
        if c > 0
        else Estimate(float("nan"), c_inf * np.nan)
    )
    return Naive(difference, rr, treated, control)


@dataclass(frozen=True)
class Power:
    """Minimum detectable effect from a placebo on pre-period data only."""

    mde: float  # on the difference scale (the outcome's mean per unit of exposure)
    se: float  # of the placebo simple ATT
    placebo: float  # the placebo simple ATT itself (should be near zero)
    baseline: float  # treated exposure-weighted mean in the placebo post cells
    placebo_periods: tuple[int, ...]  # the periods the placebo treats as post

    @property
    def mde_ratio(self) -> float:
        """The smallest detectable reduction as a rate ratio, ``1 - mde / baseline``; 0 when even a
        reduction to no events at all would not be detected (a rate ratio is never negative)."""
        return max(0.0, 1.0 - self.mde / self.baseline)


def placebo_power(
    panel: Panel | Cube,
    post_periods: int,
    control: Control = "never",
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    small_sample: bool = True,
) -> Power:
    """MDE before any post-period outcome is used: a placebo design on the pre-period.

    Only periods before the first treated cohort are used. Every treated unit gets the placebo
    cohort that leaves its last ``post_periods`` pre-periods as placebo "post" periods; the
    simple ATT of that placebo has the sampling variability of the real design (same units,
    exposures and outcome), and ``mde = (z_{1-alpha/2} + z_power) * se``.

    The panel may hold the pre-period rows only (so that no post-period outcome is ever read): a
    :class:`Panel` whose cohorts all lie after its last period keeps its treated units treated
    here (elsewhere such units count as never treated).
    """
    if isinstance(panel, Panel) and np.all((panel.cohort == NEVER) | (panel.cohort > panel.period.max())):
        # pre-period rows only: mark the treated with a cohort inside the panel for to_cube, then
        # restore; the placebo below uses only the periods before the earliest real cohort
        last = int(panel.period.max())
        stand_in = Panel(
            panel.unit, panel.period, np.where(panel.cohort != NEVER, last, NEVER), panel.y, panel.w
        )
        cube = to_cube(stand_in)
        cube = Cube(
            units=cube.units,
            periods=cube.periods,
            cohort=np.where(cube.cohort != NEVER, last + 1, NEVER),
            y=cube.y,
            w=cube.w,
            dropped=cube.dropped,
        )
    else:
        cube = panel if isinstance(panel, Cube) else to_cube(panel)
    treated = cube.cohort != NEVER
    if not np.any(treated):
        raise StatsError("no treated units")
    pre = cube.periods < cube.cohort[treated].min()
    periods = cube.periods[pre]
    if post_periods < 1 or periods.size <= post_periods:
        raise StatsError(f"{periods.size} pre-periods cannot hold {post_periods} placebo post periods")
    first = int(periods[-post_periods])
    placebo = Cube(
        units=cube.units,
        periods=periods,
        cohort=np.where(treated, first, NEVER),
        y=cube.y[:, pre],
        w=cube.w[:, pre],
        dropped=cube.dropped,
    )
    gt = att_gt(placebo, control, small_sample=small_sample)
    agg = aggregate(gt, "simple")
    se = agg.overall_se()
    return Power(
        mde=mde(se, alpha, power),
        se=se,
        placebo=agg.overall,
        baseline=treated_mean(agg, gt).estimate,
        placebo_periods=tuple(int(p) for p in periods[-post_periods:]),
    )


# ---------------------------------------------------------------------------------------------
# Multiplier bootstrap

_SQ5 = float(np.sqrt(5.0))
_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
_CHUNK = 2_000_000  # multipliers generated per block (memory bound)


def _multipliers(rng: np.random.Generator, shape: tuple[int, int], kind: Weights) -> FloatArray:
    if kind == "webb":
        return np.asarray(_WEBB[rng.integers(0, 6, size=shape)], dtype=float)
    if kind == "rademacher":
        return np.asarray(rng.integers(0, 2, size=shape) * 2.0 - 1.0, dtype=float)
    if kind == "mammen":
        low, high = -(_SQ5 - 1) / 2, (_SQ5 + 1) / 2
        p_low = (_SQ5 + 1) / (2 * _SQ5)
        return np.where(rng.random(size=shape) < p_low, low, high)
    raise StatsError(f"weights must be 'webb', 'rademacher' or 'mammen', not {kind!r}")


def _perturb(inf: FloatArray, draws: int, seed: int, kind: Weights) -> FloatArray:
    n = inf.shape[0]
    rng = np.random.default_rng(seed)
    rows = max(1, _CHUNK // max(n, 1))
    out = np.empty((draws, inf.shape[1]))
    for start in range(0, draws, rows):
        stop = min(draws, start + rows)
        v = _multipliers(rng, (stop - start, n), kind)
        out[start:stop] = v @ inf / n
    return out


@dataclass(frozen=True)
class Draws:
    """B x k bootstrap perturbations ``theta* - theta`` of k estimates, and how they were drawn."""

    perturbations: FloatArray
    seed: int
    weights: str
    n: int

    @property
    def draws(self) -> int:
        return int(self.perturbations.shape[0])

    def apply(self, inf: FloatArray) -> Draws:
        """The same multipliers (same seed, units and draws) applied to another IF matrix."""
        return multiplier_bootstrap(inf, draws=self.draws, seed=self.seed, weights=self.weights)  # type: ignore[arg-type]

    def se(self, method: Literal["iqr", "sd"] = "iqr") -> FloatArray:
        """Bootstrap SE per column: interquartile range / (z_.75 - z_.25), as R ``did`` (robust
        to a few dominant clusters), or the standard deviation of the draws."""
        if method == "sd":
            return np.asarray(self.perturbations.std(axis=0, ddof=1), dtype=float)
        q75, q25 = np.quantile(self.perturbations, [0.75, 0.25], axis=0)
        return np.asarray((q75 - q25) / (sps.norm.ppf(0.75) - sps.norm.ppf(0.25)), dtype=float)

    def ci(
        self, estimate: ArrayLike, alpha: float = 0.05, df: int | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """Confidence interval with the bootstrap SE: normal, or Student t with ``df`` degrees of
        freedom (e.g. :attr:`Aggregate.df`, for few treated clusters)."""
        est = np.asarray(estimate, dtype=float)
        q = sps.norm.ppf(1 - alpha / 2) if df is None else sps.t.ppf(1 - alpha / 2, df)
        return est - q * self.se(), est + q * self.se()

    def p_value(self, estimate: ArrayLike, null: float = 0.0) -> FloatArray:
        """Symmetric bootstrap p-value: ``(1 + #{|theta*_b| >= |theta - null|}) / (1 + B)``."""
        dev = np.abs(np.asarray(estimate, dtype=float) - null)
        hits = np.sum(np.abs(self.perturbations) >= dev, axis=0)
        return np.asarray((1 + hits) / (1 + self.draws), dtype=float)

    def uniform_band(
        self, estimate: ArrayLike, alpha: float = 0.05, df: int | None = None
    ) -> tuple[FloatArray, FloatArray, float]:
        """Uniform (sup-t) band over the k columns: ``theta +- c se`` with c the 1-alpha
        quantile of ``max_k |theta*_k| / se_k``. Returns (low, high, c).

        The multiplier draws have normal-like tails, while with few treated clusters the
        studentised estimates have t-like ones; over many columns the band then under-covers
        (about 77 % for 15 event times from 7-8 treated units per cohort in the tests'
        simulation). With ``df``, each draw's max-t is divided by an independent
        ``sqrt(chi2_df / df)`` (seeded from the draws' seed): the sup of a multivariate t with
        the bootstrap's correlation. ``df = min treated clusters - 1`` (:attr:`Aggregate.df`)
        restores coverage there.
        """
        est = np.asarray(estimate, dtype=float)
        se = self.se()
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.abs(self.perturbations) / se
        sup = np.where(np.isfinite(t), t, 0.0).max(axis=1)
        if df is not None:
            if df < 1:
                raise StatsError("df must be at least 1")
            rng = np.random.default_rng([self.seed, 1])
            sup = sup * np.sqrt(df / rng.chisquare(df, size=sup.size))
        crit = float(np.quantile(sup, 1 - alpha))
        return est - crit * se, est + crit * se, crit


def multiplier_bootstrap(
    inf: FloatArray, draws: int = 999, seed: int = 0, weights: Weights = "webb"
) -> Draws:
    """Cluster (unit) multiplier bootstrap: ``theta*_b - theta = (1/n) sum_i v_bi IF_i``.

    ``inf`` is units x k (or a vector); every column shares the same multipliers, and the
    multipliers depend only on (seed, n, draws, weights).
    """
    matrix = np.asarray(inf, dtype=float)
    if matrix.ndim == 1:
        matrix = matrix[:, None]
    if draws < 2:
        raise StatsError("need at least two bootstrap draws")
    if not np.all(np.isfinite(matrix)):
        raise StatsError("influence functions must be finite")
    return Draws(_perturb(matrix, draws, seed, weights), seed, weights, matrix.shape[0])


# ---------------------------------------------------------------------------------------------
# Tests and adjustment


def pretrend_test(
    gt: GroupTime,
    draws: Draws | None = None,
    *,
    by: Literal["event", "cell"] = "event",
    small_sample: bool = True,
    max_lead: int | None = None,
) -> tuple[float, int, float]:
    """Wald test that the pre-period ATTs are jointly zero: ``(statistic, df, p_value)``.

    ``max_lead`` keeps only the pre-period estimates at most that many periods before the start
    (event time ``e >= -max_lead``): with few treated clusters a test of every lead has more
    dimensions than clusters and no p-value.

    ``by="event"`` tests the pre event-time aggregates (e < 0), ``by="cell"`` the pre cells (as
    R ``did``'s ``W``). The covariance is analytic (``IF'IF / n^2``) or, given ``draws``, that of
    the same multipliers applied to the pre IFs. Components with zero variance are left out;
    ``df`` is the rank of the covariance used. The statistic is ``W = theta' V^+ theta``.

    ``small_sample=False``: ``p = P(chi2_df > W)`` (R ``did``). ``small_sample=True`` (default):
    the covariance is estimated from only ``G`` treated clusters (the units of the cohorts with
    pre estimates), and the chi-square test over-rejects badly when ``df`` is not small against
    ``G``; the p-value is Hotelling's, ``P(F_{df, G-df} > W (G - df) / (df (G - 1)))`` (NaN when
    ``G <= df``). With no pre-period estimate: ``(nan, 0, nan)``.
    """
    lead_ok = gt.event_time >= -max_lead if max_lead is not None else np.ones(gt.att.size, dtype=bool)
    if by == "event":
        agg = aggregate(gt, "event", min_e=-max_lead if max_lead is not None else None)
        keep = agg.labels < 0
        est, inf = agg.estimate[keep], agg.inf[:, keep]
    else:
        keep = gt.pre & np.isfinite(gt.att) & lead_ok
        est, inf = gt.att[keep], gt.inf[:, keep]
    cohorts = np.unique(gt.group[gt.pre & np.isfinite(gt.att) & lead_ok])
    if est.size:
        if draws is None:
            cov = inf.T @ inf / gt.n**2
        else:
            cov = np.atleast_2d(np.cov(draws.apply(inf).perturbations, rowvar=False))
        var = np.diag(cov)
        nonzero = var > 1e-12 * float(var.max()) if var.max() > 0 else np.zeros(var.size, dtype=bool)
        est, cov = est[nonzero], cov[np.ix_(nonzero, nonzero)]
    if est.size == 0:
        return float("nan"), 0, float("nan")
    inv = np.linalg.pinv(cov, hermitian=True)
    df = int(np.linalg.matrix_rank(cov, hermitian=True))
    stat = float(est @ inv @ est)
    if not small_sample:
        return stat, df, float(sps.chi2.sf(stat, df))
    clusters = int(np.isin(gt.cube.cohort, cohorts).sum())
    if clusters <= df:
        return stat, df, float("nan")
    f = stat * (clusters - df) / (df * (clusters - 1))
    return stat, df, float(sps.f.sf(f, df, clusters - df))


def holm(pvalues: ArrayLike) -> FloatArray:
    """Holm's step-down adjustment (family-wise error rate), in the input order."""
    p = np.asarray(pvalues, dtype=float)
    k = p.size
    order = np.argsort(p, kind="stable")
    adj = np.minimum(1.0, np.maximum.accumulate((k - np.arange(k)) * p[order]))
    out = np.empty(k)
    out[order] = adj
    return out


def romano_wolf(
    estimates: ArrayLike, draws: Draws, *, se: ArrayLike | None = None, null: float = 0.0
) -> FloatArray:
    """Romano--Wolf step-down max-t adjusted p-values on shared bootstrap draws.

    ``draws`` must come from one :func:`multiplier_bootstrap` of the stacked IFs (units x k, the
    same units for every outcome), so the dependence between outcomes is kept. Statistics are
    ``|theta_k - null| / se_k`` (``se`` defaults to the bootstrap SE); at step j the p-value is the
    share of draws whose max over the not-yet-rejected hypotheses reaches the j-th largest
    statistic (``+1`` in numerator and denominator), made monotone.
    """
    est = np.asarray(estimates, dtype=float)
    scale = draws.se() if se is None else np.asarray(se, dtype=float)
    if est.shape != scale.shape or est.shape[0] != draws.perturbations.shape[1]:
        raise StatsError("estimates, se and draws must have the same number of columns")
    t = np.abs(est - null) / scale
    tstar = np.abs(draws.perturbations) / scale
    order = np.argsort(-t, kind="stable")
    k = est.size
    adj = np.empty(k)
    for j in range(k):
        rest = order[j:]
        mx = tstar[:, rest].max(axis=1)
        adj[j] = (1 + np.sum(mx >= t[order[j]])) / (1 + draws.draws)
    adj = np.minimum(1.0, np.maximum.accumulate(adj))
    out = np.empty(k)
    out[order] = adj
    return out


def mde(se: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """Minimum detectable effect of a two-sided test: ``(z_{1-alpha/2} + z_power) * se``."""
    return float((sps.norm.ppf(1 - alpha / 2) + sps.norm.ppf(power)) * se)


def simple_att(cube: Cube, control: Control = "notyet", base: Base = "varying") -> float:
    """The simple aggregate's point estimate only, from cohort x period sums (no influence
    functions; equal to ``aggregate(att_gt(cube, control, base)).overall``)."""
    values, codes = np.unique(cube.cohort, return_inverse=True)
    sy = np.zeros((values.size, cube.periods.size))
    sw = np.zeros_like(sy)
    np.add.at(sy, codes, cube.y)
    np.add.at(sw, codes, cube.w)
    col = {int(p): j for j, p in enumerate(cube.periods)}
    num = den = 0.0
    for g, t, b in _cells(cube.periods, values[values != NEVER], base):
        if t < g:
            continue
        tr = values == g
        ctl = _control_mask(values, g, t, b, control)
        means = []
        for mask, s in ((tr, t), (tr, b), (ctl, t), (ctl, b)):
            total = sw[mask, col[s]].sum()
            means.append(sy[mask, col[s]].sum() / total if total > 0 else np.nan)
        if np.any(np.isnan(means)):
            continue
        exposure = sw[tr, col[t]].sum()
        num += exposure * (means[0] - means[1] - means[2] + means[3])
        den += exposure
    if den <= 0:
        raise StatsError("no post-treatment cells to aggregate")
    return float(num / den)


def randomisation_p(
    panel: Panel | Cube,
    control: Control = "notyet",
    base: Base = "varying",
    *,
    permutations: int = 199,
    seed: int = 0,
) -> tuple[float, FloatArray]:
    """Randomisation-inference p-value of the simple ATT: permute cohorts across units.

    Each permutation reassigns the units' cohorts (a random permutation of the unit-level cohort
    vector, so the number of units per wave is kept) and re-estimates the simple ATT. Returns
    ``((1 + #{|ATT_perm| >= |ATT|}) / (1 + R), permuted ATTs)``; seeded.
    """
    cube = panel if isinstance(panel, Cube) else to_cube(panel)
    observed = simple_att(cube, control, base)
    rng = np.random.default_rng(seed)
    perms = np.empty(permutations)
    for r in range(permutations):
        shuffled = Cube(
            units=cube.units,
            periods=cube.periods,
            cohort=rng.permutation(cube.cohort),
            y=cube.y,
            w=cube.w,
            dropped=cube.dropped,
        )
        try:
            perms[r] = simple_att(shuffled, control, base)
        except StatsError:
            perms[r] = np.nan
    valid = perms[np.isfinite(perms)]
    p = (1 + np.sum(np.abs(valid) >= abs(observed) - 1e-12)) / (1 + valid.size)
    return float(p), perms
