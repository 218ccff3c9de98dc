"""Sub-commands of the grant scheme (registered by ``pht.cli``).

``pht eligibility check FILE``, ``pht selection solve FILE`` and ``pht grants compute`` are
pure: they read a file or arguments, run rules from ``pht.rules`` and print; no Django.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path
from typing import Any

DEFAULT_CALL = "call_2017"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    eligibility = subparsers.add_parser("eligibility", help="eligibility rules of the grant scheme")
    eligibility_sub = eligibility.add_subparsers(dest="eligibility_command", required=True, metavar="COMMAND")
    check = eligibility_sub.add_parser(
        "check", help="run every eligibility rule on an exported application (JSON, see docs/scheme.md)"
    )
    check.add_argument("file", type=Path, help="application export (JSON)")
    check.add_argument("--call", default=DEFAULT_CALL, help="call parameter set (default %(default)s)")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.set_defaults(handler=eligibility_check)

    selection = subparsers.add_parser("selection", help="stratified selection of municipalities")
    selection_sub = selection.add_subparsers(dest="selection_command", required=True, metavar="COMMAND")
    solve = selection_sub.add_parser("solve", help="solve a selection problem (JSON, see docs/scheme.md)")
    solve.add_argument("file", type=Path, help="selection problem (JSON)")
    solve.add_argument(
        "--details", action="store_true", help="also print binding constraints, alternatives and conflicts"
    )
    solve.set_defaults(handler=selection_solve)

    grants = subparsers.add_parser("grants", help="grant amounts of the scheme")
    grants_sub = grants.add_subparsers(dest="grants_command", required=True, metavar="COMMAND")
    compute = grants_sub.add_parser("compute", help="practice and municipality grants per calendar year")
    compute.add_argument("--gps", type=int, required=True, help="number of participating GPs")
    compute.add_argument("--from", dest="start", type=_date, required=True, help="first day, YYYY-MM-DD")
    compute.add_argument("--to", dest="end", type=_date, required=True, help="last day, YYYY-MM-DD")
    compute.add_argument("--call", default=DEFAULT_CALL, help="call parameter set (default %(default)s)")
    compute.add_argument("--format", choices=("text", "json"), default="text")
    compute.add_argument(
        "--accepted", type=_date, help="also print the payment plan for this acceptance date"
    )
    compute.set_defaults(handler=grants_compute)

    scheme = subparsers.add_parser("scheme", help="grant scheme administration (database)")
    scheme_sub = scheme.add_subparsers(dest="scheme_command", required=True, metavar="COMMAND")
    remind = scheme_sub.add_parser("remind", help="e-mail project leads about reports due soon or overdue")
    remind.add_argument(
        "--days", type=int, default=14, help="remind this many days ahead (default %(default)s)"
    )
    remind.add_argument("--today", type=_date, help="the date to count from (default today)")
    remind.set_defaults(handler=scheme_remind)


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def _read_json(path: Path) -> Any:
    from pht.command import CommandError

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc


def eligibility_check(args: argparse.Namespace) -> int:
    from pht.command import CommandError
    from pht.refdata import municipalities
    from pht.refdata.params import load_parameters
    from pht.rules.eligibility import (
        ApplicationFormatError,
        EligibilityContext,
        application_from_mapping,
        check_all,
    )
    from pht.rules.size_class import SizeClassThresholds

    document = _read_json(args.file)
    if not isinstance(document, dict):
        raise CommandError(f"{args.file}: must hold one JSON object")
    try:
        app, registry = application_from_mapping(document)
    except ApplicationFormatError as exc:
        raise CommandError(f"{args.file}: {exc}") from exc
    call = load_parameters(
        args.call, datetime.date(2017, 10, 15) if args.call == DEFAULT_CALL else datetime.date.today()
    )
    year = call.values["deadline_date"].year
    known = {m.kommunenummer: m for m in municipalities(year)}
    if app.population is None and app.kommunenummer in known:
        # The population on 1 January of the call year, from reference data.
        import dataclasses

        app = dataclasses.replace(app, population=known[app.kommunenummer].population)
    size = load_parameters("size_class", datetime.date(year, 1, 1))
    ctx = EligibilityContext(
        deadline_date=call.values["deadline_date"],
        timezone=call.values["timezone"],
        registry_gps=registry,
        known_municipalities=frozenset(known),
        size_thresholds=SizeClassThresholds.from_mapping(size.values),
        gp_lists_per_nurse_fte=int(call.values["gp_lists_per_nurse_fte"]),
    )
    report = check_all(app, ctx)
    if args.format == "json":
        print(
            json.dumps(
                {"passed": report.passed, "verdicts": [v.as_dict() for v in report.verdicts]},
                ensure_ascii=False,
                indent=2,
                default=str,
            )
        )
    else:
        print(f"{app.municipality_name} ({app.kommunenummer}):")
        for verdict in report.verdicts:
            print(f"  {'PASS' if verdict.passed else 'FAIL'}  {verdict.rule}: {verdict.reason}")
        print("eligible" if report.passed else f"not eligible: {len(report.failed)} rule(s) failed")
    return 0 if report.passed else 1


def selection_solve(args: argparse.Namespace) -> int:
    from pht.command import CommandError
    from pht.rules.selection import SelectionInputError, problem_from_mapping, solve_selection

    document = _read_json(args.file)
    if not isinstance(document, dict):
        raise CommandError(f"{args.file}: must hold one JSON object")
    try:
        problem = problem_from_mapping(document)
    except SelectionInputError as exc:
        raise CommandError(f"{args.file}: {exc}") from exc
    result = solve_selection(problem)
    json.dump(result.as_dict(details=args.details), sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


def grants_compute(args: argparse.Namespace) -> int:
    from pht.command import CommandError
    from pht.refdata.params import ParameterError, load_parameters
    from pht.rules.grants import GrantParameters, grant_years, payment_plan

    try:
        params_set = load_parameters(args.call, args.start)
    except ParameterError as exc:
        raise CommandError(str(exc)) from exc
    params = GrantParameters.from_mapping(params_set.values)
    try:
        years = grant_years(args.gps, args.start, args.end, params)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    plan = payment_plan(years, params, args.accepted) if args.accepted else None
    if args.format == "json":
        output: Any = [y.as_dict() for y in years]
        if plan is not None:
            output = {
                "years": output,
                "instalments": [
                    {
                        "number": i.number,
                        "due": i.due.isoformat(),
                        "year": i.year,
                        "practice_amount": f"{i.practice_amount:.2f}",
                        "municipality_amount": f"{i.municipality_amount:.2f}",
                    }
                    for i in plan
                ],
            }
        print(json.dumps(output, ensure_ascii=False, indent=2))
        return 0
    for year in years:
        print(year.reason)
    assumed = [
        key for key in params_set.assumptions if key.startswith(("grant_", "municipality_", "instalment"))
    ]
    if assumed:
        print(f"assumptions (defaults, not published values): {', '.join(sorted(assumed))}")
    if plan is not None:
        for i in plan:
            print(f"instalment {i.number}: {i.due.isoformat()}  {i.total:,.2f}  ({i.reason})")
    return 0


def scheme_remind(args: argparse.Namespace) -> int:
    from pht.command import setup_django

    setup_django()
    from pht.apps.scheme.actions import send_report_reminders

    today = args.today or datetime.date.today()
    reports = send_report_reminders(today, args.days)
    for report in reports:
        municipality = report.decision.application.municipality
        state = "overdue" if report.due_date < today else "due"
        print(
            f"{municipality.kommunenummer} {municipality.name}: report {report.year} {state} {report.due_date}"
        )
    print(f"{len(reports)} reminder(s) sent")
    return 0
