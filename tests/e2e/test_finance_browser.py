"""A practice user opens the month's statements in a real browser and drills down to the lines."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from pht.apps.accounts.models import Role
from pht.rules.financing import Period


@pytest.fixture(scope="module")
def finance_lake(pilot_lake):  # type: ignore[no-untyped-def]
    return pilot_lake("0828")


def test_practice_user_drills_down_from_statements_to_lines(
    finance_lake, orgs, make_user, page, login, live_server
):
    from pht.apps.finance.actions import store_settlements
    from pht.engine.finance import FinanceLake

    practice = orgs["practice_a"].practice
    lake = FinanceLake(finance_lake)
    settled = lake.settle([Period(2018, 5)], lake.practice_ids([practice.orgnr]))
    store_settlements(None, settled, source="e2e")
    make_user("fastlege_a", roles=[Role.GP], organisation=orgs["practice_a"])

    login(page, "fastlege_a")
    page.get_by_role("link", name="Oppgjør").first.click()
    page.wait_for_url(re.compile(r".*/finance/.*"))
    table = page.get_by_test_id("statement-table")
    assert practice.orgnr in table.inner_text()
    table.get_by_role("link", name="Honorarmodell").click()
    page.wait_for_url(re.compile(rf".*/finance/statements/{practice.orgnr}/2018-05/fee/"))
    amounts = [
        Decimal(a)
        for a in page.locator("[data-amount]").evaluate_all("els => els.map(e => e.dataset.amount)")
    ]
    total = Decimal(page.get_by_test_id("statement-total").get_attribute("data-value"))
    assert sum(amounts) == total == settled[0].fee.total
    assert page.get_by_test_id("assumptions").locator("li").count() > 0
    # Why the statement adds up, in bokmål like the rest of the page (the browser asks for nb-NO).
    why = page.get_by_test_id("explanation").inner_text()
    assert (
        why.startswith("basistilskudd for ") and "listeinnbyggerdager" in why and "resident-days" not in why
    )


PHONE = {"width": 390, "height": 844}


def test_statement_pages_fit_a_phone_and_their_tables_scroll_in_their_own_box_without_javascript(
    finance_lake, orgs, make_user, browser, login, live_server
):
    """At 390 px the statement tables are wider than the screen: each scrolls inside its labelled region,
    never the page, and the region is the template's own (no script needed to make it)."""
    from pht.apps.finance.actions import store_settlements
    from pht.engine.finance import FinanceLake

    practice = orgs["practice_a"].practice
    lake = FinanceLake(finance_lake)
    store_settlements(None, lake.settle([Period(2018, 5)], lake.practice_ids([practice.orgnr])), source="e2e")
    make_user("fastlege_mobil", roles=[Role.GP], organisation=orgs["practice_a"])
    context = browser.new_context(locale="nb-NO", viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        login(page, "fastlege_mobil")
        for path, testid in (
            ("/finance/", "statement-table"),
            (f"/finance/statements/{practice.orgnr}/2018-05/fee/", "version-table"),
        ):
            page.goto(f"{live_server.url}{path}")
            assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"], path
            table = page.get_by_test_id(testid)
            region = page.locator(".pht-scroll", has=table)
            assert region.get_attribute("role") == "region" and region.get_attribute("tabindex") == "0"
            assert region.bounding_box()["width"] <= PHONE["width"]
            if testid == "statement-table":
                # wider than the screen, so it does scroll (in its box)
                assert table.bounding_box()["width"] > region.bounding_box()["width"]
                assert page.get_by_role("region", name="Oppgjør for måneden mai 2018").count() == 1
                assert page.get_by_label("Måned").locator("option:checked").inner_text() == "mai 2018"
    finally:
        context.close()
