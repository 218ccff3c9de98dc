"""Who sees which applications and decisions: Directorate roles all, a municipality its own,
a reviewer those assigned to them and not declared a conflict on. Pages and API use the same
functions; every place that fetches an application goes through ``visible_applications``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from pht.apps.accounts.models import Role
from pht.apps.accounts.permissions import roles_of
from pht.apps.scheme import actions
from pht.apps.scheme import models as m

DIRECTORATE_ROLES = {actions.ROLE_OFFICER, actions.ROLE_FINANCE, Role.ADMINISTRATOR.value}


def visible_applications(user: Any) -> QuerySet[m.Application]:
    if not user.is_authenticated:
        return m.Application.objects.none()
    roles = roles_of(user)
    if roles & DIRECTORATE_ROLES:
        return m.Application.objects.all()
    municipality = actions.municipality_of(user)
    if municipality is not None and actions.ROLE_LEAD in roles:
        return m.Application.objects.filter(municipality=municipality)
    if actions.ROLE_REVIEWER in roles:
        # A reviewer who declared a conflict of interest no longer sees the application, its
        # attachments or its export: only assignments without a declared conflict open it.
        open_assignments = m.ReviewAssignment.objects.filter(reviewer_id=user.pk).exclude(
            status=m.ReviewAssignment.Status.CONFLICT
        )
        return m.Application.objects.filter(pk__in=open_assignments.values("application_id"))
    return m.Application.objects.none()


def visible_decisions(user: Any) -> QuerySet[m.GrantDecision]:
    return m.GrantDecision.objects.filter(application__in=visible_applications(user)).select_related(
        "application__municipality", "application__call"
    )
