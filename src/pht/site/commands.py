"""Core sub-commands: demo, serve, migrate, refdata load, municipalities."""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import sys
from typing import Any

from pht.command import CommandError, setup_django
from pht.refdata import RefDataError, available_years, load_parameters, municipalities
from pht.rules.size_class import SizeClass, SizeClassThresholds, classify_size

DEFAULT_ADDRESS = "127.0.0.1:8000"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = subparsers.add_parser(
        "demo", help="set up the database with reference and demo data, then serve the site"
    )
    demo.add_argument("--no-serve", action="store_true", help="only set up; do not start the web server")
    _serve_arguments(demo)
    demo.set_defaults(handler=run_demo)

    serve = subparsers.add_parser(
        "serve", help="serve the web site (gunicorn; the Django development server with --dev)"
    )
    _serve_arguments(serve)
    serve.set_defaults(handler=run_serve)

    migrate = subparsers.add_parser("migrate", help="create or upgrade the database tables")
    migrate.set_defaults(handler=run_migrate)

    refdata = subparsers.add_parser("refdata", help="reference data")
    refdata_sub = refdata.add_subparsers(dest="refdata_command", required=True, metavar="ACTION")
    load = refdata_sub.add_parser("load", help="load municipalities and populations into the database")
    load.add_argument("--year", type=int, default=2017)
    load.set_defaults(handler=run_refdata_load)

    munis = subparsers.add_parser("municipalities", help="list municipalities with population and size class")
    munis.add_argument("--year", type=int, default=2017)
    munis.add_argument("--size-class", choices=[c.value for c in SizeClass])
    munis.add_argument("--format", choices=["table", "csv", "json"], default="table")
    munis.set_defaults(handler=run_municipalities)


def _manage(*args: str) -> None:
    setup_django()
    from django.core.management import call_command

    call_command(*args)


def run_migrate(args: argparse.Namespace) -> int:
    _manage("migrate", "--no-input")
    return 0


def run_demo(args: argparse.Namespace) -> int:
    run_migrate(args)
    from pht.site.demo import build_demo

    users = build_demo(print)
    if users:
        print("\nDemo users (passwords are shown only this once):")
        for username, password in users:
            print(f"  {username:<16} {password}")
    else:
        print("Demo users already exist; their passwords were printed when they were created.")
    if args.no_serve:
        return 0
    return run_serve(args)


def _serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--address", default=DEFAULT_ADDRESS, help=f"host:port (default {DEFAULT_ADDRESS})")
    parser.add_argument(
        "--workers", type=int, default=DEFAULT_WORKERS, help=f"worker processes (default {DEFAULT_WORKERS})"
    )
    parser.add_argument(
        "--threads", type=int, default=DEFAULT_THREADS, help=f"threads per worker (default {DEFAULT_THREADS})"
    )
    parser.add_argument(
        "--dev", action="store_true", help="Django's development server instead (never in production)"
    )
    parser.add_argument(
        "--no-worker", action="store_true", help="do not start a background-job worker beside the server"
    )


# Sized for two cores: requests mostly wait on the database, so threads overlap that wait.
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 8


def gunicorn_options(args: argparse.Namespace) -> dict[str, object]:
    """The gunicorn settings ``pht serve`` runs with."""
    return {
        "bind": args.address,
        "workers": args.workers,
        "worker_class": "gthread",
        "threads": args.threads,
        "timeout": 60,
        "graceful_timeout": 10,
        "keepalive": 5,
        # Restart workers now and then, so a slow leak cannot grow without bound.
        "max_requests": 5000,
        "max_requests_jitter": 500,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
    }


def run_serve(args: argparse.Namespace) -> int:
    """Serve the site, with one background-job worker process beside it unless ``--no-worker``."""
    if getattr(args, "no_worker", False):
        return _serve(args)
    from pht.apps.jobs.commands import start_worker_process, stop_worker_process

    worker = start_worker_process()
    try:
        return _serve(args)
    finally:
        stop_worker_process(worker)


def _serve(args: argparse.Namespace) -> int:
    if getattr(args, "dev", False):
        print(f"Serving PHT (development server) on http://{args.address}/  (Ctrl-C to stop)")
        _manage("runserver", "--noreload", args.address)
        return 0
    # Users of a served site see the friendly error pages, never Django's technical ones.
    os.environ["PHT_DEBUG_PAGES"] = "0"
    setup_django()
    from django.db import connections

    connections.close_all()  # the workers are forked: none may inherit the parent's connection
    options = gunicorn_options(args)
    print(
        f"Serving PHT on http://{args.address}/ with gunicorn, {options['workers']} workers × "
        f"{options['threads']} threads  (Ctrl-C to stop)",
        flush=True,
    )
    _gunicorn_application(options).run()
    return 0


def _gunicorn_application(options: dict[str, object]) -> Any:
    """gunicorn, in-process, on PHT's WSGI application (no separate config file)."""
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from pht.site.wsgi import application

            return application

    return Application()


def run_refdata_load(args: argparse.Namespace) -> int:
    setup_django()
    from pht.apps.registry.loading import load_municipalities

    try:
        result = load_municipalities(args.year)
    except RefDataError as exc:
        raise CommandError(str(exc)) from exc
    print(f"Loaded municipalities of {args.year}: {result.created} created, {result.updated} updated.")
    return 0


CSV_HEADER = ("kommunenummer", "name", "county", "population", "size_class")


def run_municipalities(args: argparse.Namespace) -> int:
    if args.year not in available_years():
        raise CommandError(f"no reference data for year {args.year}; available: {available_years()}")
    try:
        rows = municipalities(args.year)
    except RefDataError as exc:
        raise CommandError(str(exc)) from exc
    params = load_parameters("size_class", on=datetime.date(args.year, 1, 1))
    thresholds = SizeClassThresholds.from_mapping(params.values)
    records = []
    for m in rows:
        size = classify_size(m.population, thresholds)
        if args.size_class and size.value != args.size_class:
            continue
        records.append(
            {
                "kommunenummer": m.kommunenummer,
                "name": m.name,
                "county": m.county,
                "population": m.population,
                "size_class": size.value.value,
                "reason": size.reason,
            }
        )
    if args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=CSV_HEADER, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    elif args.format == "json":
        json.dump(records, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for r in records:
            print(
                f"{r['kommunenummer']}  {r['name']:<32} {r['county']:<20} {r['population']:>9,}  {r['size_class']}"
            )
        counts = {c.value: sum(1 for r in records if r["size_class"] == c.value) for c in SizeClass}
        print(f"{len(records)} municipalities: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0
