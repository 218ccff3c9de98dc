"""A finance officer opens the own-model-vs-shadow comparison in a real browser, follows a practice
and sees its charts (with their tables) and why it gains or loses."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from pht.apps.accounts.models import Role

pytestmark = pytest.mark.django_db(transaction=True)


def _statement(practice, period, model, own, residents, **amounts):  # type: ignore[no-untyped-def]
    from pht.apps.finance.models import Statement

    values = {k: Decimal(v) for k, v in amounts.items()}
    return Statement.objects.create(practice=practice, period=period, model=model, own_model=own,
                                    residents=residents, total=sum(values.values(), Decimal(0)), **values)  # fmt: skip


def test_finance_officer_follows_a_practice_from_the_ranking_to_its_charts(
    orgs, make_user, page, login, live_server
):  # type: ignore[no-untyped-def]
    a, b = orgs["practice_a"].practice, orgs["practice_b"].practice
    for month in range(1, 13):
        period = f"2018-{month:02d}"
        # A, paid by the fee model, would get 10 000 more a month under capitation; B 5 000 less
        _statement(a, period, "fee", True, 1500, base_grant="40000", fee_reimbursement="60000")
        _statement(a, period, "capitation", False, 1500, capitation="105000", quality_grant="5000")
        _statement(b, period, "capitation", True, 900, capitation="70000", quality_grant="3000")
        _statement(b, period, "fee", False, 900, base_grant="28000", fee_reimbursement="40000")
    make_user("okonomi_e2e", roles=[Role.FINANCE_OFFICER], organisation=orgs["directorate"])

    login(page, "okonomi_e2e")
    page.goto(f"{live_server.url}/finance/")
    page.get_by_role("link", name="Egen modell mot skyggeoppgjør").click()
    page.wait_for_url(re.compile(r".*/finance/comparison/$"))
    rank = page.get_by_test_id("chart-rank").locator("svg[role=img]")
    assert rank.locator("title").text_content() == "Forskjell per legekontor, skygge − egen"
    assert page.get_by_test_id("aggregate-difference").inner_text() == "+60\u00a0000,00\u00a0kr"
    assert b.name in page.get_by_test_id("losers").inner_text()

    page.get_by_test_id("winners").get_by_role("link", name=a.name).click()
    page.wait_for_url(re.compile(rf".*/finance/comparison/{a.orgnr}/\?year=2018$"))
    assert page.get_by_test_id("difference").inner_text().startswith("+120\u00a0000,00\u00a0kr")
    months = page.get_by_test_id("chart-months").locator("svg[role=img]")
    assert months.is_visible()
    assert months.locator("desc").text_content().startswith("Inntekt per måned")
    assert months.locator("pattern").count() == 1  # the shadow's bars are hatched
    assert page.get_by_test_id("month-table").locator("tbody tr").count() == 12
    assert page.get_by_test_id("chart-components").locator("svg[role=img]").is_visible()
    assert "Listeinnbyggertilskudd" in page.get_by_test_id("main-component").inner_text()
