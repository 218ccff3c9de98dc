"""The evaluation app's workflow, declared once as data (``pht.rules.workflow``).

A plan is drafted and edited, then locked (pre-registered: its hash and the time are recorded). A locked
plan never changes; a deviation is a new draft version pointing to it, with the reason. A run's status
is its background job's (``pht.apps.jobs``).
"""

from __future__ import annotations

from pht.rules.workflow import Workflow

EVALUATOR = frozenset({"evaluator"})

PLAN = Workflow(
    name="analysis_plan",
    transitions={
        ("draft", "locked"): EVALUATOR,
        ("draft", "withdrawn"): EVALUATOR,
    },
    labels={"draft": "Utkast", "locked": "Låst", "withdrawn": "Trukket"},
)

# Statuses in which a plan's content may still change.
EDITABLE = frozenset({"draft"})
