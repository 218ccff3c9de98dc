"""``pht care …``: target groups over a lake (pure; no database)."""

from __future__ import annotations

import argparse
import datetime
import json
import time
from pathlib import Path
from typing import Any


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
    from pht.cli import CommandError, setup_django

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
    except ImportRefused as refused:
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


def _parameters(on: datetime.date) -> tuple[Any, Any, dict[str, Any]]:
    from pht.refdata.params import load_parameters
    from pht.rules.frailty import FrailtyIndexParameters
    from pht.rules.target_groups import TargetGroupParameters

    groups = load_parameters("target_groups", on)
    frailty = load_parameters("frailty_index", on)
    provenance: dict[str, Any] = {"target_groups": groups.provenance(), "frailty_index": frailty.provenance()}
    return (
        TargetGroupParameters.from_mapping(groups.values),
        FrailtyIndexParameters.from_mapping(frailty.values),
        provenance,
    )


def default_reference_date(lake: Path) -> datetime.date:
    """The last day of the last year that has contacts in the lake."""
    from pht.synth.schemas import dataset_files

    years = [
        int(part.split("=", 1)[1])
        for path in dataset_files(lake, "contacts")
        for part in path.parts
        if part.startswith("year=")
    ]
    if not years:
        import pyarrow.parquet as pq

        years = [
            max(pq.read_table(path, columns=["year"]).column("year").to_pylist() or [0])
            for path in dataset_files(lake, "contacts")
        ]
    if not years or max(years) == 0:
        from pht.cli import CommandError

        raise CommandError(f"{lake}: no contacts in the lake; give --on")
    return datetime.date(max(years), 12, 31)


def stratify_to_file(
    lake: Path, on: datetime.date | None, practices: list[str] | None, out: Path | None, threads: int | None
) -> dict[str, Any]:
    from pht.cli import CommandError
    from pht.engine.care import connect, shares, stratify_lake

    if not (lake / "residents").is_dir():
        raise CommandError(f"{lake}: not a lake (no residents dataset)")
    if out is not None and out.suffix not in {".parquet", ".csv"}:
        raise CommandError(f"--out {out}: must end in .parquet or .csv")
    on = on or default_reference_date(lake)
    parameters, frailty, provenance = _parameters(on)
    started = time.perf_counter()
    table = stratify_lake(
        lake, on, parameters, frailty, practices=practices, con=connect(threads)
    ).to_pyarrow()
    seconds = time.perf_counter() - started
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix == ".parquet":
            import pyarrow.parquet as pq

            pq.write_table(table, out)
        else:
            import pyarrow.csv as pacsv

            pacsv.write_csv(table, out)
    return {
        "on": on.isoformat(),
        "residents": table.num_rows,
        "seconds": round(seconds, 3),
        "shares": shares(table),
        "parameters": provenance,
        "note": "All target-group rules and cut-offs are PHT defaults (assumptions), see docs/care.md.",
    }


def run_stratify(args: argparse.Namespace) -> int:
    summary = stratify_to_file(args.lake, args.on, args.practices, args.out, args.threads)
    print(f"{summary['residents']:,} residents listed on {summary['on']} ({summary['seconds']} s)")
    print("Target groups (defaults = assumptions; the real pilot reached ~10 % of list patients by 2021):")
    for group, figures in summary["shares"].items():
        print(f"  {group:<16} {figures['residents']:>10,}  {100 * figures['share']:6.2f} %")
    if args.out:
        print(f"written: {args.out}")
    else:
        print(json.dumps(summary["parameters"], indent=2, default=str))
    return 0
