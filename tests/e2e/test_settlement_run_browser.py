"""A finance officer runs a month's settlement in a real browser, follows its progress, opens a capitation
practice's statement, re-runs the month and sees the new version beside the old."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from pht.apps.accounts.models import Organisation, OrganisationKind, Role

MUNICIPALITIES = ("0828", "1244")  # Austevoll's pilot practice is on the capitation model
CAPITATION_PRACTICE = "112440011"
PERIOD = "2018-05"


@pytest.fixture(scope="module")
def run_lake(pilot_lake):  # type: ignore[no-untyped-def]
    return pilot_lake(*MUNICIPALITIES)


def _run_month(page, live_server) -> str:  # type: ignore[no-untyped-def]
    """Start a month's run from the runs page; the job id. The job waits for a worker (none here)."""
    page.goto(f"{live_server.url}/finance/runs/")
    form = page.get_by_test_id("run-form")
    form.get_by_label("Gjør opp").select_option("year")
    expect(form.get_by_label("Måned", exact=True)).to_be_hidden()  # a year's run has no month to choose
    form.get_by_label("Gjør opp").select_option("month")
    form.get_by_label("Måned", exact=True).select_option(label="mai")  # the month by its name
    form.get_by_label("År", exact=True).fill(PERIOD[:4])
    form.get_by_role("button", name="Start oppgjørskjøringen").click()
    page.wait_for_url(re.compile(r".*/finance/runs/\?job=\d+"))
    return page.url.rsplit("=", 1)[1]


def test_officer_runs_a_settlement_and_sees_versions_side_by_side(
    run_lake, settings, make_user, page, login, live_server, transactional_db
):
    from pht.apps.jobs.actions import run_pending_jobs
    from pht.apps.registry.loading import load_demo_registry, load_municipalities

    settings.PHT_FINANCE_LAKE = run_lake
    load_municipalities(2017)
    load_demo_registry(seed=2017, only=MUNICIPALITIES)
    directorate = Organisation.objects.create(kind=OrganisationKind.DIRECTORATE, name="Helsedirektoratet")
    make_user("okonomi_e2e", roles=[Role.FINANCE_OFFICER], organisation=directorate)

    login(page, "okonomi_e2e")
    page.get_by_role("link", name="Oppgjør").first.click()
    page.get_by_role("link", name="Oppgjørskjøringer").click()
    job_id = _run_month(page, live_server)

    assert page.get_by_test_id("new-run").get_by_role("cell").nth(1).inner_text() == "mai 2018"
    progress = page.locator(f"#job-{job_id}")
    assert progress.get_attribute("data-job-status") == "queued"
    assert progress.locator("progress").count() == 1
    assert "I kø" in progress.inner_text()
    run_pending_jobs()  # the worker's part, in this process
    # The fragment polls itself (htmx, every 2 s) and shows the finished job without a reload.
    page.wait_for_selector(f'#job-{job_id}[data-job-status="done"]', timeout=10_000)
    done = page.locator(f"#job-{job_id}")
    assert "Ferdig" in done.inner_text() and "100 %" in done.inner_text()
    assert done.locator("progress").get_attribute("value") == "100"
    assert done.get_by_role("button", name="Avbryt jobben").count() == 0

    page.get_by_test_id("new-run").get_by_role("link", name="Månedens oppgjør – mai 2018").click()
    expect(page.get_by_label("Måned", exact=True)).to_have_value(PERIOD)  # «mai 2018» shown, the period sent
    table = page.get_by_test_id("statement-table")
    table.locator("tr", has_text=CAPITATION_PRACTICE).get_by_role(
        "link", name="Driftstilskuddsmodell"
    ).click()
    page.wait_for_url(re.compile(rf".*/finance/statements/{CAPITATION_PRACTICE}/{PERIOD}/capitation/"))
    assert "Versjon 1" in page.get_by_test_id("versions").inner_text()
    assert page.get_by_test_id("version-diff").count() == 0
    first_total = page.get_by_test_id("statement-total").get_attribute("data-value")

    second = _run_month(page, live_server)
    assert second != job_id
    run_pending_jobs()
    page.wait_for_selector(f'#job-{second}[data-job-status="done"]', timeout=10_000)

    page.goto(f"{live_server.url}/finance/statements/{CAPITATION_PRACTICE}/{PERIOD}/capitation/")
    versions = page.get_by_test_id("version-table")
    assert versions.locator("tbody tr").count() == 2
    assert "erstattet" in versions.inner_text() and "gjeldende" in versions.inner_text()
    diff = page.get_by_test_id("version-diff")
    headers = diff.locator("thead th").all_inner_texts()
    assert headers[1:3] == ["Versjon 1 (kr)", "Versjon 2 (kr)"]
    total_row = diff.locator("tbody tr").last
    assert total_row.locator("[data-before]").get_attribute("data-before") == first_total
    assert total_row.locator("[data-after]").get_attribute("data-after") == first_total
    # The old version is still there to read.
    versions.get_by_role("link", name="1").click()
    page.wait_for_url(re.compile(r".*\?version=1"))
    assert page.get_by_test_id("superseded-notice").is_visible()
