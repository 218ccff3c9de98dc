"""Grant decisions, disbursements, reports and clawbacks."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.actions import ActionRefused, require
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
from pht.rules.grants import GrantParameters, grant_years, payment_plan, report_due_date
from pht.rules.workflow import check_four_eyes


def accept_decision(user: Any, decision: m.GrantDecision, on: datetime.date | None = None) -> m.GrantDecision:
    _own_municipality(user, decision.application)
    _transition(workflows.GRANT, decision.status, "accepted", user)
    accepted_on = on or timezone.localdate()
    call = decision.application.call
    params = GrantParameters.from_mapping(call.grant_parameters)
    years = grant_years(decision.gps, decision.period_start, decision.period_end, params)
    with transaction.atomic():
        decision.status = m.GrantDecision.Status.ACCEPTED
        decision.accepted_by = user
        decision.accepted_at = timezone.now()
        decision.save()
        for i in payment_plan(years, params, accepted_on):
            m.Instalment.objects.create(
                decision=decision,
                number=i.number,
                due=i.due,
                year=i.year,
                practice_amount=i.practice_amount,
                municipality_amount=i.municipality_amount,
                reason=i.reason,
            )
        for y in years:
            m.Report.objects.create(decision=decision, year=y.year, due_date=report_due_date(y.year, params))
        _audit(
            user, "scheme.grant.accept", decision.application, {"status": "decided"}, {"status": "accepted"}
        )
    return decision


def decline_decision(user: Any, decision: m.GrantDecision, reason: str) -> m.GrantDecision:
    """The municipality declines the grant; no payment plan is made."""
    _own_municipality(user, decision.application)
    _transition(workflows.GRANT, decision.status, "declined", user)
    bounded_text(reason, m.Clawback, "reason")
    if not reason.strip():
        raise ActionRefused(_("si hvorfor tilsagnet avslås"))
    with transaction.atomic():
        decision.status = m.GrantDecision.Status.DECLINED
        decision.save(update_fields=["status"])
        _audit(
            user,
            "scheme.grant.decline",
            decision.application,
            {"status": "decided"},
            {"status": "declined", "reason": reason},
        )
        _notify(_officers(), f"Tilsagn avslått: {decision.application.municipality.name}", reason)
    return decision


def prepare_disbursement(user: Any, instalment: m.Instalment) -> m.Instalment:
    _transition(workflows.INSTALMENT, instalment.status, "prepared", user)
    if instalment.decision.status != m.GrantDecision.Status.ACCEPTED:
        raise ActionRefused(_("tilsagnet er ikke akseptert"))
    with transaction.atomic():
        instalment.status = m.Instalment.Status.PREPARED
        instalment.prepared_by = user
        instalment.prepared_at = timezone.now()
        instalment.save()
        _audit(
            user,
            "scheme.disbursement.prepare",
            instalment.decision.application,
            {"status": "planned"},
            {"status": "prepared", "instalment": instalment.number},
        )
    return instalment


def approve_disbursement(user: Any, instalment: m.Instalment) -> m.Instalment:
    _transition(workflows.INSTALMENT, instalment.status, "approved", user)
    require(check_four_eyes("disbursement", user.pk, instalment.prepared_by_id, "another finance officer"))
    with transaction.atomic():
        instalment.status = m.Instalment.Status.APPROVED
        instalment.approved_by = user
        instalment.approved_at = timezone.now()
        instalment.save()
        _audit(
            user,
            "scheme.disbursement.approve",
            instalment.decision.application,
            {"status": "prepared"},
            {"status": "approved", "instalment": instalment.number},
        )
    return instalment


def submit_report(user: Any, report: m.Report, progress: str, spent: Decimal) -> m.Report:
    _own_municipality(user, report.decision.application)
    _transition(workflows.REPORT, report.status, "submitted", user)
    if spent.is_finite() and spent < 0:
        raise ActionRefused(_("brukt: kan ikke være negativt"))
    spent = bounded_decimal(spent, m.Report, "spent")
    bounded_text(progress, m.Report, "progress")
    with transaction.atomic():
        report.status = m.Report.Status.SUBMITTED
        report.progress = progress
        report.spent = spent
        report.submitted_at = timezone.now()
        report.submitted_by = user
        report.save()
        _audit(
            user,
            "scheme.report.submit",
            report.decision.application,
            {"status": "due"},
            {"status": "submitted", "spent": str(spent)},
        )
        _notify(
            _officers(),
            f"Rapport mottatt: {report.decision.application.municipality.name}",
            f"Rapport for {report.year}.",
        )
    return report


def approve_report(user: Any, report: m.Report) -> m.Report:
    _transition(workflows.REPORT, report.status, "approved", user)
    with transaction.atomic():
        report.status = m.Report.Status.APPROVED
        report.save(update_fields=["status"])
        _audit(
            user,
            "scheme.report.approve",
            report.decision.application,
            {"status": "submitted"},
            {"status": "approved", "year": report.year},
        )
    return report


def record_clawback(user: Any, report: m.Report, amount: Decimal, reason: str) -> m.Clawback:
    _require_role(user, ROLE_OFFICER)
    if amount.is_finite() and amount <= 0:
        raise ActionRefused(_("beløp: må være positivt"))
    amount = bounded_decimal(amount, m.Clawback, "amount")
    bounded_text(reason, m.Clawback, "reason")
    if not reason.strip():
        raise ActionRefused(_("en tilbakebetaling trenger en begrunnelse"))
    with transaction.atomic():
        clawback = m.Clawback.objects.create(
            decision=report.decision, report=report, amount=amount, reason=reason, recorded_by=user
        )
        _audit(
            user,
            "scheme.clawback.record",
            report.decision.application,
            {},
            {"amount": str(amount), "reason": reason},
        )
    return clawback


def unspent(report: m.Report) -> Decimal | None:
    """Granted for the report's year minus spent; the basis of a clawback."""
    if report.spent is None:
        return None
    for y in report.decision.years:
        if y["year"] == report.year:
            return Decimal(y["practice_grant"]) + Decimal(y["municipality_grant"]) - report.spent
    return None
