"""``pht bench web``: the site under concurrent logged-in users, served as ``pht serve`` serves it.

Starts ``pht serve`` (gunicorn, gthread) on a free loopback port against the current database (the demo
data; ``pht demo --no-serve`` first), signs in ``--users`` virtual users (clones of the demo nurse, case
officer and finance officer, with a fresh random password), and lets each request its page for
``--seconds``, pausing ``--think`` seconds on average between requests (0: back to back): the care
worklist (nurses), the application list (case officers) and a settlement statement (finance officers). Reports errors (any answer but 200, or no answer), the median and 95th
percentile per page, and the load average. Loopback only; a thread pool with ``requests`` plays the users.

A request whose connection drops before an answer (the server closed a kept-alive connection as the
client reused it) is sent once more on a fresh connection, as a browser would; the retry is counted and
reported per page, its time is part of the request's time, and a second failure is an error.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pht.command import BENCHMARKS, CommandError, setup_django

# The virtual users: (page, the demo user to clone).
PAGES = (("worklist", "sykepleier"), ("applications", "saksbehandler"), ("statement", "okonomi"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--users", type=int, default=50, help="concurrent logged-in users (default 50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long they work (default 60)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2, as pht serve)")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker (default 8, as pht serve)")
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="mean pause between a user's requests, uniform in 0.5-1.5 times it (default 1 s; 0: back to back)",
    )
    parser.add_argument("--format", choices=["table", "json"], default="table")


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    retries: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)
    retry_examples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, page: str, seconds: float, error: str | None, dropped: str | None = None) -> None:
        """One request: its time, its error if it failed, and ``dropped``, the first attempt's connection
        error when it was retried."""
        with self.lock:
            self.latencies.setdefault(page, []).append(seconds)
            if dropped:
                self.retries[page] = self.retries.get(page, 0) + 1
                if len(self.retry_examples) < 5:
                    self.retry_examples.append(f"{page}: {dropped}")
            if error:
                self.errors[page] = self.errors.get(page, 0) + 1
                if len(self.examples) < 5:
                    self.examples.append(f"{page}: {error}")


def fetch(session: Any, url: str) -> tuple[str | None, str | None]:
    """GET ``url`` and read the whole answer: (error, the dropped first attempt's error if retried).

    Only a dropped connection (``requests.ConnectionError``, not a timeout) is retried, and only once.
    """
    import requests

    dropped = None
    for attempt in range(2):
        try:
            response = session.get(url, timeout=60, allow_redirects=False)
            response.content  # noqa: B018 (read the whole answer)
        except requests.ConnectionError as exc:
            if isinstance(exc, requests.Timeout) or attempt == 1:
                return _describe(exc), dropped
            dropped = _describe(exc)
            continue
        except requests.RequestException as exc:
            return _describe(exc), dropped
        return (None if response.status_code == 200 else f"HTTP {response.status_code}"), dropped
    raise AssertionError("unreachable")


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def percentile(values: list[float], q: float) -> float:
    """The ``q``-quantile (0-1) by the nearest-rank method."""
    ordered = sorted(values)
    rank = max(1, int(-(-q * len(ordered) // 1)))  # ceil(q n), at least 1
    return ordered[min(rank, len(ordered)) - 1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare_users() -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """Bench users cloned from the demo users (fresh passwords) and the URL of each page."""
    setup_django()
    from django.urls import reverse

    from pht.apps.accounts.models import User
    from pht.apps.finance.models import Statement

    credentials = {}
    for page, demo_name in PAGES:
        demo = User.objects.filter(username=demo_name).first()
        if demo is None:
            raise CommandError("no demo data in this database: run `pht demo --no-serve` first")
        password = secrets.token_urlsafe(18)
        user, _ = User.objects.update_or_create(
            username=f"bench-{page}",
            defaults={"roles": list(demo.roles), "organisation": demo.organisation, "is_active": True},
        )
        user.set_password(password)
        user.save()
        credentials[page] = (user.username, password)
    statement = Statement.objects.select_related("practice").order_by("period", "pk").first()
    if statement is None:
        raise CommandError("no settlement statement in this database: run `pht demo --no-serve` first")
    urls = {
        "worklist": reverse("care:worklist"),
        "applications": reverse("scheme:applications"),
        "statement": reverse(
            "finance:statement", args=[statement.practice.orgnr, statement.period, statement.model]
        ),
    }
    return credentials, urls


@contextmanager
def served(workers: int, threads: int) -> Iterator[str]:
    """``pht serve`` in a child process on a free loopback port; yields its base URL."""
    import requests

    address = f"127.0.0.1:{_free_port()}"
    command = [sys.executable, "-c", "import sys; from pht.cli import main; sys.exit(main())", "serve"]
    command += ["--address", address, "--workers", str(workers), "--threads", str(threads)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://{address}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise CommandError(f"pht serve stopped: {process.stderr.read() if process.stderr else ''}")
            try:
                if requests.get(f"{base}/login/", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise CommandError("pht serve did not answer within 60 s")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _login(session: Any, base: str, username: str, password: str) -> None:
    session.get(f"{base}/login/", timeout=30)
    token = session.cookies.get("csrftoken", "")
    response = session.post(
        f"{base}/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/login/"},
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302:
        raise CommandError(f"login of {username} failed: {response.status_code}")


def run_load(
    base: str,
    credentials: dict[str, tuple[str, str]],
    urls: dict[str, str],
    users: int,
    seconds: float,
    think: float = 0.0,
    load_before: tuple[float, float, float] | None = None,
) -> dict[str, Any]:
    import requests

    load_before = load_before or os.getloadavg()
    sessions = []
    for i in range(users):
        page = PAGES[i % len(PAGES)][0]
        session = requests.Session()
        _login(session, base, *credentials[page])
        sessions.append((page, session))
    results = Results()
    load_samples: list[float] = []
    stop = time.monotonic() + seconds

    def user(page: str, session: Any) -> None:
        url = base + urls[page]
        while time.monotonic() < stop:
            started = time.perf_counter()
            error, dropped = fetch(session, url)
            results.record(page, time.perf_counter() - started, error, dropped)
            if think:
                time.sleep(random.uniform(0.5 * think, 1.5 * think))

    def sample_load() -> None:
        while time.monotonic() < stop:
            load_samples.append(os.getloadavg()[0])
            time.sleep(1)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=users + 1) as pool:
        pool.submit(sample_load)
        for page, session in sessions:
            pool.submit(user, page, session)
    elapsed = time.monotonic() - started
    pages: dict[str, dict[str, Any]] = {}
    for page, _ in PAGES:
        values = results.latencies.get(page, [])
        pages[page] = {
            "requests": len(values),
            "errors": results.errors.get(page, 0),
            "retried": results.retries.get(page, 0),
            "p50_ms": round(1000 * statistics.median(values), 1) if values else None,
            "p95_ms": round(1000 * percentile(values, 0.95), 1) if values else None,
        }
    total = sum(p["requests"] for p in pages.values())
    return {
        "users": users,
        "think_seconds": think,
        "seconds": round(elapsed, 1),
        "requests": total,
        "requests_per_second": round(total / elapsed, 1) if elapsed else None,
        "errors": sum(p["errors"] for p in pages.values()),
        "error_examples": results.examples,
        "retried": sum(p["retried"] for p in pages.values()),
        "retry_examples": results.retry_examples,
        "pages": pages,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_1min_max": round(max(load_samples), 2) if load_samples else None,
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "cores": os.cpu_count(),
    }


def run(args: argparse.Namespace) -> int:
    load_before = os.getloadavg()  # the machine's own load, before the server and the users start
    credentials, urls = prepare_users()
    from django.db import connections

    connections.close_all()
    with served(args.workers, args.threads) as base:
        report = run_load(base, credentials, urls, args.users, args.seconds, args.think, load_before)
    report["server"] = f"pht serve: gunicorn gthread, {args.workers} workers x {args.threads} threads"
    if args.format == "json":
        print(json.dumps(report, indent=2))
    else:
        print(
            f"{report['server']}; {report['users']} users for {report['seconds']} s on {report['cores']} cores"
        )
        print(f"{'page':<14}{'requests':>10}{'errors':>8}{'retried':>9}{'p50 ms':>10}{'p95 ms':>10}")
        for page, p in report["pages"].items():
            print(
                f"{page:<14}{p['requests']:>10}{p['errors']:>8}{p['retried']:>9}"
                f"{p['p50_ms']!s:>10}{p['p95_ms']!s:>10}"
            )
        print(
            f"total {report['requests']} requests ({report['requests_per_second']}/s), {report['errors']} errors, "
            f"{report['retried']} retried after a dropped connection; load average (1 min) before "
            f"{report['load_average_before'][0]}, max {report['load_average_1min_max']}, "
            f"at the end {report['load_average_end']}"
        )
        for example in report["error_examples"]:
            print(f"  error: {example}")
        for example in report["retry_examples"]:
            print(f"  retried: {example}")
    return 1 if report["errors"] else 0


BENCHMARKS["web"] = ("the site under concurrent logged-in users (pht serve, loopback)", add_arguments, run)
