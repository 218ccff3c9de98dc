"""`pht serve`: gunicorn with threaded workers, the development server only with --dev; WhiteNoise
serves the static files; the embedded SQLite default runs in WAL mode with a busy timeout."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from pht.site import commands


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    commands.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_serve_runs_gunicorn_with_threaded_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[dict[str, Any]] = []
    manage_calls: list[tuple[str, ...]] = []

    class Fake:
        def __init__(self, options: dict[str, Any]) -> None:
            started.append(options)

        def run(self) -> None:
            pass

    monkeypatch.setattr(commands, "_gunicorn_application", Fake)
    monkeypatch.setattr(commands, "_manage", lambda *a: manage_calls.append(a))
    # No real background-job worker here (tests/integration/jobs checks that serve starts one).
    monkeypatch.setattr("pht.apps.jobs.commands.start_worker_process", lambda: None)
    monkeypatch.setattr("pht.apps.jobs.commands.stop_worker_process", lambda process: None)
    monkeypatch.setenv("PHT_DEBUG_PAGES", "1")
    args = _parse("serve", "--address", "127.0.0.1:9999")
    assert args.handler(args) == 0
    (options,) = started
    assert options["worker_class"] == "gthread"
    assert (options["workers"], options["threads"]) == (2, 8)
    assert options["bind"] == "127.0.0.1:9999"
    assert manage_calls == []  # not the development server

    started.clear()
    args = _parse("serve", "--workers", "3", "--threads", "4")
    args.handler(args)
    assert (started[0]["workers"], started[0]["threads"]) == (3, 4)

    args = _parse("serve", "--dev")
    args.handler(args)
    assert manage_calls == [("runserver", "--noreload", commands.DEFAULT_ADDRESS)]
    assert len(started) == 1


def test_the_gunicorn_application_loads_phts_wsgi_app() -> None:
    from pht.site.wsgi import application

    app = commands._gunicorn_application(commands.gunicorn_options(_parse("serve")))
    assert app.load() is application
    assert app.cfg.worker_class_str == "gthread"
    assert app.cfg.threads == 8


@pytest.mark.django_db
def test_whitenoise_serves_static_files() -> None:
    response = Client().get("/static/pht/pht.js")
    assert response.status_code == 200
    assert b"data-autosubmit" in b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE


def test_sqlite_default_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path, django_db_blocker: Any) -> None:
    from django.db.backends.sqlite3.base import DatabaseWrapper

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the embedded SQLite default only")
    config = {**settings.DATABASES["default"], "NAME": str(tmp_path / "wal.sqlite3")}
    wrapper = DatabaseWrapper(config, alias="wal-check")
    try:
        with django_db_blocker.unblock(), wrapper.cursor() as cursor:
            assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] >= 10_000
        assert wrapper.transaction_mode == "IMMEDIATE"
    finally:
        wrapper.close()
