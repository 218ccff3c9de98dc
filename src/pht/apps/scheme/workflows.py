"""Allowed status transitions of the scheme app, declared once, as data (``pht.rules.workflow``)."""

from __future__ import annotations

from pht.rules.workflow import Workflow

LEAD = frozenset({"project_lead"})
OFFICER = frozenset({"case_officer"})
REVIEWER = frozenset({"reviewer"})
FINANCE = frozenset({"finance_officer"})

APPLICATION = Workflow(
    name="application",
    transitions={
        ("draft", "submitted"): LEAD,
        ("draft", "withdrawn"): LEAD,
        ("submitted", "withdrawn"): LEAD,
        ("submitted", "granted"): OFFICER,
        ("submitted", "rejected"): OFFICER,
    },
)

REVIEW = Workflow(
    name="review",
    transitions={
        ("assigned", "conflict"): REVIEWER,
        ("assigned", "cleared"): REVIEWER,
        ("cleared", "submitted"): REVIEWER,
    },
)

GRANT = Workflow(
    name="grant decision",
    transitions={
        ("decided", "accepted"): LEAD,
        ("decided", "declined"): LEAD,
    },
)

INSTALMENT = Workflow(
    name="disbursement",
    transitions={
        ("planned", "prepared"): FINANCE,
        ("prepared", "approved"): FINANCE,
    },
)

REPORT = Workflow(
    name="report",
    transitions={
        ("due", "submitted"): LEAD,
        ("submitted", "approved"): OFFICER,
    },
)

# A call is written as a draft, published (open for applications until its deadline) and closed.
# Editing is allowed only in a draft; extending the deadline only while published (actions/calls.py).
CALL = Workflow(
    name="call",
    transitions={
        ("draft", "published"): OFFICER,
        ("published", "closed"): OFFICER,
    },
)
