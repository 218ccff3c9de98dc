"""Workflow refusals as messages: every message id the workflow rules give (status steps, roles, four eyes)
has a template, every placeholder a value, every term is of the workflow's vocabulary, and the English
reason is the message rendered with the rules' templates (hypothesis over workflows, statuses and roles)."""

from __future__ import annotations

from collections.abc import Hashable

from hypothesis import given, settings
from hypothesis import strategies as st

from message_checks import check_message
from pht.rules.explain import Term
from pht.rules.workflow import (
    TEMPLATES,
    Workflow,
    approvable_term,
    approvers_term,
    check_four_eyes,
    check_roles,
    check_transition,
    role_term,
)

STATUSES = ("draft", "submitted", "withdrawn", "granted", "on_hold", "done")
ROLES = ("project_lead", "case_officer", "finance_officer", "gp", "nurse", "secretary")


@st.composite
def workflows(draw: st.DrawFn) -> Workflow:
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(STATUSES), st.sampled_from(STATUSES)).filter(lambda p: p[0] != p[1]),
            min_size=1,
            max_size=8,
            unique=True,
        )
    )
    transitions = {pair: frozenset(draw(st.sets(st.sampled_from(ROLES), min_size=1))) for pair in pairs}
    return Workflow(draw(st.sampled_from(("application", "care_plan", "grant decision"))), transitions)


def _vocabulary(workflow: Workflow, held: frozenset[str]) -> frozenset[Term]:
    return workflow.vocabulary() | {role_term(role) for role in held}


@settings(max_examples=300)
@given(
    workflow=workflows(),
    current=st.sampled_from((*STATUSES, "archived")),
    target=st.sampled_from((*STATUSES, "archived")),
    held=st.frozensets(st.sampled_from(ROLES)),
)
def test_every_transition_verdict_is_a_complete_message(
    workflow: Workflow, current: str, target: str, held: frozenset[str]
) -> None:
    verdict = check_transition(workflow, current, target, held)
    used = check_message(TEMPLATES, _vocabulary(workflow, held), verdict.reason, verdict.message)
    assert used <= {key for key in TEMPLATES if key.startswith("workflow.")}
    assert verdict.passed == (verdict.message is not None and verdict.message.key == "workflow.allowed")


PEOPLE = st.one_of(st.none(), st.integers(min_value=1, max_value=5))


@given(
    what=st.sampled_from(("disbursement", "report")),
    approver=PEOPLE,
    preparer=PEOPLE,
    others=st.sampled_from(("someone else", "another finance officer")),
)
def test_every_four_eyes_verdict_is_a_complete_message(
    what: str, approver: Hashable | None, preparer: Hashable | None, others: str
) -> None:
    verdict = check_four_eyes(what, approver, preparer, others)
    vocabulary = {approvable_term(what), approvers_term(others)}
    check_message(TEMPLATES, vocabulary, verdict.reason, verdict.message)


@given(held=st.frozensets(st.sampled_from(ROLES)), needed=st.lists(st.sampled_from(ROLES), min_size=1))
def test_every_role_verdict_is_a_complete_message(held: frozenset[str], needed: list[str]) -> None:
    verdict = check_roles(held, needed)
    check_message(TEMPLATES, {role_term(role) for role in needed}, verdict.reason, verdict.message)
    assert verdict.passed == bool(held & set(needed))
    if not verdict.passed:
        assert verdict.reason == f"this needs one of the roles {', '.join(dict.fromkeys(needed))}"


FLOW = Workflow(
    "application",
    {
        ("draft", "submitted"): frozenset({"project_lead"}),
        ("submitted", "granted"): frozenset({"case_officer"}),
    },
)


def test_the_workflow_rules_use_every_message_id() -> None:
    verdicts = [
        check_transition(FLOW, "draft", "archived", {"project_lead"}),
        check_transition(FLOW, "draft", "granted", {"case_officer"}),
        check_transition(FLOW, "granted", "draft", {"case_officer"}),
        check_transition(FLOW, "submitted", "granted", {"project_lead"}),
        check_transition(FLOW, "submitted", "granted", set()),
        check_transition(FLOW, "draft", "submitted", {"project_lead"}),
        check_roles({"gp"}, ["case_officer"]),
        check_roles({"case_officer"}, ["case_officer"]),
        check_four_eyes("disbursement", 1, None),
        check_four_eyes("disbursement", None, 1),
        check_four_eyes("disbursement", 1, 1, "another finance officer"),
        check_four_eyes("disbursement", 2, 1),
    ]
    vocabulary = (
        FLOW.vocabulary()
        | {role_term("gp")}
        | {approvable_term("disbursement"), approvers_term("another finance officer")}
        | {approvers_term("someone else")}
    )
    used: set[str] = set()
    for verdict in verdicts:
        used |= check_message(TEMPLATES, vocabulary, verdict.reason, verdict.message)
    assert used == set(TEMPLATES)


def test_the_english_reasons_read_as_before_the_messages() -> None:
    """The command line, the API and logs keep the English reasons (the list of next steps is unquoted)."""
    assert check_transition(FLOW, "submitted", "granted", {"project_lead"}).reason == (
        "application: 'submitted' -> 'granted' needs one of the roles case_officer; you have project_lead"
    )
    assert check_transition(FLOW, "submitted", "granted", set()).reason == (
        "application: 'submitted' -> 'granted' needs one of the roles case_officer; you have none"
    )
    assert (
        check_transition(FLOW, "granted", "draft", {"x"}).reason
        == "application: no step from 'granted' to 'draft'"
    )
    assert check_transition(FLOW, "draft", "granted", {"x"}).reason == (
        "application: no step from 'draft' to 'granted'; from 'draft' one may go to submitted"
    )
    assert check_transition(FLOW, "draft", "submitted", {"project_lead"}).reason == (
        "application: 'draft' -> 'submitted' allowed"
    )
    assert check_four_eyes("disbursement", 1, None).reason == (
        "disbursement: nobody is recorded as having prepared it, so four eyes cannot be shown; prepare it first"
    )
