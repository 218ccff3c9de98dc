import pytest

from pht.rules.workflow import Workflow, check_transition

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
    assert "'submitted'" in verdict.reason


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
