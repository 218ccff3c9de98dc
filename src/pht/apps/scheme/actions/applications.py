"""Applications: drafts, autosave, submission, withdrawal, attachments, eligibility."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.validation import bounded_decimal, bounded_text, checked_email, label_of
from pht.apps.scheme import models as m
from pht.apps.scheme import workflows
from pht.apps.scheme.actions._common import (
    ROLE_LEAD,
    ROLE_OFFICER,
    _audit,
    _notify,
    _officers,
    _own_municipality,
    _require_role,
    _transition,
    deadline_of,
    municipality_of,
)
from pht.apps.scheme.reasons import REFUSAL_TERMS
from pht.rules import eligibility as elig
from pht.rules.size_class import SizeClassThresholds


@dataclass
class PracticeInput:
    practice_id: int
    financing_model: str = ""
    team_lead_id: int | None = None
    nurse_fte: Decimal = Decimal("0")
    secretary_fte: Decimal = Decimal("0")
    gp_ids: Sequence[int] | None = None  # None: all the practice's GPs in the registry


@dataclass
class ApplicationInputData:
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    leadership_plan: str = ""
    project_plan: str = ""
    budget: Decimal | None = None
    practices: Sequence[PracticeInput] = field(default_factory=list)


def snapshot(application: m.Application) -> dict[str, Any]:
    """The application as plain data: stored per revision and compared between revisions."""
    practices = []
    for ap in application.practices.select_related("practice", "team_lead").order_by("practice__orgnr"):
        practices.append(
            {
                "orgnr": ap.practice.orgnr,
                "name": ap.practice.name,
                "gps": sorted(g.hpr for g in ap.gps.all()),
                "financing_model": ap.financing_model or None,
                "team_lead": ap.team_lead.hpr if ap.team_lead else None,
                "nurse_fte": str(ap.nurse_fte),
                "secretary_fte": str(ap.secretary_fte),
            }
        )
    return {
        "contact_name": application.contact_name,
        "contact_email": application.contact_email,
        "contact_phone": application.contact_phone,
        "leadership_plan": application.leadership_plan,
        "project_plan": application.project_plan,
        "budget": None if application.budget is None else str(application.budget),
        "practices": practices,
        "attachments": sorted(a.title for a in application.attachments.all()),
    }


def compare(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """Fields that differ between two snapshots: (field, before, after)."""
    keys = sorted(set(before) | set(after))
    return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


def export(application: m.Application) -> dict[str, Any]:
    """The application in the ``pht.application/1`` format read by ``pht eligibility check``."""
    municipality = application.municipality
    practices = []
    for ap in application.practices.select_related("practice__municipality", "team_lead"):
        practices.append(
            {
                "orgnr": ap.practice.orgnr,
                "name": ap.practice.name,
                "kommunenummer": ap.practice.municipality.kommunenummer,
                "gps": sorted(g.hpr for g in ap.gps.all()),
                "registry_gps": sorted(g.hpr for g in registry_gps(ap.practice)),
                "financing_model": ap.financing_model or None,
                "team_lead": ap.team_lead.hpr if ap.team_lead else None,
                "nurse_fte": str(ap.nurse_fte),
                "secretary_fte": str(ap.secretary_fte),
            }
        )
    return {
        "format": "pht.application/1",
        "call": application.call.code,
        "applicant": {
            "kind": "municipality",
            "kommunenummer": municipality.kommunenummer,
            "name": municipality.name,
        },
        "population": population_of(municipality, application.call),
        "size_class": application.declared_size_class or None,
        "submitted_at": application.submitted_at.isoformat() if application.submitted_at else None,
        "practices": practices,
    }


def registry_gps(practice: Any) -> list[Any]:
    """All the practice's GPs in the registry."""
    return list(practice.gps.all())


def municipality_practices(municipality: Any) -> list[Any]:
    from pht.apps.registry.models import Practice

    return list(Practice.objects.filter(municipality=municipality).order_by("name"))


def population_of(municipality: Any, call: m.Call) -> int | None:
    """Population on 1 January of the call year (RULES.md §1)."""
    row = municipality.population_in(call_year(call))
    return None if row is None else int(row.population)


def call_year(call: m.Call) -> int:
    """The call year: population and municipalities are those of 1 January that year (a call may name
    another year, e.g. the latest with reference data)."""
    return call.population_year or call.announcement_date.year


def eligibility_context(call: m.Call, registry: Mapping[str, frozenset[str]]) -> elig.EligibilityContext:
    from pht.refdata import municipalities
    from pht.refdata.params import load_parameters

    year = call_year(call)
    size = load_parameters("size_class", datetime.date(year, 1, 1))
    return elig.EligibilityContext(
        deadline_date=call.deadline_date,
        timezone=call.timezone,
        registry_gps=registry,
        known_municipalities=frozenset(mu.kommunenummer for mu in municipalities(year)),
        size_thresholds=SizeClassThresholds.from_mapping(size.values),
        gp_lists_per_nurse_fte=call.gp_lists_per_nurse_fte,
    )


def check_eligibility(application: m.Application) -> elig.EligibilityReport:
    app, registry = elig.application_from_mapping(export(application))
    return elig.check_all(app, eligibility_context(application.call, registry))


def _checked_input(data: ApplicationInputData) -> None:
    """Bound every value to its model field before anything is written (issue 10: a budget of 1e400
    or an over-long text must be refused, not stored)."""
    for name in ("contact_name", "contact_phone", "leadership_plan", "project_plan"):
        bounded_text(getattr(data, name), m.Application, name)
    data.contact_email = checked_email(data.contact_email, label=label_of(m.Application, "contact_email"))
    if data.budget is not None:
        data.budget = bounded_decimal(data.budget, m.Application, "budget")
    for pi in data.practices:
        pi.nurse_fte = bounded_decimal(pi.nurse_fte, m.ApplicationPractice, "nurse_fte")
        pi.secretary_fte = bounded_decimal(pi.secretary_fte, m.ApplicationPractice, "secretary_fte")
        bounded_text(pi.financing_model, m.ApplicationPractice, "financing_model")


def _write_draft(application: m.Application, data: ApplicationInputData) -> None:
    from pht.apps.registry.models import GP, Practice

    _checked_input(data)
    for name in ("contact_name", "contact_email", "contact_phone", "leadership_plan", "project_plan"):
        setattr(application, name, getattr(data, name))
    application.budget = data.budget
    application.save()
    application.practices.all().delete()
    for position, pi in enumerate(data.practices, start=1):
        practice = Practice.objects.filter(pk=pi.practice_id).first()
        if practice is None:
            raise ActionRefused(
                _("legekontor %(position)s: finnes ikke i registeret"), {"position": position}
            )
        if pi.financing_model and pi.financing_model not in application.call.financing_models:
            raise ActionRefused(
                _("legekontor %(orgnr)s, finansieringsmodell: «%(model)s» tilbys ikke"),
                {"orgnr": practice.orgnr, "model": pi.financing_model},
            )
        ap = m.ApplicationPractice.objects.create(
            application=application,
            practice=practice,
            financing_model=pi.financing_model,
            nurse_fte=pi.nurse_fte,
            secretary_fte=pi.secretary_fte,
        )
        gps = registry_gps(practice) if pi.gp_ids is None else list(GP.objects.filter(pk__in=pi.gp_ids))
        ap.gps.set(gps)
        if pi.team_lead_id is not None:
            lead = GP.objects.filter(pk=pi.team_lead_id).first()
            if lead is None:
                raise ActionRefused(
                    _("legekontor %(orgnr)s, teamleder: fastlegen finnes ikke"), {"orgnr": practice.orgnr}
                )
            ap.team_lead = lead
            ap.save(update_fields=["team_lead"])
    application.verdicts = [v.as_dict() for v in check_eligibility(application).verdicts]
    application.save(update_fields=["verdicts"])


def _require_open(call: m.Call) -> None:
    if not call.is_open:
        status = REFUSAL_TERMS.get(("status", call.status), call.status)
        raise ActionRefused(
            _("utlysningen «%(title)s» er %(status)s og tar ikke imot søknader"),
            {"title": call.title, "status": status},
        )


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def create_application(user: Any, call: m.Call, data: ApplicationInputData | None = None) -> m.Application:
    _require_role(user, ROLE_LEAD)
    municipality = municipality_of(user)
    if municipality is None:
        raise ActionRefused(_("bare en kommunes prosjektleder kan søke"))
    _require_open(call)
    if m.Application.objects.filter(call=call, municipality=municipality).exists():
        raise ActionRefused(
            _("%(municipality)s har allerede en søknad til denne utlysningen"),
            {"municipality": municipality.name},
        )
    with transaction.atomic():
        application = m.Application.objects.create(call=call, municipality=municipality, created_by=user)
        _write_draft(application, data or ApplicationInputData())
        _audit(user, "scheme.application.create", application, {}, {"status": application.status})
    return application


def save_application(
    user: Any, application: m.Application, data: ApplicationInputData, now: datetime.datetime | None = None
) -> m.Application:
    """Save a draft; on a submitted application before the deadline, a new revision."""
    _require_role(user, ROLE_LEAD)
    _own_municipality(user, application)
    if application.status not in (m.Application.Status.DRAFT, m.Application.Status.SUBMITTED):
        status = REFUSAL_TERMS.get(("status", application.status), application.status)
        raise ActionRefused(_("en søknad som er %(status)s, kan ikke endres"), {"status": status})
    moment = _now(now)
    if application.status == m.Application.Status.SUBMITTED and moment >= deadline_of(application.call):
        raise ActionRefused(_("fristen har gått ut: en innsendt søknad kan ikke lenger endres"))
    with transaction.atomic():
        before = snapshot(application)
        _write_draft(application, data)
        after = snapshot(application)
        if application.status == m.Application.Status.SUBMITTED and before != after:
            _new_revision(user, application, after)
        _audit(user, "scheme.application.save", application, before, after)
    return application


def _new_revision(user: Any, application: m.Application, data: Mapping[str, Any]) -> None:
    application.revision += 1
    application.save(update_fields=["revision"])
    m.ApplicationRevision.objects.create(
        application=application, number=application.revision, snapshot=dict(data), created_by=user
    )


def submit_application(
    user: Any, application: m.Application, now: datetime.datetime | None = None
) -> m.Application:
    _own_municipality(user, application)
    _transition(workflows.APPLICATION, application.status, "submitted", user)
    _require_open(application.call)
    moment = _now(now)
    deadline = deadline_of(application.call)
    if moment >= deadline:
        # the call's local time, naive: shown as it is, in the page's language
        local = moment.astimezone(ZoneInfo(application.call.timezone)).replace(tzinfo=None, microsecond=0)
        raise ActionRefused(
            _(
                "søknadsfristen gikk ut ved utgangen av %(deadline)s (%(timezone)s); innsending %(at)s er for sent"
            ),
            {
                "deadline": application.call.deadline_date,
                "timezone": application.call.timezone,
                "at": local,
            },
        )
    with transaction.atomic():
        # Locked and checked again inside the transaction: of two concurrent submissions, one wins.
        locked_status = (
            m.Application.objects.select_for_update().values_list("status", flat=True).get(pk=application.pk)
        )
        _transition(workflows.APPLICATION, locked_status, "submitted", user)
        before = {"status": locked_status}
        application.status = m.Application.Status.SUBMITTED
        application.submitted_at = moment
        application.save(update_fields=["status", "submitted_at"])
        application.verdicts = [v.as_dict() for v in check_eligibility(application).verdicts]
        application.save(update_fields=["verdicts"])
        _new_revision(user, application, snapshot(application))
        _audit(user, "scheme.application.submit", application, before, {"status": application.status})
        _notify(
            [user, *_officers()],
            f"Søknad mottatt: {application.municipality.name}",
            f"Søknaden fra {application.municipality.name} er sendt inn (revisjon {application.revision}).",
        )
    return application


def withdraw_application(user: Any, application: m.Application) -> m.Application:
    _own_municipality(user, application)
    _transition(workflows.APPLICATION, application.status, "withdrawn", user)
    with transaction.atomic():
        before = {"status": application.status}
        application.status = m.Application.Status.WITHDRAWN
        application.save(update_fields=["status"])
        _audit(user, "scheme.application.withdraw", application, before, {"status": application.status})
        _notify(_officers(), f"Søknad trukket: {application.municipality.name}", "Søknaden er trukket.")
    return application


PDF_MAGIC = b"%PDF-"


def add_attachment(user: Any, application: m.Application, title: str, upload: Any) -> m.Attachment:
    """Attach a PDF: the name must end in .pdf, the content must start as a PDF, within the size limit."""
    _require_role(user, ROLE_LEAD)
    _own_municipality(user, application)
    if application.status != m.Application.Status.DRAFT:
        raise ActionRefused(_("vedlegg kan bare legges til et utkast"))
    name = getattr(upload, "name", "") or ""
    bounded_text(title, m.Attachment, "title")
    if not name.lower().endswith(".pdf"):
        raise ActionRefused(_("vedlegg «%(name)s»: bare PDF-filer godtas"), {"name": name})
    if upload.size > application.call.attachment_max_bytes:
        raise ActionRefused(
            _("vedlegg «%(name)s»: %(size)s byte er over grensen på %(limit)s byte"),
            {"name": name, "size": int(upload.size), "limit": int(application.call.attachment_max_bytes)},
        )
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head != PDF_MAGIC:
        raise ActionRefused(_("vedlegg «%(name)s»: innholdet er ikke en PDF"), {"name": name})
    with transaction.atomic():
        attachment = m.Attachment.objects.create(
            application=application,
            title=title or name[:200],
            file=upload,
            size=upload.size,
            uploaded_by=user,
        )
        _audit(user, "scheme.attachment.add", application, {}, {"attachment": attachment.title})
    return attachment


def record_eligibility_verdict(
    user: Any, application: m.Application, eligible: bool, reason: str
) -> m.Application:
    """The case officer's own eligibility verdict with a reason; the rules' verdicts stay as they are."""
    _require_role(user, ROLE_OFFICER)
    bounded_text(reason, m.Application, "officer_eligibility_reason")
    if not reason.strip():
        raise ActionRefused(
            _("%(field)s: oppgi begrunnelsen for vurderingen"),
            {"field": label_of(m.Application, "officer_eligibility_reason")},
        )
    with transaction.atomic():
        locked = m.Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != m.Application.Status.SUBMITTED:
            status = REFUSAL_TERMS.get(("status", locked.status), locked.status)
            raise ActionRefused(
                _("vilkårsvurdering: søknaden er %(status)s; bare en innsendt søknad vurderes"),
                {"status": status},
            )
        before = {"officer_eligible": locked.officer_eligible, "reason": locked.officer_eligibility_reason}
        locked.officer_eligible = eligible
        locked.officer_eligibility_reason = reason.strip()
        locked.officer_eligibility_by = user
        locked.officer_eligibility_at = timezone.now()
        locked.save(
            update_fields=[
                "officer_eligible",
                "officer_eligibility_reason",
                "officer_eligibility_by",
                "officer_eligibility_at",
            ]
        )
        _audit(
            user,
            "scheme.application.eligibility_verdict",
            locked,
            before,
            {
                "officer_eligible": eligible,
                "reason": locked.officer_eligibility_reason,
                "rules_eligible": locked.rules_eligible,
            },
        )
    application.refresh_from_db()
    return application
