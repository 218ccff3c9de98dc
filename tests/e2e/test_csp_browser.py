"""The Content-Security-Policy in a real browser: the pages, htmx and Swagger UI work under it, and the
browser reports no violation (a violated policy is logged to the console)."""

import pytest

from pht.apps.accounts.models import Role

pytestmark = pytest.mark.django_db(transaction=True)


def test_pages_htmx_and_api_docs_run_under_the_csp(page, live_server, login, make_user, orgs):
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    make_user("saksbehandler", roles=[Role.CASE_OFFICER], organisation=orgs["directorate"])
    login(page, "saksbehandler")
    assert "script-src 'self'" in page.request.get(live_server.url + "/").headers["content-security-policy"]
    # htmx: typing in the search field filters without a page load.
    page.goto(f"{live_server.url}/registry/municipalities/")
    page.locator("#id_q").press_sequentially("Seljord")
    page.wait_for_function("() => location.search.includes('q=Seljord')")
    page.get_by_role("link", name="Seljord").wait_for()
    assert page.get_by_role("link", name="Flora").count() == 0
    # The language menu submits itself through pht.js (no inline handler).
    page.get_by_label("Språk").select_option("en")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    # Swagger UI renders from the package's assets.
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    page.goto(f"{live_server.url}/finance/comparison/")
    assert violations == []
