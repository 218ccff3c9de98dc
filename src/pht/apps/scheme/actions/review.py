"""Review: reviewer assignment, conflicts of interest, scores."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.permissions import roles_of
from pht.apps.accounts.validation import bounded_text, label_of
from pht.apps.scheme import models as m
from pht.apps.scheme import workflows
from pht.apps.scheme.actions._common import (
    ROLE_OFFICER,
    ROLE_REVIEWER,
    _audit,
    _notify,
    _require_role,
    _transition,
)
from pht.apps.scheme.scoring import criteria_from_values, spread, weighted_total


def _person(user: Any) -> str:
    """How a page or a message names a user: the full name, the login only when no name is recorded."""
    return str(user.get_full_name() or user.get_username())


def assign_reviewer(user: Any, application: m.Application, reviewer: Any) -> m.ReviewAssignment:
    _require_role(user, ROLE_OFFICER)
    if application.status != m.Application.Status.SUBMITTED:
        raise ActionRefused(_("bare innsendte søknader vurderes"))
    if ROLE_REVIEWER not in roles_of(reviewer):
        raise ActionRefused(_("%(user)s er ikke fagvurderer"), {"user": _person(reviewer)})
    if m.ReviewAssignment.objects.filter(application=application, reviewer=reviewer).exists():
        raise ActionRefused(_("%(user)s er allerede tildelt denne søknaden"), {"user": _person(reviewer)})
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
                f"{_person(user)} har erklært inhabilitet for {assignment.application.municipality.name}: {note}",
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
