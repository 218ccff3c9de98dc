"""Scoping by role and organisation: what a user may see and change.

- Directorate and evaluation users see every municipality and practice (evaluators never see
  identifiable patient data; that is the care app's rule).
- Municipality users see their own municipality's practices.
- Practice staff see, and edit the roster of, their own practice only.
Each function that answers yes/no returns a ``Verdict`` so the reason can be shown; the roster's verdicts
also give it as a translatable ``Message`` (English templates: ``TEMPLATES``, from which the reason is
rendered), shown in the page's language through ``pht.apps.registry.reasons.REFUSALS``.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from pht.apps.accounts.models import OrganisationKind, Role, User
from pht.apps.registry.models import Municipality, Practice
from pht.rules.explain import Message, Verdict, render

# English templates of the roster verdicts' messages; the registry app translates them.
TEMPLATES: dict[str, str] = {
    "access.edit_roster.administrator": "administrator",
    "access.edit_roster.not_own_practice": "Only the practice's own staff may edit its roster.",
    "access.edit_roster.role": "Your role may not edit the roster.",
    "access.edit_roster.staff": "staff of this practice",
}


def roles_of(user: User | AnonymousUser | None) -> set[str]:
    """The roles of a signed-in user; none for anonymous users."""
    return set(user.roles) if isinstance(user, User) and user.is_authenticated else set()


def _kind(user: User) -> str | None:
    if not user.is_authenticated:
        return None
    return user.organisation_kind


def sees_everything(user: User) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or _kind(user) in (OrganisationKind.DIRECTORATE, OrganisationKind.EVALUATION))
    )


def visible_practices(user: User) -> QuerySet[Practice]:
    practices = Practice.objects.all()
    if sees_everything(user):
        return practices
    organisation = user.organisation if user.is_authenticated else None
    if organisation is None:
        return practices.none()
    if organisation.kind == OrganisationKind.MUNICIPALITY and organisation.municipality_id is not None:
        return practices.filter(municipality_id=organisation.municipality_id)
    if organisation.kind == OrganisationKind.PRACTICE and organisation.practice_id is not None:
        return practices.filter(pk=organisation.practice_id)
    return practices.none()


def visible_municipalities(user: User) -> QuerySet[Municipality]:
    """Municipalities are public reference data: every signed-in user may list them."""
    return Municipality.objects.all() if user.is_authenticated else Municipality.objects.none()


def own_municipality_id(user: User) -> int | None:
    """The municipality a municipality or practice user belongs to."""
    organisation = user.organisation if user.is_authenticated else None
    if organisation is None:
        return None
    if organisation.kind == OrganisationKind.MUNICIPALITY:
        return organisation.municipality_id
    if organisation.kind == OrganisationKind.PRACTICE and organisation.practice is not None:
        return organisation.practice.municipality_id
    return None


def can_view_practice(user: User, practice: Practice) -> Verdict:
    allowed = visible_practices(user).filter(pk=practice.pk).exists()
    return Verdict(
        rule="access.view_practice",
        passed=allowed,
        reason="" if allowed else "You may only see practices of your own organisation.",
        inputs={"user": user.pk, "practice": practice.pk},
    )


def _roster(passed: bool, key: str, inputs: dict[str, object]) -> Verdict:
    message = Message(key)
    return Verdict("access.edit_roster", passed, render(message, TEMPLATES.__getitem__), inputs, message)


def can_edit_roster(user: User, practice: Practice) -> Verdict:
    if user.is_authenticated and (user.is_superuser or user.has_role(Role.ADMINISTRATOR)):
        return _roster(True, "access.edit_roster.administrator", {"user": user.pk})
    own = (
        user.is_authenticated
        and user.organisation is not None
        and user.organisation.kind == OrganisationKind.PRACTICE
        and user.organisation.practice_id == practice.pk
    )
    if not own:
        return _roster(False, "access.edit_roster.not_own_practice", {})
    if not user.has_role(Role.GP, Role.SECRETARY, Role.PRACTICE_ADMIN, Role.NURSE):
        return _roster(False, "access.edit_roster.role", {})
    return _roster(True, "access.edit_roster.staff", {"user": user.pk})
