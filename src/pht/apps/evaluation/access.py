"""Who reaches the evaluator's workspace: evaluators (everything), Directorate users (read only).

Practice staff and municipal users are refused (403). The workspace holds pseudonymised data only.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.models import OrganisationKind, Role
from pht.rules.explain import Verdict


def can_work(user: Any) -> bool:
    """May create plans, lock them and start runs."""
    return bool(getattr(user, "is_authenticated", False) and Role.EVALUATOR in (user.roles or []))


def can_read(user: Any) -> bool:
    """May read plans, runs and estimates."""
    if not getattr(user, "is_authenticated", False):
        return False
    return can_work(user) or user.is_superuser or user.organisation_kind == OrganisationKind.DIRECTORATE


def evaluator_verdict(user: Any) -> Verdict:
    passed = can_work(user)
    return Verdict(
        rule="evaluation.work",
        passed=passed,
        reason="evaluator" if passed else "Only evaluators may do this.",
        inputs={"user": getattr(user, "pk", None)},
    )


def require_read(user: Any) -> None:
    if not can_read(user):
        raise PermissionDenied(_("The evaluation workspace is for evaluators and the Directorate."))


def require_work(user: Any) -> None:
    from pht.apps.accounts.actions import ActionRefused

    if not can_work(user):
        raise ActionRefused(_("Only evaluators may change plans or start runs; you may read them."))
