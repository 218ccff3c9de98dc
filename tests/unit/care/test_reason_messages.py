"""Reasons as messages: every message id the care rules give has a template, and every placeholder a value."""

from __future__ import annotations

import datetime

import pytest
from care_cases import CASES, ON, parameters
from hypothesis import given, settings
from hypothesis import strategies as st

from message_checks import check_message
from pht.rules.explain import Message, render
from pht.rules.frailty import frailty_index
from pht.rules.target_groups import (
    CODE_LIST_GROUPS,
    TEMPLATES,
    Contact,
    ContactKind,
    Diagnosis,
    ResidentHistory,
    Stratification,
    stratify,
    vocabulary,
)

PARAMS, FRAILTY = parameters()
VOCABULARY = vocabulary(PARAMS, FRAILTY)


def _explained(result: Stratification) -> list[tuple[str, Message | None]]:
    """(English reason, message) of every verdict and of the frailty classification."""
    return [(v.reason, v.message) for v in result.verdicts] + [
        (result.frailty.reason, result.frailty.message)
    ]


def _check(reason: str, message: Message | None) -> set[str]:
    return check_message(TEMPLATES, VOCABULARY, reason, message)


def test_the_hand_made_residents_use_every_message_id() -> None:
    used: set[str] = set()
    for case in CASES:
        for reason, message in _explained(stratify(case.history, ON, PARAMS, FRAILTY)):
            used |= _check(reason, message)
    assert used == set(TEMPLATES)


def test_a_template_placeholder_without_a_value_is_refused() -> None:
    with pytest.raises(KeyError):
        render(Message("target_group.frail_elderly.too_young", {"age": 50}), TEMPLATES.__getitem__)
    with pytest.raises(KeyError):
        render(Message("no.such.id"), TEMPLATES.__getitem__)


def test_terms_and_lists_render_through_the_given_functions() -> None:
    result = frailty_index({"K86", "T90"}, {"home_visit"}, FRAILTY)
    assert result.message is not None
    marked = render(result.message, lambda key: f"[{TEMPLATES[key]}]", lambda term: f"<{term.key}>")
    assert marked == (
        "[3 of 36 deficits (index 0.083, <fit>): [<diabetes> (T90)]; [<housebound> (<home_visit>)]; "
        "[<hypertension> (K86)]]"
    )
    assert result.reason == (
        "3 of 36 deficits (index 0.083, fit): Diabetes (T90); Housebound (home visit); Hypertension (K86)"
    )


ALL_CODES = sorted(
    {code for group in CODE_LIST_GROUPS for codes in PARAMS.code_lists[group].values() for code in codes}
    | {code for deficit in FRAILTY.deficits for code in deficit.codes}
    | {"A01", "P17"}
)
dates = st.dates(min_value=datetime.date(2010, 1, 1), max_value=datetime.date(2021, 12, 31))
histories = st.builds(
    ResidentHistory,
    resident_id=st.just("r"),
    birth_date=st.dates(min_value=datetime.date(1915, 1, 1), max_value=datetime.date(2019, 12, 31)),
    diagnoses=st.lists(st.builds(Diagnosis, code=st.sampled_from(ALL_CODES), on=dates), max_size=25).map(
        tuple
    ),
    contacts=st.lists(st.builds(Contact, on=dates, kind=st.sampled_from(list(ContactKind))), max_size=25).map(
        tuple
    ),
)


@settings(max_examples=200, deadline=None)
@given(histories)
def test_every_reason_is_a_complete_message_that_renders_to_the_english_reason(
    history: ResidentHistory,
) -> None:
    for reason, message in _explained(stratify(history, ON, PARAMS, FRAILTY)):
        _check(reason, message)


def test_the_vocabulary_names_every_condition_deficit_and_category() -> None:
    kinds: dict[str, set[str]] = {}
    for term in VOCABULARY:
        assert term.text and "_" not in term.text, term
        kinds.setdefault(term.kind, set()).add(term.key)
    conditions = {name for group in CODE_LIST_GROUPS for name in PARAMS.code_lists[group]}
    assert kinds["condition"] == conditions and len(conditions) == 39
    assert kinds["frailty_deficit"] == {deficit.key for deficit in FRAILTY.deficits}
    assert kinds["frailty_category"] == {"fit", "mild", "moderate", "severe"}
    assert kinds["target_group"] == {group.value for group in CODE_LIST_GROUPS}
    assert kinds["contact_kind"] == {"home_visit", "municipal_care"}
