"""`pht bench web` at small scale: the real server (gunicorn as `pht serve` runs it) over the demo data,
5 logged-in users for 5 s, no errors; and the percentile it reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pht.site.bench_web import percentile

PHT = [sys.executable, "-c", "import sys; from pht.cli import main; sys.exit(main())"]


def _env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PHT_", "DATABASE_URL", "DJANGO_"))}
    env["PHT_VAR_DIR"] = str(var_dir)
    return env


def test_bench_web_small_scale_has_no_errors(tmp_path: Path) -> None:
    env = _env(tmp_path)
    demo = subprocess.run(
        [*PHT, "demo", "--no-serve"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert demo.returncode == 0, demo.stderr[-2000:]
    bench = subprocess.run(
        [*PHT, "bench", "web", "--users", "5", "--seconds", "5", "--format", "json"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert bench.returncode == 0, bench.stdout + bench.stderr[-2000:]
    report = json.loads(bench.stdout)
    assert report["errors"] == 0, report["error_examples"]
    # Retries after a dropped connection are reported, per page and in all, never hidden.
    assert report["retried"] == sum(p["retried"] for p in report["pages"].values())
    assert len(report["load_average_before"]) == 3
    assert set(report["pages"]) == {"worklist", "applications", "statement"}
    for page in report["pages"].values():
        assert page["requests"] > 0 and page["p95_ms"] >= page["p50_ms"] > 0
    assert "gthread" in report["server"]


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.95) == 95.0
    assert percentile(values, 0.5) == 50.0
    assert percentile([3.0], 0.95) == 3.0
    assert percentile([5.0, 1.0, 4.0, 2.0, 3.0], 0.95) == 5.0


class _Answer:
    def __init__(self, status: int) -> None:
        self.status_code = status
        self.content = b""


class _Session:
    """Plays a server: each call to ``get`` raises or answers the next item of ``script``."""

    def __init__(self, *script: object) -> None:
        self.script = list(script)
        self.calls = 0

    def get(self, url: str, **kwargs: object) -> _Answer:
        self.calls += 1
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return _Answer(int(str(item)))


def test_a_dropped_connection_is_retried_once_and_counted() -> None:
    import requests

    from pht.site.bench_web import Results, fetch

    dropped_once = _Session(requests.ConnectionError("RemoteDisconnected"), 200)
    error, dropped = fetch(dropped_once, "http://x/")
    assert (error, dropped_once.calls) == (None, 2)
    assert dropped is not None and "RemoteDisconnected" in dropped

    dropped_twice = _Session(requests.ConnectionError("reset"), requests.ConnectionError("reset again"), 200)
    error, dropped = fetch(dropped_twice, "http://x/")
    assert dropped_twice.calls == 2  # never a third attempt
    assert error is not None and "reset again" in error and dropped is not None

    # A timeout or an HTTP error is an error at once, never retried.
    timed_out = _Session(requests.ConnectTimeout("slow"), 200)
    error, dropped = fetch(timed_out, "http://x/")
    assert (timed_out.calls, dropped) == (1, None) and error is not None and "ConnectTimeout" in error
    refused = _Session(500, 200)
    assert fetch(refused, "http://x/") == ("HTTP 500", None) and refused.calls == 1

    results = Results()
    results.record("worklist", 0.1, None, "ConnectionError: RemoteDisconnected")
    results.record("worklist", 0.1, "ConnectionError: reset again", "ConnectionError: reset")
    results.record("worklist", 0.1, None)
    assert results.retries == {"worklist": 2} and results.errors == {"worklist": 1}
    assert len(results.latencies["worklist"]) == 3 and len(results.retry_examples) == 2
