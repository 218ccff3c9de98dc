"""Job scopes: at most one job of a kind waits or runs per scope. ``start_job`` refuses a second start
naming the job in the way, and the table's partial unique constraint holds it when two starts pass that
check at the same instant (the race test needs PostgreSQL: SQLite serialises every writer)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.models import AuditEvent, Role
from pht.apps.jobs import actions
from pht.apps.jobs.actions import cancel_job, run_pending_jobs, start_job
from pht.apps.jobs.models import Job
from pht.apps.jobs.registry import KINDS, Progress, job_kind

KIND = "tests.scoped"


def _scope(params: Mapping[str, Any]) -> str:
    return str(params.get("year", ""))


@job_kind(KIND, scope=_scope)
def _scoped(job: Job, progress: Progress) -> dict[str, Any]:
    progress(50, "working")
    return {"year": job.params.get("year")}


@pytest.fixture
def user(make_user: Any) -> Any:
    return make_user("scoped1", roles=[Role.FINANCE_OFFICER])


def test_the_kind_keeps_its_scope() -> None:
    assert KINDS[KIND].scope is _scope


@pytest.mark.django_db
def test_a_second_start_of_the_same_scope_is_refused_naming_the_first(user: Any) -> None:
    first = start_job(user, KIND, {"year": 2018})
    assert first.scope_key == "2018"
    with pytest.raises(ActionRefused) as refused:
        start_job(user, KIND, {"year": 2018, "note": "other parameters, same scope"})
    assert refused.value.reason == (
        f"Job {first.pk} for 2018 is already waiting or running; start this again once it has finished."
    )
    with translation.override("nb"):
        assert refused.value.display() == (
            f"Jobb {first.pk} for 2018 venter eller går allerede; start denne på nytt når den er ferdig."
        )
    assert list(Job.objects.values_list("pk", flat=True)) == [first.pk]
    assert AuditEvent.objects.filter(verb="jobs.start").count() == 1


@pytest.mark.django_db
def test_a_running_job_holds_its_scope_too(user: Any) -> None:
    first = start_job(user, KIND, {"year": 2018})
    Job.objects.filter(pk=first.pk).update(status=Job.Status.RUNNING)
    with pytest.raises(ActionRefused, match=f"Job {first.pk} for 2018"):
        start_job(user, KIND, {"year": 2018})


@pytest.mark.django_db
def test_another_scope_or_no_scope_is_accepted(user: Any) -> None:
    start_job(user, KIND, {"year": 2018})
    other = start_job(user, KIND, {"year": 2017})
    assert other.scope_key == "2017"
    unscoped = [start_job(user, KIND, {}) for _ in range(2)]  # a blank scope limits nothing
    assert [job.scope_key for job in unscoped] == ["", ""]
    assert Job.objects.filter(status=Job.Status.QUEUED).count() == 4


@pytest.mark.django_db
def test_a_finished_or_cancelled_job_frees_its_scope(user: Any) -> None:
    first = start_job(user, KIND, {"year": 2018})
    assert run_pending_jobs() == 1
    first.refresh_from_db()
    assert first.status == Job.Status.DONE
    second = start_job(user, KIND, {"year": 2018})
    cancel_job(user, second)
    third = start_job(user, KIND, {"year": 2018})
    assert third.status == Job.Status.QUEUED
    assert Job.objects.filter(scope_key="2018").count() == 3


def _race_in(monkeypatch: pytest.MonkeyPatch, before_insert: Callable[[], object]) -> None:
    """Run ``before_insert`` after ``start_job``'s friendly check has passed, just before its insert."""
    real = actions._create

    def create(**fields: Any) -> Job:
        before_insert()
        return real(**fields)

    monkeypatch.setattr(actions, "_create", create)


@pytest.mark.django_db
def test_a_start_racing_past_the_check_is_refused_by_the_constraint(
    user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another request inserts the same scope between this one's check and its insert: the database
    refuses the insert, and the refusal names the other job; the caller's transaction stays usable."""
    rival: list[Job] = []
    check = actions._refuse_if_busy

    def check_then_other_request(kind: str, scope_key: str) -> None:
        check(kind, scope_key)
        if not rival:  # the other request commits its job right after this one's check
            rival.append(Job.objects.create(kind=KIND, scope_key="2018", created_by=user))

    monkeypatch.setattr(actions, "_refuse_if_busy", check_then_other_request)
    with transaction.atomic():  # a caller's own transaction, as evaluation.start_run has
        with pytest.raises(ActionRefused) as refused:
            start_job(user, KIND, {"year": 2018})
        assert Job.objects.count() == 1  # usable after the refused insert (PostgreSQL would refuse if not)
    assert refused.value.reason.startswith(f"Job {rival[0].pk} for 2018 is already waiting or running")
    assert list(Job.objects.values_list("pk", flat=True)) == [rival[0].pk]
    assert not AuditEvent.objects.filter(verb="jobs.start").exists()


@pytest.mark.django_db
def test_the_constraint_holds_without_start_job(user: Any) -> None:
    Job.objects.create(kind=KIND, scope_key="2018", created_by=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(kind=KIND, scope_key="2018", created_by=user, status=Job.Status.RUNNING)
    Job.objects.create(kind=KIND, scope_key="2018", created_by=user, status=Job.Status.DONE)
    Job.objects.create(kind="tests.other", scope_key="2018", created_by=user)  # another kind
    Job.objects.create(kind=KIND, scope_key="", created_by=user)
    Job.objects.create(kind=KIND, scope_key="", created_by=user)
    assert Job.objects.count() == 5


@pytest.mark.django_db
def test_a_kind_whose_scope_is_too_long_is_a_programming_error(user: Any) -> None:
    with pytest.raises(ValueError, match="scope must be text"):
        start_job(user, KIND, {"year": "x" * 201})
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_starts_of_one_scope_queue_exactly_one_job(
    make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight users press «Start» at the same instant: every one passes the friendly check (the barrier
    holds them all until each has), then all insert; exactly one job is queued, the others are refused
    naming it."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    users = [make_user(f"racer{i}", roles=[Role.FINANCE_OFFICER]) for i in range(8)]
    barrier = threading.Barrier(len(users), timeout=60)
    _race_in(monkeypatch, barrier.wait)
    results: list[Job | BaseException | None] = [None] * len(users)

    def press(index: int) -> None:
        try:
            results[index] = start_job(users[index], KIND, {"year": 2018, "by": index})
        except BaseException as exc:  # noqa: BLE001 - the test inspects what each caller got
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(i,)) for i in range(len(users))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    started = [r for r in results if isinstance(r, Job)]
    refused = [r for r in results if isinstance(r, ActionRefused)]
    assert len(started) == 1 and len(refused) == len(users) - 1, results
    (job,) = Job.objects.all()
    assert job.pk == started[0].pk and job.status == Job.Status.QUEUED
    assert all(f"Job {job.pk} for 2018 is already waiting or running" in r.reason for r in refused)
    assert AuditEvent.objects.filter(verb="jobs.start").count() == 1
