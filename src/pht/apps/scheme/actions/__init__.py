"""Every state change of the grant scheme, one function per action, in a module per aggregate.

Each action checks permission, validates, writes in one transaction with an audit row
(who, what, when, before/after) and notifies only after commit. Views and the API call these
and never write models themselves. Refusals raise ``ActionRefused`` with a clear reason: a rule's verdict
(``require``: workflow steps, roles, four eyes) carries its message, and every other refusal is a lazy
gettext text with bokmål msgids (the app's convention), so pages show it in their language
(``pht.apps.accounts.actions.show_refusal`` with ``reasons.REFUSALS``) and the API and logs in English.
"""

from __future__ import annotations

from pht.apps.scheme.actions._common import (
    ROLE_FINANCE,
    ROLE_LEAD,
    ROLE_OFFICER,
    ROLE_REVIEWER,
    deadline_of,
    municipality_of,
)
from pht.apps.scheme.actions.amendments import Joiner, amend_decision, extend_decisions
from pht.apps.scheme.actions.applications import (
    PDF_MAGIC,
    ApplicationInputData,
    PracticeInput,
    add_attachment,
    call_year,
    check_eligibility,
    compare,
    create_application,
    eligibility_context,
    export,
    municipality_practices,
    population_of,
    record_eligibility_verdict,
    registry_gps,
    save_application,
    snapshot,
    submit_application,
    withdraw_application,
)
from pht.apps.scheme.actions.calls import (
    CallInput,
    close_call,
    copy_call,
    create_call,
    extend_call,
    extend_deadline,
    project_leads,
    publish_call,
    send_report_reminders,
    update_call,
)
from pht.apps.scheme.actions.decisions import accept_decision, case_number, create_decision, decline_decision
from pht.apps.scheme.actions.payments import approve_disbursement, prepare_disbursement
from pht.apps.scheme.actions.reports import (
    allow_overspending,
    approve_report,
    claimable,
    paid_for,
    record_clawback,
    submit_report,
    unspent,
)
from pht.apps.scheme.actions.review import (
    assign_reviewer,
    declare_conflict,
    submit_review,
)
from pht.apps.scheme.actions.selection import (
    build_problem,
    candidate_of,
    decide_selection,
    decided_candidates,
    default_constraints,
    run_selection,
    selection_candidates,
    size_class_of,
)

__all__ = [
    "CallInput",
    "close_call",
    "copy_call",
    "create_call",
    "extend_deadline",
    "publish_call",
    "record_eligibility_verdict",
    "update_call",
    "ApplicationInputData",
    "Joiner",
    "allow_overspending",
    "amend_decision",
    "case_number",
    "claimable",
    "create_decision",
    "extend_decisions",
    "paid_for",
    "PDF_MAGIC",
    "PracticeInput",
    "ROLE_FINANCE",
    "ROLE_LEAD",
    "ROLE_OFFICER",
    "ROLE_REVIEWER",
    "accept_decision",
    "add_attachment",
    "approve_disbursement",
    "approve_report",
    "assign_reviewer",
    "build_problem",
    "call_year",
    "candidate_of",
    "check_eligibility",
    "compare",
    "create_application",
    "deadline_of",
    "decide_selection",
    "decided_candidates",
    "declare_conflict",
    "decline_decision",
    "default_constraints",
    "eligibility_context",
    "export",
    "extend_call",
    "municipality_of",
    "municipality_practices",
    "population_of",
    "prepare_disbursement",
    "project_leads",
    "record_clawback",
    "registry_gps",
    "run_selection",
    "save_application",
    "selection_candidates",
    "send_report_reminders",
    "size_class_of",
    "snapshot",
    "submit_application",
    "submit_report",
    "submit_review",
    "unspent",
    "withdraw_application",
]
