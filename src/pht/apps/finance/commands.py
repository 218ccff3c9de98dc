"""``pht finance …``: settlements from the lake under both financing models (no database needed)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from typing import Any

from pht.rules.financing import COMPONENTS, Period

CSV_HEADER = ("practice_orgnr", "kommunenummer", "period", "model", "own_model", *COMPONENTS)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    finance = subparsers.add_parser("finance", help="financing models: settlements, comparisons")
    which = finance.add_subparsers(dest="finance_command", required=True, metavar="ACTION")
    settle = which.add_parser(
        "settle",
        help="settle practices for a month (or a year) under both financing models",
        description="Prints, per practice and model (its own and the shadow), the components base_grant, "
        "fee_reimbursement, nurse_reimbursement, capitation, quality_grant, copayments and total.",
    )
    settle.add_argument("--lake", required=True, help="lake directory written by pht synth")
    when = settle.add_mutually_exclusive_group(required=True)
    when.add_argument("--period", help="month to settle, YYYY-MM (e.g. 2018-05)")
    when.add_argument("--year", type=int, help="settle every month of this year")
    settle.add_argument("--practices", help="comma-separated organisation numbers (default: all in scope)")
    settle.add_argument("--municipalities", help="comma-separated kommunenummer (default: the whole lake)")
    settle.add_argument("--format", choices=("table", "json", "csv"), default="table")
    settle.add_argument("--lines", action="store_true", help="with --format json: include statement lines")
    settle.add_argument("--out", help="also write the rows to this Parquet file (bulk runs)")
    settle.set_defaults(handler=run_settle)

    store = which.add_parser(
        "store",
        help="settle and store statements in the database (pilot practices by default)",
        description="Settles like 'settle' and stores both models' statements of each practice in the "
        "registry, replacing earlier ones for the same months (all or nothing).",
    )
    store.add_argument("--lake", required=True, help="lake directory written by pht synth")
    when = store.add_mutually_exclusive_group(required=True)
    when.add_argument("--period", help="month, YYYY-MM")
    when.add_argument("--year", type=int, help="every month of this year")
    store.add_argument(
        "--practices", help="comma-separated organisation numbers (default: the lake's pilot practices)"
    )
    store.set_defaults(handler=run_store)


def _split(text: str | None) -> list[str] | None:
    if not text:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]


def run_settle(args: argparse.Namespace) -> int:
    from pht.command import CommandError
    from pht.engine.finance import FinanceLake, periods_of_year, settlement_rows, write_parquet
    from pht.engine.finance_params import month_parameters
    from pht.lake import LakeError
    from pht.refdata.params import assumption_text
    from pht.rules.financing import assumptions_of

    try:
        periods: Sequence[Period] = (
            (Period.parse(args.period),) if args.period else periods_of_year(args.year)
        )
    except ValueError as exc:
        raise CommandError(f"--period: {exc}") from exc
    try:
        lake = FinanceLake(args.lake)
        scope = lake.practice_ids(_split(args.practices), _split(args.municipalities))
        if args.format == "json":
            # statements (lines, assumptions) by the pure rules
            settled = lake.settle(periods, scope)
            rows = settlement_rows(lake, settled)
        else:
            # components only: the bulk path (equal to the statements' components, tested)
            rows = lake.settlement_table(periods, scope).to_pylist()
    except (LakeError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    if args.out:
        write_parquet(rows, args.out)
    if args.format == "json":
        by_key = {(s.month.practice, str(s.month.period)): s for s in settled}
        payload = []
        for row in rows:
            item: dict[str, Any] = {k: (str(v) if k in COMPONENTS else v) for k, v in row.items()}
            settlement = by_key[(row["practice_orgnr"], row["period"])]
            chosen = settlement.fee if row["model"] == "fee" else settlement.capitation
            item["assumptions"] = chosen.assumptions()
            if args.lines:
                item["lines"] = [line.as_dict() for line in chosen.lines]
            payload.append(item)
        json.dump(payload, sys.stdout, indent=1, ensure_ascii=False, default=str)
        print()
    elif args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        from pht.apps.accounts.exports import export_row

        writer.writerow(export_row(CSV_HEADER))
        for row in rows:
            writer.writerow(
                export_row(row[k] if k != "own_model" else str(row[k]).lower() for k in CSV_HEADER)
            )
    else:
        _print_table(rows)
        if rows:
            assumptions = assumptions_of(month_parameters(periods[0]).provenance())
            print(f"\n{len(assumptions)} parameters are defaults (assumptions), e.g.:", file=sys.stdout)
            for key in sorted(assumptions)[:5]:
                print(f"  {key}: {assumption_text(assumptions[key], 'en')}")
    return 0


def run_store(args: argparse.Namespace) -> int:
    from pht.command import CommandError, setup_django

    setup_django()
    from pht.apps.accounts.actions import ActionRefused
    from pht.apps.finance.actions import store_settlements
    from pht.engine.finance import FinanceLake, periods_of_year
    from pht.lake import LakeError

    try:
        periods: Sequence[Period] = (
            (Period.parse(args.period),) if args.period else periods_of_year(args.year)
        )
        lake = FinanceLake(args.lake)
        wanted = _split(args.practices)
        if wanted is None:
            pilot = lake.practices.filter(lake.practices.column("pilot"))
            wanted = pilot.column("practice_orgnr").to_pylist()
            if not wanted:
                raise CommandError("the lake has no pilot practices; name practices with --practices")
        settled = lake.settle(periods, lake.practice_ids(wanted))
        stored = store_settlements(None, settled, source=f"lake {args.lake}")
    except (LakeError, ValueError, ActionRefused) as exc:
        raise CommandError(str(exc)) from exc
    print(f"stored {len(stored)} statements for {len({s.practice_id for s in stored})} practices")
    return 0


def _print_table(rows: Sequence[dict[str, Any]]) -> None:
    header = ("practice", "period", "model", "own", *COMPONENTS)
    widths = [11, 7, 10, 3, *[13] * len(COMPONENTS)]
    print(
        " ".join(
            h.rjust(w) if i >= 4 else h.ljust(w) for i, (h, w) in enumerate(zip(header, widths, strict=True))
        )
    )
    for row in rows:
        cells = [row["practice_orgnr"], row["period"], row["model"], "*" if row["own_model"] else ""]
        cells += [f"{row[c]:,.2f}".replace(",", " ") for c in COMPONENTS]
        print(
            " ".join(
                c.rjust(w) if i >= 4 else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
        )
