"""A finance officer opens the national what-if computed by ``pht nation whatif --out`` in a real browser;
a case officer computes it from the page as a background job and follows its progress."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from pht.apps.accounts.models import Role


@pytest.fixture(scope="module")
def nation_lake(pilot_lake):  # type: ignore[no-untyped-def]
    return pilot_lake("0828")  # Seljord, 2017-2018, seed 2017


@pytest.fixture(scope="module")
def whatif_file(tmp_path_factory, nation_lake):
    from pht.cli import main

    lake = nation_lake
    out = tmp_path_factory.mktemp("nation_e2e_var") / "nation_whatif.json"
    assert main(["nation", "whatif", "--lake", str(lake), "--out", str(out)]) == 0
    return out


def test_finance_officer_reads_the_national_what_if(
    whatif_file, orgs, make_user, page, login, live_server, settings
):  # type: ignore[no-untyped-def]
    import json

    settings.VAR_DIR = whatif_file.parent
    result = json.loads(whatif_file.read_text())
    make_user("okonomi", roles=[Role.FINANCE_OFFICER], organisation=orgs["directorate"])
    login(page, "okonomi")
    page.goto(f"{live_server.url}/finance/")
    page.get_by_role("link", name="Nasjonal hva-om").click()
    page.wait_for_url(re.compile(r".*/finance/nation/"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Nasjonal hva-om")
    totals = page.get_by_test_id("nation-totals")
    # the capitation model's income, whole kroner with a Norwegian thousands separator
    income = Decimal(result["totals"]["capitation"]["income"]).quantize(Decimal(1))
    shown = f"{income:,}".replace(",", "\xa0")
    assert shown in totals.inner_text().replace(" ", "\xa0")
    assert totals.get_by_role("columnheader").count() == 8
    assert "Telemark" in page.get_by_test_id("nation-counties").inner_text()
    assert page.get_by_test_id("nation-no-evaluation").is_visible()
    page.get_by_label("Språk").select_option("en")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert page.get_by_role("heading", level=1).inner_text().startswith("National what-if")


def test_directorate_computes_the_what_if_from_the_page_and_follows_its_progress(
    nation_lake, orgs, make_user, page, login, live_server, settings, tmp_path, transactional_db
):  # type: ignore[no-untyped-def]
    from pht.apps.jobs.actions import run_pending_jobs

    settings.VAR_DIR = tmp_path
    settings.PHT_NATION_LAKE = nation_lake
    make_user("saksbehandler", roles=[Role.CASE_OFFICER], organisation=orgs["directorate"])
    login(page, "saksbehandler")
    page.goto(f"{live_server.url}/finance/nation/")
    assert page.get_by_test_id("nation-none").is_visible()  # nothing computed yet
    assert page.get_by_label("År").input_value() == "2018"  # the lake's latest year
    page.get_by_role("button", name="Beregn nasjonal hva-om").click()
    page.wait_for_url(re.compile(r".*/finance/nation/\?job=\d+"))
    job_id = page.url.rsplit("=", 1)[1]
    progress = page.locator(f"#job-{job_id}")
    assert progress.get_attribute("data-job-status") == "queued" and "I kø" in progress.inner_text()
    assert page.get_by_role("button", name="Beregn nasjonal hva-om").count() == 0
    assert progress.get_attribute("data-reload-when-done") is not None  # the page asks for its reload
    assert "Siden viser det nye resultatet av seg selv" in page.get_by_test_id("nation-run").inner_text()
    page.evaluate("window.phtBeforeReload = true")  # gone once the page has reloaded
    run_pending_jobs()  # the worker's part, in this process
    # the fragment polls itself (htmx, every 2 s); when it brings the job as done, the page reloads
    # itself into the result, without the user reloading
    page.get_by_test_id("nation-counties").wait_for(timeout=15_000)
    assert page.evaluate("window.phtBeforeReload === undefined")
    assert page.url.endswith(f"?job={job_id}")
    assert "Telemark" in page.get_by_test_id("nation-counties").inner_text()
    assert page.get_by_test_id("nation-totals").get_by_role("columnheader").count() == 8
    done = page.locator(f"#job-{job_id}")
    assert done.get_attribute("data-job-status") == "done" and "100 %" in done.inner_text()
    # the status is said again in the live region after the reload, and no focus was moved
    assert done.get_attribute("role") == "status"
    announced = done.get_by_test_id("job-reloaded")
    announced.wait_for(state="attached", timeout=5_000)
    assert announced.text_content() == f"Jobb {job_id}: Ferdig"
    assert page.evaluate("document.activeElement === document.body")
    # a page opened on the done job stays as it is (no reload loop): it does not poll any more
    assert done.get_attribute("hx-get") is None
