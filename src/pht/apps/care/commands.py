"""``pht care …``: target groups over a lake (pure; no database)."""

from __future__ import annotations

import argparse
import datetime
import json
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    care = subparsers.add_parser("care", help="team operations: target groups, care plans")
    which = care.add_subparsers(dest="care_command", required=True, metavar="ACTION")
    stratify = which.add_parser(
        "stratify", help="target-group membership per listed resident, with reasons, from a lake"
    )
    add_stratify_arguments(stratify)
    stratify.set_defaults(handler=run_stratify)
    load = which.add_parser(
        "import",
        help="import a practice's list residents, contacts and diagnoses (CSV/Parquet files or a lake) into the DB",
    )
    load.add_argument("--practice", required=True, metavar="ORGNR", help="the practice's organisation number")
    load.add_argument("--residents", type=Path, help="residents file (.csv or .parquet)")
    load.add_argument("--contacts", type=Path, help="contacts file (.csv or .parquet)")
    load.add_argument("--diagnoses", type=Path, help="diagnoses file (.csv or .parquet)")
    load.add_argument(
        "--lake", type=Path, help="instead of files: take the practice's extract from this lake"
    )
    load.add_argument(
        "--on", type=_date, default=None, help="with --lake: the extract date (default: last year)"
    )
    load.set_defaults(handler=run_import)


def add_stratify_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lake", required=True, type=Path, help="lake directory (pht synth --out)")
    parser.add_argument("--practices", nargs="*", default=None, metavar="ORGNR", help="only these practices")
    parser.add_argument("--on", type=_date, default=None, help="reference date (default: last contact date)")
    parser.add_argument("--out", type=Path, required=False, help="output file, .parquet or .csv")
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: all cores)")


def run_import(args: argparse.Namespace) -> int:
    """Each file is validated whole and stored in one transaction; a refused file changes nothing."""
    from pht.command import CommandError, setup_django

    setup_django()
    from pht.apps.care import actions
    from pht.apps.care.importing import ImportRefused
    from pht.apps.registry.models import Practice

    practice = Practice.objects.filter(orgnr=args.practice).first()
    if practice is None:
        raise CommandError(f"--practice {args.practice}: no such practice in the registry")
    files = [
        (kind, getattr(args, kind)) for kind in ("residents", "contacts", "diagnoses") if getattr(args, kind)
    ]
    if bool(files) == bool(args.lake):
        raise CommandError("give either --lake or one or more of --residents/--contacts/--diagnoses")
    from pht.engine.care import default_reference_date
    from pht.lake import LakeError

    try:
        if args.lake:
            batches = actions.import_from_lake(
                None, practice, args.lake, args.on or default_reference_date(args.lake)
            )
        else:
            batches = []
            for kind, path in files:
                if not path.is_file():
                    raise CommandError(f"--{kind} {path}: no such file")
                batches.append(actions.import_bytes(None, practice, path.read_bytes(), path.name, kind))
    except (ImportRefused, LakeError) as refused:
        raise CommandError(str(refused)) from None
    for batch in batches:
        print(
            f"{batch.kind}: {batch.source}: {batch.rows} rows, {batch.added} added, {batch.updated} updated"
        )
    return 0


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def run_stratify(args: argparse.Namespace) -> int:
    from pht.command import CommandError
    from pht.engine.care import stratify_to_file
    from pht.lake import LakeError

    try:
        summary = stratify_to_file(args.lake, args.on, args.practices, args.out, args.threads)
    except LakeError as exc:
        raise CommandError(str(exc)) from None
    print(f"{summary['residents']:,} residents listed on {summary['on']} ({summary['seconds']} s)")
    print("Target groups (defaults = assumptions; the real pilot reached ~10 % of list patients by 2021):")
    for group, figures in summary["shares"].items():
        print(f"  {group:<16} {figures['residents']:>10,}  {100 * figures['share']:6.2f} %")
    aged = summary["frailty_shares"]["aged"]
    print(
        f"Frailty categories among the {aged['residents']:,} residents aged {aged['min_age']}+ "
        "(eFI reference, Clegg et al. 2016: fit ~50 %, mild ~35 %, moderate ~12 %, severe ~3 %):"
    )
    for category, figures in summary["frailty_shares"].items():
        if category != "aged":
            print(f"  {category:<16} {figures['residents']:>10,}  {100 * figures['share']:6.2f} %")
    if args.out:
        print(f"written: {args.out}")
    else:
        print(json.dumps(summary["parameters"], indent=2, default=str))
    return 0
