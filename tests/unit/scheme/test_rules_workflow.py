from collections.abc import Hashable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pht.rules.workflow import RULE_FOUR_EYES, Workflow, check_four_eyes, check_transition

FLOW = Workflow(
    name="application",
    transitions={
        ("draft", "submitted"): frozenset({"project_lead"}),
        ("submitted", "withdrawn"): frozenset({"project_lead"}),
        ("submitted", "under_review"): frozenset({"case_officer"}),
        ("under_review", "decided"): frozenset({"case_officer", "admin"}),
    },
)


def test_allowed_step_passes_and_names_roles() -> None:
    verdict = check_transition(FLOW, "draft", "submitted", {"project_lead"})
    assert verdict.passed
    assert verdict.inputs["allowed_roles"] == ["project_lead"]


def test_wrong_role_is_refused_with_needed_roles() -> None:
    verdict = check_transition(FLOW, "submitted", "under_review", {"project_lead"})
    assert not verdict.passed
    assert "case_officer" in verdict.reason
    assert "project_lead" in verdict.reason


def test_any_of_several_roles_suffices() -> None:
    assert check_transition(FLOW, "under_review", "decided", {"reviewer", "admin"}).passed


def test_missing_step_is_refused_with_possible_targets() -> None:
    verdict = check_transition(FLOW, "draft", "decided", {"case_officer"})
    assert not verdict.passed
    assert "no step" in verdict.reason
    assert verdict.reason.endswith("from 'draft' one may go to submitted")


def test_unknown_status_is_refused() -> None:
    verdict = check_transition(FLOW, "draft", "archived", {"admin"})
    assert not verdict.passed
    assert "unknown status 'archived'" in verdict.reason


def test_no_roles_is_refused() -> None:
    assert not check_transition(FLOW, "draft", "submitted", set()).passed


def test_targets_by_role() -> None:
    assert FLOW.targets("submitted") == ["under_review", "withdrawn"]
    assert FLOW.targets("submitted", {"project_lead"}) == ["withdrawn"]


def test_declaration_errors() -> None:
    with pytest.raises(ValueError, match="itself"):
        Workflow("w", {("a", "a"): frozenset({"x"})})
    with pytest.raises(ValueError, match="no role"):
        Workflow("w", {("a", "b"): frozenset()})


# --- four eyes: the approver is not the one who prepared it --------------------------------

PEOPLE = st.one_of(st.integers(min_value=1, max_value=50), st.text(min_size=1, max_size=4))


@given(approver=PEOPLE, preparer=PEOPLE)
def test_four_eyes_passes_exactly_when_two_different_people(approver: Hashable, preparer: Hashable) -> None:
    verdict = check_four_eyes("disbursement", approver, preparer)
    assert verdict.rule == RULE_FOUR_EYES
    assert verdict.passed == (approver != preparer)
    assert verdict.inputs == {"what": "disbursement", "approver": approver, "prepared_by": preparer}


@given(person=PEOPLE)
def test_four_eyes_refuses_the_preparer_and_names_who_may_approve(person: Hashable) -> None:
    verdict = check_four_eyes("disbursement", person, person, "another finance officer")
    assert not verdict.passed
    assert (
        verdict.reason
        == "you prepared this disbursement; another finance officer must approve it (four eyes)"
    )


@given(approver=st.one_of(st.none(), PEOPLE))
def test_four_eyes_refuses_when_nobody_prepared_it(approver: Hashable | None) -> None:
    verdict = check_four_eyes("disbursement", approver, None)
    assert not verdict.passed
    assert "nobody is recorded as having prepared it" in verdict.reason


def test_four_eyes_refuses_an_unknown_approver() -> None:
    verdict = check_four_eyes("report", None, 7)
    assert not verdict.passed
    assert "approver is not known" in verdict.reason


def test_four_eyes_default_names_someone_else() -> None:
    assert "someone else must approve it" in check_four_eyes("report", 3, 3).reason
