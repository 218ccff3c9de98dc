"""Who may see a job: its creator, users of the same organisation with the same role family, admins."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from pht.apps.accounts.models import Role, User
from pht.apps.jobs.models import Job

# Roles that do the same kind of work: a colleague in the same family and organisation sees the job.
ROLE_FAMILIES: dict[str, frozenset[str]] = {
    "casework": frozenset({Role.CASE_OFFICER, Role.REVIEWER}),
    "finance": frozenset({Role.FINANCE_OFFICER}),
    "evaluation": frozenset({Role.EVALUATOR}),
    "municipality": frozenset({Role.PROJECT_LEAD}),
    "practice": frozenset({Role.GP, Role.NURSE, Role.SECRETARY, Role.PRACTICE_ADMIN}),
}


def is_admin(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or Role.ADMINISTRATOR in user.roles))


def families(roles: object) -> set[str]:
    held = set(roles) if isinstance(roles, (list, tuple, set, frozenset)) else set()
    return {name for name, members in ROLE_FAMILIES.items() if held & members}


def visible_jobs(user: User) -> QuerySet[Job]:
    if not user.is_authenticated:
        return Job.objects.none()
    if is_admin(user):
        return Job.objects.all()
    own = Q(created_by=user)
    if user.organisation_id is None or not families(user.roles):
        return Job.objects.filter(own)
    # Colleagues: same organisation; role families are compared in Python (roles is a JSON list).
    colleagues = [
        pk
        for pk, roles in User.objects.filter(organisation_id=user.organisation_id).values_list("pk", "roles")
        if families(roles) & families(user.roles)
    ]
    return Job.objects.filter(own | Q(organisation_id=user.organisation_id, created_by__in=colleagues))


def can_view(user: User, job: Job) -> bool:
    return visible_jobs(user).filter(pk=job.pk).exists()
