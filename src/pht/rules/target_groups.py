"""Target groups of the primary health team (RULES.md §2), as data-driven rules over a resident's history.

A resident's history is the ICPC-2 codes on record (with dates) and the contacts with services (with dates
and kinds). Every group gives a ``Verdict`` with its reason and inputs, member or not; frailty gives a
``Classification``. Each reason is also a translatable ``Message`` (ids and English templates: ``TEMPLATES``).
The code lists and cut-offs are PHT defaults (``params/target_groups.toml``): no published rule set says how
the pilot's teams chose patients. The bulk engine (``pht.engine.care``) applies the same
parameters over a whole lake and must agree with this module.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from pht.rules import frailty as _frailty
from pht.rules.explain import Classification, Message, Param, Term, Verdict, render
from pht.rules.frailty import FrailtyCategory, FrailtyIndexParameters, frailty_index

RULE_PREFIX = "target_group."
ICPC2_CODE = re.compile(r"^[A-Z][0-9]{2}$")

# English templates of the reasons' messages (ids -> ``%(name)s`` templates), with the frailty index's (a
# frail-elderly reason nests the frailty reason). The care app translates them (pht.apps.care.reasons).
TEMPLATES: Mapping[str, str] = {
    **_frailty.TEMPLATES,
    "target_group.on_record": "on record: %(conditions)s",
    "target_group.condition": "%(condition)s (%(code)s, first %(first)s)",
    "target_group.not_on_record": "no %(group)s code on record (list of %(count)s ICPC-2 codes)",
    "target_group.frail_elderly.member": "aged %(age)s (>= %(min_age)s) and frailty %(frailty)s",
    "target_group.frail_elderly.too_young": "aged %(age)s, under %(min_age)s",
    "target_group.frail_elderly.not_frail": (
        "aged %(age)s but frailty %(category)s (%(index)s) is below %(min_category)s"
    ),
    "target_group.complex_needs.member": "%(criteria)s",
    "target_group.complex_needs.conditions": "%(count)s conditions (>= %(min)s)",
    "target_group.complex_needs.out_of_hours": (
        "%(count)s out-of-hours contacts in %(months)s months (>= %(min)s)"
    ),
    "target_group.complex_needs.admissions": "%(count)s hospital admissions in %(months)s months (>= %(min)s)",
    "target_group.complex_needs.none": (
        "%(conditions)s conditions (< %(min_conditions)s), %(out_of_hours)s out-of-hours contacts "
        "(< %(min_out_of_hours)s) and %(admissions)s hospital admissions (< %(min_admissions)s) "
        "in %(months)s months"
    ),
    "target_group.poor_demanders.member": (
        "chronic condition (%(conditions)s) and %(last_contact)s (none in %(months)s months)"
    ),
    "target_group.poor_demanders.no_chronic": "no chronic condition on record",
    "target_group.poor_demanders.seen": "%(last_contact)s, within %(months)s months",
    "target_group.last_contact": "last practice contact %(date)s",
    "target_group.no_contact": "no practice contact on record",
}


class TargetGroup(StrEnum):
    CHRONIC_DISEASE = "chronic_disease"
    MENTAL_ILLNESS = "mental_illness"
    SUBSTANCE_USE = "substance_use"
    DISABILITY = "disability"  # developmental disability and functional impairment
    FRAIL_ELDERLY = "frail_elderly"
    COMPLEX_NEEDS = "complex_needs"
    POOR_DEMANDERS = "poor_demanders"

    @property
    def rule(self) -> str:
        return RULE_PREFIX + self.value

    @property
    def term(self) -> Term:
        return Term("target_group", self.value, self.value.replace("_", " "))


CODE_LIST_GROUPS = (
    TargetGroup.CHRONIC_DISEASE,
    TargetGroup.MENTAL_ILLNESS,
    TargetGroup.SUBSTANCE_USE,
    TargetGroup.DISABILITY,
)


class ContactKind(StrEnum):
    GP = "gp"
    NURSE = "nurse"
    HOME_VISIT = "home_visit"
    OUT_OF_HOURS = "out_of_hours"
    HOSPITAL = "hospital"  # one hospital admission
    MUNICIPAL_CARE = "municipal_care"  # home care or nursing home services


@dataclass(frozen=True)
class Diagnosis:
    code: str  # ICPC-2
    on: datetime.date


@dataclass(frozen=True)
class Contact:
    on: datetime.date
    kind: ContactKind


@dataclass(frozen=True)
class ResidentHistory:
    resident_id: str
    birth_date: datetime.date
    diagnoses: tuple[Diagnosis, ...] = ()
    contacts: tuple[Contact, ...] = ()


@dataclass(frozen=True)
class FrailElderlyParameters:
    min_age: int
    min_category: FrailtyCategory


@dataclass(frozen=True)
class ComplexNeedsParameters:
    min_conditions: int
    condition_groups: tuple[TargetGroup, ...]
    window_months: int
    min_out_of_hours_contacts: int
    min_hospital_admissions: int


@dataclass(frozen=True)
class PoorDemanderParameters:
    no_contact_months: int
    practice_contact_kinds: frozenset[ContactKind]


@dataclass(frozen=True)
class TargetGroupParameters:
    """Code lists (group -> condition -> ICPC-2 codes) and the cut-offs of the other groups."""

    code_lists: Mapping[TargetGroup, Mapping[str, frozenset[str]]]
    frail_elderly: FrailElderlyParameters
    complex_needs: ComplexNeedsParameters
    poor_demanders: PoorDemanderParameters
    # A membership is "new" when the resident was not in the group (or not on the list) this many days
    # before the stratification date: the team's "newly in a target group" to-do (new_members.window_days).
    new_member_days: int

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> TargetGroupParameters:
        code_lists = {group: _condition_table(values, group.value) for group in CODE_LIST_GROUPS}
        frail = _table(values, "frail_elderly")
        complex_ = _table(values, "complex_needs")
        poor = _table(values, "poor_demanders")
        new_members = _table(values, "new_members")
        try:
            min_category = FrailtyCategory(str(frail.get("min_category")))
        except ValueError as exc:
            raise ValueError(f"frail_elderly.min_category: {exc}") from exc
        groups = _texts(complex_.get("condition_groups"), "complex_needs.condition_groups")
        unknown = [name for name in groups if name not in {group.value for group in CODE_LIST_GROUPS}]
        if unknown:
            raise ValueError(f"complex_needs.condition_groups: not code-list groups: {unknown}")
        kinds = _texts(poor.get("practice_contact_kinds"), "poor_demanders.practice_contact_kinds")
        try:
            contact_kinds = frozenset(ContactKind(kind) for kind in kinds)
        except ValueError as exc:
            raise ValueError(f"poor_demanders.practice_contact_kinds: {exc}") from exc
        return cls(
            code_lists=code_lists,
            frail_elderly=FrailElderlyParameters(
                min_age=_whole(frail, "min_age", "frail_elderly"), min_category=min_category
            ),
            complex_needs=ComplexNeedsParameters(
                min_conditions=_whole(complex_, "min_conditions", "complex_needs", minimum=1),
                condition_groups=tuple(TargetGroup(name) for name in groups),
                window_months=_whole(complex_, "window_months", "complex_needs", minimum=1),
                min_out_of_hours_contacts=_whole(
                    complex_, "min_out_of_hours_contacts", "complex_needs", minimum=1
                ),
                min_hospital_admissions=_whole(
                    complex_, "min_hospital_admissions", "complex_needs", minimum=1
                ),
            ),
            poor_demanders=PoorDemanderParameters(
                no_contact_months=_whole(poor, "no_contact_months", "poor_demanders", minimum=1),
                practice_contact_kinds=contact_kinds,
            ),
            new_member_days=_whole(new_members, "window_days", "new_members", minimum=1),
        )

    def condition_of(self, group: TargetGroup) -> dict[str, str]:
        """ICPC-2 code -> condition name, for one code-list group."""
        return {code: condition for condition, codes in self.code_lists[group].items() for code in codes}


def _table(values: Mapping[str, object], key: str) -> Mapping[str, object]:
    table = values.get(key)
    if not isinstance(table, Mapping):
        raise ValueError(f"target group parameter {key!r} must be a table")
    return table


def _texts(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ValueError(f"target group parameter {where} must be a list of text, got {value!r}")
    return [str(item) for item in value]


def _whole(table: Mapping[str, object], key: str, where: str, minimum: int = 0) -> int:
    value = table.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(
            f"target group parameter {where}.{key} must be a whole number >= {minimum}, got {value!r}"
        )
    return value


def _condition_table(values: Mapping[str, object], key: str) -> dict[str, frozenset[str]]:
    table = _table(values, key)
    result: dict[str, frozenset[str]] = {}
    seen: dict[str, str] = {}
    for condition, codes in table.items():
        listed = _texts(codes, f"{key}.{condition}")
        bad = [code for code in listed if not ICPC2_CODE.match(code)]
        if bad:
            raise ValueError(f"target group parameter {key}.{condition}: not ICPC-2 codes: {bad}")
        for code in listed:
            if code in seen:
                raise ValueError(
                    f"target group parameter {key}: code {code} is under both {seen[code]} and {condition}"
                )
            seen[code] = condition
        result[condition] = frozenset(listed)
    if not result:
        raise ValueError(f"target group parameter {key!r} must list at least one condition")
    return result


def months_before(on: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` calendar months earlier (clamped to the month's last day)."""
    total = on.year * 12 + (on.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    return datetime.date(year, month, min(on.day, calendar.monthrange(year, month)[1]))


def age_on(birth_date: datetime.date, on: datetime.date) -> int:
    """Age in whole years on date ``on``."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


@dataclass(frozen=True)
class Stratification:
    """All target-group verdicts of one resident on one date, and the frailty classification."""

    resident_id: str
    on: datetime.date
    verdicts: tuple[Verdict, ...]
    frailty: Classification[FrailtyCategory]
    need_score: int = field(default=0)

    @property
    def groups(self) -> tuple[TargetGroup, ...]:
        return tuple(TargetGroup(v.rule.removeprefix(RULE_PREFIX)) for v in self.verdicts if v.passed)

    @property
    def memberships(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.passed)

    def verdict(self, group: TargetGroup) -> Verdict:
        return next(v for v in self.verdicts if v.rule == group.rule)


def _matched_conditions(
    diagnoses: Sequence[Diagnosis], lookup: Mapping[str, str]
) -> dict[str, tuple[str, datetime.date]]:
    """Condition -> (code, first date) for the codes of one group on record."""
    found: dict[str, tuple[str, datetime.date]] = {}
    for diagnosis in sorted(diagnoses, key=lambda d: (d.on, d.code)):
        condition = lookup.get(diagnosis.code)
        if condition is not None and condition not in found:
            found[condition] = (diagnosis.code, diagnosis.on)
    return found


def _condition(name: str) -> Term:
    return Term("condition", name, name.replace("_", " "))


def _verdict(rule: str, passed: bool, message: Message, inputs: Mapping[str, object]) -> Verdict:
    """A verdict whose English reason is ``message`` rendered with ``TEMPLATES``."""
    return Verdict(rule, passed, render(message, TEMPLATES.__getitem__), inputs, message)


def _code_list_verdict(
    group: TargetGroup, found: Mapping[str, tuple[str, datetime.date]], parameters: TargetGroupParameters
) -> Verdict:
    inputs: dict[str, object] = {
        "conditions": {condition: code for condition, (code, _) in sorted(found.items())},
    }
    if found:
        conditions = tuple(
            Message(
                "target_group.condition",
                {"condition": _condition(condition), "code": code, "first": first.isoformat()},
            )
            for condition, (code, first) in sorted(found.items())
        )
        return _verdict(
            group.rule, True, Message("target_group.on_record", {"conditions": conditions}), inputs
        )
    count = sum(len(codes) for codes in parameters.code_lists[group].values())
    message = Message("target_group.not_on_record", {"group": group.term, "count": count})
    return _verdict(group.rule, False, message, inputs)


def stratify(
    history: ResidentHistory,
    on: datetime.date,
    parameters: TargetGroupParameters,
    frailty_parameters: FrailtyIndexParameters,
) -> Stratification:
    """Which target groups ``history`` belongs to on date ``on``, each with its reason.

    Only records dated on or before ``on`` count. Diagnoses count whenever recorded (conditions on the
    lists are chronic); contacts count inside the window each rule names, ``(on - N months, on]``.
    """
    diagnoses = tuple(d for d in history.diagnoses if d.on <= on)
    contacts = tuple(c for c in history.contacts if c.on <= on)
    found = {
        group: _matched_conditions(diagnoses, parameters.condition_of(group)) for group in CODE_LIST_GROUPS
    }
    verdicts = [_code_list_verdict(group, found[group], parameters) for group in CODE_LIST_GROUPS]

    # Frail elderly: age and the frailty index.
    service_start = months_before(on, frailty_parameters.service_window_months)
    services = {c.kind.value for c in contacts if c.on > service_start}
    frailty = frailty_index({d.code for d in diagnoses}, services, frailty_parameters)
    age = age_on(history.birth_date, on)
    fp = parameters.frail_elderly
    old_enough = age >= fp.min_age
    frail_enough = frailty.value.rank >= fp.min_category.rank
    frail_inputs: dict[str, object] = {
        "age": age,
        "min_age": fp.min_age,
        "category": frailty.value.value,
        "min_category": fp.min_category.value,
        "index": frailty.inputs["index"],
    }
    age_params: dict[str, Param] = {"age": age, "min_age": fp.min_age}
    if old_enough and frail_enough:
        assert frailty.message is not None
        frail_message = Message(
            "target_group.frail_elderly.member", {**age_params, "frailty": frailty.message}
        )
    elif not old_enough:
        frail_message = Message("target_group.frail_elderly.too_young", age_params)
    else:
        frail_message = Message(
            "target_group.frail_elderly.not_frail",
            {
                "age": age,
                "category": frailty.value.term,
                "index": str(frailty.inputs["index"]),
                "min_category": fp.min_category.term,
            },
        )
    verdicts.append(
        _verdict(TargetGroup.FRAIL_ELDERLY.rule, old_enough and frail_enough, frail_message, frail_inputs)
    )

    # Complex needs: several conditions, or high use of out-of-hours and hospital care.
    cp = parameters.complex_needs
    conditions = sorted(
        f"{group.value}:{condition}" for group in cp.condition_groups for condition in found[group]
    )
    window_start = months_before(on, cp.window_months)
    recent = [c for c in contacts if c.on > window_start]
    out_of_hours = sum(1 for c in recent if c.kind is ContactKind.OUT_OF_HOURS)
    admissions = sum(1 for c in recent if c.kind is ContactKind.HOSPITAL)
    criteria: list[Message] = []
    if len(conditions) >= cp.min_conditions:
        criteria.append(
            Message(
                "target_group.complex_needs.conditions", {"count": len(conditions), "min": cp.min_conditions}
            )
        )
    if out_of_hours >= cp.min_out_of_hours_contacts:
        criteria.append(
            Message(
                "target_group.complex_needs.out_of_hours",
                {"count": out_of_hours, "months": cp.window_months, "min": cp.min_out_of_hours_contacts},
            )
        )
    if admissions >= cp.min_hospital_admissions:
        criteria.append(
            Message(
                "target_group.complex_needs.admissions",
                {"count": admissions, "months": cp.window_months, "min": cp.min_hospital_admissions},
            )
        )
    complex_inputs: dict[str, object] = {
        "conditions": conditions,
        "condition_count": len(conditions),
        "out_of_hours_contacts": out_of_hours,
        "hospital_admissions": admissions,
        "window_start": window_start.isoformat(),
    }
    if criteria:
        complex_message = Message("target_group.complex_needs.member", {"criteria": tuple(criteria)})
    else:
        complex_message = Message(
            "target_group.complex_needs.none",
            {
                "conditions": len(conditions),
                "min_conditions": cp.min_conditions,
                "out_of_hours": out_of_hours,
                "min_out_of_hours": cp.min_out_of_hours_contacts,
                "admissions": admissions,
                "min_admissions": cp.min_hospital_admissions,
                "months": cp.window_months,
            },
        )
    verdicts.append(_verdict(TargetGroup.COMPLEX_NEEDS.rule, bool(criteria), complex_message, complex_inputs))

    # Poor demanders: a chronic condition but no contact with the practice for a long period.
    pp = parameters.poor_demanders
    practice = [c.on for c in contacts if c.kind in pp.practice_contact_kinds]
    last = max(practice) if practice else None
    quiet_since = months_before(on, pp.no_contact_months)
    chronic = found[TargetGroup.CHRONIC_DISEASE]
    quiet = last is None or last <= quiet_since
    poor_inputs: dict[str, object] = {
        "chronic_conditions": sorted(chronic),
        "last_practice_contact": last.isoformat() if last else None,
        "no_contact_months": pp.no_contact_months,
    }
    last_contact = (
        Message("target_group.last_contact", {"date": last.isoformat()})
        if last
        else Message("target_group.no_contact")
    )
    if chronic and quiet:
        poor_message = Message(
            "target_group.poor_demanders.member",
            {
                "conditions": tuple(_condition(name) for name in sorted(chronic)),
                "last_contact": last_contact,
                "months": pp.no_contact_months,
            },
        )
    elif not chronic:
        poor_message = Message("target_group.poor_demanders.no_chronic")
    else:
        poor_message = Message(
            "target_group.poor_demanders.seen", {"last_contact": last_contact, "months": pp.no_contact_months}
        )
    verdicts.append(
        _verdict(TargetGroup.POOR_DEMANDERS.rule, bool(chronic) and quiet, poor_message, poor_inputs)
    )

    members = sum(1 for v in verdicts if v.passed)
    deficit_count = frailty.inputs["deficit_count"]
    assert isinstance(deficit_count, int)
    return Stratification(
        resident_id=history.resident_id,
        on=on,
        verdicts=tuple(verdicts),
        frailty=frailty,
        need_score=need_score(members, deficit_count),
    )


def vocabulary(
    parameters: TargetGroupParameters, frailty_parameters: FrailtyIndexParameters
) -> frozenset[Term]:
    """Every term a reason can name under these parameters (what a presentation layer must translate)."""
    terms = {_condition(name) for group in CODE_LIST_GROUPS for name in parameters.code_lists[group]}
    terms |= {group.term for group in CODE_LIST_GROUPS}
    terms |= {category.term for category in FrailtyCategory}
    for deficit in frailty_parameters.deficits:
        terms.add(Term("frailty_deficit", deficit.key, deficit.label))
        terms |= {_frailty.service_term(service) for service in deficit.services}
    return frozenset(terms)


def need_score(group_count: int, deficit_count: int) -> int:
    """Ranking for the worklist (a default): each target group weighs 10, each frailty deficit 1."""
    return 10 * group_count + deficit_count


def new_memberships(
    history: ResidentHistory,
    current: Stratification,
    parameters: TargetGroupParameters,
    frailty_parameters: FrailtyIndexParameters,
    listed_from: datetime.date | None = None,
) -> tuple[datetime.date, frozenset[TargetGroup]]:
    """The groups of ``current`` that are new: the resident was not in them ``new_member_days`` before
    ``current.on`` (judged only on the records dated up to then, as ``stratify`` does), or was not yet
    on the list then (``listed_from`` after that day: new to the practice is new to its team).

    Returns the day compared with and the new groups.
    """
    since = current.on - datetime.timedelta(days=parameters.new_member_days)
    if not current.groups:
        return since, frozenset()
    if listed_from is not None and listed_from > since:
        return since, frozenset(current.groups)
    before = set(stratify(history, since, parameters, frailty_parameters).groups)
    return since, frozenset(group for group in current.groups if group not in before)


def stratify_all(
    histories: Iterable[ResidentHistory],
    on: datetime.date,
    parameters: TargetGroupParameters,
    frailty_parameters: FrailtyIndexParameters,
) -> list[Stratification]:
    return [stratify(history, on, parameters, frailty_parameters) for history in histories]
