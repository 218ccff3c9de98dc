"""The background-job app: start, cancel, run, failure shown without a 500, unknown kinds, who sees what,
and recovery of jobs whose worker died."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.models import AuditEvent, Role
from pht.apps.jobs.actions import cancel_job, run_pending_jobs, start_job
from pht.apps.jobs.models import Job
from pht.apps.jobs.registry import KINDS, Cancelled, Progress, job_kind
from pht.apps.jobs.runner import execute, recover_stale_jobs

pytestmark = pytest.mark.django_db

CALLS: list[str] = []


@job_kind("tests.add")
def _add(job: Job, progress: Progress) -> dict[str, Any]:
    progress(50, "adding")
    CALLS.append("add")
    return {"sum": job.params["a"] + job.params["b"]}


@job_kind("tests.explode")
def _explode(job: Job, progress: Progress) -> None:
    progress(10, "about to fail")
    raise ValueError("practice 999999999: field 'period' is not a month")


@job_kind("tests.self_cancel")
def _self_cancel(job: Job, progress: Progress) -> None:
    progress(10, "first step")
    cancel_job(job.created_by, job)  # the user presses cancel while it runs
    progress(20, "second step")  # raises Cancelled
    CALLS.append("after cancel")  # never reached


@job_kind("tests.watch")
def _watch(job: Job, progress: Progress) -> None:
    progress(42, "half way")
    job.refresh_from_db()
    CALLS.append(f"{job.status}:{job.progress}:{job.message}")


@pytest.fixture
def people(orgs, make_user):  # type: ignore[no-untyped-def]
    directorate = orgs["directorate"]
    return {
        "finance": make_user("finance1", roles=[Role.FINANCE_OFFICER], organisation=directorate),
        "finance2": make_user("finance2", roles=[Role.FINANCE_OFFICER], organisation=directorate),
        "case": make_user("case1", roles=[Role.CASE_OFFICER], organisation=directorate),
        "lead": make_user("lead1", roles=[Role.PROJECT_LEAD], organisation=orgs["seljord"]),
        "admin": make_user("admin1", roles=[Role.ADMINISTRATOR], organisation=directorate),
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_start_queues_a_job_with_a_task_and_an_audit_row(people: dict[str, Any]) -> None:
    from django_tasks_db.models import DBTaskResult

    job = start_job(people["finance"], "tests.add", {"a": 2, "b": 3})
    assert job.status == Job.Status.QUEUED
    assert job.organisation == people["finance"].organisation
    task = DBTaskResult.objects.get(id=job.task_id)
    assert task.task_path == "pht.apps.jobs.tasks.run_job"
    assert task.args_kwargs == {"args": [job.pk], "kwargs": {}}
    event = AuditEvent.objects.get(verb="jobs.start")
    assert event.target_id == str(job.pk) and event.after["kind"] == "tests.add"


def test_unknown_kind_is_refused_naming_it_and_nothing_is_written(people: dict[str, Any]) -> None:
    with pytest.raises(ActionRefused, match="no.such.kind") as refused:
        start_job(people["finance"], "no.such.kind", {})
    assert "tests.add" in refused.value.reason  # the known kinds are listed
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(verb="jobs.start").exists()


def test_run_pending_runs_queued_jobs_to_done_with_their_result(people: dict[str, Any]) -> None:
    from django_tasks_db.models import DBTaskResult

    CALLS.clear()
    first = start_job(people["finance"], "tests.add", {"a": 2, "b": 3})
    second = start_job(people["finance"], "tests.add", {"a": 10, "b": -4})
    assert run_pending_jobs() == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.progress, first.result) == (Job.Status.DONE, 100, {"sum": 5})
    assert second.result == {"sum": 6}
    assert first.started_at and first.finished_at and first.finished_at >= first.started_at
    assert first.attempts == 1 and CALLS == ["add", "add"]
    assert run_pending_jobs() == 0
    assert not DBTaskResult.objects.filter(status="READY").exists()  # no worker runs them again
    assert AuditEvent.objects.filter(verb="jobs.done", target_id=str(first.pk)).exists()


def test_progress_is_stored_while_the_job_runs(people: dict[str, Any]) -> None:
    CALLS.clear()
    start_job(people["finance"], "tests.watch", {})
    run_pending_jobs()
    assert CALLS == ["running:42:half way"]


def test_a_failed_job_shows_its_error_without_a_traceback_or_500(people: dict[str, Any]) -> None:
    job = start_job(people["finance"], "tests.explode", {})
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "practice 999999999: field 'period' is not a month"
    response = _client(people["finance"]).get(f"/jobs/{job.pk}/progress/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "practice 999999999: field &#x27;period&#x27; is not a month" in body
    assert 'data-job-status="failed"' in body
    assert "Traceback" not in body and "ValueError" not in body
    assert "hx-get" not in body  # a finished job stops polling


def test_cancel_a_queued_job_ends_it_at_once(people: dict[str, Any]) -> None:
    CALLS.clear()
    job = start_job(people["finance"], "tests.add", {"a": 1, "b": 1})
    cancel_job(people["finance"], job)
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED and job.finished_at is not None
    assert run_pending_jobs() == 0 and CALLS == []
    assert AuditEvent.objects.filter(verb="jobs.cancel", target_id=str(job.pk)).exists()
    with pytest.raises(ActionRefused, match="already finished"):
        cancel_job(people["finance"], job)


def test_cancel_a_running_job_stops_it_at_its_next_progress_report(people: dict[str, Any]) -> None:
    CALLS.clear()
    job = start_job(people["finance"], "tests.self_cancel", {})
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert job.progress == 20 and CALLS == []


def test_only_the_creator_or_an_admin_may_cancel(people: dict[str, Any]) -> None:
    job = start_job(people["finance"], "tests.add", {"a": 1, "b": 1})
    with pytest.raises(ActionRefused):
        cancel_job(people["finance2"], job)
    response = _client(people["finance2"]).post(f"/jobs/{job.pk}/cancel/", HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    response = _client(people["admin"]).post(f"/jobs/{job.pk}/cancel/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'data-job-status="cancelled"' in response.content.decode()


def test_cancel_without_htmx_redirects_only_to_this_site(people: dict[str, Any]) -> None:
    job = start_job(people["finance"], "tests.add", {"a": 1, "b": 1})
    client = _client(people["finance"])
    response = client.post(f"/jobs/{job.pk}/cancel/", {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    job2 = start_job(people["finance"], "tests.add", {"a": 1, "b": 1})
    response = client.post(f"/jobs/{job2.pk}/cancel/", {"next": "/finance/"})
    assert response["Location"] == "/finance/"


def test_who_sees_a_job(people: dict[str, Any], make_user: Any, orgs: dict[str, Any]) -> None:
    job = start_job(people["finance"], "tests.add", {"a": 1, "b": 1})
    outsider = make_user("finance_elsewhere", roles=[Role.FINANCE_OFFICER], organisation=orgs["seljord"])
    expected = {
        "finance": 200,  # creator
        "finance2": 200,  # same organisation, same role family
        "admin": 200,
        "case": 404,  # same organisation, other role family
        "lead": 404,  # other organisation
    }
    for name, status in expected.items():
        for url in (f"/jobs/{job.pk}/progress/", f"/jobs/{job.pk}/"):
            assert _client(people[name]).get(url).status_code == status, (name, url)
    assert _client(outsider).get(f"/jobs/{job.pk}/progress/").status_code == 404
    assert _client(people["finance"]).get("/jobs/999999/progress/").status_code == 404
    assert Client().get(f"/jobs/{job.pk}/progress/").status_code == 302  # to the login page


def test_the_fragment_polls_while_running_and_offers_cancel_to_its_creator(people: dict[str, Any]) -> None:
    job = start_job(people["finance"], "tests.add", {"a": 1, "b": 1})
    body = _client(people["finance"]).get(f"/jobs/{job.pk}/progress/").content.decode()
    assert f'hx-get="/jobs/{job.pk}/progress/"' in body
    assert 'hx-trigger="every 2s"' in body and 'hx-swap="outerHTML"' in body
    assert '<progress id="job-' in body and f'for="job-{job.pk}-bar"' in body
    assert f'action="/jobs/{job.pk}/cancel/"' in body
    colleague = _client(people["finance2"]).get(f"/jobs/{job.pk}/progress/").content.decode()
    assert "/cancel/" not in colleague  # sees it, may not cancel it
    assert "data-reload-when-done" not in body  # only a page that asks reloads when the job is done


def test_a_fragment_asked_to_reload_its_page_keeps_asking_while_it_polls(people: dict[str, Any]) -> None:
    """``?reload=1`` (the nation page's fragment) keeps ``data-reload-when-done`` on every poll, up
    to the done job that pht.js reloads the page for."""
    job = start_job(people["finance"], "tests.add", {"a": 1, "b": 1})
    client = _client(people["finance"])
    body = client.get(f"/jobs/{job.pk}/progress/?reload=1").content.decode()
    assert "data-reload-when-done" in body and f'hx-get="/jobs/{job.pk}/progress/?reload=1"' in body
    run_pending_jobs()
    body = client.get(f"/jobs/{job.pk}/progress/?reload=1").content.decode()
    assert 'data-job-status="done"' in body and "data-reload-when-done" in body
    assert "hx-get" not in body
    assert "data-reload-when-done" not in client.get(f"/jobs/{job.pk}/progress/").content.decode()


def test_a_job_whose_worker_died_is_queued_again_then_given_up(
    people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django_tasks_db.models import DBTaskResult

    monkeypatch.setenv("PHT_JOB_STALE_SECONDS", "30")
    monkeypatch.setenv("PHT_JOB_MAX_ATTEMPTS", "2")
    job = start_job(people["finance"], "tests.add", {"a": 1, "b": 1})
    first_task = job.task_id
    old = timezone.now() - datetime.timedelta(seconds=31)
    fresh = timezone.now() - datetime.timedelta(seconds=5)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, heartbeat_at=old, attempts=1)
    other = start_job(people["finance"], "tests.add", {"a": 1, "b": 1})
    Job.objects.filter(pk=other.pk).update(status=Job.Status.RUNNING, heartbeat_at=fresh, attempts=1)

    assert [j.pk for j in recover_stale_jobs()] == [job.pk]  # the live one is left alone
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.task_id != first_task
    assert DBTaskResult.objects.get(id=job.task_id).status == "READY"
    assert AuditEvent.objects.filter(verb="jobs.recover", target_id=str(job.pk)).exists()

    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, heartbeat_at=old, attempts=2)
    # The worker stores its messages in the language it runs in (bokmål unless told otherwise).
    with translation.override("en"):
        recover_stale_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "stoppet 2 ganger" in job.error  # written in the site language (bokmål)


def test_kind_names_are_unique() -> None:
    with pytest.raises(ValueError, match="already registered"):

        @job_kind("tests.add")
        def other(job: Job, progress: Progress) -> None:
            return None

    assert KINDS["tests.add"].function is _add


def test_execute_ignores_a_job_that_is_not_queued(people: dict[str, Any]) -> None:
    CALLS.clear()
    job = start_job(people["finance"], "tests.add", {"a": 1, "b": 1})
    Job.objects.filter(pk=job.pk).update(status=Job.Status.CANCELLED)
    assert execute(job.pk, heartbeat=False) is None
    assert CALLS == []


def test_selftest_is_for_administrators_and_validates_its_parameters(people: dict[str, Any]) -> None:
    with pytest.raises(ActionRefused):
        start_job(people["finance"], "jobs.selftest", {})
    with pytest.raises(ActionRefused, match="seconds must be a number"):
        start_job(people["admin"], "jobs.selftest", {"seconds": "soon"})
    job = start_job(people["admin"], "jobs.selftest", {"steps": 2, "seconds": 0})
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result == {"steps": 2, "attempt": 1}


def test_cancelled_is_the_contract_name() -> None:
    assert issubclass(Cancelled, Exception)


def test_the_fragment_speaks_bokmaal_by_default_and_english_when_chosen(people: dict[str, Any]) -> None:
    job = start_job(people["finance"], "tests.add", {"a": 1, "b": 1})
    client = _client(people["finance"])
    norwegian = client.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert "I kø" in norwegian and "Avbryt jobben" in norwegian
    client.cookies["django_language"] = "en"
    english = client.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert "Queued" in english and "Cancel job" in english and "I kø" not in english
