import re

import pytest

from pht.apps.accounts.models import Role

pytestmark = pytest.mark.django_db(transaction=True)


def test_case_officer_filters_municipalities_to_small(page, live_server, login, make_user, orgs):
    make_user("saksbehandler", roles=[Role.CASE_OFFICER], organisation=orgs["directorate"])
    login(page, "saksbehandler")
    page.get_by_role("link", name="Kommuner").first.click()
    page.wait_for_url(re.compile(r".*/registry/municipalities/"))
    assert page.get_by_test_id("total").inner_text() == "426"
    page.get_by_label("Størrelsesklasse", exact=True).select_option("small")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r".*size_class=small.*"))
    assert page.get_by_test_id("total").inner_text() == "225"
    rows = page.get_by_test_id("municipality-table").locator("tbody tr")
    assert rows.count() == 225
    assert page.get_by_role("link", name="Seljord").count() == 1
    assert page.get_by_role("link", name="Rana").count() == 0
    assert page.locator("html").get_attribute("lang") == "nb"
    # The size class and its reason read in bokmål like the rest of the page.
    page.get_by_role("link", name="Seljord").click()
    page.wait_for_url(re.compile(r".*/registry/municipalities/0828/$"))
    reason = page.get_by_test_id("size-class-reason").inner_text()
    assert reason == "innbyggertall 2\xa0979 er under 5\xa0000", reason
    assert page.get_by_role("cell", name="liten", exact=True).count() == 1
    # The layout's stylesheets are served (Designsystemet and our own).
    for sheet in page.locator("link[rel=stylesheet]").all():
        assert page.request.get(live_server.url + sheet.get_attribute("href")).status == 200


def test_practice_user_cannot_open_another_practice(page, live_server, login, make_user, orgs):
    make_user("fastlege_a", roles=[Role.GP], organisation=orgs["practice_a"])
    own, other = orgs["practice_a"].practice, orgs["practice_b"].practice
    login(page, "fastlege_a")
    page.goto(f"{live_server.url}/registry/practices/{own.orgnr}/")
    assert page.get_by_role("heading", level=1).inner_text() == own.name
    response = page.goto(f"{live_server.url}/registry/practices/{other.orgnr}/")
    assert response.status == 404
    api = page.request.get(f"{live_server.url}/api/practices/{other.orgnr}")
    assert api.status == 404
