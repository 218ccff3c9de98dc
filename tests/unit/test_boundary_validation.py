"""A boundary check's refusal (pht.apps.accounts.validation) names its field: «field: problem» in English
for the API and logs and in the page's language on a page; a form, which puts the label before the error
itself, takes the problem alone."""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.validation import bounded_decimal, bounded_text
from pht.apps.scheme import models as m


def test_a_refusal_names_its_field_once_and_a_form_can_leave_it_out() -> None:
    with pytest.raises(ActionRefused) as refused:
        bounded_decimal("inf", m.GrantDecision, "total", label="Budsjett")
    assert refused.value.reason == str(refused.value) == "Budsjett: not a number"
    with translation.override("nb"):
        assert refused.value.display() == "Budsjett: ikke et tall"
        assert refused.value.display(with_field=False) == "ikke et tall"
    with translation.override("en"):
        assert refused.value.display(with_field=False) == "not a number"


def test_the_problem_alone_keeps_its_parameters_and_a_refusal_without_a_field_is_whole() -> None:
    with pytest.raises(ActionRefused) as refused:
        bounded_text("x" * 11, name="note", max_length=10)
    assert refused.value.reason == "note: at most 10 characters (this has 11)"
    with translation.override("nb"):
        assert refused.value.display(with_field=False) == "høyst 10 tegn (denne har 11)"
    plain = ActionRefused("not allowed here")
    assert plain.display(with_field=False) == plain.display() == "not allowed here"


@pytest.mark.parametrize(
    "typed", ["NaN", "nan", "sNaN", "-NaN", "inf", "-inf", "Infinity", "-Infinity", " inf "]
)
@pytest.mark.parametrize(
    ("language", "shown"), [("nb", "Sykepleier: ikke et tall"), ("en", "Sykepleier: not a number")]
)
def test_nan_and_infinity_are_not_a_number_naming_the_field(typed: str, language: str, shown: str) -> None:
    """Decimal reads «NaN» and «inf», but to the user they are no numbers: «must be a finite number» confused."""
    with pytest.raises(ActionRefused) as refused:
        bounded_decimal(typed, m.ApplicationPractice, "nurse_fte", label="Sykepleier")
    with translation.override(language):
        assert refused.value.display() == shown


@given(st.text(max_size=12))
def test_any_typed_text_is_a_bounded_number_or_a_refusal_naming_its_field(typed: str) -> None:
    """Whatever is typed in an FTE field: a finite number that fits, or a refusal that names the field."""
    try:
        number = bounded_decimal(typed, m.ApplicationPractice, "nurse_fte", label="Sykepleier")
    except ActionRefused as refused:
        assert refused.reason.startswith("Sykepleier: "), refused.reason
    else:
        assert number.is_finite() and number >= 0
