"""``pht evaluate extract``: the operational side's pseudonymised extract of a lake, for evaluators."""

from __future__ import annotations

import argparse
from pathlib import Path


def register_extract(which: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = which.add_parser(
        "extract",
        help="write a pseudonymised evaluation extract of a lake and record it (operational side)",
        description=(
            "Every person id becomes a keyed HMAC pseudonym (PHT_PSEUDONYM_KEY, which stays here), birth "
            "dates are coarsened to the year, names and free text are dropped. The extract is recorded for "
            "the evaluation workspace and logged as an access event with its purpose."
        ),
    )
    parser.add_argument("--lake", required=True, type=Path, help="the lake directory")
    parser.add_argument("--out", required=True, type=Path, help="the extract directory (must not exist)")
    parser.add_argument("--purpose", required=True, help="why the extract is made (logged)")
    parser.add_argument("--user", help="the operator's username (logged as the actor)")
    parser.set_defaults(handler=extract)


def extract(args: argparse.Namespace) -> int:
    from pht.command import CommandError, setup_django

    setup_django()
    from pht.apps.accounts.actions import ActionRefused
    from pht.apps.accounts.models import User
    from pht.apps.evaluation.actions import record_extract

    user = None
    if args.user:
        user = User.objects.filter(username=args.user).first()
        if user is None:
            raise CommandError(f"--user {args.user}: no such user")
    try:
        made = record_extract(user, args.lake, args.out, args.purpose)
    except ActionRefused as exc:
        raise CommandError(exc.reason) from exc
    print(f"extract {made.pk}: {made.path}")
    print(f"snapshot hash {made.snapshot_hash}")
    for name, rows in sorted(made.rows.items()):
        print(f"  {name}: {rows} rows")
    return 0
