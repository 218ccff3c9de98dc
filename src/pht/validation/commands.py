"""``pht evaluate run | truth | validate | report``: the evaluation engine on the command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from pht.command import CommandError


def _plan(args: argparse.Namespace) -> Any:
    from pht.engine.evaluation.outcomes import KNOWN_OUTCOMES
    from pht.engine.evaluation.plan import PlanError, load_plan

    try:
        return load_plan(args.plan, KNOWN_OUTCOMES)
    except PlanError as exc:
        raise CommandError(str(exc)) from None


def _lake(path: str) -> Path:
    lake = Path(path)
    if not lake.is_dir():
        raise CommandError(f"lake directory {lake} does not exist")
    return lake


def _progress(quiet: bool) -> Any:
    if quiet:
        return None
    return lambda message: print(f"[evaluate] {message}", file=sys.stderr, flush=True)


def _number(value: Any, width: int, digits: int = 3) -> str:
    """A float right-aligned to ``width`` with ``digits`` decimals; a dash where there is none."""
    return f"{value:>{width}.{digits}f}" if isinstance(value, float) else f"{'–':>{width}}"


def _table(estimates: list[dict[str, Any]]) -> str:
    header = (
        f"{'outcome':26} {'population':10} {'scale':10} {'estimate':>9} {'95% CI':>20} "
        f"{'p':>7} {'p adj':>7} {'p RI':>7} {'naive':>9} {'MDE':>7} {'T':>3} {'C':>3}"
    )
    lines = [header, "-" * len(header)]
    for e in estimates:
        ci = f"[{_number(e['ci_low'], 0)}, {_number(e['ci_high'], 0)}]" if e["ci_low"] is not None else "–"
        lines.append(
            f"{e['outcome']:26} {e['population']:10} {e['scale']:10} {_number(e['estimate'], 9)} {ci:>20} "
            f"{_number(e['p_value'], 7)} {_number(e['p_adjusted'], 7)} {_number(e.get('p_value_randomisation'), 7)} "
            f"{_number(e['naive_estimate'], 9)} {_number(e['mde'], 7)} "
            f"{e['treated_practices']:>3} {e['control_practices']:>3}"
        )
    return "\n".join(lines)


def evaluate_run(args: argparse.Namespace) -> int:
    from pht.engine.evaluation.run import EvaluationError, run
    from pht.lake import LakeError

    plan = _plan(args)
    try:
        result = run(_lake(args.lake), plan, progress=_progress(args.quiet))
    except (EvaluationError, LakeError) as exc:
        raise CommandError(str(exc)) from None
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "results.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
        _write_panels(Path(args.lake), plan, out, patient_months=args.patient_months, quiet=args.quiet)
        import csv

        with (out / "estimates.csv").open("w", newline="", encoding="utf-8") as handle:
            fields = [k for k in result["estimates"][0] if k not in ("event_study", "pretrend")]
            writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(result["estimates"])
    if args.format == "table":
        print(
            f"plan {result['plan']['name']} {result['plan_hash'][:12]}  locked {result['plan']['locked_at']}"
        )
        print(_table(result["estimates"]))
    else:
        summary = {
            "plan_hash": result["plan_hash"],
            "plan": result["plan"],
            "design": {k: v for k, v in result["design"].items() if k != "periods"},
            "estimates": [{k: v for k, v in e.items() if k != "event_study"} for e in result["estimates"]],
            "timings": result["timings"],
        }
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


def _write_panels(lake_dir: Path, plan: Any, out: Path, *, patient_months: bool, quiet: bool) -> None:
    """The panels behind the estimates, for re-analysis elsewhere (Stata, R): practice × period for
    every outcome, and on request patient × month."""
    from pht.engine.evaluation.panels import EvaluationLake
    from pht.engine.evaluation.plan import lock

    say = _progress(quiet) or (lambda _message: None)
    lake = EvaluationLake(lake_dir, plan)
    try:
        locked = lock(plan)
        keys = [key for key, _dimension in plan.outcome_dimensions()]
        rows = lake.write_practice_panels(out / "practice_panels.parquet", locked, keys)
        say(f"wrote {rows:,} practice-period rows to {out / 'practice_panels.parquet'}")
        if patient_months:
            rows = lake.write_patient_month_panel(out / "patient_months.parquet", locked, keys)
            say(f"wrote {rows:,} patient-month rows to {out / 'patient_months.parquet'}")
    finally:
        lake.close()


def evaluate_truth(args: argparse.Namespace) -> int:
    from pht.engine.evaluation.run import EvaluationError
    from pht.lake import LakeError
    from pht.validation.truth import truth_estimates

    plan = _plan(args)
    try:
        truth = truth_estimates(_lake(args.lake), plan)
    except (EvaluationError, LakeError) as exc:
        raise CommandError(str(exc)) from None
    print(json.dumps({"plan_hash": plan.hash, "truth": truth}, indent=2, ensure_ascii=False))
    return 0


def evaluate_validate(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from pht.validation.experiment import VALIDATION_MUNICIPALITIES, Experiment, validate

    if not 1 <= args.seeds <= 500:
        raise CommandError("--seeds must be between 1 and 500")
    plan = _plan(args)
    codes = (
        tuple(c.strip() for c in args.municipalities.split(","))
        if args.municipalities
        else VALIDATION_MUNICIPALITIES
    )
    experiment = Experiment(
        seeds=tuple(range(args.first_seed, args.first_seed + args.seeds)),
        effects=args.effects,
        municipalities=codes,
    )
    bar = tqdm(total=args.seeds, unit="lake", file=sys.stderr, disable=args.quiet)
    report = validate(experiment, plan, jobs=max(1, args.jobs), on_lake=lambda _r: bar.update(1))
    bar.close()
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    if args.format == "table":
        print(
            f"{len(experiment.seeds)} lakes, effects {experiment.effects}: coverage {report['coverage']} "
            f"over {report['cases_with_truth']} (seed x outcome) cases with a truth; "
            f"false-positive rate {report['false_positive_rate']} over {report['null_cases']} cases whose truth "
            f"is no effect; rejection rate over all estimates {report['rejection_rate']}"
        )
        print(
            f"{'outcome':26} {'population':10} {'truth':>8} {'coverage':>8} {'bias':>9} {'naive bias':>10} {'reject':>7}"
        )
        for s in report["outcomes"]:
            print(
                f"{s['outcome']:26} {s['population']:10} {_number(s.get('mean_truth'), 8, 4)} "
                f"{_number(s.get('coverage'), 8, 4)} {_number(s.get('bias'), 9, 4)} "
                f"{_number(s.get('naive_bias'), 10, 4)} {_number(s.get('rejection_rate'), 7, 4)}"
            )
    else:
        print(json.dumps({k: v for k, v in report.items() if k != "rows"}, indent=2, ensure_ascii=False))
    return 0


def _report(args: argparse.Namespace) -> int:
    from pht.command import setup_django

    setup_django()
    from pht.apps.evaluation.report import report_command

    return report_command(args)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="the evaluation: does the primary health team work? (run a plan, truth, validation)",
        description="Run a pre-registered analysis plan on a lake; on synthetic lakes, compare with the truth.",
    )
    which = parser.add_subparsers(dest="evaluate_command", required=True, metavar="COMMAND")

    run_p = which.add_parser("run", help="run the analysis plan on a lake and print the estimates")
    run_p.add_argument(
        "--lake", required=True, help="the lake directory (pht synth output or register extracts)"
    )
    run_p.add_argument("--plan", help="analysis plan (TOML); default: PHT's default plan")
    run_p.add_argument("--format", choices=["json", "table"], default="json")
    run_p.add_argument(
        "--out", help="also write results.json (with event studies and balance) and estimates.csv here"
    )
    run_p.add_argument(
        "--patient-months",
        action="store_true",
        help="with --out: also write the patient x month panel (patient_months.parquet)",
    )
    run_p.add_argument("--quiet", action="store_true", help="no progress messages")
    run_p.set_defaults(handler=evaluate_run)

    truth_p = which.add_parser(
        "truth", help="the true effects on the treated from a synthetic lake's truth record"
    )
    truth_p.add_argument("--lake", required=True)
    truth_p.add_argument("--plan")
    truth_p.add_argument("--format", choices=["json"], default="json")
    truth_p.set_defaults(handler=evaluate_truth)

    report_p = which.add_parser(
        "report", help="the evaluation report (HTML or PDF) or the estimates (CSV) from a result file"
    )
    report_p.add_argument("--result", required=True, help="results.json of `pht evaluate run --out`")
    report_p.add_argument("--format", choices=["html", "pdf", "csv"], default="html")
    report_p.add_argument("--out", required=True, help="the file to write")
    report_p.add_argument("--language", choices=["nb", "en"], default="nb")
    report_p.add_argument(
        "--meta", help="JSON with the run's metadata (snapshot_hash, run_id, started_at, finished_at, ...)"
    )
    report_p.set_defaults(handler=_report)

    val_p = which.add_parser("validate", help="generate N lakes and check coverage, bias and false positives")
    val_p.add_argument("--seeds", type=int, required=True, help="number of lakes (seeds first-seed ..)")
    val_p.add_argument("--first-seed", type=int, default=1)
    val_p.add_argument("--effects", choices=["default", "zero"], default="default")
    val_p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    val_p.add_argument(
        "--municipalities", help="comma-separated 2017 kommunenummer (default: the pilot's, without Oslo)"
    )
    val_p.add_argument("--plan")
    val_p.add_argument("--format", choices=["json", "table"], default="table")
    val_p.add_argument("--out", help="write the full report (every lake's estimates) as JSON here")
    val_p.add_argument("--quiet", action="store_true")
    val_p.set_defaults(handler=evaluate_validate)
