"""The care app's workflows, declared once as data (statuses aligned with FHIR R4 CarePlan.status)."""

from __future__ import annotations

from typing import cast

from django.utils.translation import pgettext_lazy

from pht.rules.workflow import Workflow

STAFF = frozenset({"gp", "nurse"})
ALL_STAFF = frozenset({"gp", "nurse", "secretary"})

CARE_PLAN = Workflow(
    name="care_plan",
    transitions={
        ("draft", "active"): STAFF,
        ("draft", "revoked"): STAFF,
        ("active", "on_hold"): STAFF,
        ("active", "completed"): STAFF,
        ("active", "revoked"): frozenset({"gp"}),
        ("on_hold", "active"): STAFF,
        ("on_hold", "completed"): STAFF,
        ("on_hold", "revoked"): frozenset({"gp"}),
    },
    # English msgids; the page shows them in its language (the care app's catalogue). Lazy strings
    # render as text wherever a label is shown, hence the cast.
    labels=cast(
        "dict[str, str]",
        {
            "draft": pgettext_lazy("care plan status", "Draft"),
            "active": pgettext_lazy("care plan status", "Active"),
            "on_hold": pgettext_lazy("care plan status", "On hold"),
            "completed": pgettext_lazy("care plan status", "Completed"),
            "revoked": pgettext_lazy("care plan status", "Revoked"),
        },
    ),
)

TASK = Workflow(
    name="care_task",
    transitions={
        ("open", "in_progress"): ALL_STAFF,
        ("open", "done"): ALL_STAFF,
        ("in_progress", "done"): ALL_STAFF,
        ("open", "cancelled"): STAFF,
        ("in_progress", "cancelled"): STAFF,
    },
    labels=cast(
        "dict[str, str]",
        {
            "open": pgettext_lazy("task status", "Open"),
            "in_progress": pgettext_lazy("task status", "In progress"),
            "done": pgettext_lazy("task status", "Done"),
            "cancelled": pgettext_lazy("task status", "Cancelled"),
        },
    ),
)

# A care plan in one of these statuses counts as "active care" for the worklist.
OPEN_PLAN_STATUSES = frozenset({"draft", "active", "on_hold"})
