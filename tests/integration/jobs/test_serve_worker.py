"""`pht serve` and `pht demo` start one background-job worker beside the server, unless --no-worker."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from pht.site import commands


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    commands.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_serve_starts_and_stops_one_worker_unless_told_not_to(monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str] = []

    class Fake:
        def __init__(self, options: dict[str, Any]) -> None:
            pass

        def run(self) -> None:
            events.append("serve")

    monkeypatch.setattr(commands, "_gunicorn_application", Fake)
    monkeypatch.setattr("pht.apps.jobs.commands.start_worker_process", lambda: events.append("start") or "w")
    monkeypatch.setattr("pht.apps.jobs.commands.stop_worker_process", lambda p: events.append(f"stop {p}"))
    monkeypatch.setenv("PHT_DEBUG_PAGES", "1")
    args = _parse("serve")
    assert args.handler(args) == 0
    assert events == ["start", "serve", "stop w"]

    events.clear()
    args = _parse("serve", "--no-worker")
    args.handler(args)
    assert events == ["serve"]
    assert _parse("demo", "--no-worker").no_worker is True
