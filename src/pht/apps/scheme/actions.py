"""Every state change of the grant scheme, one function per action.

Each action checks permission, validates, writes in one transaction with an audit row
(who, what, when, before/after) and notifies only after commit. Views and the API call these
and never write models themselves. Refusals raise ``ActionRefused`` with a clear reason: a rule's verdict
(``require``: workflow steps, roles, four eyes) carries its message, and every other refusal is a lazy
gettext text with bokmål msgids (the app's convention), so pages show it in their language
(``pht.apps.accounts.actions.show_refusal`` with ``reasons.REFUSALS``) and the API and logs in English.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# --- adapters to the foundation (accounts app) ---------------------------------------------
from pht.apps.accounts.actions import ActionRefused, notify, require  # noqa: E402
from pht.apps.accounts.audit import json_safe, record_event  # noqa: E402
from pht.apps.accounts.models import OrganisationKind, Role  # noqa: E402
from pht.apps.accounts.permissions import roles_of  # noqa: E402
from pht.apps.accounts.validation import bounded_decimal, bounded_text, checked_email, label_of  # noqa: E402
from pht.apps.scheme import models as m
from pht.apps.scheme import workflows
from pht.apps.scheme.reasons import REFUSAL_TERMS
from pht.apps.scheme.scoring import criteria_from_values, spread, weighted_total
from pht.rules import eligibility as elig
from pht.rules.grants import GrantParameters, grant_years, payment_plan, report_due_date
from pht.rules.selection import solve_selection
from pht.rules.size_class import SizeClassThresholds
from pht.rules.workflow import Workflow, check_four_eyes, check_roles, check_transition

ROLE_LEAD = Role.PROJECT_LEAD.value
ROLE_OFFICER = Role.CASE_OFFICER.value
ROLE_REVIEWER = Role.REVIEWER.value
ROLE_FINANCE = Role.FINANCE_OFFICER.value


def municipality_of(user: Any) -> Any | None:
    """The municipality whose project lead the user can be (municipality organisations only)."""
    organisation = user.organisation if user is not None and user.is_authenticated else None
    if organisation is None or organisation.kind != OrganisationKind.MUNICIPALITY:
        return None
    return organisation.municipality


def _audit(user: Any, verb: str, target: Any, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    record_event(user, verb, target, before=json_safe(before), after=json_safe(after))


def _notify(users: Iterable[Any], subject: str, body: str) -> None:
    """E-mail the users once the transaction commits (``accounts.actions.notify``)."""
    notify([getattr(u, "email", "") for u in users], subject, body)


# --- shared checks --------------------------------------------------------------------------


def _require_role(user: Any, *roles: str) -> None:
    require(check_roles(roles_of(user), roles))


def _transition(workflow: Workflow, current: str, target: str, user: Any) -> None:
    require(check_transition(workflow, current, target, roles_of(user)))


def _own_municipality(user: Any, application: m.Application) -> None:
    own = municipality_of(user)
    if own is None or own.pk != application.municipality_id:
        raise ActionRefused(_("du kan bare handle på søknader fra din egen kommune"))


def deadline_of(call: m.Call) -> datetime.datetime:
    next_day = call.deadline_date + datetime.timedelta(days=1)
    return datetime.datetime.combine(next_day, datetime.time(0), tzinfo=ZoneInfo(call.timezone))


def _officers() -> list[Any]:
    from django.contrib.auth import get_user_model

    # Roles live in a JSON list; filtered in Python so SQLite and PostgreSQL agree.
    return [u for u in get_user_model().objects.filter(is_active=True) if ROLE_OFFICER in u.roles]


# --- applications ---------------------------------------------------------------------------


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
    """The call year: population and municipalities are those of 1 January that year."""
    return call.announcement_date.year


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


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def create_application(user: Any, call: m.Call, data: ApplicationInputData | None = None) -> m.Application:
    _require_role(user, ROLE_LEAD)
    municipality = municipality_of(user)
    if municipality is None:
        raise ActionRefused(_("bare en kommunes prosjektleder kan søke"))
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
    moment = _now(now)
    deadline = deadline_of(application.call)
    if moment >= deadline:
        local = moment.astimezone(ZoneInfo(application.call.timezone)).strftime("%d.%m.%Y %H:%M:%S")
        raise ActionRefused(
            _(
                "søknadsfristen gikk ut ved utgangen av %(deadline)s (%(timezone)s); innsending %(at)s er for sent"
            ),
            {
                "deadline": f"{application.call.deadline_date:%d.%m.%Y}",
                "timezone": application.call.timezone,
                "at": local,
            },
        )
    with transaction.atomic():
        before = {"status": application.status}
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


# --- review ---------------------------------------------------------------------------------


def assign_reviewer(user: Any, application: m.Application, reviewer: Any) -> m.ReviewAssignment:
    _require_role(user, ROLE_OFFICER)
    if application.status != m.Application.Status.SUBMITTED:
        raise ActionRefused(_("bare innsendte søknader vurderes"))
    if ROLE_REVIEWER not in roles_of(reviewer):
        raise ActionRefused(_("%(user)s er ikke fagvurderer"), {"user": str(reviewer)})
    if m.ReviewAssignment.objects.filter(application=application, reviewer=reviewer).exists():
        raise ActionRefused(_("%(user)s er allerede tildelt denne søknaden"), {"user": str(reviewer)})
    with transaction.atomic():
        assignment = m.ReviewAssignment.objects.create(
            application=application, reviewer=reviewer, assigned_by=user
        )
        _audit(user, "scheme.review.assign", application, {}, {"reviewer": str(reviewer)})
        _notify(
            [reviewer],
            f"Ny søknad til vurdering: {application.municipality.name}",
            "Erklær først om du er inhabil, deretter kan du score søknaden.",
        )
    return assignment


def declare_conflict(
    user: Any, assignment: m.ReviewAssignment, conflict: bool, note: str = ""
) -> m.ReviewAssignment:
    if assignment.reviewer_id != user.pk:
        raise ActionRefused(_("bare den tildelte fagvurdereren kan erklære inhabilitet"))
    target = "conflict" if conflict else "cleared"
    _transition(workflows.REVIEW, assignment.status, target, user)
    bounded_text(note, m.ReviewAssignment, "conflict_note")
    if conflict and not note.strip():
        raise ActionRefused(_("beskriv inhabiliteten"))
    with transaction.atomic():
        before = {"status": assignment.status}
        assignment.status = target
        assignment.conflict_note = note
        assignment.declared_at = timezone.now()
        assignment.save(update_fields=["status", "conflict_note", "declared_at"])
        _audit(
            user, "scheme.review.declare", assignment.application, before, {"status": target, "note": note}
        )
        if conflict:
            _notify(
                [assignment.assigned_by],
                "Inhabilitet erklært",
                f"{user} har erklært inhabilitet for {assignment.application.municipality.name}: {note}",
            )
    return assignment


def submit_review(
    user: Any, assignment: m.ReviewAssignment, scores: Mapping[str, int], comments: Mapping[str, str]
) -> m.ReviewAssignment:
    if assignment.reviewer_id != user.pk:
        raise ActionRefused(_("bare den tildelte fagvurdereren kan score denne søknaden"))
    if assignment.status == m.ReviewAssignment.Status.CONFLICT:
        raise ActionRefused(_("du har erklært deg inhabil for denne søknaden og kan ikke score den"))
    if assignment.status == m.ReviewAssignment.Status.ASSIGNED:
        raise ActionRefused(_("erklær om du er inhabil før du scorer"))
    for comment in comments.values():
        bounded_text(comment, label=label_of(m.ReviewAssignment, "comments"))
    _transition(workflows.REVIEW, assignment.status, "submitted", user)
    criteria = criteria_from_values(assignment.application.call.criteria)
    clean: dict[str, int] = {}
    for criterion in criteria:
        value = scores.get(criterion.key)
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise ActionRefused(
                _("kriterium «%(criterion)s»: gi en score fra 1 til 5"), {"criterion": criterion.key}
            )
        clean[criterion.key] = value
    total = weighted_total(clean, criteria)
    with transaction.atomic():
        before = {"status": assignment.status}
        assignment.status = m.ReviewAssignment.Status.SUBMITTED
        assignment.scores = clean
        assignment.comments = {k: str(v) for k, v in comments.items() if k in clean}
        assignment.total = total
        assignment.submitted_at = timezone.now()
        assignment.save()
        application = assignment.application
        submitted = application.assignments.filter(status=m.ReviewAssignment.Status.SUBMITTED)
        application.score = spread([a.scores for a in submitted], criteria).mean_total
        application.save(update_fields=["score"])
        _audit(user, "scheme.review.submit", application, before, {"scores": clean, "total": str(total)})
    return assignment


# --- selection ------------------------------------------------------------------------------


def selection_candidates(call: m.Call) -> list[m.Application]:
    """Submitted, eligible and scored applications of the call."""
    result = []
    for application in call.applications.filter(status=m.Application.Status.SUBMITTED).select_related(
        "municipality"
    ):
        if application.score is None:
            continue
        if all(v.get("passed") for v in application.verdicts):
            result.append(application)
    return result


def default_constraints(call: m.Call) -> dict[str, Any]:
    t = call.targets
    return {
        "per_size_class": {k: t.get(f"target_{k}", 0) for k in ("small", "medium", "large")},
        "gps_min": t.get("gps_min"),
        "gps_max": t.get("gps_max"),
        "min_per_model": {k: t.get(f"min_per_model_{k}", 0) for k in call.financing_models},
        "max_per_county": t.get("max_per_county"),
    }


def size_class_of(application: m.Application) -> str:
    for verdict in application.verdicts:
        if verdict.get("rule") == "eligibility.size_class":
            value = verdict.get("inputs", {}).get("size_class")
            if value:
                return str(value)
    return application.declared_size_class or "unknown"


def candidate_of(application: m.Application) -> dict[str, Any]:
    """An application as a selection candidate (the row of a selection problem)."""
    models_offered = sorted({p.financing_model for p in application.practices.all() if p.financing_model})
    return {
        "id": application.municipality.kommunenummer,
        "name": application.municipality.name,
        "size_class": size_class_of(application),
        "gps": application.gp_count,
        "score": float(application.score or 0),
        "models": models_offered,
        "county": getattr(application.municipality, "county", None),
    }


def decided_candidates(call: m.Call) -> list[dict[str, Any]] | None:
    """After the selection decision, the candidates it was made on, each with its outcome.

    Once decided, the applications are granted or rejected, no longer submitted, so
    ``selection_candidates`` finds none. The decision's run holds the candidates as they were
    (its input); each gets ``selected`` (chosen by the decision), the application's ``status``
    now and its ``application_id``. Selected first, then by score. ``None`` before a decision.
    """
    decision = call.selection_decisions.select_related("run").first()
    if decision is None:
        return None
    applications = {a.municipality.kommunenummer: a for a in call.applications.select_related("municipality")}
    rows = [dict(c) for c in decision.run.problem.get("candidates", [])]
    listed = {row["id"] for row in rows}
    # A decision may choose other than its run proposed (``decide_selection(chosen=...)``).
    rows += [candidate_of(applications[c]) for c in decision.chosen if c not in listed and c in applications]
    chosen = set(decision.chosen)
    for row in rows:
        application = applications.get(row["id"])
        row["selected"] = row["id"] in chosen
        row["status"] = application.status if application else ""
        row["status_label"] = application.get_status_display() if application else ""
        row["application_id"] = application.pk if application else None
    rows.sort(key=lambda r: (not r["selected"], -float(r.get("score") or 0), str(r.get("name") or r["id"])))
    return rows


def build_problem(
    call: m.Call,
    constraints: Mapping[str, Any] | None = None,
    locked_in: Iterable[str] = (),
    locked_out: Iterable[str] = (),
) -> dict[str, Any]:
    return {
        "constraints": dict(constraints or default_constraints(call)),
        "candidates": [candidate_of(a) for a in selection_candidates(call)],
        "locked_in": sorted(locked_in),
        "locked_out": sorted(locked_out),
    }


def run_selection(
    user: Any,
    call: m.Call,
    constraints: Mapping[str, Any] | None = None,
    locked_in: Iterable[str] = (),
    locked_out: Iterable[str] = (),
    note: str = "",
) -> m.SelectionRun:
    from pht.rules.selection import SelectionInputError, problem_from_mapping

    _require_role(user, ROLE_OFFICER)
    bounded_text(note, m.SelectionRun, "note")
    if call.selection_decisions.exists():
        raise ActionRefused(_("utvelgelsen for denne utlysningen er allerede vedtatt"))
    problem = build_problem(call, constraints, locked_in, locked_out)
    try:
        result = solve_selection(problem_from_mapping(problem))
    except SelectionInputError as exc:
        raise ActionRefused(str(exc)) from exc
    with transaction.atomic():
        run = m.SelectionRun.objects.create(
            call=call, problem=problem, result=result.as_dict(details=True), created_by=user, note=note
        )
        _audit(user, "scheme.selection.run", call, {}, {"run": run.pk, "status": result.status})
    return run


def decide_selection(
    user: Any, run: m.SelectionRun, rationale: str, chosen: Sequence[str] | None = None
) -> m.SelectionDecision:
    """Record the final selection with its rationale; grant the chosen, reject the rest."""
    _require_role(user, ROLE_OFFICER)
    bounded_text(rationale, m.SelectionDecision, "rationale")
    if not rationale.strip():
        raise ActionRefused(_("et utvelgelsesvedtak trenger en begrunnelse"))
    picked = list(chosen if chosen is not None else run.result.get("chosen", []))
    if not picked:
        raise ActionRefused(_("utvelgelsen velger ingen kommune"))
    call = run.call
    if call.selection_decisions.exists():
        raise ActionRefused(_("utvelgelsen for denne utlysningen er allerede vedtatt"))
    applications = {
        a.municipality.kommunenummer: a
        for a in call.applications.filter(status="submitted").select_related("municipality")
    }
    unknown = [c for c in picked if c not in applications]
    if unknown:
        raise ActionRefused(
            _("ikke innsendte søknader: %(municipalities)s"), {"municipalities": ", ".join(unknown)}
        )
    params = GrantParameters.from_mapping(call.grant_parameters)
    with transaction.atomic():
        decision = m.SelectionDecision.objects.create(
            call=call, run=run, chosen=picked, rationale=rationale, decided_by=user
        )
        for number, application in applications.items():
            target = "granted" if number in picked else "rejected"
            _transition(workflows.APPLICATION, application.status, target, user)
            application.status = target
            application.save(update_fields=["status"])
            if target == "granted":
                gps = application.gp_count
                years = grant_years(gps, call.pilot_start, call.end_date, params)
                m.GrantDecision.objects.create(
                    application=application,
                    gps=gps,
                    period_start=call.pilot_start,
                    period_end=call.end_date,
                    years=[
                        {
                            **y.as_dict(),
                            "reason": y.reason,
                            "message": y.message.as_dict() if y.message else {},
                        }
                        for y in years
                    ],
                    total=sum((y.total for y in years), Decimal("0")),
                    decided_by=user,
                )
        _audit(user, "scheme.selection.decide", call, {}, {"chosen": picked, "rationale": rationale})
    return decision


# --- grants, payments, reports --------------------------------------------------------------


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


# --- call administration and reminders --------------------------------------------------------


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
