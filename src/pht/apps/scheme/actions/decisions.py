"""Grant decisions: made per recipient (decision lines), accepted or declined by the municipality."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.validation import bounded_text
from pht.apps.scheme import models as m
from pht.apps.scheme import workflows
from pht.apps.scheme.actions._common import _audit, _notify, _officers, _own_municipality, _transition
from pht.rules.grants import (
    MUNICIPALITY,
    PRACTICE,
    GrantLine,
    GrantParameters,
    Recipient,
    grant_lines,
    grant_years,
    line_plan,
    report_due_date,
)


def case_number(application: m.Application) -> str:
    """The case's reference in letters: the call's code and the municipality's number."""
    return f"{application.call.code}/{application.municipality.kommunenummer}"


def recipients_of(application: m.Application, start: datetime.date) -> tuple[Recipient, list[Recipient]]:
    municipality = application.municipality
    practices = [
        Recipient(PRACTICE, ap.practice.orgnr, ap.practice.name, ap.gps.count(), start)
        for ap in application.practices.select_related("practice").order_by("practice__name")
    ]
    return Recipient(MUNICIPALITY, "", f"{municipality.name} kommune", 0, start), practices


def line_years(line: GrantLine) -> list[dict[str, Any]]:
    return [
        {
            "year": y.year,
            "first_day": y.first_day.isoformat(),
            "last_day": y.last_day.isoformat(),
            "amount": f"{y.amount:.2f}",
            "reason": y.reason,
            "message": y.message.as_dict(),
        }
        for y in line.years
    ]


def create_line(
    decision: m.GrantDecision, line: GrantLine, amendment: m.Amendment | None = None
) -> m.GrantLine:
    from pht.apps.registry.models import Practice

    recipient = line.recipient
    return m.GrantLine.objects.create(
        decision=decision,
        kind=recipient.kind,
        orgnr=recipient.orgnr,
        name=recipient.name,
        practice=Practice.objects.filter(orgnr=recipient.orgnr).first()
        if recipient.kind == PRACTICE
        else None,
        gps=recipient.gps,
        start=line.start,
        end=line.end,
        years=line_years(line),
        total=line.total,
        amendment=amendment,
    )


def create_decision(user: Any, application: m.Application) -> m.GrantDecision:
    """The grant decision for a granted application: a line for the municipality and each practice.

    Called inside the selection decision's transaction. ``years`` keeps the per-year sums over the
    lines (with the whole decision's explanation), ``total`` is the sum of the lines to the øre.
    """
    call = application.call
    params = GrantParameters.from_mapping(call.grant_parameters)
    municipality, practices = recipients_of(application, call.pilot_start)
    lines = grant_lines(municipality, practices, call.end_date, params)
    gps = sum(p.gps for p in practices)
    explained = {y.year: y for y in grant_years(gps, call.pilot_start, call.end_date, params)}
    years: list[dict[str, Any]] = []
    for year in sorted(explained):
        municipality_amount = sum((y.amount for y in lines[0].years if y.year == year), Decimal("0"))
        practice_amount = sum(
            (y.amount for line in lines[1:] for y in line.years if y.year == year), Decimal("0")
        )
        y = explained[year]
        years.append(
            {
                "year": year,
                "days": y.days,
                "practice_grant": f"{practice_amount:.2f}",
                "municipality_grant": f"{municipality_amount:.2f}",
                "reason": y.reason,
                "message": y.message.as_dict() if y.message else {},
            }
        )
    decision = m.GrantDecision.objects.create(
        application=application,
        gps=gps,
        period_start=call.pilot_start,
        period_end=call.end_date,
        years=years,
        total=sum((line.total for line in lines), Decimal("0")),
        decided_by=user,
    )
    for line in lines:
        create_line(decision, line)
    return decision


def plan_line(line: m.GrantLine, params: GrantParameters, accepted_on: datetime.date) -> None:
    """Instalments and reports of one decision line."""
    from pht.rules.grants import LineYear

    years = tuple(
        LineYear(
            y["year"],
            datetime.date.fromisoformat(y["first_day"]),
            datetime.date.fromisoformat(y["last_day"]),
            Decimal(y["amount"]),
            y["reason"],
            _message(y["message"]),
        )
        for y in line.years
    )
    recipient = Recipient(line.kind, line.orgnr, line.name, line.gps, line.start)
    number = (line.instalments.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    for i in line_plan(GrantLine(recipient, line.start, line.end, years), params, accepted_on):
        create_instalment(line, number, i.due, i.year, i.amount, i.reason)
        number += 1
    create_reports(line, params)


def _message(data: dict[str, Any]) -> Any:
    from pht.rules.explain import Message

    # Planning needs the amounts only; the stored message is shown from the line's years.
    return Message(str(data.get("key", "")))


def create_instalment(
    line: m.GrantLine,
    number: int,
    due: datetime.date,
    year: int,
    amount: Decimal,
    reason: str,
    amendment: m.Amendment | None = None,
) -> m.Instalment:
    practice = line.kind == m.GrantLine.Kind.PRACTICE
    return m.Instalment.objects.create(
        decision=line.decision,
        line=line,
        amendment=amendment,
        number=number,
        due=due,
        year=year,
        practice_amount=amount if practice else Decimal("0"),
        municipality_amount=Decimal("0") if practice else amount,
        reason=reason,
    )


def create_reports(line: m.GrantLine, params: GrantParameters) -> None:
    """A report per calendar year of the line, if not there yet."""
    have = set(line.reports.values_list("year", flat=True))
    for year in range(line.start.year, line.end.year + 1):
        if year not in have:
            m.Report.objects.create(
                decision=line.decision, line=line, year=year, due_date=report_due_date(year, params)
            )


def _locked(decision: m.GrantDecision) -> m.GrantDecision:
    return m.GrantDecision.objects.select_for_update().get(pk=decision.pk)


def accept_decision(user: Any, decision: m.GrantDecision, on: datetime.date | None = None) -> m.GrantDecision:
    _own_municipality(user, decision.application)
    accepted_on = on or timezone.localdate()
    params = GrantParameters.from_mapping(decision.application.call.grant_parameters)
    with transaction.atomic():
        locked = _locked(decision)
        _transition(workflows.GRANT, locked.status, "accepted", user)
        locked.status = m.GrantDecision.Status.ACCEPTED
        locked.accepted_by = user
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["status", "accepted_by", "accepted_at"])
        lines = list(locked.lines.all())
        if not lines:
            raise ActionRefused(_("tilsagnet har ingen mottakere"))
        for line in lines:
            plan_line(line, params, accepted_on)
        _audit(user, "scheme.grant.accept", locked.application, {"status": "decided"}, {"status": "accepted"})
    decision.refresh_from_db()
    return decision


def decline_decision(user: Any, decision: m.GrantDecision, reason: str) -> m.GrantDecision:
    """The municipality declines the grant; no payment plan is made."""
    _own_municipality(user, decision.application)
    bounded_text(reason, m.Clawback, "reason")
    if not reason.strip():
        raise ActionRefused(_("si hvorfor tilsagnet avslås"))
    with transaction.atomic():
        locked = _locked(decision)
        _transition(workflows.GRANT, locked.status, "declined", user)
        locked.status = m.GrantDecision.Status.DECLINED
        locked.save(update_fields=["status"])
        _audit(
            user,
            "scheme.grant.decline",
            locked.application,
            {"status": "decided"},
            {"status": "declined", "reason": reason},
        )
        _notify(_officers(), f"Tilsagn avslått: {locked.application.municipality.name}", reason)
    decision.refresh_from_db()
    return decision
