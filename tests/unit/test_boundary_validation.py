"""A boundary check's refusal (pht.apps.accounts.validation) names its field: «field: problem» in English
for the API and logs and in the page's language on a page; a form, which puts the label before the error
itself, takes the problem alone."""

from __future__ import annotations

import pytest
from django.utils import translation

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.validation import bounded_decimal, bounded_text
from pht.apps.scheme import models as m


def test_a_refusal_names_its_field_once_and_a_form_can_leave_it_out() -> None:
    with pytest.raises(ActionRefused) as refused:
        bounded_decimal("inf", m.GrantDecision, "total", label="Budsjett")
    assert refused.value.reason == str(refused.value) == "Budsjett: must be a finite number"
    with translation.override("nb"):
        assert refused.value.display() == "Budsjett: må være et endelig tall"
        assert refused.value.display(with_field=False) == "må være et endelig tall"
    with translation.override("en"):
        assert refused.value.display(with_field=False) == "must be a finite number"


def test_the_problem_alone_keeps_its_parameters_and_a_refusal_without_a_field_is_whole() -> None:
    with pytest.raises(ActionRefused) as refused:
        bounded_text("x" * 11, name="note", max_length=10)
    assert refused.value.reason == "note: at most 10 characters (this has 11)"
    with translation.override("nb"):
        assert refused.value.display(with_field=False) == "høyst 10 tegn (denne har 11)"
    plain = ActionRefused("not allowed here")
    assert plain.display(with_field=False) == plain.display() == "not allowed here"
