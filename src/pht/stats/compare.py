"""Comparison estimators with pyfixest, on a pandas panel (one row per unit x period).

The panel's columns are named by the caller (defaults: ``unit, period, cohort, y, w``), with the
conventions of :class:`pht.stats.did.Panel`: ``y`` is the cell's sum, ``w`` its exposure, and
``cohort`` the first treated period or :data:`pht.stats.did.NEVER`. Rows with ``w = 0`` are
dropped. Standard errors are clustered by unit (CRV1, pyfixest's default small-sample
correction).

Two-way fixed-effects event study
    ``feols(y/w ~ sum_{e != ref} 1[t - g = e] | unit + period, weights = w)``: the cell mean
    regressed on relative-period dummies (never-treated units have none), unit and period
    effects, exposure weights. Under staggered adoption with heterogeneous effects its
    coefficients mix cohorts with negative weights (Goodman-Bacon 2021; Sun and Abraham 2021),
    which is why it is shown only beside the Callaway--Sant'Anna estimate. ``window`` bins the
    relative periods outside ``[lo, hi]`` into the end points.

Poisson (PPML)
    ``fepois(y ~ treated_post | unit + period, offset = log w)``: events with the log exposure as
    an offset (coefficient fixed at one), so ``exp(coef)`` is the rate ratio of treated post
    cells, with a normal CI on the log scale.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyfixest as pf
from scipy import stats as sps

from pht.stats.did import NEVER


def _prepare(df: pd.DataFrame, unit: str, period: str, cohort: str, y: str, w: str) -> pd.DataFrame:
    missing = [c for c in (unit, period, cohort, y, w) if c not in df.columns]
    if missing:
        raise ValueError(f"panel lacks columns {missing}")
    out = pd.DataFrame(
        {
            "unit": df[unit].to_numpy(),
            "period": df[period].to_numpy().astype(np.int64),
            "cohort": df[cohort].to_numpy().astype(np.int64),
            "y": df[y].to_numpy().astype(float),
            "w": df[w].to_numpy().astype(float),
        }
    )
    return out[out["w"] > 0].reset_index(drop=True)


_SEPARATION = re.compile(r"(\d+) observations? removed because of separation")


@contextmanager
def _quiet() -> Iterator[None]:
    """pyfixest 0.60 uses pandas' deprecated ``inplace=``; nothing of ours to change."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The inplace keyword")
        yield


def _name(e: int) -> str:
    return f"rel_m{-e}" if e < 0 else f"rel_p{e}"


def twfe_event_study(
    df: pd.DataFrame,
    *,
    unit: str = "unit",
    period: str = "period",
    cohort: str = "cohort",
    y: str = "y",
    w: str = "w",
    ref: int = -1,
    window: tuple[int, int] | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """TWFE event study of the cell mean ``y/w``; one row per relative period (``ref`` at 0).

    Columns: ``rel_period, estimate, se, ci_low, ci_high, p_value``.
    """
    data = _prepare(df, unit, period, cohort, y, w)
    data["rate"] = data["y"] / data["w"]
    treated = data["cohort"] != NEVER
    rel = np.where(treated, data["period"] - data["cohort"], np.iinfo(np.int64).min)
    if window is not None:
        lo, hi = window
        rel = np.where(treated, np.clip(rel, lo, hi), rel)
    levels = sorted({int(e) for e in rel[treated.to_numpy()]} - {ref})
    if not levels:
        raise ValueError("no treated relative periods besides the reference")
    for e in levels:
        data[_name(e)] = (rel == e).astype(float)
    fml = "rate ~ " + " + ".join(_name(e) for e in levels) + " | unit + period"
    with _quiet():
        fit = pf.feols(fml, data=data, weights="w", vcov={"CRV1": "unit"})
    coef, se, pv = fit.coef(), fit.se(), fit.pvalue()
    z = sps.norm.ppf(1 - alpha / 2)
    rows = []
    for e in [*levels, ref]:
        if e == ref:
            rows.append((ref, 0.0, 0.0, 0.0, 0.0, np.nan))
            continue
        name = _name(e)
        if name not in coef.index:  # collinear, dropped by pyfixest
            rows.append((e, np.nan, np.nan, np.nan, np.nan, np.nan))
            continue
        b, s = float(coef[name]), float(se[name])
        rows.append((e, b, s, b - z * s, b + z * s, float(pv[name])))
    out = pd.DataFrame(rows, columns=["rel_period", "estimate", "se", "ci_low", "ci_high", "p_value"])
    return out.sort_values("rel_period").reset_index(drop=True)


@dataclass(frozen=True)
class PoissonResult:
    rate_ratio: float
    ci_low: float
    ci_high: float
    coef: float  # log rate ratio
    se: float  # of the log rate ratio, clustered by unit
    p_value: float
    n_obs: int
    separated: int = 0  # observations pyfixest removed because of separation (all-zero units)


def poisson_att(
    df: pd.DataFrame,
    *,
    unit: str = "unit",
    period: str = "period",
    cohort: str = "cohort",
    y: str = "y",
    w: str = "w",
    alpha: float = 0.05,
) -> PoissonResult:
    """PPML rate ratio of treated post cells: ``fepois(y ~ treated_post | unit + period)`` with
    ``log(w)`` as offset, CRV1 by unit."""
    data = _prepare(df, unit, period, cohort, y, w)
    if np.any(data["y"] < 0):
        raise ValueError("Poisson needs non-negative counts")
    data["treated_post"] = ((data["cohort"] != NEVER) & (data["period"] >= data["cohort"])).astype(float)
    data["log_w"] = np.log(data["w"])
    with _quiet(), warnings.catch_warnings(record=True) as caught:
        # pyfixest reports separation as a warning on stderr; it belongs with the estimate
        warnings.filterwarnings("always", message=r".*removed because of separation")
        fit = pf.fepois("y ~ treated_post | unit + period", data=data, offset="log_w", vcov={"CRV1": "unit"})
    separated = 0
    for warning in caught:
        found = _SEPARATION.search(str(warning.message))
        if found:
            separated += int(found.group(1))
        else:
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    b = float(fit.coef()["treated_post"])
    s = float(fit.se()["treated_post"])
    z = sps.norm.ppf(1 - alpha / 2)
    return PoissonResult(
        rate_ratio=float(np.exp(b)),
        ci_low=float(np.exp(b - z * s)),
        ci_high=float(np.exp(b + z * s)),
        coef=b,
        se=s,
        p_value=float(fit.pvalue()["treated_post"]),
        n_obs=int(fit._N),
        separated=separated,
    )
