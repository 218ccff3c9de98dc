"""The pure financing rules against a hand-computed month (see finance_fixtures.py), and their edge cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import finance_fixtures as fx
import pytest

from pht.engine.finance_params import month_parameters
from pht.rules.financing import (
    CapitationRate,
    Period,
    QualityIndicator,
    aggregate_practice_month,
    indicator_points,
    settle_capitation_model,
    settle_fee_model,
)


@pytest.fixture(scope="module")
def params():
    return month_parameters(fx.PERIOD)


@pytest.fixture(scope="module")
def month(params):
    return aggregate_practice_month(
        fx.PRACTICE,
        fx.PERIOD,
        fx.SPELLS,
        fx.CONDITIONS,
        fx.CLAIMS,
        params.schedules,
        params.ceilings,
        params.capitation,
        params.quality,
    )


def _as_str(components):
    return {k: str(v) for k, v in components.items()}


def test_aggregate_counts_resident_days_including_the_mid_month_joiner(month):
    assert month.resident_days == 139
    assert month.residents == 5
    d_cell = [c for c in month.cells if c.sex == "F" and c.age_band == "16-44"]
    assert [(c.resident_days, c.residents) for c in d_cell] == [(15, 1)]


def test_copayment_ceiling_split_and_exempt_child(month):
    assert month.copayment_patient == Decimal("382")
    assert month.copayment_state == Decimal("174")
    codes = {c.code: (c.claims, c.exempt_claims) for c in month.codes}
    assert codes == {"2ad": (4, 1), "PHT1": (1, 0)}  # the out-of-hours claim of X is not P1's


def test_fee_model_matches_hand_computation_to_the_ore(month, params):
    result = settle_fee_model(month, params.base_grant, params.schedule, params.provenance())
    assert _as_str(result.components) == fx.EXPECTED_FEE
    assert sum(line.amount for line in result.lines) == result.total
    exempt = next(line for line in result.lines if line.code == "copayment_exempt")
    assert (exempt.count, exempt.amount) == (
        1,
        Decimal("152.00"),
    )  # the state pays the exempt child's copayment
    base = next(line for line in result.lines if line.component == "base_grant")
    assert (base.count, base.exact.quantize(Decimal("0.000001"))) == (139, Decimal("171.369863"))
    # the default basistilskudd for 2017/18 is labelled as an assumption
    assert "base_grant.rate_per_year" in result.assumptions()


def test_capitation_model_matches_hand_computation_to_the_ore(month, params):
    rate = CapitationRate(rate_per_year=Decimal(1000), divisor=Decimal(1), budget_neutral=False)
    result = settle_capitation_model(month, params.capitation, rate, params.quality, params.schedule)
    assert _as_str(result.components) == fx.EXPECTED_CAPITATION
    cells = {line.code: line.amount for line in result.lines if line.component == "capitation"}
    assert cells["F:67-79:m2:0828"] == Decimal("182.58")
    assert cells["F:67-79:m1:0828"] == Decimal("161.51")
    a_line = next(line for line in result.lines if line.code == "F:67-79:m2:0828")
    assert a_line.details["socio_economic_factor"] == "1.06"  # Seljord: under 5,000 residents
    assert result.explanation[0].inputs["socio_economic_factors"] == {"0828": "1.06"}
    assert a_line.details["age_sex_weight"] == "1.5600"
    assert a_line.details["morbidity_factor"] == "1.30"
    dm = next(line for line in result.lines if line.code == "diabetes_yearly_check")
    assert (dm.details["numerator"], dm.details["denominator"], dm.details["points"]) == (1, 2, "6.00")
    assert dm.amount == Decimal("1.83")


def test_quality_points_below_between_and_above_thresholds():
    indicator = QualityIndicator(
        id="q",
        title="q",
        denominator_conditions=frozenset({"T90"}),
        numerator_diagnoses=frozenset(),
        numerator_codes=frozenset(),
        window_days=365,
        lower=Decimal("0.40"),
        upper=Decimal("0.90"),
        max_points=30,
    )
    assert indicator_points(indicator, 4, 10)[0] == Decimal("0.00")
    assert indicator_points(indicator, 2, 3)[0] == Decimal("16.00")  # (0.6667-0.4)/0.5 x 30 = 16.0
    assert indicator_points(indicator, 9, 10)[0] == Decimal("30.00")
    assert indicator_points(indicator, 0, 0) == (Decimal("0.00"), "no patients in the denominator: no points")


def test_a_claim_with_an_unknown_tariff_code_is_refused_naming_the_code(params):
    from pht.rules.financing import ClaimRecord

    claims = (ClaimRecord(1, "A", "P1", dt.date(2018, 5, 3), "XX9", "T90"),)
    with pytest.raises(ValueError, match="XX9"):
        aggregate_practice_month(
            "P1",
            Period(2018, 5),
            fx.SPELLS,
            (),
            claims,
            params.schedules,
            params.ceilings,
            params.capitation,
            params.quality,
        )


def test_period_parse_refuses_malformed_text():
    assert Period.parse("2018-05") == Period(2018, 5)
    for bad in ("2018-5", "201805", "2018-13", "may"):
        with pytest.raises(ValueError, match="YYYY-MM|1-12"):
            Period.parse(bad)


def test_parameter_files_label_their_defaults():
    # 2017/18 basistilskudd is a default; 2016/17 is a fact; 2019 comes from a secondary source
    assert month_parameters(Period(2017, 3)).sets[0].assumptions == {}
    assert "rate_per_year" in month_parameters(Period(2018, 1)).sets[0].assumptions
    assert month_parameters(Period(2019, 8)).base_grant.rate_per_year == Decimal(499)
    assert "Wikipedia" in month_parameters(Period(2019, 8)).sets[0].source


def test_components_are_zero_filled_and_total_their_sum():
    from decimal import Decimal

    from pht.rules.financing import COMPONENTS, components_of

    components = components_of({"capitation": Decimal("10.05"), "copayments": Decimal("2.00")})
    assert list(components) == list(COMPONENTS)
    assert components["base_grant"] == Decimal("0.00") and components["total"] == Decimal("12.05")
    with pytest.raises(ValueError, match="no settlement component 'total'"):
        components_of({"total": Decimal("1.00")})
