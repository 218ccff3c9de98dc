"""Actions of the jobs app: start a job, cancel it, and (tests, demo) run the queued ones in-process.

Each action checks permission, writes in one transaction with its audit row. Refusals are
``ActionRefused`` with an English msgid (translated in the jobs app's locale).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.actions import ActionRefused, require
from pht.apps.accounts.audit import record_event, snapshot
from pht.apps.accounts.models import Organisation, User
from pht.apps.jobs.access import is_admin
from pht.apps.jobs.models import Job
from pht.apps.jobs.registry import KINDS, get_kind

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
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            params=values,
            created_by=user,
            organisation=organisation if organisation is not None else user.organisation,
            message=str(_("Waiting for a worker")),
        )
        enqueue(job)
        record_event(user, "jobs.start", job, after=snapshot(job, AUDIT_FIELDS))
    return job


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
