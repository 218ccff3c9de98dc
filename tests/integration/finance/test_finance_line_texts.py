"""A statement line's description writes its numbers as the page's language does."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from pht.rules.financing import CapitationRate, Period, aggregate_practice_month, settle_capitation_model

PERIOD = Period(2018, 5)


@pytest.mark.django_db
def test_the_nurse_allowance_line_groups_its_cost_per_fte(orgnr: str, records: Any) -> None:
    """«x 700 000 kr per år» in bokmål and «NOK 700,000» in English, as the line's details already show it,
    not «700000»: the rule passed the cost as the text of a Decimal, which no language groups."""
    from pht.apps.finance.reasons import CATALOGUE
    from pht.engine.finance_params import month_parameters, nurse_funding

    params = month_parameters(PERIOD)
    month = aggregate_practice_month(
        orgnr, PERIOD, *records, params.schedules, params.ceilings, params.capitation, params.quality
    )
    nurse = nurse_funding(PERIOD.start)
    assert nurse.cost_per_fte == Decimal("700000")
    settlement = settle_capitation_model(
        month,
        params.capitation,
        CapitationRate(params.capitation.rate_per_year, Decimal(1), False),
        params.quality,
        params.schedule,
        nurse=nurse,
        gp_lists=2,
    )
    line = next(line for line in settlement.lines if line.code == "nurse_allowance")
    with translation.override("nb"):
        shown = CATALOGUE.show(line.message, line.description)
    assert "700\u00a0000 kr per år" in shown or "700 000 kr per år" in shown, shown
    with translation.override("en"):
        assert "NOK 700,000 a year" in CATALOGUE.show(line.message, line.description)
    assert "700,000" in line.description  # the stored English sentence, too
