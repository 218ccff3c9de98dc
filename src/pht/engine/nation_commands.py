"""``pht nation whatif``: the national what-if on a lake (no database needed)."""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from pht.refdata.params import assumption_text


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    nation = subparsers.add_parser("nation", help="the national what-if: every practice with a team")
    which = nation.add_subparsers(dest="nation_command", required=True, metavar="ACTION")
    whatif = which.add_parser(
        "whatif",
        help="cost and gains if every practice had a team by the norm, under either financing model",
        description="Settles the year for every practice of the lake, gives each a team by the norm "
        "(nurse_funding.toml) and prints, per practice and in total, the income under the fee model, the "
        "capitation model's frame and each practice's better one, with the nurse FTE needed.",
    )
    whatif.add_argument("--lake", required=True, type=Path, help="lake directory written by pht synth")
    whatif.add_argument("--year", type=int, default=2018, help="year to settle (default 2018)")
    whatif.add_argument("--format", choices=("table", "json"), default="table")
    whatif.add_argument("--evaluation", type=Path, help="result JSON of pht evaluate run --format json")
    whatif.add_argument("--threads", type=int, default=2, help="DuckDB threads (default 2)")
    whatif.add_argument(
        "--out", type=Path, help="also write the JSON result to this file (the finance page reads it)"
    )
    whatif.set_defaults(handler=run_whatif)


def _load_evaluation(path: Path | None) -> Any:
    from pht.command import CommandError

    if path is None:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(f"evaluation result {path}: {exc}") from exc


def run_whatif(args: argparse.Namespace) -> int:
    from pht.command import CommandError
    from pht.engine.nation import whatif, write_json
    from pht.lake import LakeError

    evaluation = _load_evaluation(args.evaluation)
    if evaluation is not None and not isinstance(evaluation, dict | list):
        raise CommandError(f"evaluation result {args.evaluation}: not a JSON object or list")
    try:
        result = whatif(args.lake, args.year, threads=args.threads, evaluation=evaluation)
    except (LakeError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    if args.out:
        write_json(result, args.out)
    if args.format == "json":
        json.dump(result, sys.stdout, indent=1, ensure_ascii=False, default=str)
        print()
        return 0
    print(render_table(result))
    if args.out:
        print(f"written: {args.out}")
    return 0


def _nok(text: str) -> str:
    return f"{Decimal(text):,.0f}".replace(",", " ")


def render_table(result: dict[str, Any]) -> str:
    t = result["totals"]
    out = [
        f"National what-if {result['year']}: {t['practices']:,} practices; today (fee model, no teams) "
        f"{_nok(t['today'])} kr",
        f"{'model':<12}{'income':>18}{'change':>16}{'for team':>16}{'state':>18}{'municip.':>16}{'gain':>7}{'lose':>7}",
    ]
    for model in ("fee", "capitation", "best"):
        m = t[model]
        out.append(
            f"{model:<12}{_nok(m['income']):>18}{_nok(m['change']):>16}{_nok(m['for_team']):>16}"
            f"{_nok(m['state']):>18}{_nok(m['municipality']):>16}{m['gainers']:>7}{m['losers']:>7}"
        )
    n = result["nurse_fte"]
    out.append(
        f"nurse FTE needed {n['needed']} against a supply of {n['supply']} (assumption): gap {n['gap']}"
    )
    out.append(f"frame: {result['frame']['explanation']}")
    out.append("by county (change, kr): fee / capitation / best")
    for row in result["by_county"]:
        out.append(
            f"  {row['county']:<20}{row['practices']:>5}  {_nok(row['fee']['change']):>14}"
            f"{_nok(row['capitation']['change']):>16}{_nok(row['best']['change']):>16}"
        )
    out.append("by municipality size class (change, kr): fee / capitation / best")
    for row in result["by_size_class"]:
        out.append(
            f"  {row['size_class']:<20}{row['practices']:>5}  {_nok(row['fee']['change']):>14}"
            f"{_nok(row['capitation']['change']):>16}{_nok(row['best']['change']):>16}"
        )
    ev = result["evaluation"]
    if ev.get("models"):
        for model, figures in ev["models"].items():
            out.append(
                f"net cost per avoided admission ({model}): {figures['estimate']['net_cost_per_avoided_admission']} "
                f"(at the ratio's bounds {figures['low']['net_cost_per_avoided_admission']} to "
                f"{figures['high']['net_cost_per_avoided_admission']})"
            )
    else:
        out.append(ev["note"])
    out.append(
        "assumptions: "
        + "; ".join(f"{k}: {assumption_text(v, 'en')}" for k, v in result["assumptions"].items())
    )
    return "\n".join(out)
