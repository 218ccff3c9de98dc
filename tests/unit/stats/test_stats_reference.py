"""pht.stats.did against an independent implementation: csdid (the Python port of R ``did``) on
pyfixest's shipped staggered-DiD data (df_het: 1500 units, 1990-2020, cohorts 2000 and 2010 and
never treated), with and without unit-constant sampling weights."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest
import pytest

from pht.stats.did import NEVER, Panel, aggregate, analytic_se, att_gt, cluster_inf, multiplier_bootstrap

csdid_att_gt = pytest.importorskip("csdid.att_gt")

DF_HET = Path(pyfixest.__file__).parent / "did" / "data" / "df_het.csv"
CONTROLS = {"never": "nevertreated", "notyet": "notyettreated"}


@pytest.fixture(scope="module")
def df_het() -> pd.DataFrame:
    d = pd.read_csv(DF_HET)
    rng = np.random.default_rng(20261204)
    unit_weight = pd.Series(rng.uniform(0.5, 2.0, d["unit"].nunique()), index=np.unique(d["unit"]))
    return d.assign(sw=d["unit"].map(unit_weight))


def panel_of(d: pd.DataFrame, weights: str | None) -> Panel:
    w = d[weights].to_numpy() if weights else np.ones(len(d))
    return Panel(
        unit=d["unit"].to_numpy(),
        period=d["year"].to_numpy(),
        cohort=np.where(d["g"] == 0, NEVER, d["g"]).astype(int),
        y=d["dep_var"].to_numpy() * w,  # a cell's y is the SUM: the unit mean times the exposure
        w=w,
    )


def fit_csdid(d: pd.DataFrame, control: str, weights: str | None, bstrap: bool = False):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = csdid_att_gt.ATTgt(
            yname="dep_var",
            tname="year",
            idname="unit",
            gname="g",
            data=d,
            control_group=CONTROLS[control],
            weights_name=weights,
            biters=999,
        )
        return model.fit(est_method="reg", base_period="varying", bstrap=bstrap)


CASES = [(c, w) for c in ("never", "notyet") for w in (None, "sw")]


@pytest.mark.parametrize(("control", "weights"), CASES)
def test_group_time_att_and_se_equal_csdid(df_het: pd.DataFrame, control: str, weights: str | None) -> None:
    ref = fit_csdid(df_het, control, weights).results
    gt = att_gt(panel_of(df_het, weights), control=control, small_sample=False)  # type: ignore[arg-type]
    assert list(gt.group) == [int(g) for g in ref["group"]]
    assert list(gt.time) == [int(t) for t in ref["year"]]
    np.testing.assert_allclose(gt.att, np.asarray(ref["att"], dtype=float), rtol=0, atol=1e-6)
    np.testing.assert_allclose(gt.se(), np.asarray(ref["se"], dtype=float), rtol=1e-6)
    assert list(gt.post) == [bool(p) for p in ref["post"]]


@pytest.mark.parametrize(("control", "weights"), CASES)
def test_aggregates_equal_csdid(df_het: pd.DataFrame, control: str, weights: str | None) -> None:
    model = fit_csdid(df_het, control, weights)
    gt = att_gt(panel_of(df_het, weights), control=control, small_sample=False)  # type: ignore[arg-type]
    for theirs, ours in (("simple", "simple"), ("dynamic", "event"), ("group", "group")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = model.aggte(theirs, bstrap=False).atte
        agg = aggregate(gt, ours)  # type: ignore[arg-type]
        assert agg.overall == pytest.approx(ref["overall_att"], abs=1e-6)
        assert agg.overall_se() == pytest.approx(ref["overall_se"], rel=1e-6)
        if ours != "simple":
            assert list(agg.labels) == [int(x) for x in ref["egt"]]
            np.testing.assert_allclose(agg.estimate, np.asarray(ref["att_egt"], dtype=float), atol=1e-6)
            np.testing.assert_allclose(agg.se(), np.ravel(ref["se_egt"]), rtol=1e-6)
        else:
            their_if = np.ravel(ref["inf_function"]["simple_att"])
            np.testing.assert_allclose(agg.overall_inf, their_if, atol=1e-8)


def test_bootstrap_se_within_ten_percent_of_csdid(df_het: pd.DataFrame) -> None:
    """Per cell against csdid's analytic SE; for the aggregates against csdid's own bootstrap."""
    ref = fit_csdid(df_het, "notyet", "sw")
    gt = att_gt(panel_of(df_het, "sw"), control="notyet")  # with the small-sample correction
    for kind in ("webb", "rademacher", "mammen"):
        ours = multiplier_bootstrap(gt.inf, draws=1999, seed=11, weights=kind).se()  # type: ignore[arg-type]
        ratio = ours / np.asarray(ref.results["se"], dtype=float)
        assert np.all(np.abs(ratio - 1) < 0.10), (kind, ratio.min(), ratio.max())
    np.random.seed(7)  # csdid draws from numpy's global generator
    for theirs, ours_kind in (("simple", "simple"), ("dynamic", "event"), ("group", "group")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            boot = ref.aggte(theirs, bstrap=True, biters=1999).atte
        agg = aggregate(gt, ours_kind)  # type: ignore[arg-type]
        ours_se = multiplier_bootstrap(agg.overall_inf, draws=1999, seed=5).se()[0]
        assert ours_se == pytest.approx(boot["overall_se"], rel=0.10)


def test_pre_cell_wald_equals_csdid(df_het: pd.DataFrame) -> None:
    from pht.stats.did import pretrend_test

    model = fit_csdid(df_het, "never", None)
    stat, df, p = pretrend_test(
        att_gt(panel_of(df_het, None), control="never", small_sample=False), by="cell", small_sample=False
    )
    assert stat == pytest.approx(model.MP["W"], rel=1e-6)
    assert df == int((np.asarray(model.results["post"]) == 0).sum())
    assert p == pytest.approx(model.MP["Wpval"], abs=1e-5)


def test_simple_ci_covers_true_att(df_het: pd.DataFrame) -> None:
    """The truth: the injected effect (te + te_dynamic) averaged over the treated post cells with
    the simple aggregate's weights (treated exposure: each treated unit-year once, or its
    sampling weight)."""
    for weights in (None, "sw"):
        gt = att_gt(panel_of(df_het, weights), control="notyet")
        agg = aggregate(gt, "simple")
        post = df_het[(df_het["g"] > 0) & (df_het["year"] >= df_het["g"])]
        w = post[weights] if weights else np.ones(len(post))
        truth = float(np.sum((post["te"] + post["te_dynamic"]) * w) / np.sum(w))
        draws = multiplier_bootstrap(agg.overall_inf, draws=999, seed=3)
        low, high = draws.ci([agg.overall])
        assert low[0] <= truth <= high[0], (low, truth, high)
        assert abs(agg.overall - truth) < 3 * agg.overall_se()


def test_state_clustered_se_equals_csdid(df_het: pd.DataFrame) -> None:
    """Units (1500) summed to their states (40 clusters) give R did's clustered analytic SE."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = csdid_att_gt.ATTgt(
            yname="dep_var", tname="year", idname="unit", gname="g", data=df_het,
            control_group="nevertreated", clustervar="state",
        ).fit(est_method="reg", bstrap=False).results  # fmt: skip
    gt = att_gt(panel_of(df_het, None), control="never", small_sample=False)
    state = df_het.drop_duplicates("unit").set_index("unit")["state"].reindex(gt.units).to_numpy()
    ids, clustered = cluster_inf(gt.inf, gt.units, state)
    assert ids.size == 40
    np.testing.assert_allclose(analytic_se(clustered), np.asarray(ref["se"], dtype=float), rtol=1e-6)


def test_universal_base_equals_csdid(df_het: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = (
            csdid_att_gt.ATTgt(
                yname="dep_var",
                tname="year",
                idname="unit",
                gname="g",
                data=df_het,
                control_group="notyettreated",
            )
            .fit(est_method="reg", base_period="universal", bstrap=False)
            .results
        )
    theirs = pd.DataFrame({"g": ref["group"], "t": ref["year"], "att": ref["att"], "se": ref["se"]})
    theirs = theirs[theirs["t"] != theirs["g"] - 1]  # the reference cell (att 0) we do not report
    gt = att_gt(panel_of(df_het, None), control="notyet", base="universal", small_sample=False)
    assert list(gt.group) == theirs["g"].astype(int).tolist()
    assert list(gt.time) == theirs["t"].astype(int).tolist()
    np.testing.assert_allclose(gt.att, theirs["att"].to_numpy(dtype=float), atol=1e-6)
    np.testing.assert_allclose(gt.se(), theirs["se"].to_numpy(dtype=float), rtol=1e-6)
