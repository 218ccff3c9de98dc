"""Actions of the jobs app: start a job, cancel it, and (tests, demo) run the queued ones in-process.

Each action checks permission, writes in one transaction with its audit row. Refusals are
``ActionRefused`` with an English msgid (translated in the jobs app's locale).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.actions import ActionRefused, require
from pht.apps.accounts.audit import record_event, snapshot
from pht.apps.accounts.models import Organisation, User
from pht.apps.jobs.access import is_admin
from pht.apps.jobs.models import SCOPE_KEY_LENGTH, Job
from pht.apps.jobs.registry import KINDS, JobKind, get_kind

AUDIT_FIELDS = ["kind", "params", "status", "progress", "error", "cancel_requested", "attempts"]


def start_job(
    user: User, kind: str, params: Mapping[str, Any] | None = None, organisation: Organisation | None = None
) -> Job:
    """Queue a job of a registered ``kind`` for ``user`` (its organisation: ``organisation`` or the user's)."""
    if user is None or not user.is_authenticated:
        raise ActionRefused(_("Only signed-in users may start jobs."))
    registered = get_kind(kind)
    if registered is None:
        raise ActionRefused(
            _("Unknown job kind %(kind)s; known kinds: %(known)s"),
            {"kind": kind, "known": ", ".join(sorted(KINDS)) or "-"},
        )
    if registered.permission is not None:
        require(registered.permission(user))
    values = dict(params or {})
    if registered.validate is not None:
        values = registered.validate(values)
    scope_key = _scope_key(registered, values)
    # The friendly check, which names the job in the way; the constraint in _create is what holds when
    # two starts pass it at the same instant.
    _refuse_if_busy(kind, scope_key)
    with transaction.atomic():
        job = _create(
            kind=kind,
            scope_key=scope_key,
            params=values,
            created_by=user,
            organisation=organisation if organisation is not None else user.organisation,
            message=str(_("Waiting for a worker")),
        )
        enqueue(job)
        record_event(user, "jobs.start", job, after=snapshot(job, AUDIT_FIELDS))
    return job


def _scope_key(registered: JobKind, values: Mapping[str, Any]) -> str:
    if registered.scope is None:
        return ""
    key = registered.scope(values)
    if not isinstance(key, str) or len(key) > SCOPE_KEY_LENGTH:
        raise ValueError(
            f"job kind {registered.name}: scope must be text of at most {SCOPE_KEY_LENGTH} characters"
        )
    return key


def _refuse_if_busy(kind: str, scope_key: str) -> None:
    """Refuse a start while a job of ``kind`` is waiting or running for the same (non-blank) scope."""
    if not scope_key:
        return
    busy = Job.objects.filter(kind=kind, scope_key=scope_key, status__in=Job.ACTIVE).order_by("pk").first()
    if busy is not None:
        raise ActionRefused(
            _(
                "Job %(job)s for %(scope)s is already waiting or running; "
                "start this again once it has finished."
            ),
            {"job": str(busy.pk), "scope": scope_key},
        )


def _create(*, kind: str, scope_key: str, **fields: Any) -> Job:
    """Insert the job; a job of the same kind and scope inserted at the same instant by another request
    makes the database refuse this one (``one_active_job_per_kind_and_scope``), refused here by name."""
    tries = 3
    for attempt in range(tries):
        try:
            # A savepoint: the refused insert leaves the caller's transaction usable for the lookup.
            with transaction.atomic():
                return Job.objects.create(kind=kind, scope_key=scope_key, **fields)
        except IntegrityError:
            if not scope_key:
                raise
            _refuse_if_busy(kind, scope_key)
            # The job that held the scope has finished since the insert was refused: insert again.
            if attempt == tries - 1:
                raise
    raise AssertionError("unreachable")


def enqueue(job: Job) -> None:
    """Hand the job to django-tasks (same database, so it is queued exactly when the caller commits)."""
    from pht.apps.jobs.tasks import run_job

    result = run_job.enqueue(job.pk)
    job.task_id = str(result.id)
    job.save(update_fields=["task_id"])


def can_cancel(user: User, job: Job) -> bool:
    return bool(user.is_authenticated and (job.created_by_id == user.pk or is_admin(user)))


def cancel_job(user: User, job: Job) -> Job:
    """Cancel a queued job at once; ask a running one to stop at its next progress report."""
    if not can_cancel(user, job):
        raise ActionRefused(_("Only the user who started a job, or an administrator, may cancel it."))
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.finished:
            raise ActionRefused(
                _("Job %(job)s has already finished (%(status)s)."),
                {"job": job.pk, "status": job.get_status_display()},
            )
        before = snapshot(job, AUDIT_FIELDS)
        job.cancel_requested = True
        if job.status == Job.Status.QUEUED:
            job.status = Job.Status.CANCELLED
            job.finished_at = timezone.now()
            job.message = str(_("Cancelled before it started"))
        else:
            job.message = str(_("Cancelling…"))
        job.save(update_fields=["cancel_requested", "status", "finished_at", "message"])
        record_event(user, "jobs.cancel", job, before=before, after=snapshot(job, AUDIT_FIELDS))
    return job


def run_pending_jobs() -> int:
    """Run every queued job here, synchronously, oldest first (tests and the demo); the number run."""
    from pht.apps.jobs.runner import execute

    count = 0
    while True:
        job = Job.objects.filter(status=Job.Status.QUEUED).order_by("created_at", "id").first()
        if job is None:
            return count
        execute(job.pk, heartbeat=False)
        _forget_task(job)
        count += 1


def _forget_task(job: Job) -> None:
    """The django-tasks row of a job run in-process is done with: no worker should pick it up later."""
    from django_tasks_db.models import DBTaskResult

    if job.task_id:
        DBTaskResult.objects.filter(id=job.task_id, status="READY").delete()
