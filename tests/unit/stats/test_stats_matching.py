"""pht.stats.matching: Mahalanobis nearest neighbours and the SMD balance table."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import mahalanobis

from pht.stats.matching import UNMATCHED, mahalanobis_distances, match, matched_controls, smd


def test_distances_equal_scipy() -> None:
    rng = np.random.default_rng(0)
    t, c = rng.normal(size=(5, 3)), rng.normal(size=(9, 3))
    vi = np.linalg.inv(np.cov(np.vstack([t, c]), rowvar=False))
    expected = np.array([[mahalanobis(a, b, vi) for b in c] for a in t])
    np.testing.assert_allclose(mahalanobis_distances(t, c), expected, rtol=1e-10)


def test_nearest_neighbour_and_ties_to_lower_index() -> None:
    treated = np.array([[0.0, 0.0], [10.0, 10.0]])
    controls = np.array([[1.0, 1.0], [-1.0, -1.0], [10.0, 11.0], [9.0, 12.0], [50.0, 20.0], [30.0, 0.0]])
    # controls 0 and 1 are equally near treated 0 (mirror images): the lower index wins
    d = mahalanobis_distances(treated, controls)
    assert d[0, 0] == d[0, 1]
    assert match(treated, controls)[0].tolist() == [0]
    assert match(treated, controls, k_neighbours=2)[0].tolist() == [0, 1]
    # the second treated row: its nearest by distance, among the controls not yet used
    assert match(treated, controls)[1, 0] == int(np.argmin(d[1]))
    assert match(treated, controls, k_neighbours=2)[1].tolist() == np.argsort(d[1])[:2].tolist()


def test_without_replacement_controls_are_distinct_with_replacement_reused() -> None:
    treated = np.array([[0.0], [0.1], [0.2]])
    controls = np.array([[0.1], [5.0], [9.0], [-3.0]])
    without = match(treated, controls)
    assert len(set(without.ravel())) == 3
    assert without[0, 0] == 0  # the first treated row takes the nearest
    assert match(treated, controls, replace=True).ravel().tolist() == [0, 0, 0]
    uniq, counts = matched_controls(match(treated, controls, replace=True))
    assert uniq.tolist() == [0] and counts.tolist() == [3.0]


def test_caliper_leaves_far_treated_unmatched() -> None:
    treated = np.array([[0.0, 0.0], [100.0, 100.0]])
    controls = np.array([[0.1, 0.2], [0.2, -0.1], [1.0, 0.5], [-0.3, 0.4]])
    out = match(treated, controls, caliper=1.0)
    assert out[0, 0] != UNMATCHED
    assert out[1, 0] == UNMATCHED


def test_too_few_controls_without_replacement() -> None:
    with pytest.raises(ValueError, match="need more"):
        match(np.zeros((3, 1)), np.ones((2, 1)))


def test_smd_by_hand() -> None:
    t = np.array([[1.0, 10.0], [3.0, 10.0]])
    c = np.array([[0.0, 10.0], [2.0, 10.0], [4.0, 10.0]])
    table = smd(t, c, ["age", "const"])
    # means 2 and 2; variances 2 and 4 -> pooled sd sqrt(3); smd 0; a constant column: 0
    assert table["smd"].tolist() == [0.0, 0.0]
    assert table["sd_pooled"].iloc[0] == pytest.approx(np.sqrt(3.0))
    t2 = np.array([[4.0], [6.0]])
    c2 = np.array([[0.0], [2.0]])
    assert smd(t2, c2, ["x"])["smd"].iloc[0] == pytest.approx(4 / np.sqrt(2.0))
    weighted = smd(t2, c2, ["x"], control_weights=np.array([0.0, 1.0]), pooled_sd=np.array([2.0]))
    assert weighted["mean_control"].iloc[0] == 2.0 and weighted["smd"].iloc[0] == pytest.approx(1.5)


def test_matching_improves_balance_under_selection() -> None:
    rng = np.random.default_rng(4)
    controls = rng.normal(size=(400, 3))
    treated = rng.normal(loc=[0.8, -0.5, 0.3], size=(17, 3))
    names = ["list_size", "age", "morbidity"]
    before = smd(treated, controls, names)
    idx = match(treated, controls)
    after = smd(treated, controls[idx[:, 0]], names, pooled_sd=before["sd_pooled"].to_numpy())
    assert before["smd"].abs().max() > 0.3
    assert after["smd"].abs().max() < 0.2
