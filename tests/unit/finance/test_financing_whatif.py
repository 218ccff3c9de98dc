"""The what-if year: twelve monthly settlements from a list composition and activity."""

from __future__ import annotations

from decimal import Decimal

from pht.engine.finance_params import what_if_parameters
from pht.rules.financing import CapitationRate
from pht.rules.financing.whatif import WhatIf, _spread, what_if_year


def test_a_year_of_base_grant_reimbursements_and_capitation():
    base, schedules, params = what_if_parameters(2018)
    scenario = WhatIf(
        residents={("F", "16-44"): 600, ("M", "16-44"): 400},
        activity={"2ad": 1000, "PHT1": 365},
        quality_attainment=Decimal(1),
    )
    raw = {sex: params.capitation.age_sex_weights[(sex, "16-44")] for sex in "FM"}
    mean = (raw["F"] * 600 + raw["M"] * 400) / 1000  # normalise on this list: mean weight 1.0
    rate = CapitationRate(Decimal(900), mean, False)
    result = what_if_year(scenario, 2018, base, schedules, params.capitation, rate, params.quality)
    # base grant: NOK 450 per resident per year (2017/18 default), rounded per month
    assert abs(result.fee["base_grant"] - Decimal(450_000)) <= Decimal("0.06")
    assert result.fee["fee_reimbursement"] == 1000 * Decimal(154)
    assert result.fee["nurse_reimbursement"] == 365 * Decimal(150)
    assert abs(result.capitation["capitation"] - Decimal(900_000)) <= Decimal("0.12")
    # full attainment: every indicator's points; 100 points x 800 per 1,000 residents a year
    assert abs(result.capitation["quality_grant"] - Decimal(80_000)) <= Decimal("0.06")
    assert (
        result.fee["copayments"]
        == result.capitation["copayments"]
        == 1000 * Decimal(152) + 365 * Decimal(100)
    )
    assert result.difference == result.capitation["total"] - result.fee["total"]


def test_monthly_spread_adds_up_to_the_year():
    for yearly in (0, 1, 11, 365, 1001):
        months = _spread(yearly, 2018)
        assert sum(months) == yearly and len(months) == 12 and min(months) >= 0
