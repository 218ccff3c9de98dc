"""What every action function shares: refusal with a reason, and notification after commit.

An action (one per state change, in each app's ``actions.py``) checks permission, validates,
writes in one ``transaction.atomic()`` block with its audit row (``audit.record_event``), and
calls ``notify`` which sends only once the transaction has committed.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction

from pht.rules.explain import Verdict


class ActionRefused(PermissionDenied):
    """An action was not allowed or not valid; ``reason`` says why, for the person who tried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def require(verdict: Verdict) -> None:
    """Refuse the action unless the rule passed."""
    if not verdict.passed:
        raise ActionRefused(verdict.reason)


def notify(recipients: Iterable[str], subject: str, body: str) -> None:
    """Send an e-mail once the surrounding transaction commits (never for a rolled-back change)."""
    addresses = sorted({r for r in recipients if r})
    if not addresses:
        return
    transaction.on_commit(lambda: send_mail(subject, body, None, addresses, fail_silently=False))
