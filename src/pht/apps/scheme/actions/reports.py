"""Yearly reports per recipient, the officer's decision to allow spending above what was paid, and
clawbacks of unspent money.

What a report may claim and what may be clawed back are measured against what was PAID (approved
instalments) to the report's recipient for the report's year, never against what was granted:
money not yet paid can neither be spent from the grant nor paid back.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.validation import bounded_decimal, bounded_text
from pht.apps.scheme import models as m
from pht.apps.scheme import workflows
from pht.apps.scheme.actions._common import (
    ROLE_OFFICER,
    _audit,
    _notify,
    _officers,
    _own_municipality,
    _require_role,
    _transition,
)

ZERO = Decimal("0.00")


def paid_for(report: m.Report) -> Decimal:
    """Approved instalments of the report's recipient (or whole decision, for old reports) and year."""
    instalments = m.Instalment.objects.filter(
        decision_id=report.decision_id, year=report.year, status=m.Instalment.Status.APPROVED
    )
    if report.line_id is not None:
        instalments = instalments.filter(line_id=report.line_id)
    sums = instalments.aggregate(p=Sum("practice_amount"), mu=Sum("municipality_amount"))
    return (sums["p"] or ZERO) + (sums["mu"] or ZERO)


def clawed_back(report: m.Report) -> Decimal:
    return m.Clawback.objects.filter(report_id=report.pk).aggregate(s=Sum("amount"))["s"] or ZERO


def unspent(report: m.Report) -> Decimal | None:
    """Paid for the report's recipient and year minus spent; the basis of a clawback."""
    if report.spent is None:
        return None
    return paid_for(report) - report.spent


def claimable(report: m.Report) -> Decimal | None:
    """What may still be clawed back: unspent and not claimed already (never below zero)."""
    left = unspent(report)
    if left is None:
        return None
    return max(ZERO, left - clawed_back(report))


def _locked(report: m.Report) -> m.Report:
    return m.Report.objects.select_for_update().select_related("decision__application").get(pk=report.pk)


def allow_overspending(user: Any, report: m.Report, limit: Decimal, reason: str) -> m.Report:
    """The officer's explicit decision that a report may claim up to ``limit`` more than was paid."""
    _require_role(user, ROLE_OFFICER)
    limit = bounded_decimal(limit, m.Report, "overspend_limit")
    bounded_text(reason, m.Report, "overspend_reason")
    if not reason.strip():
        raise ActionRefused(_("forbruk over utbetalt: oppgi begrunnelsen"))
    with transaction.atomic():
        locked = _locked(report)
        if locked.status != m.Report.Status.DUE:
            raise ActionRefused(_("rapporten er allerede sendt inn"))
        before = {"overspend_limit": locked.overspend_limit}
        locked.overspend_limit = limit
        locked.overspend_reason = reason
        locked.overspend_allowed_by = user
        locked.save(update_fields=["overspend_limit", "overspend_reason", "overspend_allowed_by"])
        _audit(user, "scheme.report.allow_overspend", locked.decision.application, before,
               {"overspend_limit": limit, "reason": reason, "year": locked.year})  # fmt: skip
    report.refresh_from_db()
    return report


def _kr(value: Decimal) -> Decimal:
    """An amount for a refusal, to the øre: the refusal writes it as the page's language does (1 500,00)."""
    return Decimal(value).quantize(Decimal("0.01"))


def submit_report(user: Any, report: m.Report, progress: str, spent: Decimal) -> m.Report:
    _own_municipality(user, report.decision.application)
    spent = bounded_decimal(spent, m.Report, "spent")
    bounded_text(progress, m.Report, "progress")
    with transaction.atomic():
        locked = _locked(report)
        _transition(workflows.REPORT, locked.status, "submitted", user)
        paid = paid_for(locked)
        allowed = paid + (locked.overspend_limit or ZERO)
        if spent > allowed:
            raise ActionRefused(
                _(
                    "brukt %(spent)s kr er mer enn utbetalt for %(year)s (%(paid)s kr); "
                    "forbruk over utbetalt krever et vedtak fra saksbehandler"
                ),
                {"spent": _kr(spent), "paid": _kr(paid), "year": str(locked.year)},
            )
        locked.status = m.Report.Status.SUBMITTED
        locked.progress = progress
        locked.spent = spent
        locked.submitted_at = timezone.now()
        locked.submitted_by = user
        locked.save(update_fields=["status", "progress", "spent", "submitted_at", "submitted_by"])
        _audit(
            user,
            "scheme.report.submit",
            locked.decision.application,
            {"status": "due"},
            {"status": "submitted", "spent": str(spent), "paid": str(paid), "year": locked.year},
        )
        _notify(
            _officers(),
            f"Rapport mottatt: {locked.decision.application.municipality.name}",
            f"Rapport for {locked.year}.",
        )
    report.refresh_from_db()
    return report


def approve_report(user: Any, report: m.Report) -> m.Report:
    with transaction.atomic():
        locked = _locked(report)
        _transition(workflows.REPORT, locked.status, "approved", user)
        locked.status = m.Report.Status.APPROVED
        locked.save(update_fields=["status"])
        _audit(
            user,
            "scheme.report.approve",
            locked.decision.application,
            {"status": "submitted"},
            {"status": "approved", "year": locked.year, "spent": locked.spent},
        )
    report.refresh_from_db()
    return report


def record_clawback(user: Any, report: m.Report, amount: Decimal, reason: str) -> m.Clawback:
    """Claim back unspent money of a submitted report; never more than is unspent and unclaimed."""
    _require_role(user, ROLE_OFFICER)
    amount = bounded_decimal(amount, m.Clawback, "amount")
    if amount <= 0:
        raise ActionRefused(_("beløp: må være positivt"))
    bounded_text(reason, m.Clawback, "reason")
    if not reason.strip():
        raise ActionRefused(_("en tilbakebetaling trenger en begrunnelse"))
    with transaction.atomic():
        locked = _locked(report)
        if locked.status == m.Report.Status.DUE:
            raise ActionRefused(_("rapporten er ikke sendt inn; ubrukte midler er ikke kjent ennå"))
        left = claimable(locked)
        if left is None or amount > left:
            raise ActionRefused(
                _("tilbakebetaling %(amount)s kr er mer enn ubrukt og ikke krevd tilbake (%(left)s kr)"),
                {"amount": _kr(amount), "left": _kr(left or ZERO)},
            )
        clawback = m.Clawback.objects.create(
            decision=locked.decision, report=locked, amount=amount, reason=reason, recorded_by=user
        )
        _audit(
            user,
            "scheme.clawback.record",
            locked.decision.application,
            {"claimable": str(left)},
            {"amount": str(amount), "reason": reason, "year": locked.year},
        )
    return clawback
