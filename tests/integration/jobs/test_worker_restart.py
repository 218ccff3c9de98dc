"""A run survives a dead worker: a real `pht worker` is killed with SIGKILL mid-job, another one is started,
and the job finishes (its second attempt). Runs on its own SQLite file, outside the test database."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

SETUP = """
import django
django.setup()
from pht.apps.accounts.models import User, Role
from pht.apps.jobs.actions import start_job
admin = User.objects.create_user("restart-admin", password="x" * 20, roles=[Role.ADMINISTRATOR])
print(start_job(admin, "jobs.selftest", {"steps": 8, "seconds": 1}).pk)
"""


def _wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_job_survives_its_worker_being_killed(tmp_path: Path) -> None:
    database = tmp_path / "restart.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "PHT_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "pht.site.settings",
        "PHT_JOB_HEARTBEAT_SECONDS": "0.5",
        "PHT_JOB_STALE_SECONDS": "3",
    }
    pht = [sys.executable, "-m", "pht.cli"]
    subprocess.run([*pht, "migrate"], env=env, check=True, capture_output=True, timeout=300)
    setup = subprocess.run(
        [sys.executable, "-c", SETUP], env=env, check=True, capture_output=True, text=True, timeout=60
    )
    job_id = int(setup.stdout.strip().splitlines()[-1])

    def row() -> tuple[str, int, int]:
        with sqlite3.connect(database, timeout=20) as db:
            found = db.execute(
                "select status, progress, attempts from jobs_job where id = ?", (job_id,)
            ).fetchone()
        return found[0], found[1], found[2]

    log1 = (tmp_path / "worker1.log").open("wb")
    first = subprocess.Popen([*pht, "worker", "--interval", "0.2"], env=env, stdout=log1, stderr=log1)
    try:
        _wait_for(lambda: row()[0] == "running" and row()[1] >= 25, 60, "the first worker to be mid-job")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    status, progress, attempts = row()
    assert (status, attempts) == ("running", 1) and progress < 100  # left behind as it was

    log2 = (tmp_path / "worker2.log").open("wb")
    second = subprocess.Popen([*pht, "worker", "--interval", "0.2"], env=env, stdout=log2, stderr=log2)
    try:
        _wait_for(lambda: row()[0] in {"done", "failed"}, 90, "the second worker to finish the job")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    assert row() == ("done", 100, 2), (tmp_path / "worker2.log").read_text()
    with sqlite3.connect(database) as db:
        verbs = [v for (v,) in db.execute("select verb from accounts_auditevent order by id")]
    assert verbs == ["jobs.start", "jobs.recover", "jobs.done"]
