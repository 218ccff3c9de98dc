"""Call administration and reminders."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.models import OrganisationKind
from pht.apps.accounts.validation import bounded_text
from pht.apps.scheme import models as m
from pht.apps.scheme.actions._common import ROLE_LEAD, ROLE_OFFICER, _audit, _notify, _require_role


def extend_call(user: Any, call: m.Call, new_end: datetime.date, note: str) -> m.Call:
    """Extend the pilot period (as in 2019, to 31 Mar 2023); the original end is kept."""
    _require_role(user, ROLE_OFFICER)
    if new_end <= call.pilot_end:
        raise ActionRefused(
            _("forlenget sluttdato: må være etter pilotens slutt %(end)s"),
            {"end": f"{call.pilot_end:%d.%m.%Y}"},
        )
    bounded_text(note, m.Call, "extension_note")
    if not note.strip():
        raise ActionRefused(_("forlengelse: oppgi begrunnelsen eller vedtaket den bygger på"))
    with transaction.atomic():
        before = {"extended_end": call.extended_end, "note": call.extension_note}
        call.extended_end = new_end
        call.extension_note = note
        call.save(update_fields=["extended_end", "extension_note"])
        _audit(user, "scheme.call.extend", call, before, {"extended_end": new_end, "note": note})
    return call


def project_leads(municipality: Any) -> list[Any]:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(
        is_active=True,
        organisation__kind=OrganisationKind.MUNICIPALITY,
        organisation__municipality=municipality,
    )
    return [u for u in users if ROLE_LEAD in u.roles]


def send_report_reminders(today: datetime.date, days_ahead: int = 14) -> list[m.Report]:
    """E-mail project leads about reports due within ``days_ahead`` days or overdue."""
    horizon = today + datetime.timedelta(days=days_ahead)
    due = list(
        m.Report.objects.filter(status=m.Report.Status.DUE, due_date__lte=horizon).select_related(
            "decision__application__municipality"
        )
    )
    # One reminder per municipality and year, however many recipients' reports are due.
    firsts: dict[tuple[int, int], m.Report] = {}
    for report in due:
        firsts.setdefault((report.decision.application.municipality_id, report.year), report)
    due = list(firsts.values())
    with transaction.atomic():
        for report in due:
            municipality = report.decision.application.municipality
            overdue = report.due_date < today
            subject = (
                f"{'Forfalt' if overdue else 'Påminnelse'}: rapport for {report.year} "
                f"({municipality.name}), frist {report.due_date:%d.%m.%Y}"
            )
            _notify(project_leads(municipality), subject, "Rapporten om fremdrift og forbruk leveres i PHT.")
    return due
