"""The one django-tasks task: run a PHT job by id (the database backend's worker calls it)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_job(job_id: int) -> None:
    from pht.apps.jobs.runner import execute

    execute(job_id, heartbeat=True)
