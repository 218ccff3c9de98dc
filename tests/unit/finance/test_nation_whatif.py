"""The national what-if on a generated lake (pht nation whatif) and its pure arithmetic."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from pht.cli import main
from pht.rules.financing.nation import RateRatio, UnitCosts, net_cost_per_avoided
from pht.synth.lake import run, select_municipalities
from pht.synth.pilot import default_pilot

MUNICIPALITIES = ["0828", "1244"]  # Seljord, Austevoll
KEYS = ("income", "change", "for_team", "state", "municipality")


@pytest.fixture(scope="module")
def lake_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("nation_lake")
    run(
        out, select_municipalities(MUNICIPALITIES), seed=7, first_year=2017, last_year=2018,
        pilot=default_pilot(7), jobs=1, progress=False,
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def evaluation_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("eval") / "result.json"
    estimates = [
        {"outcome": "acute_admissions", "population": "all", "scale": "ratio", "estimate": 0.9, "ci_low": 0.8, "ci_high": 1.0},
        {"outcome": "out_of_hours_contacts", "population": "all", "scale": "ratio", "estimate": 0.95, "ci_low": 0.9, "ci_high": 1.0},
    ]  # fmt: skip
    path.write_text(json.dumps({"estimates": estimates}))
    return path


@pytest.fixture(scope="module")
def result(lake_dir, evaluation_file):
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(
            [
                "nation",
                "whatif",
                "--lake",
                str(lake_dir),
                "--format",
                "json",
                "--evaluation",
                str(evaluation_file),
            ]
        )
    assert code == 0
    return json.loads(out.getvalue())


def test_json_totals_are_the_sums_of_the_practice_rows(result) -> None:
    rows = result["practices"]
    assert len(rows) == result["totals"]["practices"] > 1
    assert Decimal(result["totals"]["today"]) == sum(Decimal(r["today"]) for r in rows)
    for model in ("fee", "capitation", "best"):
        for key in KEYS:
            assert Decimal(result["totals"][model][key]) == sum(Decimal(r[model][key]) for r in rows), (
                model,
                key,
            )
    # the capitation model pays out its frame to the øre
    assert Decimal(result["totals"]["capitation"]["income"]) == Decimal(result["frame"]["frame"])
    assert Decimal(result["frame"]["frame"]) == Decimal(result["frame"]["reference_income"]) + Decimal(
        result["frame"]["nurse_allowance"]
    )
    # grouped distributions add up to the same changes
    for grouping in ("by_county", "by_size_class", "by_municipality"):
        for model in ("fee", "capitation", "best"):
            assert sum(Decimal(g[model]["change"]) for g in result[grouping]) == Decimal(
                result["totals"][model]["change"]
            )


def test_every_practice_gets_a_team_by_the_norm_under_both_models(result) -> None:
    needed = Decimal(0)
    for row in result["practices"]:
        lists = row["gp_lists"]
        needed += Decimal(lists) / 3
        # capitation: the allowance, 1 FTE per 3 lists x NOK 700,000 (nurse_funding.toml)
        assert Decimal(row["capitation"]["for_team"]) == (Decimal(lists) * 700000 / 3).quantize(
            Decimal("0.01")
        )
        # fee model: 1,200 PHT1 x 150 + 150 PHT2 x 300 + 1,000 PHT3 x 80 = 305,000 per FTE (2018 schedule),
        # priced month by month (rounded per month and code)
        expected = Decimal(lists) * 305000 / 3
        assert abs(Decimal(row["fee"]["for_team"]) - expected) <= Decimal("0.18")
        assert Decimal(row["fee"]["income"]) == Decimal(row["today"]) + Decimal(row["fee"]["for_team"])
        better = max(Decimal(row["fee"]["income"]), Decimal(row["capitation"]["income"]))
        assert Decimal(row["best"]["income"]) == better
        for model in ("fee", "capitation", "best"):
            assert Decimal(row[model]["state"]) + Decimal(row[model]["municipality"]) == Decimal(
                row[model]["income"]
            )
    assert Decimal(result["nurse_fte"]["needed"]) == needed.quantize(Decimal("0.1"))
    assert result["nurse_fte"]["supply_is_assumption"] is True
    assert "nurse_funding.supply_fte" in result["assumptions"]


def test_net_cost_per_avoided_admission_uses_the_evaluation_and_unit_costs(result) -> None:
    evaluation = result["evaluation"]
    assert evaluation["given"] is True
    fee = evaluation["models"]["fee"]
    baseline = fee["baseline_admissions"]
    ooh = fee["baseline_out_of_hours_contacts"]
    assert baseline > 0 and ooh > 0
    change = Decimal(result["totals"]["fee"]["change"])
    net = change - Decimal(baseline) * Decimal("0.1") * 45000 - Decimal(ooh) * Decimal("0.05") * 1200
    assert Decimal(fee["estimate"]["net_cost"]) == net.quantize(Decimal("0.01"))
    assert fee["high"]["net_cost_per_avoided_admission"] is None  # ratio 1.0: nothing avoided


def test_net_cost_per_avoided_by_hand() -> None:
    costs = UnitCosts(Decimal(45000), Decimal(1200), Decimal(700000))
    ratio = RateRatio(Decimal("0.9"), Decimal("0.8"), Decimal("1.0"))
    out = net_cost_per_avoided(Decimal(1_000_000), 100, ratio, 1000, Decimal("0.95"), costs)
    # 10 avoided x 45,000 + 50 avoided out-of-hours x 1,200: 1,000,000 - 450,000 - 60,000 = 490,000
    assert out["estimate"]["net_cost"] == "490000.00"
    assert out["estimate"]["net_cost_per_avoided_admission"] == "49000.00"
    # ratio 0.8: 20 avoided, 1,000,000 - 900,000 - 60,000 = 40,000, 2,000 each
    assert out["low"]["net_cost_per_avoided_admission"] == "2000.00"
    assert out["high"]["net_cost"] == "940000.00"
    assert out["high"]["net_cost_per_avoided_admission"] is None
    with pytest.raises(ValueError, match="rate ratio"):
        RateRatio(Decimal("0.9"), Decimal("0.95"), Decimal("1.0"))


def test_bad_input_is_refused_naming_what(tmp_path, capsys) -> None:
    assert main(["nation", "whatif", "--lake", str(tmp_path / "missing")]) != 0
    assert "missing" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["nation", "whatif", "--lake", str(tmp_path), "--evaluation", str(bad)]) != 0
    assert "bad.json" in capsys.readouterr().err


def test_a_hostile_evaluation_estimate_is_refused_naming_the_field(lake_dir, tmp_path, capsys) -> None:
    hostile = tmp_path / "hostile.json"
    estimates = [
        {"outcome": "acute_admissions", "population": "all", "estimate": "NaN", "ci_low": 0.8, "ci_high": 1.0}
    ]
    hostile.write_text(json.dumps({"estimates": estimates}))
    assert main(["nation", "whatif", "--lake", str(lake_dir), "--evaluation", str(hostile)]) != 0
    assert "acute_admissions (all), field 'estimate'" in capsys.readouterr().err


def test_without_an_evaluation_the_page_and_output_say_so(lake_dir, capsys) -> None:
    assert main(["nation", "whatif", "--lake", str(lake_dir)]) == 0
    out = capsys.readouterr().out
    assert "no evaluation result given" in out
    assert "nurse FTE needed" in out


def test_a_real_evaluation_result_is_read_and_a_ratio_above_one_avoids_nothing(lake_dir, capsys) -> None:
    from pathlib import Path

    real = Path(__file__).parents[2] / "integration" / "evaluation_report" / "result.json"
    assert (
        main(["nation", "whatif", "--lake", str(lake_dir), "--format", "json", "--evaluation", str(real)])
        == 0
    )
    evaluation = json.loads(capsys.readouterr().out)["evaluation"]
    assert evaluation["admissions_estimate"]["population"] == "all"  # the whole list population
    assert evaluation["admissions_estimate"]["estimate"] == 1.153748
    capitation = evaluation["models"]["capitation"]
    # more admissions, not fewer, at every bound of that result: no cost per avoided admission
    assert all(capitation[k]["net_cost_per_avoided_admission"] is None for k in ("estimate", "low", "high"))
    assert Decimal(capitation["estimate"]["avoided_admissions"]) < 0
