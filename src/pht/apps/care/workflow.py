"""The care app's workflows, declared once as data (statuses aligned with FHIR R4 CarePlan.status)."""

from __future__ import annotations

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
    labels={
        "draft": "Utkast",
        "active": "Aktiv",
        "on_hold": "På vent",
        "completed": "Fullført",
        "revoked": "Avsluttet",
    },
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
    labels={"open": "Åpen", "in_progress": "Pågår", "done": "Utført", "cancelled": "Avlyst"},
)

# A care plan in one of these statuses counts as "active care" for the worklist.
OPEN_PLAN_STATUSES = frozenset({"draft", "active", "on_hold"})
