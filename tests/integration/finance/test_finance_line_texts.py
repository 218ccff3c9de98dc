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


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["fee", "capitation"])
def test_statement_lines_show_tariff_codes_and_no_internal_keys(statement_page: Any, model: str) -> None:
    """The «Kode» column holds what a reader looks up (2ad, PHT1); the other lines' codes are internal
    keys (``copayment_patient``, ``basistilskudd``, ``F:45-66:m2:0828``): kept as ``data-code``, not shown."""
    import re

    page = statement_page(model)
    shown = set(re.findall(r"<td><code>([^<]*)</code></td>", page))
    assert shown or model == "capitation", "the fee model's tariff lines keep their codes"
    assert all(re.fullmatch(r"\d+[a-z]+|PHT\d", code) for code in shown), shown
    kept = set(re.findall(r'data-testid="statement-line" data-code="([^"]*)"', page))
    assert "copayment_patient" in kept and kept > shown


@pytest.mark.django_db
def test_the_statement_groups_its_residents_and_resident_days(statement_page: Any, orgnr: str) -> None:
    """«1 843 listeinnbyggere, 56 717 listeinnbyggerdager», not «56717», as every other number on the page."""
    from pht.apps.accounts.templatetags.pht_format import format_number
    from pht.apps.finance.models import Statement

    Statement.objects.filter(practice__orgnr=orgnr, period=str(PERIOD)).update(
        residents=1843, resident_days=56717
    )
    statement = Statement.objects.get(practice__orgnr=orgnr, period=str(PERIOD), model="fee")
    page = statement_page("fee")
    with translation.override("nb"):
        days = format_number(Decimal(statement.resident_days), 0)
        residents = format_number(Decimal(statement.residents), 0)
    assert f"{residents} listeinnbyggere, {days} listeinnbyggerdager." in page
    english = statement_page("fee", "en")
    assert f"{statement.resident_days:,} resident-days." in english
