"""The scheme app's to-dos for the start page (``SchemeConfig.todos``): the Directorate's and the project
lead's work now. Each ``TodoQuery`` is both the count on the start page and the filter of its list page
(``?todo=<key>``), so the two always agree. Reads only."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.permissions import roles_of
from pht.apps.accounts.todos import Todo, TodoQuery
from pht.apps.scheme import actions
from pht.apps.scheme import models as m
from pht.apps.scheme.scoping import visible_applications, visible_decisions

# A report shows among the lead's to-dos this long before its deadline.
REPORT_NOTICE = datetime.timedelta(days=30)
OPEN_REVIEW = (m.ReviewAssignment.Status.ASSIGNED, m.ReviewAssignment.Status.CLEARED)


def _applications_to_check(user: Any) -> QuerySet[m.Application]:
    """Submitted applications without the officer's own eligibility verdict."""
    return visible_applications(user).filter(
        status=m.Application.Status.SUBMITTED, officer_eligible__isnull=True
    )


def _reviews_outstanding(user: Any) -> QuerySet[m.Application]:
    """Submitted applications with a reviewer who has not yet sent a review (nor declared a conflict)."""
    pending = m.ReviewAssignment.objects.filter(status__in=OPEN_REVIEW).values("application_id")
    return visible_applications(user).filter(status=m.Application.Status.SUBMITTED, pk__in=pending)


def _decisions_unaccepted(user: Any) -> QuerySet[m.Application]:
    """Applications whose grant decision the municipality has neither accepted nor declined."""
    return visible_applications(user).filter(grant__status=m.GrantDecision.Status.DECIDED)


def _reports(user: Any) -> QuerySet[m.Report]:
    return m.Report.objects.filter(decision__in=visible_decisions(user))


def _reports_overdue(user: Any) -> QuerySet[m.Report]:
    return _reports(user).filter(status=m.Report.Status.DUE, due_date__lt=timezone.localdate())


def _reports_to_approve(user: Any) -> QuerySet[m.Report]:
    return _reports(user).filter(status=m.Report.Status.SUBMITTED)


def _reports_due(user: Any) -> QuerySet[m.Report]:
    """The lead's reports not yet sent whose deadline has passed or comes within ``REPORT_NOTICE``."""
    horizon = timezone.localdate() + REPORT_NOTICE
    return _reports(user).filter(status=m.Report.Status.DUE, due_date__lte=horizon)


def _reviews_to_declare(user: Any) -> QuerySet[m.ReviewAssignment]:
    return m.ReviewAssignment.objects.filter(reviewer_id=user.pk, status=m.ReviewAssignment.Status.ASSIGNED)


def _reviews_to_score(user: Any) -> QuerySet[m.ReviewAssignment]:
    return m.ReviewAssignment.objects.filter(reviewer_id=user.pk, status=m.ReviewAssignment.Status.CLEARED)


def _instalments_to_prepare(user: Any) -> QuerySet[m.Instalment]:
    """Planned instalments of accepted decisions that have fallen due."""
    return m.Instalment.objects.filter(
        status=m.Instalment.Status.PLANNED,
        due__lte=timezone.localdate(),
        decision__status=m.GrantDecision.Status.ACCEPTED,
    )


def _instalments_to_approve(user: Any) -> QuerySet[m.Instalment]:
    """Prepared instalments this user may approve: four eyes, so not those the user prepared."""
    return m.Instalment.objects.filter(status=m.Instalment.Status.PREPARED).exclude(prepared_by_id=user.pk)


def _own_drafts(user: Any) -> QuerySet[m.Application]:
    return visible_applications(user).filter(status=m.Application.Status.DRAFT)


def _open_calls_not_applied(user: Any) -> QuerySet[m.Call]:
    """Published calls still before their deadline that the lead's municipality has not applied to."""
    municipality = actions.municipality_of(user)
    now = timezone.now()
    published = m.Call.objects.filter(status=m.Call.Status.PUBLISHED)
    if municipality is not None:
        published = published.exclude(applications__municipality=municipality)
    open_now = [call.pk for call in published if now < actions.deadline_of(call)]
    return m.Call.objects.filter(pk__in=open_now)


CHECK = TodoQuery(
    "scheme.applications.check",
    _("Søknader der vilkårene ikke er vurdert av saksbehandler"),
    _applications_to_check,
    "scheme:applications",
)
REVIEWS_OUTSTANDING = TodoQuery(
    "scheme.applications.reviews_outstanding",
    _("Søknader med fagvurderinger som ikke er levert"),
    _reviews_outstanding,
    "scheme:applications",
)
DECISIONS_UNACCEPTED = TodoQuery(
    "scheme.applications.decisions_unaccepted",
    _("Tilsagn som venter på kommunens aksept"),
    _decisions_unaccepted,
    "scheme:applications",
)
DRAFTS = TodoQuery(
    "scheme.applications.drafts",
    _("Søknadsutkast som ikke er sendt inn"),
    _own_drafts,
    "scheme:applications",
    urgent=True,
)
TO_ACCEPT = TodoQuery(
    "scheme.applications.to_accept",
    _("Tilsagn kommunen skal akseptere eller avslå"),
    _decisions_unaccepted,
    "scheme:applications",
    urgent=True,
)
REPORTS_OVERDUE = TodoQuery(
    "scheme.reports.overdue",
    _("Rapporter over fristen"),
    _reports_overdue,
    "scheme:reports",
    urgent=True,
)
REPORTS_TO_APPROVE = TodoQuery(
    "scheme.reports.to_approve", _("Innsendte rapporter å godkjenne"), _reports_to_approve, "scheme:reports"
)
REPORTS_DUE = TodoQuery(
    "scheme.reports.due",
    _("Rapporter å sende (fristen er passert eller innen 30 dager)"),
    _reports_due,
    "scheme:reports",
    urgent=True,
)
REVIEWS_DECLARE = TodoQuery(
    "scheme.reviews.declare",
    _("Tildelte søknader der du skal erklære inhabilitet eller ikke"),
    _reviews_to_declare,
    "scheme:reviews",
    urgent=True,
)
REVIEWS_SCORE = TodoQuery(
    "scheme.reviews.score", _("Fagvurderinger å gjøre ferdig"), _reviews_to_score, "scheme:reviews"
)
PREPARE = TodoQuery(
    "scheme.instalments.prepare",
    _("Forfalte terminer å forberede"),
    _instalments_to_prepare,
    "scheme:payments",
)
APPROVE = TodoQuery(
    "scheme.instalments.approve",
    _("Forberedte utbetalinger å godkjenne (forberedt av en annen)"),
    _instalments_to_approve,
    "scheme:payments",
    urgent=True,
)
OPEN_CALLS = TodoQuery(
    "scheme.calls.open",
    _("Åpne utlysninger kommunen ikke har søkt på ennå"),
    _open_calls_not_applied,
    "scheme:calls",
)

# The to-dos of each role, in the order the start page shows them (urgent ones first); and those of each list page.
BY_ROLE: dict[str, tuple[TodoQuery, ...]] = {
    actions.ROLE_OFFICER: (
        CHECK,
        REVIEWS_OUTSTANDING,
        DECISIONS_UNACCEPTED,
        REPORTS_OVERDUE,
        REPORTS_TO_APPROVE,
    ),
    actions.ROLE_REVIEWER: (REVIEWS_DECLARE, REVIEWS_SCORE),
    actions.ROLE_FINANCE: (PREPARE, APPROVE),
    actions.ROLE_LEAD: (DRAFTS, OPEN_CALLS, TO_ACCEPT, REPORTS_DUE),
}
APPLICATIONS = (CHECK, REVIEWS_OUTSTANDING, DECISIONS_UNACCEPTED, DRAFTS, TO_ACCEPT)
REPORTS = (REPORTS_OVERDUE, REPORTS_TO_APPROVE, REPORTS_DUE)
REVIEWS = (REVIEWS_DECLARE, REVIEWS_SCORE)
PAYMENTS = (PREPARE, APPROVE)
CALLS = (OPEN_CALLS,)


def todos(user: Any) -> list[Todo]:
    roles = roles_of(user)
    if actions.ROLE_LEAD in roles and actions.municipality_of(user) is None:
        roles = roles - {actions.ROLE_LEAD}  # a lead without a municipality has nothing of their own
    return [query.todo(user) for role, queries in BY_ROLE.items() if role in roles for query in queries]
