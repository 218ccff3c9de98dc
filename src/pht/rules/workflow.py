"""Workflows as data: which status changes are allowed, and which roles may make them.

Each app declares its workflow once, as a mapping from ``(from_status, to_status)`` to the
roles allowed to take that step, and asks ``check_transition`` before any status change::

    APPLICATION = Workflow(
        name="application",
        transitions={
            ("draft", "submitted"): frozenset({"project_lead"}),
            ("submitted", "withdrawn"): frozenset({"project_lead"}),
        },
    )
    verdict = check_transition(APPLICATION, "draft", "submitted", {"project_lead"})

The answer is a ``Verdict`` whose reason says why a step is refused (unknown status, no such
step, or none of the user's roles may take it), so the refusal can be shown as it is.

Some steps also need a second person (the four-eyes principle): ``check_four_eyes`` says
whether the person approving something is not the one who prepared it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

from pht.rules.explain import Verdict

RULE_ID = "workflow.transition"
RULE_FOUR_EYES = "workflow.four_eyes"


@dataclass(frozen=True)
class Workflow:
    """A named set of allowed transitions ``(from, to) -> roles allowed to take it``."""

    name: str
    transitions: Mapping[tuple[str, str], frozenset[str]]
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for (source, target), roles in self.transitions.items():
            if source == target:
                raise ValueError(f"workflow {self.name!r}: transition {source!r} -> itself is not a change")
            if not roles:
                raise ValueError(f"workflow {self.name!r}: transition {source!r} -> {target!r} names no role")

    @property
    def statuses(self) -> frozenset[str]:
        return frozenset(status for pair in self.transitions for status in pair)

    def targets(self, current: str, roles: Iterable[str] | None = None) -> list[str]:
        """Statuses reachable in one step from ``current`` (by ``roles``, if given), sorted."""
        held = None if roles is None else frozenset(roles)
        return sorted(
            target
            for (source, target), allowed in self.transitions.items()
            if source == current and (held is None or allowed & held)
        )


def check_transition(workflow: Workflow, current: str, target: str, roles: Iterable[str]) -> Verdict:
    """May a user holding ``roles`` move something from ``current`` to ``target``?"""
    held = frozenset(roles)
    inputs: dict[str, object] = {
        "workflow": workflow.name,
        "from": current,
        "to": target,
        "roles": sorted(held),
    }
    statuses = workflow.statuses
    for status in (current, target):
        if status not in statuses:
            return Verdict(RULE_ID, False, f"{workflow.name}: unknown status {status!r}", inputs)
    allowed = workflow.transitions.get((current, target))
    if allowed is None:
        possible = workflow.targets(current)
        hint = f"; from {current!r} one may go to {', '.join(map(repr, possible))}" if possible else ""
        return Verdict(
            RULE_ID, False, f"{workflow.name}: no step from {current!r} to {target!r}{hint}", inputs
        )
    inputs["allowed_roles"] = sorted(allowed)
    if not allowed & held:
        return Verdict(
            RULE_ID,
            False,
            f"{workflow.name}: {current!r} -> {target!r} needs one of the roles "
            f"{', '.join(sorted(allowed))}; you have {', '.join(sorted(held)) or 'none'}",
            inputs,
        )
    return Verdict(RULE_ID, True, f"{workflow.name}: {current!r} -> {target!r} allowed", inputs)


def check_four_eyes(
    what: str, approver: Hashable | None, prepared_by: Hashable | None, others: str = "someone else"
) -> Verdict:
    """May ``approver`` approve the ``what`` that ``prepared_by`` prepared? (four-eyes principle)

    ``approver`` and ``prepared_by`` identify people (user ids); approval passes only when both
    are known and differ. When nobody is recorded as having prepared it, approval is refused too:
    that a second person looks at it cannot then be shown. ``others`` names who may approve
    instead, for the reason ("another finance officer").
    """
    inputs: dict[str, object] = {"what": what, "approver": approver, "prepared_by": prepared_by}
    if prepared_by is None:
        return Verdict(
            RULE_FOUR_EYES,
            False,
            f"{what}: nobody is recorded as having prepared it, so four eyes cannot be shown; "
            "prepare it first",
            inputs,
        )
    if approver is None:
        return Verdict(RULE_FOUR_EYES, False, f"{what}: the approver is not known", inputs)
    if approver == prepared_by:
        return Verdict(
            RULE_FOUR_EYES,
            False,
            f"you prepared this {what}; {others} must approve it (four eyes)",
            inputs,
        )
    return Verdict(
        RULE_FOUR_EYES, True, f"{what}: approved by someone other than the one who prepared it", inputs
    )
