"""Shared checks and adapters of the scheme's actions (roles, workflow steps, audit, notification)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.actions import ActionRefused, notify, require
from pht.apps.accounts.audit import json_safe, record_event
from pht.apps.accounts.models import OrganisationKind, Role
from pht.apps.accounts.permissions import roles_of
from pht.apps.scheme import models as m
from pht.rules.deadline import deadline_instant
from pht.rules.workflow import Workflow, check_roles, check_transition

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
    """First instant after the call's deadline (``pht.rules.deadline``, the one deadline rule)."""
    return deadline_instant(call.deadline_date, call.timezone)


def _officers() -> list[Any]:
    from django.contrib.auth import get_user_model

    # Roles live in a JSON list; filtered in Python so SQLite and PostgreSQL agree.
    return [u for u in get_user_model().objects.filter(is_active=True) if ROLE_OFFICER in u.roles]
