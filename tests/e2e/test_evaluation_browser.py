"""An evaluator in a real browser: creates a plan, fits it to the extract, sees the MDE, locks it,
starts a run, watches its progress and opens its results; a Directorate user reads but cannot create."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from django.db import connection

from pht.apps.accounts.models import Role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pht.synth.lake import run, select_municipalities
    from pht.synth.pilot import DEFAULT_EFFECTS, default_pilot

    out = tmp_path_factory.mktemp("evaluation_browser") / "lake"
    run(out, select_municipalities(["0828", "1119"], None), seed=11, first_year=2016, last_year=2019,
        pilot=default_pilot(11, DEFAULT_EFFECTS), jobs=1, progress=False)  # fmt: skip
    return out


def _work_in_background() -> threading.Thread:
    """A worker: runs the queued jobs in another thread while the page polls."""

    def work() -> None:
        from pht.apps.jobs.actions import run_pending_jobs

        try:
            run_pending_jobs()
        finally:
            connection.close()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def test_evaluator_plans_locks_runs_and_reads_results(
    page, live_server, login, make_user, orgs, lake, tmp_path
):  # type: ignore[no-untyped-def]
    from pht.apps.evaluation.actions import record_extract
    from pht.apps.evaluation.models import AnalysisPlan, Run

    make_user("eva", roles=[Role.EVALUATOR], organisation=orgs["evaluation"])
    make_user("saksbehandler1", roles=[Role.CASE_OFFICER], organisation=orgs["directorate"])
    extract = record_extract(None, lake, tmp_path / "extract", "evaluation of the pilot (browser test)")

    login(page, "eva")
    page.goto(f"{live_server.url}/evaluation/")
    page.locator("input[name=name]").fill("pilot")
    page.locator("form[action$='/plans/new/'] button[type=submit]").click()
    plan = AnalysisPlan.objects.get(name="pilot")
    page.wait_for_url(f"{live_server.url}/evaluation/plans/{plan.pk}/")

    form = page.get_by_test_id("plan-form")
    study_end = form.locator("input[name=study_end]")
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}", study_end.input_value())  # the plan's date, in bokmål
    study_end.fill("31.12.2019")
    form.locator("input[name=neighbours]").fill("2")
    form.locator("input[name=min_control_practices]").fill("2")
    form.locator("input[name=bootstrap_draws]").fill("199")
    form.locator("input[name=randomisation_permutations]").fill("0")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/evaluation/plans/{plan.pk}/")
    plan.refresh_from_db()
    assert plan.document["design"]["study_end"] == "2019-12-31"

    page.locator("form[action$='/power/'] button[type=submit]").click()
    worker = _work_in_background()
    page.locator('[data-testid="job-progress"][data-job-status="done"]').wait_for(timeout=120_000)
    worker.join(timeout=60)
    page.reload()
    values = [v.strip() for v in page.get_by_test_id("mde-value").all_inner_texts()]
    assert any(v.replace(",", "").replace(".", "").isdigit() for v in values), values

    page.locator("form[action$='/lock/'] button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/evaluation/plans/{plan.pk}/")
    plan.refresh_from_db()
    assert plan.status == "locked"
    assert page.get_by_test_id("plan-hash").inner_text() == plan.plan_hash
    assert page.get_by_test_id("plan-form").count() == 0

    page.locator("form[action$='/run/'] button[type=submit]").click()
    run = Run.objects.get(plan=plan)
    page.wait_for_url(f"{live_server.url}/evaluation/runs/{run.pk}/")
    progress = page.get_by_test_id("job-progress")
    assert progress.get_attribute("data-job-status") == "queued"
    worker = _work_in_background()
    seen = set()
    done = page.locator('[data-testid="job-progress"][data-job-status="done"]')
    for _ in range(240):
        if done.count():
            break
        seen.add(progress.first.get_attribute("data-job-status"))
        page.wait_for_timeout(500)
    done.wait_for(timeout=60_000)
    worker.join(timeout=60)
    # The page watched the job unfinished and then saw it done, without a reload (a fast run on a quiet
    # machine can pass from 0 % to done between two polls, so the percentage itself may not be seen).
    assert seen & {"queued", "running"}, seen
    assert done.first.get_by_test_id("job-percent").inner_text().startswith("100")

    # The page shows the results by itself once done (a long page of charts: wait until it is there).
    estimates = page.get_by_test_id("estimates")
    estimates.wait_for(timeout=30_000)
    assert estimates.locator("tbody tr").count() == len(Run.objects.get(pk=run.pk).result["estimates"])
    assert page.get_by_test_id("run-plan-hash").inner_text() == plan.plan_hash
    assert page.get_by_test_id("run-snapshot-hash").inner_text() == extract.snapshot_hash
    # The event-study chart of an outcome: an SVG with its text alternative and its data table.
    figure = page.locator("figure.pht-chart:has(title[id^='event-'])").first
    assert figure.locator("svg[role=img] title").text_content().strip()
    figure.locator("summary").click()
    assert figure.locator("table tbody tr").count() > 0
    # The PDF report downloads (WeasyPrint renders it while the link's click waits: allow for a busy machine).
    with page.expect_download(timeout=120_000) as download:
        page.get_by_test_id("report-pdf").click(timeout=120_000)
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000

    # The Directorate reads the results but may not create a plan.
    page.context.clear_cookies()
    login(page, "saksbehandler1")
    page.goto(f"{live_server.url}/evaluation/runs/{run.pk}/")
    assert page.get_by_test_id("estimates").locator("tbody tr").count() > 0
    page.goto(f"{live_server.url}/evaluation/")
    assert page.locator("form[action$='/plans/new/']").count() == 0

    # Practice staff and municipal users are refused clearly, on the list and on the run.
    make_user("nurse_eva", roles=[Role.NURSE], organisation=orgs["practice_a"])
    make_user("lead_eva", roles=[Role.PROJECT_LEAD], organisation=orgs["seljord"])
    for username in ("nurse_eva", "lead_eva"):
        page.context.clear_cookies()
        login(page, username)
        for path in ("/evaluation/", f"/evaluation/runs/{run.pk}/"):
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status == 403, (username, path)
            assert page.get_by_role("heading", name="Ingen tilgang").is_visible()
            assert page.get_by_test_id("estimates").count() == 0


def test_the_plan_form_fits_a_phone_without_scrolling_sideways(page, live_server, login, make_user, orgs):  # type: ignore[no-untyped-def]
    # The plan form's grid grew its one column to the covariates textarea's width (40 columns): at 390 px
    # every field stuck out and the whole page scrolled sideways.
    from pht.apps.evaluation.actions import create_plan

    evaluator = make_user("eva", roles=[Role.EVALUATOR], organisation=orgs["evaluation"])
    plan = create_plan(evaluator, "phone", "")
    page.set_viewport_size({"width": 390, "height": 800})
    login(page, "eva")
    page.goto(f"{live_server.url}/evaluation/plans/{plan.pk}/")
    assert page.locator("[data-testid=plan-form]").count() == 1
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, width
