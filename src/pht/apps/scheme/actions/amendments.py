"""Amendment decisions (endringsvedtak): an extended period and practices joining later, re-planned
within a stated budget frame (``pht.rules.grants.replan``).

Paid and prepared instalments stay as they are; every planned instalment of the decision is replaced
by the re-plan, and each recipient's line records what it was paid and what the re-plan gives it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.validation import bounded_decimal, bounded_text
from pht.apps.scheme import models as m
from pht.apps.scheme.actions._common import ROLE_OFFICER, _audit, _notify, _require_role
from pht.apps.scheme.actions.calls import project_leads
from pht.apps.scheme.actions.decisions import create_instalment, create_reports, line_years
from pht.rules.grants import MUNICIPALITY, PRACTICE, GrantParameters, Recipient, grant_lines, replan

PAID_OR_IN_PAYMENT = (m.Instalment.Status.PREPARED, m.Instalment.Status.APPROVED)


@dataclass(frozen=True)
class Joiner:
    """A practice joining the decision later, from ``start``."""

    practice_id: int
    start: datetime.date


def _paid(decision: m.GrantDecision) -> dict[str, dict[int, Decimal]]:
    paid: dict[str, dict[int, Decimal]] = {}
    for i in decision.instalments.filter(status__in=PAID_OR_IN_PAYMENT).select_related("line"):
        if i.line is None:
            raise ActionRefused(_("tilsagnet er fra før tilsagn hadde mottakere og kan ikke endres her"))
        per_year = paid.setdefault(i.line.orgnr, {})
        per_year[i.year] = per_year.get(i.year, Decimal("0")) + i.amount
    return paid


def amend_decision(
    user: Any,
    decision: m.GrantDecision,
    *,
    as_of: datetime.date,
    new_end: datetime.date,
    frame: Decimal,
    note: str,
    joiners: Sequence[Joiner] = (),
) -> m.Amendment:
    """Re-plan the decision's open instalments to ``new_end`` (and for ``joiners``) within ``frame``."""
    from pht.apps.registry.models import Practice

    _require_role(user, ROLE_OFFICER)
    frame = bounded_decimal(frame, m.Amendment, "frame")
    bounded_text(note, m.Amendment, "note")
    if not note.strip():
        raise ActionRefused(_("endringsvedtak: oppgi grunnlaget (vedtaket eller forlengelsen det bygger på)"))
    with transaction.atomic():
        locked = (
            m.GrantDecision.objects.select_for_update()
            .select_related("application__call")
            .get(pk=decision.pk)
        )
        if locked.status != m.GrantDecision.Status.ACCEPTED:
            raise ActionRefused(_("tilsagnet må være akseptert før det kan endres"))
        if new_end < locked.period_end:
            raise ActionRefused(
                _("ny sluttdato: kan ikke være før tilsagnets slutt %(end)s"),
                {"end": locked.period_end},
            )
        if not locked.period_start <= as_of <= new_end:
            raise ActionRefused(_("endringsdato: må ligge i tilsagnsperioden"))
        list(locked.instalments.select_for_update())
        lines = list(locked.lines.order_by("kind", "start", "name"))
        municipality_line = next((line for line in lines if line.kind == MUNICIPALITY), None)
        if municipality_line is None:
            raise ActionRefused(_("tilsagnet har ingen mottakere"))
        existing = {line.orgnr: line for line in lines if line.kind == PRACTICE}
        added: list[tuple[Any, datetime.date]] = []
        for joiner in joiners:
            practice = Practice.objects.filter(pk=joiner.practice_id).first()
            if practice is None or practice.municipality_id != locked.application.municipality_id:
                raise ActionRefused(_("legekontoret hører ikke til kommunen"))
            if practice.orgnr in existing or any(p.orgnr == practice.orgnr for p, _s in added):
                raise ActionRefused(
                    _("%(practice)s er allerede med i tilsagnet"), {"practice": practice.name}
                )
            if not locked.period_start <= joiner.start <= new_end:
                raise ActionRefused(
                    _("%(practice)s: startdato må ligge i perioden"), {"practice": practice.name}
                )
            added.append((practice, joiner.start))
        params = GrantParameters.from_mapping(locked.application.call.grant_parameters)
        municipality = Recipient(MUNICIPALITY, "", municipality_line.name, 0, municipality_line.start)
        practices = [
            Recipient(PRACTICE, line.orgnr, line.name, line.gps, line.start) for line in existing.values()
        ] + [Recipient(PRACTICE, p.orgnr, p.name, p.gps.count(), start) for p, start in added]
        paid = _paid(locked)
        try:
            result = replan(municipality, practices, new_end, params, frame, paid, as_of)
        except ValueError as exc:
            raise ActionRefused(_("endringsvedtak: %(reason)s"), {"reason": str(exc)}) from exc
        number = (locked.amendments.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        amendment = m.Amendment.objects.create(
            decision=locked,
            number=number,
            as_of=as_of,
            new_end=new_end,
            frame=frame,
            paid=result.paid,
            total=result.total,
            lines=[
                {
                    "kind": r.recipient.kind,
                    "orgnr": r.recipient.orgnr,
                    "name": r.recipient.name,
                    "gps": r.recipient.gps,
                    "start": r.recipient.start.isoformat(),
                    "paid": f"{r.paid:.2f}",
                    "entitlement": f"{r.entitlement:.2f}",
                    "allocated": f"{r.allocated:.2f}",
                    "total": f"{r.total:.2f}",
                    "joins": any(p.orgnr == r.recipient.orgnr for p, _s in added),
                }
                for r in result.lines
            ],
            reason=result.reason,
            note=note,
            decided_by=user,
        )
        replaced = locked.instalments.filter(status=m.Instalment.Status.PLANNED)
        replaced_count = replaced.update(status=m.Instalment.Status.REPLACED, amendment=amendment)
        full = {line.recipient.orgnr: line for line in grant_lines(municipality, practices, new_end, params)}
        by_orgnr = {municipality_line.orgnr: municipality_line, **existing}
        from pht.apps.scheme.actions.decisions import create_line

        for p, _start in added:
            by_orgnr[p.orgnr] = create_line(locked, full[p.orgnr], amendment)
        for r in result.lines:
            line = by_orgnr[r.recipient.orgnr]
            line.end = new_end
            line.total = r.total
            line.years = line_years(full[r.recipient.orgnr])
            line.save(update_fields=["end", "total", "years"])
            next_number = (
                line.instalments.order_by("-number").values_list("number", flat=True).first() or 0
            ) + 1
            for offset, i in enumerate(r.instalments):
                create_instalment(line, next_number + offset, i.due, i.year, i.amount, i.reason, amendment)
            create_reports(line, params)
        before = {"period_end": locked.period_end, "total": locked.total}
        locked.period_end = new_end
        locked.total = result.total
        locked.save(update_fields=["period_end", "total"])
        _audit(
            user,
            "scheme.grant.amend",
            locked.application,
            before,
            {
                "amendment": number,
                "period_end": new_end,
                "frame": frame,
                "paid": result.paid,
                "total": result.total,
                "replaced_instalments": replaced_count,
                "joined": [p.orgnr for p, _s in added],
            },
        )
        _notify(
            project_leads(locked.application.municipality),
            f"Endringsvedtak {number}: {locked.application.municipality.name}",
            "Endringsvedtaket og nytt utbetalingsplan ligger i PHT.",
        )
    decision.refresh_from_db()
    return amendment


def extend_decisions(user: Any, call: m.Call, as_of: datetime.date, note: str) -> list[m.Amendment]:
    """After the call's period is extended: amend every accepted decision of the call to the new end,
    within the decision's current total (the real extension was within the same budget)."""
    _require_role(user, ROLE_OFFICER)
    amendments = []
    with transaction.atomic():
        for decision in m.GrantDecision.objects.filter(
            application__call=call, status=m.GrantDecision.Status.ACCEPTED
        ).order_by("pk"):
            if decision.period_end < call.end_date:
                amendments.append(
                    amend_decision(
                        user, decision, as_of=as_of, new_end=call.end_date, frame=decision.total, note=note
                    )
                )
    return amendments
