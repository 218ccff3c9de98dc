"""``pht audit …``: checks of the audit log.

Registered like every area's commands: ``pht.cli`` lists this module in ``COMMAND_MODULES``
("pht.apps.accounts.commands") and calls ``register(subparsers)``.
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = subparsers.add_parser("audit", help="the audit log: verify its hash chain")
    which = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = which.add_parser(
        "verify",
        help="recompute the audit log's hash chain; exit 1 naming every row changed, inserted or deleted",
    )
    verify.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    from pht.command import setup_django

    setup_django()
    from pht.apps.accounts.audit import verify_chain

    checked, problems = verify_chain()
    if problems:
        for problem in problems:
            print(f"pht audit verify: {problem}")
        print(f"{len(problems)} problem(s) in {checked} audit rows: the log was changed outside PHT.")
        return 1
    print(f"{checked} audit rows, hash chain intact.")
    return 0
