"""``pht worker``: run background jobs (django-tasks' database worker, with PHT's stale-job recovery)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from pht.command import setup_django


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    worker = subparsers.add_parser("worker", help="run background jobs (settlement runs, evaluations, …)")
    worker.add_argument(
        "--interval", type=float, default=1.0, help="seconds between looks at an empty queue (default 1)"
    )
    worker.add_argument("--once", action="store_true", help="run what is queued, then exit")
    worker.set_defaults(handler=run_worker_command)


def run_worker_command(args: argparse.Namespace) -> int:
    setup_django()
    from pht.apps.jobs.runner import run_worker

    ran = run_worker(interval=args.interval, once=args.once)
    if args.once:
        print(f"Ran {ran} queued job(s).")
    return 0


def start_worker_process() -> subprocess.Popen[bytes]:
    """One ``pht worker`` beside the web server (``pht serve`` and ``pht demo`` unless ``--no-worker``)."""
    return subprocess.Popen([sys.executable, "-m", "pht.cli", "worker"], env=os.environ.copy())


def stop_worker_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
