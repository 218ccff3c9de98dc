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
step, or none of the user's roles may take it), so the refusal can be shown as it is. As every rule's
reason, it is also a translatable ``Message`` (ids and English templates: ``TEMPLATES``; the workflow's
name, its statuses and the roles as terms, see ``Workflow.vocabulary``), and the English reason is rendered
from it, so the two never differ.

Some steps also need a second person (the four-eyes principle): ``check_four_eyes`` says
whether the person approving something is not the one who prepared it, and ``check_roles``
whether a user holds one of the roles an action needs.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

from pht.rules.explain import Message, Param, Term, Verdict, render

RULE_ID = "workflow.transition"
RULE_FOUR_EYES = "workflow.four_eyes"
RULE_ROLES = "workflow.roles"

# English templates of the reasons' messages (ids -> ``%(name)s`` templates); the apps translate them.
TEMPLATES: Mapping[str, str] = {
    "workflow.unknown_status": "%(workflow)s: unknown status '%(status)s'",
    "workflow.no_step": "%(workflow)s: no step from '%(current)s' to '%(target)s'",
    "workflow.no_step.possible": (
        "%(workflow)s: no step from '%(current)s' to '%(target)s'; from '%(current)s' one may go to %(possible)s"
    ),
    "workflow.needs_role": (
        "%(workflow)s: '%(current)s' -> '%(target)s' needs one of the roles %(allowed)s; you have %(held)s"
    ),
    "workflow.needs_role.none_held": (
        "%(workflow)s: '%(current)s' -> '%(target)s' needs one of the roles %(allowed)s; you have none"
    ),
    "workflow.allowed": "%(workflow)s: '%(current)s' -> '%(target)s' allowed",
    "workflow.roles.missing": "this needs one of the roles %(roles)s",
    "workflow.roles.held": "has one of the roles %(roles)s",
    "workflow.four_eyes.not_prepared": (
        "%(what)s: nobody is recorded as having prepared it, so four eyes cannot be shown; prepare it first"
    ),
    "workflow.four_eyes.approver_unknown": "%(what)s: the approver is not known",
    "workflow.four_eyes.same_person": "you prepared this %(what)s; %(others)s must approve it (four eyes)",
    "workflow.four_eyes.passed": "%(what)s: approved by someone other than the one who prepared it",
}


def workflow_term(name: str) -> Term:
    """A workflow's name as a term (``"application"``, ``"care_plan"``)."""
    return Term("workflow", name, name)


def status_term(status: str) -> Term:
    """A status as a term; its English text is the status id, as the API and the command line show it."""
    return Term("status", status, status)


def role_term(role: str) -> Term:
    """A role as a term; its English text is the role id (``"case_officer"``)."""
    return Term("role", role, role)


def approvable_term(what: str) -> Term:
    """What a four-eyes check approves (``"disbursement"``)."""
    return Term("approvable", what, what)


def approvers_term(others: str) -> Term:
    """Who may approve instead, in a four-eyes refusal (``"another finance officer"``)."""
    return Term("approvers", others, others)


def _verdict(rule: str, passed: bool, message: Message, inputs: Mapping[str, object]) -> Verdict:
    """A verdict whose English reason is ``message`` rendered with ``TEMPLATES``."""
    return Verdict(rule, passed, render(message, TEMPLATES.__getitem__), inputs, message)


def _roles(roles: Iterable[str]) -> tuple[Param, ...]:
    return tuple(role_term(role) for role in sorted(roles))


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

    def vocabulary(self) -> frozenset[Term]:
        """Every term this workflow's reasons can name: its name, its statuses and the roles it allows
        (the roles a user holds are named too; a presentation layer translates every role it knows)."""
        roles = {role for allowed in self.transitions.values() for role in allowed}
        return frozenset(
            {workflow_term(self.name)}
            | {status_term(status) for status in self.statuses}
            | {role_term(role) for role in roles}
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
    name = workflow_term(workflow.name)
    statuses = workflow.statuses
    for status in (current, target):
        if status not in statuses:
            message = Message("workflow.unknown_status", {"workflow": name, "status": status})
            return _verdict(RULE_ID, False, message, inputs)
    step: dict[str, Param] = {
        "workflow": name,
        "current": status_term(current),
        "target": status_term(target),
    }
    allowed = workflow.transitions.get((current, target))
    if allowed is None:
        possible = workflow.targets(current)
        if possible:
            step["possible"] = tuple(status_term(status) for status in possible)
            return _verdict(RULE_ID, False, Message("workflow.no_step.possible", step), inputs)
        return _verdict(RULE_ID, False, Message("workflow.no_step", step), inputs)
    inputs["allowed_roles"] = sorted(allowed)
    if not allowed & held:
        step["allowed"] = _roles(allowed)
        if held:
            step["held"] = _roles(held)
            return _verdict(RULE_ID, False, Message("workflow.needs_role", step), inputs)
        return _verdict(RULE_ID, False, Message("workflow.needs_role.none_held", step), inputs)
    return _verdict(RULE_ID, True, Message("workflow.allowed", step), inputs)


def check_roles(held: Iterable[str], needed: Iterable[str]) -> Verdict:
    """Does a user holding ``held`` have one of the roles ``needed`` (named in the order given)?"""
    have, need = frozenset(held), tuple(dict.fromkeys(needed))
    inputs: dict[str, object] = {"roles": sorted(have), "needed": list(need)}
    roles = tuple(role_term(role) for role in need)
    if have & set(need):
        return _verdict(RULE_ROLES, True, Message("workflow.roles.held", {"roles": roles}), inputs)
    return _verdict(RULE_ROLES, False, Message("workflow.roles.missing", {"roles": roles}), inputs)


def check_four_eyes(
    what: str, approver: Hashable | None, prepared_by: Hashable | None, others: str = "someone else"
) -> Verdict:
    """May ``approver`` approve the ``what`` that ``prepared_by`` prepared? (four-eyes principle)

    ``approver`` and ``prepared_by`` identify people (user ids); approval passes only when both
    are known and differ. When nobody is recorded as having prepared it, approval is refused too:
    that a second person looks at it cannot then be shown. ``others`` names who may approve
    instead, for the reason ("another finance officer"). Both ``what`` and ``others`` are terms of
    the reason's message (``approvable_term``, ``approvers_term``), for the apps to translate.
    """
    inputs: dict[str, object] = {"what": what, "approver": approver, "prepared_by": prepared_by}
    thing = approvable_term(what)
    if prepared_by is None:
        return _verdict(
            RULE_FOUR_EYES, False, Message("workflow.four_eyes.not_prepared", {"what": thing}), inputs
        )
    if approver is None:
        return _verdict(
            RULE_FOUR_EYES, False, Message("workflow.four_eyes.approver_unknown", {"what": thing}), inputs
        )
    if approver == prepared_by:
        message = Message("workflow.four_eyes.same_person", {"what": thing, "others": approvers_term(others)})
        return _verdict(RULE_FOUR_EYES, False, message, inputs)
    return _verdict(RULE_FOUR_EYES, True, Message("workflow.four_eyes.passed", {"what": thing}), inputs)
