"""The ``pht`` command: demo, serve, migrate, reference data, jobs and benchmarks.

Each area of PHT registers its own sub-commands through a ``register(subparsers)`` function in
the modules listed in ``COMMAND_MODULES``; this file only builds the parser and dispatches.
Commands that need the database call ``pht.command.setup_django()`` first; pure commands do not.
The plumbing (``CommandError``, ``setup_django``, the benchmark registry) lives in ``pht.command``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from pht.command import CommandError

COMMAND_MODULES = (
    "pht.site.commands",
    "pht.synth.commands",
    "pht.apps.scheme.commands",
    "pht.apps.finance.commands",
    "pht.apps.care.commands",
    "pht.apps.accounts.commands",
    "pht.apps.jobs.commands",
    "pht.validation.commands",
    "pht.bench",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pht", description="PHT: the primary health team scheme, end to end."
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = args.handler(args)
    except CommandError as exc:
        print(f"pht: {exc}", file=sys.stderr)
        return 2
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
