"""The care app's to-dos for the start page (``CareConfig.todos``): practice staff's work now. Each
``TodoQuery`` is both the count and its list's filter (``?todo=<key>`` on the worklist or the reviews)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pht.apps.accounts.todos import Todo, TodoQuery
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


def new_in_group(practice_id: int) -> Any:
    """The worklist's patients who are new in a target group: not in it (or not on the list) a window
    before the list's date (``TargetGroupMembership.new_since``)."""
    new = TargetGroupMembership.objects.filter(resident=OuterRef("pk"), new_since__isnull=False)
    return without_plan(practice_id).filter(Exists(new))


def _own_practice(user: Any) -> int | None:
    practice_id = access.own_practice_id(user)
    if practice_id is None or not access.can_see_patients(user, practice_id).passed:
        return None
    return practice_id


def _rows_of_practice(rows: Callable[[int], Any], model: Any) -> Callable[[Any], Any]:
    """``rows(practice_id)`` for the user's own practice; nothing for a user without one."""

    def of_user(user: Any) -> Any:
        practice_id = _own_practice(user)
        return model.objects.none() if practice_id is None else rows(practice_id)

    return of_user


def _tasks_label(role: TeamRole) -> Any:
    return lazy(lambda: _("Open tasks for %(role)s") % {"role": role.label}, str)()


def _open_tasks_for(role: str) -> Callable[[int], Any]:
    def rows(practice_id: int) -> Any:
        return open_tasks(practice_id, role)  # defined below; looked up when called

    return rows


TASKS = {
    role.value: TodoQuery(
        f"care.tasks.{role.value}",
        _tasks_label(role),
        _rows_of_practice(_open_tasks_for(role.value), CareTask),
        "care:worklist",
        "#tasks-heading",
    )
    for role in TeamRole
}
REVIEWS = TodoQuery(
    "care.reviews",
    gettext_lazy("Care plans due for review"),
    _rows_of_practice(lambda practice_id: plans_due_for_review(practice_id, timezone.localdate()), CarePlan),
    "care:reviews",
    urgent=True,
)
WITHOUT_PLAN = TodoQuery(
    "care.without_plan",
    gettext_lazy("Patients in a target group without a care plan"),
    _rows_of_practice(without_plan, ListResident),
    "care:worklist",
    "#patients-heading",
)
NEW_IN_GROUP = TodoQuery(
    "care.new_in_group",
    gettext_lazy("Patients new in a target group, without a care plan"),
    _rows_of_practice(new_in_group, ListResident),
    "care:worklist",
    "#patients-heading",
)
WORKLIST = (*TASKS.values(), WITHOUT_PLAN, NEW_IN_GROUP)


def todos(user: Any) -> list[Todo]:
    practice_id = _own_practice(user)
    if practice_id is None:
        return []
    today = timezone.localdate()
    found: list[Todo] = []
    for role in (r for r in TeamRole if user.has_role(r.value)):
        tasks = TASKS[role.value].todo(user)
        due = open_tasks_due(practice_id, role.value, today).count()
        # The start page also says how many are due; the list's filter is all of the role's open tasks.
        label = _("Open tasks for %(role)s (%(due)s due today or earlier)") % {"role": role.label, "due": due}
        found.append(Todo(tasks.key, label, tasks.count, tasks.url, urgent=due > 0))
    if user.has_role("gp", "nurse"):
        found.append(REVIEWS.todo(user))
    found.append(NEW_IN_GROUP.todo(user))
    found.append(WITHOUT_PLAN.todo(user))
    return found


def open_tasks(practice_id: int, role: str) -> Any:
    return CareTask.objects.filter(
        plan__resident__practice_id=practice_id, status__in=OPEN_TASK_STATUSES, role=role
    )
