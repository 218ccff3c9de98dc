"""Running jobs: ``execute`` (one job, in whatever process calls it), the stale-job recovery, the worker.

The worker is django-tasks' database worker (``django_tasks_db``), run one task at a time between
recovery sweeps: a job whose heartbeat is older than ``PHT_JOB_STALE_SECONDS`` belongs to a worker that
died; it is queued again (a new django-tasks run) or, after ``PHT_JOB_MAX_ATTEMPTS`` starts, failed with a
message saying so. While a job runs, a thread refreshes its heartbeat every ``PHT_JOB_HEARTBEAT_SECONDS``,
so a long stage between two progress reports does not look like a dead worker.
"""

from __future__ import annotations

import datetime
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pht.apps.accounts.audit import record_event
from pht.apps.jobs.models import Job
from pht.apps.jobs.registry import Cancelled, get_kind

log = logging.getLogger("pht.jobs")

ERROR_LIMIT = 2000


def _setting(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def heartbeat_seconds() -> float:
    return _setting("PHT_JOB_HEARTBEAT_SECONDS", 5)


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=_setting("PHT_JOB_STALE_SECONDS", 60))


def max_attempts() -> int:
    return int(_setting("PHT_JOB_MAX_ATTEMPTS", 3))


def _finish(job_id: int, status: str, **fields: Any) -> None:
    now = timezone.now()
    with transaction.atomic():
        Job.objects.filter(pk=job_id).update(status=status, finished_at=now, heartbeat_at=now, **fields)
        job = Job.objects.get(pk=job_id)
        record_event(
            None,
            f"jobs.{status}",
            job,
            after={"status": status, "error": job.error, "attempts": job.attempts, "result": job.result},
        )


def make_progress(job_id: int) -> Callable[[int, str], None]:
    def progress(pct: int, message: str = "") -> None:
        pct = max(0, min(100, int(pct)))
        Job.objects.filter(pk=job_id).update(
            progress=pct, message=str(message)[:200], heartbeat_at=timezone.now()
        )
        if Job.objects.filter(pk=job_id, cancel_requested=True).exists():
            raise Cancelled()

    return progress


class _Heartbeat(threading.Thread):
    """Refreshes a running job's heartbeat from its own database connection until stopped."""

    def __init__(self, job_id: int, every: float) -> None:
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.job_id = job_id
        self.every = every
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.every):
                try:
                    Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:  # a locked database now and then must not stop the beat
                    log.warning("heartbeat of job %s not stored", self.job_id, exc_info=True)
        finally:
            connection.close()


def execute(job_id: int, *, heartbeat: bool = True) -> Job | None:
    """Run a queued job to its end (done, failed or cancelled); None when it was not queued (any more)."""
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != Job.Status.QUEUED:
            return None
        job.status = Job.Status.RUNNING
        job.started_at = now
        job.heartbeat_at = now
        job.attempts += 1
        job.message = _("Started")
        job.save(update_fields=["status", "started_at", "heartbeat_at", "attempts", "message"])
    kind = get_kind(job.kind)
    if kind is None:
        _finish(job_id, Job.Status.FAILED, error=_("Unknown job kind %(kind)s.") % {"kind": job.kind})
        return Job.objects.get(pk=job_id)
    beat = _Heartbeat(job_id, heartbeat_seconds()) if heartbeat else None
    if beat is not None:
        beat.start()
    try:
        result = kind.function(job, make_progress(job_id))
    except Cancelled:
        _finish(job_id, Job.Status.CANCELLED, message=_("Cancelled"))
    except Exception as exc:
        log.exception("job %s (%s) failed", job_id, job.kind)
        text = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
        _finish(job_id, Job.Status.FAILED, error=str(text)[:ERROR_LIMIT], message=_("Failed"))
    else:
        _finish(job_id, Job.Status.DONE, result=result, progress=100, message=_("Done"))
    finally:
        if beat is not None:
            beat.stopped.set()
            beat.join(timeout=5)
    return Job.objects.get(pk=job_id)


def recover_stale_jobs(now: datetime.datetime | None = None) -> list[Job]:
    """Jobs whose worker died: queue them again, or fail them after ``max_attempts()`` starts."""
    now = now or timezone.now()
    limit = now - stale_after()
    # Stored messages are read later by anyone: write them in the site language, not the caller's.
    with translation.override(settings.LANGUAGE_CODE):
        return _recover(now, limit)


def _recover(now: datetime.datetime, limit: datetime.datetime) -> list[Job]:
    from pht.apps.jobs.actions import enqueue

    recovered: list[Job] = []
    for job in Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=limit).order_by("id"):
        with transaction.atomic():
            # Only one worker wins each job: the update must still find it as it was read.
            claimed = Job.objects.filter(
                pk=job.pk, status=Job.Status.RUNNING, heartbeat_at=job.heartbeat_at
            ).update(heartbeat_at=now)
            if not claimed:
                continue
            _forget_dead_run(job.task_id)
            if job.cancel_requested:
                status, fields = Job.Status.CANCELLED, {"message": _("Cancelled")}
            elif job.attempts >= max_attempts():
                status = Job.Status.FAILED
                fields = {
                    "message": _("Failed"),
                    "error": _(
                        "The worker running this job stopped %(n)s times; the job was given up. "
                        "Start it again, or ask an administrator to look at the worker's log."
                    )
                    % {"n": job.attempts},
                }
            else:
                status, fields = (
                    Job.Status.QUEUED,
                    {"message": _("Queued again: the worker running it stopped")},
                )
            Job.objects.filter(pk=job.pk).update(
                status=status,
                finished_at=None if status == Job.Status.QUEUED else now,
                **fields,
            )
            job.refresh_from_db()
            if status == Job.Status.QUEUED:
                enqueue(job)
            record_event(
                None,
                "jobs.recover",
                job,
                after={"status": job.status, "attempts": job.attempts, "error": job.error},
            )
        log.warning("job %s: worker stopped; now %s", job.pk, job.status)
        recovered.append(job)
    return recovered


def _forget_dead_run(task_id: str) -> None:
    """The dead worker's django-tasks row stays RUNNING for ever otherwise; mark it failed."""
    from django_tasks_db.models import DBTaskResult

    if task_id:
        DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
            status="FAILED", finished_at=timezone.now()
        )


class _Stop:
    requested = False


def run_worker(*, interval: float = 1.0, once: bool = False, worker_id: str = "") -> int:
    """The worker loop: recover stale jobs, run queued tasks one by one; ``once`` drains the queue and returns.

    SIGTERM/SIGINT stop it after the task in hand (a second signal stops at once; the job is then
    recovered by the next worker)."""
    from django_tasks.utils import get_random_id
    from django_tasks_db.management.commands.db_worker import Worker

    worker_id = worker_id or get_random_id()
    stop = _Stop()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        if stop.requested:
            raise SystemExit(1)
        stop.requested = True

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, request_stop)
    ran = 0
    last_sweep = 0.0
    log.info("PHT worker %s started (pid %s)", worker_id, os.getpid())
    while not stop.requested:
        close_old_connections()
        if time.monotonic() - last_sweep >= min(interval * 5, stale_after().total_seconds() / 2):
            recover_stale_jobs()
            last_sweep = time.monotonic()
        before = ran
        worker = Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=1,
            worker_id=worker_id,
        )
        worker.run()
        ran += worker._run_tasks
        if ran == before:
            if once:
                break
            time.sleep(interval)
    return ran
