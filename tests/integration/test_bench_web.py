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
