"""Matched controls: Mahalanobis nearest-neighbour matching and the balance table.

Matching
    Distances are Mahalanobis, ``d(x, z) = sqrt((x - z)' S^+ (x - z))`` with ``S`` the covariance
    of the treated and control rows pooled (pseudo-inverse, so a constant or collinear column is
    harmless). Greedy: the treated rows are taken in input order and each gets its
    ``k_neighbours`` nearest controls (without replacement: among those not yet used); ties go
    to the lower control index, so the result is deterministic. A ``caliper`` (in Mahalanobis
    distance) leaves a slot unmatched (``-1``) rather than take a control further away.

Balance
    The standardised mean difference of each column is ``(mean_t - mean_c) / sqrt((var_t +
    var_c) / 2)`` (sample variances, ddof = 1; the pooled SD of the *unmatched* samples may be
    passed so that before and after share one scale, as is usual). A common rule reads
    ``|SMD| < 0.1`` as balanced.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

UNMATCHED = -1


def _as_matrix(x: NDArray[np.float64] | Sequence[Sequence[float]]) -> NDArray[np.float64]:
    m = np.asarray(x, dtype=float)
    if m.ndim == 1:
        m = m[:, None]
    if m.ndim != 2:
        raise ValueError("covariates must be a 2-D array (rows x columns)")
    if not np.all(np.isfinite(m)):
        raise ValueError("covariates must be finite")
    return m


def mahalanobis_distances(
    treated_x: NDArray[np.float64], control_x: NDArray[np.float64]
) -> NDArray[np.float64]:
    """n_t x n_c Mahalanobis distances with the pooled covariance."""
    t, c = _as_matrix(treated_x), _as_matrix(control_x)
    if t.shape[1] != c.shape[1]:
        raise ValueError("treated and control covariates must have the same columns")
    pooled = np.vstack([t, c])
    cov = np.atleast_2d(np.cov(pooled, rowvar=False))
    inv = np.linalg.pinv(cov, hermitian=True)
    diff = t[:, None, :] - c[None, :, :]
    d2 = np.einsum("ijk,kl,ijl->ij", diff, inv, diff)
    return np.asarray(np.sqrt(np.maximum(d2, 0.0)), dtype=float)


def match(
    treated_x: NDArray[np.float64],
    control_x: NDArray[np.float64],
    k_neighbours: int = 1,
    replace: bool = False,
    caliper: float | None = None,
) -> NDArray[np.int64]:
    """Indices (n_t x k) into ``control_x`` of each treated row's matches; ``-1`` if unmatched."""
    if k_neighbours < 1:
        raise ValueError("k_neighbours must be at least 1")
    dist = mahalanobis_distances(treated_x, control_x)
    n_t, n_c = dist.shape
    if not replace and n_t * k_neighbours > n_c and caliper is None:
        raise ValueError(f"{n_t} treated x {k_neighbours} neighbours need more than {n_c} controls")
    out = np.full((n_t, k_neighbours), UNMATCHED, dtype=np.int64)
    used = np.zeros(n_c, dtype=bool)
    for i in range(n_t):
        order = np.argsort(dist[i], kind="stable")  # ties: lower control index first
        if not replace:
            order = order[~used[order]]
        if caliper is not None:
            order = order[dist[i, order] <= caliper]
        chosen = order[:k_neighbours]
        out[i, : chosen.size] = chosen
        if not replace:
            used[chosen] = True
    return out


def smd(
    treated_x: NDArray[np.float64],
    control_x: NDArray[np.float64],
    names: Sequence[str],
    *,
    control_weights: NDArray[np.float64] | None = None,
    pooled_sd: NDArray[np.float64] | None = None,
) -> pd.DataFrame:
    """Balance table: per column the treated and control means and their standardised difference.

    ``control_weights`` weight the control rows (e.g. how often each was matched with
    replacement); ``pooled_sd`` fixes the denominator (e.g. that of the unmatched samples).
    Columns: ``variable, mean_treated, mean_control, sd_pooled, smd``.
    """
    t, c = _as_matrix(treated_x), _as_matrix(control_x)
    if len(names) != t.shape[1] or c.shape[1] != t.shape[1]:
        raise ValueError("names must name every column of both matrices")
    cw = np.ones(c.shape[0]) if control_weights is None else np.asarray(control_weights, dtype=float)
    mean_t = t.mean(axis=0)
    mean_c = np.average(c, axis=0, weights=cw)
    if pooled_sd is None:
        var_t = t.var(axis=0, ddof=1) if t.shape[0] > 1 else np.zeros(t.shape[1])
        var_c = c.var(axis=0, ddof=1) if c.shape[0] > 1 else np.zeros(c.shape[1])
        sd = np.sqrt((var_t + var_c) / 2)
    else:
        sd = np.asarray(pooled_sd, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = np.where(sd > 0, (mean_t - mean_c) / sd, np.where(mean_t == mean_c, 0.0, np.inf))
    return pd.DataFrame(
        {
            "variable": list(names),
            "mean_treated": mean_t,
            "mean_control": mean_c,
            "sd_pooled": sd,
            "smd": diff,
        }
    )


def matched_controls(indices: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The distinct matched control indices and how many times each was used (its weight)."""
    flat = indices[indices != UNMATCHED]
    uniq, counts = np.unique(flat, return_counts=True)
    return uniq.astype(np.int64), counts.astype(float)
