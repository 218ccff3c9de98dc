"""The care app's to-dos for the start page (``CareConfig.todos``): practice staff's work now."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pht.apps.accounts.todos import Todo
from pht.apps.care import access
from pht.apps.care.models import CarePlan, CareTask, ListResident, TargetGroupMembership, TeamRole
from pht.apps.care.workflow import OPEN_PLAN_STATUSES

OPEN_TASK_STATUSES = ("open", "in_progress")


def open_tasks_due(practice_id: int, role: str, on: Any) -> Any:
    """Open tasks for ``role`` due on or before ``on`` (undated tasks are not due)."""
    return CareTask.objects.filter(
        plan__resident__practice_id=practice_id, status__in=OPEN_TASK_STATUSES, role=role, due__lte=on
    )


def plans_due_for_review(practice_id: int, on: Any) -> Any:
    """Open care plans whose next review is on or before ``on``."""
    return CarePlan.objects.filter(
        resident__practice_id=practice_id, status__in=OPEN_PLAN_STATUSES, next_review__lte=on
    )


def without_plan(practice_id: int) -> Any:
    """Target-group residents of the practice without an open care plan (the worklist's patients)."""
    open_plan = CarePlan.objects.filter(resident=OuterRef("pk"), status__in=OPEN_PLAN_STATUSES)
    in_group = TargetGroupMembership.objects.filter(resident=OuterRef("pk"))
    # EXISTS rather than a join and DISTINCT (as the worklist): a count without sorting the whole list.
    return ListResident.objects.filter(practice_id=practice_id).filter(Exists(in_group), ~Exists(open_plan))


def todos(user: Any) -> list[Todo]:
    practice_id = access.own_practice_id(user)
    if practice_id is None or not access.can_see_patients(user, practice_id).passed:
        return []
    today = timezone.localdate()
    worklist = reverse("care:worklist")
    found: list[Todo] = []
    for role in (r for r in TeamRole if user.has_role(r.value)):
        tasks = open_tasks(practice_id, role.value)
        due = open_tasks_due(practice_id, role.value, today).count()
        found.append(
            Todo(
                f"care.tasks.{role.value}",
                _("Open tasks for %(role)s (%(due)s due today or earlier)")
                % {"role": role.label, "due": due},
                tasks.count(),
                f"{worklist}?{urlencode({'role': role.value})}#tasks-heading",
                urgent=due > 0,
            )
        )
    if user.has_role("gp", "nurse"):
        found.append(
            Todo(
                "care.reviews",
                _("Care plans due for review"),
                plans_due_for_review(practice_id, today).count(),
                reverse("care:reviews"),
                urgent=True,
            )
        )
    found.append(
        Todo(
            "care.without_plan",
            _("Patients in a target group without a care plan"),
            without_plan(practice_id).count(),
            f"{worklist}#patients-heading",
        )
    )
    return found


def open_tasks(practice_id: int, role: str) -> Any:
    return CareTask.objects.filter(
        plan__resident__practice_id=practice_id, status__in=OPEN_TASK_STATUSES, role=role
    )
