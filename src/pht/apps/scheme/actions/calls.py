"""Call administration (create, copy, edit a draft, publish, extend, close) and reminders.

A call is a draft until a case officer publishes it; only a draft can be edited; a published call takes
applications until its deadline and can have its deadline moved later; closing ends it. The allowed
steps are ``workflows.CALL``; every change writes an audit row in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.models import OrganisationKind
from pht.apps.accounts.validation import bounded_decimal, bounded_text, label_of
from pht.apps.scheme import models as m
from pht.apps.scheme import workflows
from pht.apps.scheme.actions._common import (
    ROLE_LEAD,
    ROLE_OFFICER,
    _audit,
    _notify,
    _require_role,
    _transition,
    deadline_of,
)
from pht.refdata.loaders import available_years

# Grant amounts a call form edits, kept in ``Call.grant_parameters`` as decimal strings.
GRANT_AMOUNTS = ("grant_per_gp_per_year", "municipality_base_per_year", "municipality_per_gp_per_year")
TEMPLATE_PARAMETER_SET = "call_2017"


@dataclass
class CallInput:
    """What an officer writes on a call: texts, dates, the budget frame and the grant amounts."""

    code: str
    title: str
    announcement_date: datetime.date
    deadline_date: datetime.date
    pilot_start: datetime.date
    pilot_end: datetime.date
    description: str = ""
    internal_note: str = ""
    population_year: int | None = None
    budget: Decimal | None = None
    grant_amounts: dict[str, Decimal | None] | None = None  # None: keep the call's amounts
    targets: dict[str, int] | None = None  # selection targets (TARGET_KEYS); None: keep the call's


# (earlier, later, strictly later): a call's dates in order.
DATE_ORDER = (
    ("announcement_date", "deadline_date", False),
    ("deadline_date", "pilot_start", True),
    ("pilot_start", "pilot_end", True),
)


def date_order_refusal(
    values: Mapping[str, Any], labels: Mapping[str, Any] | None = None
) -> tuple[str, ActionRefused] | None:
    """The first pair of a call's dates out of order, as (the later field, a refusal naming both by
    ``labels``, by default the model fields' names)."""

    def label(name: str) -> Any:
        return labels[name] if labels is not None else label_of(m.Call, name)

    for earlier, later, strict in DATE_ORDER:
        first, second = values.get(earlier), values.get(later)
        if first is None or second is None:
            continue
        if second < first or (strict and second == first):
            text = (
                _("%(second)s må være etter %(earlier)s (%(first)s)")
                if strict
                else _("%(second)s kan ikke være før %(earlier)s (%(first)s)")
            )
            # the dates are written in the page's language when shown; the later date's field leads
            params = {"second": second, "earlier": label(earlier), "first": first}
            return later, ActionRefused(text, params, field=label(later))
    return None


def _checked_call_input(data: CallInput, call: m.Call | None = None) -> None:
    """Validate before anything is written; each refusal names the field."""
    bounded_text(data.title, m.Call, "title")
    if not data.title.strip():
        raise ActionRefused(_("%(field)s: må fylles ut"), {"field": label_of(m.Call, "title")})
    code = bounded_text(data.code, m.Call, "code")
    if not code or slugify(code) != code:
        raise ActionRefused(
            _("%(field)s: bruk bare små bokstaver, tall og bindestrek (som «utlysning-2020»)"),
            {"field": label_of(m.Call, "code")},
        )
    clash = m.Call.objects.filter(code=code)
    if call is not None:
        clash = clash.exclude(pk=call.pk)
    if clash.exists():
        raise ActionRefused(_("kode: «%(code)s» er allerede brukt av en annen utlysning"), {"code": code})
    for name in ("description", "internal_note"):
        bounded_text(getattr(data, name), m.Call, name)
    refused = date_order_refusal(
        {
            name: getattr(data, name)
            for name in ("announcement_date", "deadline_date", "pilot_start", "pilot_end")
        }
    )
    if refused is not None:
        raise refused[1]
    if data.population_year is not None and not 1900 <= data.population_year <= 2100:
        raise ActionRefused(
            _("%(field)s: et årstall mellom 1900 og 2100"),
            {"field": label_of(m.Call, "population_year")},
        )
    # Eligibility reads the municipalities and populations of 1 January of the call year: that
    # reference data must exist, or every application to the call would fail to be checked.
    year = data.population_year or data.announcement_date.year
    years = available_years()
    if year not in years:
        raise ActionRefused(
            _("%(field)s: PHT har ikke befolkningstall for %(year)s, bare for %(years)s; oppgi et av dem"),
            {
                "field": label_of(m.Call, "population_year"),
                "year": str(year),
                "years": ", ".join(str(y) for y in years),
            },
        )
    if data.budget is not None:
        data.budget = bounded_decimal(data.budget, m.Call, "budget")
    if data.grant_amounts is not None:
        for key in GRANT_AMOUNTS:
            value = data.grant_amounts.get(key)
            if value is not None:
                # Grant amounts end up in a decision's total: bounded by that column.
                data.grant_amounts[key] = bounded_decimal(
                    value, m.GrantDecision, "total", label=GRANT_LABELS[key]
                )
    if data.targets is not None:
        from pht.apps.scheme.calls import TARGET_KEYS

        for target_key, count in data.targets.items():
            # A count of municipalities or GPs: the selection solver takes small whole numbers only.
            if target_key not in TARGET_KEYS or type(count) is not int or not 0 <= count <= 100_000:
                raise ActionRefused(
                    _("mål for utvelgelsen «%(key)s»: et heltall fra 0 til 100 000"), {"key": target_key}
                )


GRANT_LABELS = {
    "grant_per_gp_per_year": _("tilskudd per fastlege per år"),
    "municipality_base_per_year": _("grunntilskudd til kommunen per år"),
    "municipality_per_gp_per_year": _("tilskudd til kommunen per fastlege per år"),
}


def _apply(call: m.Call, data: CallInput) -> None:
    for name in (
        "code", "title", "description", "internal_note", "announcement_date", "deadline_date",
        "pilot_start", "pilot_end", "population_year", "budget",
    ):  # fmt: skip
        setattr(call, name, getattr(data, name))
    if data.grant_amounts is not None:
        grants = dict(call.grant_parameters)
        for key, value in data.grant_amounts.items():
            if key in GRANT_AMOUNTS and value is not None:
                if grants.get(key) != str(value):
                    # The officer set this amount: no longer the shipped default.
                    call.assumptions = {k: v for k, v in call.assumptions.items() if k != key}
                grants[key] = str(value.quantize(Decimal("0.01")))
        call.grant_parameters = grants
    if data.targets:
        targets = dict(call.targets)
        for target_key, count in data.targets.items():
            if targets.get(target_key) != count:
                call.assumptions = {k: v for k, v in call.assumptions.items() if k != target_key}
            targets[target_key] = count
        call.targets = targets


def _state(call: m.Call) -> dict[str, Any]:
    return {
        "code": call.code,
        "title": call.title,
        "status": call.status,
        "announcement_date": call.announcement_date,
        "deadline_date": call.deadline_date,
        "pilot_start": call.pilot_start,
        "pilot_end": call.pilot_end,
        "population_year": call.population_year,
        "budget": call.budget,
        "grant_parameters": call.grant_parameters,
        "targets": call.targets,
        "description": call.description,
        "internal_note": call.internal_note,
    }


def _locked(call: m.Call) -> m.Call:
    """The call's row, locked for this transaction and read afresh (its state is checked after)."""
    return m.Call.objects.select_for_update().get(pk=call.pk)


def _template_values(parameter_set: str) -> dict[str, Any]:
    """Criteria, targets, grant parameters and norms a new call starts from: the scheme's parameter set."""
    from pht.apps.scheme.calls import GRANT_KEYS, TARGET_KEYS
    from pht.refdata.params import load_parameters

    params = load_parameters(parameter_set, datetime.date.max)
    v = dict(params.values)
    return {
        "parameter_set": parameter_set,
        "timezone": v["timezone"],
        "targets": {k: v[k] for k in TARGET_KEYS if k in v},
        "criteria": list(v["criteria"]),
        "grant_parameters": {k: v[k] for k in GRANT_KEYS if k in v},
        "financing_models": list(v["financing_models"]),
        "gp_lists_per_nurse_fte": int(v["gp_lists_per_nurse_fte"]),
        "attachment_max_bytes": int(v["attachment_max_bytes"]),
        "assumptions": dict(params.assumptions),
        "source": params.source,
    }


def create_call(user: Any, scheme: m.Scheme, data: CallInput) -> m.Call:
    """A new draft call; criteria, norms and grant parameters start from the scheme's parameter set."""
    _require_role(user, ROLE_OFFICER)
    _checked_call_input(data)
    with transaction.atomic():
        call = m.Call(scheme=scheme, status=m.Call.Status.DRAFT, **_template_values(TEMPLATE_PARAMETER_SET))
        _apply(call, data)
        call.save()
        _audit(user, "scheme.call.create", call, {}, _state(call))
    return call


def copy_call(user: Any, source: m.Call, code: str, title: str) -> m.Call:
    """A new draft with the source call's dates, criteria, norms and amounts (not its status or extension)."""
    _require_role(user, ROLE_OFFICER)
    data = CallInput(
        code=code,
        title=title,
        announcement_date=source.announcement_date,
        deadline_date=source.deadline_date,
        pilot_start=source.pilot_start,
        pilot_end=source.pilot_end,
        description=source.description,
        internal_note="",
        population_year=source.population_year,
        budget=source.budget,
    )
    _checked_call_input(data)
    with transaction.atomic():
        call = m.Call(
            scheme=source.scheme,
            status=m.Call.Status.DRAFT,
            copied_from=source,
            parameter_set=source.parameter_set,
            timezone=source.timezone,
            information_meeting=None,
            invitation_date=None,
            targets=dict(source.targets),
            criteria=list(source.criteria),
            grant_parameters=dict(source.grant_parameters),
            financing_models=list(source.financing_models),
            gp_lists_per_nurse_fte=source.gp_lists_per_nurse_fte,
            attachment_max_bytes=source.attachment_max_bytes,
            assumptions=dict(source.assumptions),
            source=source.source,
        )
        _apply(call, data)
        call.save()
        _audit(user, "scheme.call.copy", call, {"copied_from": source.code}, _state(call))
    return call


def update_call(user: Any, call: m.Call, data: CallInput) -> m.Call:
    """Edit a draft; a published or closed call cannot be edited (extend its deadline instead)."""
    _require_role(user, ROLE_OFFICER)
    _checked_call_input(data, call)
    with transaction.atomic():
        locked = _locked(call)
        if locked.status != m.Call.Status.DRAFT:
            raise ActionRefused(
                _("utlysningen er %(status)s: bare et utkast kan endres (en publisert frist kan forlenges)"),
                {"status": locked.get_status_display().lower()},
            )
        before = _state(locked)
        _apply(locked, data)
        locked.save()
        _audit(user, "scheme.call.update", locked, before, _state(locked))
    call.refresh_from_db()
    return call


def publish_call(user: Any, call: m.Call, now: datetime.datetime | None = None) -> m.Call:
    """Publish a draft: it opens for applications; refused when its deadline has already passed."""
    _require_role(user, ROLE_OFFICER)
    moment = now or timezone.now()
    with transaction.atomic():
        locked = _locked(call)
        if locked.status == m.Call.Status.PUBLISHED:
            raise ActionRefused(_("utlysningen er allerede publisert"))
        _transition(workflows.CALL, locked.status, m.Call.Status.PUBLISHED, user)
        if moment >= deadline_of(locked):
            raise ActionRefused(
                _("søknadsfrist: %(deadline)s har allerede gått ut; sett en senere frist før publisering"),
                {"deadline": locked.deadline_date},
            )
        if not locked.criteria:
            raise ActionRefused(_("vurderingskriterier: utlysningen har ingen; kopier en utlysning som har"))
        before = {"status": locked.status}
        locked.status = m.Call.Status.PUBLISHED
        locked.published_at = moment
        locked.save(update_fields=["status", "published_at"])
        _audit(user, "scheme.call.publish", locked, before, {"status": locked.status})
    call.refresh_from_db()
    return call


def extend_deadline(
    user: Any, call: m.Call, new_deadline: datetime.date, note: str, now: datetime.datetime | None = None
) -> m.Call:
    """Move a published call's deadline later (never earlier, never into the past)."""
    _require_role(user, ROLE_OFFICER)
    bounded_text(note, label=_("begrunnelse"))
    if not note.strip():
        raise ActionRefused(_("forlenget frist: oppgi begrunnelsen"))
    moment = now or timezone.now()
    with transaction.atomic():
        locked = _locked(call)
        if locked.status != m.Call.Status.PUBLISHED:
            raise ActionRefused(
                _("utlysningen er %(status)s: bare en publisert utlysning kan få lengre frist"),
                {"status": locked.get_status_display().lower()},
            )
        if new_deadline <= locked.deadline_date:
            raise ActionRefused(
                _("ny søknadsfrist: må være etter dagens frist %(deadline)s"),
                {"deadline": locked.deadline_date},
            )
        if new_deadline >= locked.pilot_start:
            raise ActionRefused(
                _("ny søknadsfrist: må være før pilotens start %(start)s"),
                {"start": locked.pilot_start},
            )
        before = {"deadline_date": locked.deadline_date}
        locked.deadline_date = new_deadline
        if moment >= deadline_of(locked):
            raise ActionRefused(_("ny søknadsfrist: datoen har allerede gått ut"))
        locked.save(update_fields=["deadline_date"])
        _audit(
            user, "scheme.call.extend_deadline", locked, before, {"deadline_date": new_deadline, "note": note}
        )
    call.refresh_from_db()
    return call


def close_call(user: Any, call: m.Call, now: datetime.datetime | None = None) -> m.Call:
    """Close a published call: no more applications or submissions."""
    _require_role(user, ROLE_OFFICER)
    moment = now or timezone.now()
    with transaction.atomic():
        locked = _locked(call)
        if locked.status == m.Call.Status.CLOSED:
            raise ActionRefused(_("utlysningen er allerede lukket"))
        if locked.status == m.Call.Status.DRAFT:
            raise ActionRefused(_("utlysningen er et utkast: publiser den før den kan lukkes"))
        _transition(workflows.CALL, locked.status, m.Call.Status.CLOSED, user)
        before = {"status": locked.status}
        locked.status = m.Call.Status.CLOSED
        locked.closed_at = moment
        locked.save(update_fields=["status", "closed_at"])
        _audit(user, "scheme.call.close", locked, before, {"status": locked.status})
    call.refresh_from_db()
    return call


def extend_call(user: Any, call: m.Call, new_end: datetime.date, note: str) -> m.Call:
    """Extend the pilot period (as in 2019, to 31 Mar 2023); the original end is kept."""
    _require_role(user, ROLE_OFFICER)
    if new_end <= call.pilot_end:
        raise ActionRefused(
            _("forlenget sluttdato: må være etter pilotens slutt %(end)s"),
            {"end": call.pilot_end},
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
