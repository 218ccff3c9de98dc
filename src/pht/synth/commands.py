"""Sub-commands of this area (registered by ``pht.cli``): ``pht synth``."""

from __future__ import annotations

import argparse
import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING

from pht.refdata import Municipality

if TYPE_CHECKING:
    from pht.synth.pilot import Pilot


def parse_years(text: str) -> tuple[int, int]:
    from pht.command import CommandError

    try:
        if "-" in text:
            first, last = (int(part) for part in text.split("-", 1))
        else:
            first = last = int(text)
    except ValueError:
        raise CommandError(f"--years must look like 2015-2021, got {text!r}") from None
    if first > last:
        raise CommandError(f"--years: {first} is after {last}")
    return first, last


def add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    """The options shared by ``pht synth`` and ``pht bench synth``."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--municipalities", help="comma-separated 2017 kommunenummer, e.g. 0828,1401")
    where.add_argument("--county", help="a 2017 county by name or number, e.g. 'Sogn og Fjordane' or 14")
    where.add_argument("--scale", choices=["nation"], help="the whole nation (426 municipalities of 2017)")
    parser.add_argument(
        "--years", default="2015-2021", help="first-last year, must include 2017 (default 2015-2021)"
    )
    parser.add_argument("--seed", type=int, default=2017, help="random seed (default 2017)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes")
    parser.add_argument(
        "--effects",
        choices=["default", "zero"],
        default="default",
        help="true pilot effects (default: default)",
    )
    parser.add_argument(
        "--effect",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override one true effect, e.g. acute_admission_rr=0.8 (repeatable)",
    )
    parser.add_argument("--no-pilot", action="store_true", help="generate without any pilot practices")


def selection(args: argparse.Namespace) -> list[Municipality]:
    from pht.command import CommandError
    from pht.lake import LakeError
    from pht.synth.lake import select_municipalities

    if not (args.municipalities or args.county or args.scale):
        raise CommandError("choose what to generate: --municipalities, --county or --scale nation")
    codes = [c.strip() for c in args.municipalities.split(",") if c.strip()] if args.municipalities else None
    try:
        return select_municipalities(codes, args.county)
    except LakeError as exc:
        raise CommandError(str(exc)) from None


def pilot_from(args: argparse.Namespace) -> Pilot:
    from pht.command import CommandError
    from pht.synth.pilot import DEFAULT_EFFECTS, ZERO_EFFECTS, default_pilot, no_pilot

    if args.no_pilot:
        return no_pilot()
    effects = DEFAULT_EFFECTS if args.effects == "default" else ZERO_EFFECTS
    names = {f.name for f in dataclasses.fields(effects)}
    for item in args.effect:
        name, _, value = item.partition("=")
        if name not in names:
            raise CommandError(f"--effect {item!r}: unknown effect; effects are {', '.join(sorted(names))}")
        try:
            effects = dataclasses.replace(effects, **{name: float(value)})
        except ValueError:
            raise CommandError(f"--effect {item!r}: value must be a number") from None
    try:
        return default_pilot(args.seed, effects.validate())
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def synth(args: argparse.Namespace) -> int:
    from pht.command import CommandError
    from pht.lake import LakeError
    from pht.synth.lake import run

    first, last = parse_years(args.years)
    chosen = selection(args)
    pilot = pilot_from(args)
    try:
        manifest = run(
            Path(args.out),
            chosen,
            seed=args.seed,
            first_year=first,
            last_year=last,
            pilot=pilot,
            jobs=max(1, args.jobs),
            progress=not args.quiet,
            confounding=args.confounding == "on",
        )
    except LakeError as exc:
        raise CommandError(str(exc)) from None
    rows = {name: info["rows"] for name, info in manifest["datasets"].items()}
    print(
        f"wrote {len(manifest['files'])} files to {args.out}: "
        + ", ".join(f"{k} {v:,}" for k, v in rows.items())
    )
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "synth",
        help="generate a synthetic Norway (Parquet lake + manifest)",
        description="Generate a reproducible synthetic data lake: residents and GP lists, morbidity, "
        "contacts and claims, hospital stays, municipal care and surveys, with the pilot and its "
        "true effects.",
    )
    add_selection_arguments(parser)
    parser.add_argument(
        "--out", required=True, help="output directory (empty, or a previous lake to replace)"
    )
    parser.add_argument(
        "--confounding",
        choices=["on", "off"],
        default="on",
        help="latent practice effects with self-selected pilot practices, municipal trends and the "
        "2020 pandemic shock (synth_evaluation.toml; default: on). Not an effect: --effects zero "
        "still injects no pilot effect",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=synth)
