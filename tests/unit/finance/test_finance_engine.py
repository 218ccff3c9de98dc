"""The engine (Ibis over DuckDB over the lake) agrees with the pure rules to the øre."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import finance_fixtures as fx
import pytest
from finance_lake import write_lake

from pht.engine.finance import FinanceLake
from pht.engine.finance_params import month_parameters
from pht.lake import LakeError
from pht.rules.financing import CapitationRate, ClaimRecord, Condition, ListSpell, aggregate_practice_month

IDS = {"A": "1", "B": "2", "C": "3", "D": "4", "E": "5", "X": "6"}


def _renumber(spells, conditions, claims):
    spells = [ListSpell(IDS[s.resident_id], *tuple(s.__dict__.values())[1:]) for s in spells]
    conditions = [Condition(IDS[c.resident_id], c.code, c.onset) for c in conditions]
    claims = [ClaimRecord(c.claim_id, IDS[c.resident_id], *tuple(c.__dict__.values())[2:]) for c in claims]
    return spells, conditions, claims


@pytest.fixture(scope="module")
def fixture_lake(tmp_path_factory):
    spells, conditions, claims = _renumber(fx.SPELLS, fx.CONDITIONS, fx.CLAIMS)
    root = tmp_path_factory.mktemp("lake")
    write_lake(root, spells, conditions, claims, {"P1": ("0828", "capitation"), "P2": ("0828", None)})
    return root, spells, conditions, claims


def test_engine_aggregate_equals_the_pure_aggregate_on_the_hand_fixture(fixture_lake):
    root, spells, conditions, claims = fixture_lake
    params = month_parameters(fx.PERIOD)
    pure = aggregate_practice_month(
        "P1", fx.PERIOD, spells, conditions, claims, params.schedules, params.ceilings, params.capitation,
        params.quality,
    )  # fmt: skip
    engine = FinanceLake(root).practice_months([fx.PERIOD], ["P1"])[("P1", fx.PERIOD)]
    assert engine == pure


def test_engine_settlement_matches_the_hand_computed_figures(fixture_lake):
    root = fixture_lake[0]
    rate = CapitationRate(rate_per_year=Decimal(1000), divisor=Decimal(1), budget_neutral=False)
    lake = FinanceLake(root)
    [settled] = lake.settle([fx.PERIOD], ["P1"], rate=rate)
    assert {k: str(v) for k, v in settled.fee.components.items()} == fx.EXPECTED_FEE
    assert {k: str(v) for k, v in settled.capitation.components.items()} == fx.EXPECTED_CAPITATION
    assert settled.own_model == "capitation" and settled.shadow is settled.fee


def test_budget_neutral_rate_needs_the_reference_year_in_the_lake(fixture_lake):
    lake = FinanceLake(fixture_lake[0])
    with pytest.raises(LakeError, match="reference year 2017"):
        lake.settle([fx.PERIOD], ["P1"])


def test_unknown_practice_is_refused_by_name(fixture_lake):
    with pytest.raises(LakeError, match="999"):
        FinanceLake(fixture_lake[0]).practice_ids(["999"])


def test_cli_settle_prints_both_models_and_refuses_bad_input(fixture_lake, tmp_path, capsys, monkeypatch):
    import pyarrow.parquet as pq

    from pht.cli import main
    from pht.rules.financing import CapitationRate as Rate

    # the fixture lake has no reference year: settle with a fixed rate, as in the hand computation
    monkeypatch.setattr(
        "pht.engine.finance.FinanceLake.capitation_rate",
        lambda self, params: Rate(Decimal(1000), Decimal(1), False),
    )
    out = tmp_path / "rows.parquet"
    code = main(["finance", "settle", "--lake", str(fixture_lake[0]), "--period", "2018-05", "--practices", "P1",
                 "--format", "csv", "--out", str(out)])  # fmt: skip
    assert code == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == (
        "practice_orgnr,kommunenummer,period,model,own_model,base_grant,fee_reimbursement,nurse_reimbursement,"
        "capitation,quality_grant,copayments,total"
    )
    assert lines[1] == "P1,0828,2018-05,fee,false,171.37,616.00,150.00,0.00,0.00,708.00,1645.37"
    assert lines[2] == "P1,0828,2018-05,capitation,true,0.00,0.00,0.00,495.78,1.83,708.00,1205.61"
    assert pq.read_table(out).num_rows == 2
    assert (
        main(
            ["finance", "settle", "--lake", str(fixture_lake[0]), "--period", "2018-05", "--practices", "999"]
        )
        == 2
    )
    assert "999" in capsys.readouterr().err
    assert main(["finance", "settle", "--lake", str(fixture_lake[0]), "--period", "2018-5"]) == 2
    assert "YYYY-MM" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sex", "U", "resident 3 has sex U, not F or M"),
        ("municipality", "08x8", "resident 3 has kommunenummer 08x8"),
    ],
)
def test_a_resident_with_a_malformed_cell_field_is_refused_naming_it(tmp_path, field, value, message):
    spells, conditions, claims = _renumber(fx.SPELLS, fx.CONDITIONS, fx.CLAIMS)
    spells = [replace(s, **{field: value}) if s.resident_id == "3" else s for s in spells]
    write_lake(tmp_path, spells, conditions, claims, {"P1": ("0828", "capitation"), "P2": ("0828", None)})
    rate = CapitationRate(rate_per_year=Decimal(1000), divisor=Decimal(1), budget_neutral=False)
    with pytest.raises(LakeError, match=message):
        FinanceLake(tmp_path).settle([fx.PERIOD], ["P1"], rate=rate)


def test_a_claim_with_a_code_outside_the_fee_schedule_is_refused_naming_the_claim(tmp_path):
    """As the pure rules do: a claim is never left out of a settlement unnoticed."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    spells, conditions, claims = _renumber(fx.SPELLS, fx.CONDITIONS, fx.CLAIMS)
    write_lake(tmp_path, spells, conditions, claims, {"P1": ("0828", "capitation"), "P2": ("0828", None)})
    first = claims[0].claim_id
    for path in (tmp_path / "claims").rglob("*.parquet"):  # the lake's writer prices claims: alter after
        table = pq.read_table(path)
        column = table.schema.get_field_index("tariff_code")
        codes = pc.if_else(
            pc.equal(table.column("claim_id"), first), "XX9", table.column("tariff_code").cast("string")
        )
        table = table.set_column(
            column, table.schema.field(column), codes.cast(table.schema.field(column).type)
        )
        pq.write_table(table, path)
    rate = CapitationRate(rate_per_year=Decimal(1000), divisor=Decimal(1), budget_neutral=False)
    expected = f"claim {first} .*tariff_code 'XX9', which is not in the fee schedule in force on"
    with pytest.raises(LakeError, match=expected):
        FinanceLake(tmp_path).settle([fx.PERIOD], ["P1"], rate=rate)
    with pytest.raises(LakeError, match=expected):
        FinanceLake(tmp_path).settlement_table([fx.PERIOD], rate=rate)
