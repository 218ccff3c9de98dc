"""Target-group rules on hand-made residents, and properties over generated histories."""

from __future__ import annotations

import datetime

import pytest
from care_cases import CASES, ON, Case, parameters
from hypothesis import given, settings
from hypothesis import strategies as st

from pht.refdata import icpc2_codes
from pht.rules.target_groups import (
    CODE_LIST_GROUPS,
    Contact,
    ContactKind,
    Diagnosis,
    ResidentHistory,
    TargetGroup,
    TargetGroupParameters,
    age_on,
    months_before,
    stratify,
)

PARAMS, FRAILTY = parameters()


@pytest.mark.parametrize("case", CASES, ids=[case.history.resident_id for case in CASES])
def test_hand_made_residents_get_exactly_their_groups_with_reasons(case: Case) -> None:
    result = stratify(case.history, ON, PARAMS, FRAILTY)
    assert {group.value for group in result.groups} == set(case.groups)
    assert result.frailty.value.value == case.frailty
    assert result.frailty.inputs["deficit_count"] == case.deficit_count
    assert len(result.verdicts) == len(TargetGroup)
    for group, fragments in case.reason_fragments.items():
        reason = result.verdict(TargetGroup(group)).reason
        for fragment in fragments:
            assert fragment in reason, (group, fragment, reason)


def test_every_verdict_names_its_rule_and_explains_itself() -> None:
    for case in CASES:
        result = stratify(case.history, ON, PARAMS, FRAILTY)
        assert [v.rule for v in result.verdicts] == [group.rule for group in TargetGroup]
        assert all(v.reason for v in result.verdicts)


def test_every_code_in_the_parameters_is_a_real_icpc2_code() -> None:
    known = {code.code for code in icpc2_codes()}
    listed = {
        code for group in CODE_LIST_GROUPS for codes in PARAMS.code_lists[group].values() for code in codes
    }
    listed |= {code for deficit in FRAILTY.deficits for code in deficit.codes}
    assert listed - known == set()


def test_parameters_refuse_a_code_on_two_conditions() -> None:
    from pht.refdata.params import load_parameters

    values = dict(load_parameters("target_groups", ON).values)
    values["mental_illness"] = {"a": ["P76"], "b": ["P76"]}
    with pytest.raises(ValueError, match="P76 is under both a and b"):
        TargetGroupParameters.from_mapping(values)


def test_parameters_refuse_an_unknown_contact_kind() -> None:
    from pht.refdata.params import load_parameters

    values = dict(load_parameters("target_groups", ON).values)
    values["poor_demanders"] = {"no_contact_months": 24, "practice_contact_kinds": ["pharmacy"]}
    with pytest.raises(ValueError, match="practice_contact_kinds"):
        TargetGroupParameters.from_mapping(values)


@pytest.mark.parametrize("new_members", [None, {}, {"window_days": 0}])
def test_parameters_take_the_new_member_window_from_the_data(new_members: dict[str, int] | None) -> None:
    from pht.refdata.params import load_parameters

    values = dict(load_parameters("target_groups", ON).values)
    assert PARAMS.new_member_days == values["new_members"]["window_days"]
    if new_members is None:
        del values["new_members"]
    else:
        values["new_members"] = new_members
    with pytest.raises(ValueError, match="new_members"):
        TargetGroupParameters.from_mapping(values)


def test_all_defaults_are_labelled_as_assumptions() -> None:
    from pht.refdata.params import load_parameters

    for name in ("target_groups", "frailty_index"):
        version = load_parameters(name, ON)
        for key in version.values:
            if name == "frailty_index" and key != "deficits" and not key.endswith("_above"):
                continue
            assert version.is_assumption(key), (name, key)


def test_need_score_ranks_more_groups_first() -> None:
    by_id = {case.history.resident_id: stratify(case.history, ON, PARAMS, FRAILTY) for case in CASES}
    assert by_id["severe-65"].need_score > by_id["frail-82"].need_score > by_id["diabetic-seen"].need_score
    assert by_id["healthy"].need_score == 0


def test_months_before_clamps_to_month_end() -> None:
    assert months_before(datetime.date(2020, 3, 31), 1) == datetime.date(2020, 2, 29)
    assert months_before(datetime.date(2019, 12, 31), 24) == datetime.date(2017, 12, 31)
    assert months_before(datetime.date(2019, 1, 15), 13) == datetime.date(2017, 12, 15)


def test_age_on_birthday() -> None:
    assert age_on(datetime.date(1954, 12, 31), datetime.date(2019, 12, 31)) == 65
    assert age_on(datetime.date(1954, 12, 31), datetime.date(2019, 12, 30)) == 64
    assert age_on(datetime.date(2000, 2, 29), datetime.date(2019, 2, 28)) == 18


# --- properties ---------------------------------------------------------------------------------

ALL_CODES = sorted(
    {code for group in CODE_LIST_GROUPS for codes in PARAMS.code_lists[group].values() for code in codes}
    | {code for deficit in FRAILTY.deficits for code in deficit.codes}
    | {"A01", "P02", "P17", "R74"}
)
dates = st.dates(min_value=datetime.date(2010, 1, 1), max_value=datetime.date(2021, 12, 31))
diagnoses = st.builds(Diagnosis, code=st.sampled_from(ALL_CODES), on=dates)
contacts = st.builds(Contact, on=dates, kind=st.sampled_from(list(ContactKind)))
histories = st.builds(
    ResidentHistory,
    resident_id=st.just("r"),
    birth_date=st.dates(min_value=datetime.date(1915, 1, 1), max_value=datetime.date(2019, 12, 31)),
    diagnoses=st.lists(diagnoses, max_size=15).map(tuple),
    contacts=st.lists(contacts, max_size=15).map(tuple),
)


@settings(max_examples=150, deadline=None)
@given(histories, diagnoses)
def test_adding_a_diagnosis_never_removes_a_code_list_group_or_lowers_frailty(
    history: ResidentHistory, extra: Diagnosis
) -> None:
    before = stratify(history, ON, PARAMS, FRAILTY)
    after = stratify(
        ResidentHistory(
            history.resident_id, history.birth_date, history.diagnoses + (extra,), history.contacts
        ),
        ON,
        PARAMS,
        FRAILTY,
    )
    for group in (*CODE_LIST_GROUPS, TargetGroup.COMPLEX_NEEDS, TargetGroup.FRAIL_ELDERLY):
        if before.verdict(group).passed:
            assert after.verdict(group).passed
    assert after.frailty.value.rank >= before.frailty.value.rank


@settings(max_examples=150, deadline=None)
@given(histories, st.lists(diagnoses, max_size=5), st.lists(contacts, max_size=5))
def test_records_after_the_reference_date_change_nothing(
    history: ResidentHistory, more_dx: list[Diagnosis], more_cx: list[Contact]
) -> None:
    later = [Diagnosis(d.code, ON + datetime.timedelta(days=1 + i)) for i, d in enumerate(more_dx)]
    later_cx = [Contact(ON + datetime.timedelta(days=1 + i), c.kind) for i, c in enumerate(more_cx)]
    extended = ResidentHistory(
        history.resident_id,
        history.birth_date,
        history.diagnoses + tuple(later),
        history.contacts + tuple(later_cx),
    )
    assert stratify(history, ON, PARAMS, FRAILTY) == stratify(extended, ON, PARAMS, FRAILTY)


@settings(max_examples=150, deadline=None)
@given(histories)
def test_code_list_membership_matches_an_independent_count(history: ResidentHistory) -> None:
    result = stratify(history, ON, PARAMS, FRAILTY)
    on_record = {d.code for d in history.diagnoses if d.on <= ON}
    conditions = 0
    for group in CODE_LIST_GROUPS:
        hits = {name for name, codes in PARAMS.code_lists[group].items() if codes & on_record}
        assert result.verdict(group).passed == bool(hits)
        if group in PARAMS.complex_needs.condition_groups:
            conditions += len(hits)
    assert result.verdict(TargetGroup.COMPLEX_NEEDS).inputs["condition_count"] == conditions
    if conditions >= PARAMS.complex_needs.min_conditions:
        assert result.verdict(TargetGroup.COMPLEX_NEEDS).passed
    if result.verdict(TargetGroup.POOR_DEMANDERS).passed:
        assert result.verdict(TargetGroup.CHRONIC_DISEASE).passed
    if result.verdict(TargetGroup.FRAIL_ELDERLY).passed:
        assert age_on(history.birth_date, ON) >= PARAMS.frail_elderly.min_age


def test_new_memberships_are_those_not_held_a_window_before() -> None:
    from pht.rules.target_groups import new_memberships

    # Diabetes diagnosed 10 days before the list's date, no practice contact: new in chronic disease and
    # among the poor demanders; a condition from years ago is not new.
    fresh = ResidentHistory(
        "fresh", datetime.date(1960, 1, 1), (Diagnosis("T90", ON - datetime.timedelta(days=10)),)
    )
    current = stratify(fresh, ON, PARAMS, FRAILTY)
    since, new = new_memberships(fresh, current, PARAMS, FRAILTY)
    assert since == ON - datetime.timedelta(days=PARAMS.new_member_days) == datetime.date(2019, 12, 1)
    assert new == {TargetGroup.CHRONIC_DISEASE, TargetGroup.POOR_DEMANDERS}
    old = ResidentHistory("old", datetime.date(1960, 1, 1), (Diagnosis("T90", datetime.date(2015, 5, 5)),))
    assert new_memberships(old, stratify(old, ON, PARAMS, FRAILTY), PARAMS, FRAILTY)[1] == frozenset()
    # ... unless the person came onto the list inside the window: new to the practice's team
    moved = new_memberships(
        old, stratify(old, ON, PARAMS, FRAILTY), PARAMS, FRAILTY, datetime.date(2019, 12, 15)
    )
    assert moved[1] == {TargetGroup.CHRONIC_DISEASE, TargetGroup.POOR_DEMANDERS}
    # a diagnosis on the day the window opens was already on record then
    edge = ResidentHistory("edge", datetime.date(1960, 1, 1), (Diagnosis("T90", datetime.date(2019, 12, 1)),))
    assert new_memberships(edge, stratify(edge, ON, PARAMS, FRAILTY), PARAMS, FRAILTY)[1] == frozenset()


@given(
    codes=st.lists(
        st.tuples(st.sampled_from(["T90", "P76", "K77", "P15", "A90", "R74"]), st.integers(0, 4000)),
        max_size=6,
    ),
    listed_days=st.one_of(st.none(), st.integers(0, 4000)),
)
@settings(max_examples=60, deadline=None)
def test_new_memberships_are_some_of_the_current_ones(
    codes: list[tuple[str, int]], listed_days: int | None
) -> None:
    from pht.rules.target_groups import new_memberships

    history = ResidentHistory(
        "h",
        datetime.date(1950, 6, 6),
        tuple(Diagnosis(code, ON - datetime.timedelta(days=d)) for code, d in codes),
    )
    current = stratify(history, ON, PARAMS, FRAILTY)
    listed = None if listed_days is None else ON - datetime.timedelta(days=listed_days)
    since, new = new_memberships(history, current, PARAMS, FRAILTY, listed)
    assert new <= set(current.groups)
    if listed is not None and listed > since:
        assert new == set(current.groups)
    # a code-list group whose codes were all on record by the window's start is never new
    for group in (TargetGroup.CHRONIC_DISEASE, TargetGroup.MENTAL_ILLNESS, TargetGroup.SUBSTANCE_USE):
        lookup = PARAMS.condition_of(group)
        if any(code in lookup and ON - datetime.timedelta(days=d) <= since for code, d in codes) and (
            listed is None or listed <= since
        ):
            assert group not in new
