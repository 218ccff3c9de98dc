"""Typed numbers are read as the page's language writes them (pht.apps.accounts.numbers)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from pht.apps.accounts.numbers import DecimalTextField, ShareField, number_text
from pht.apps.accounts.templatetags.pht_format import format_number


@pytest.mark.parametrize(
    ("language", "typed", "read"),
    [
        ("nb", "1 500 000,50", "1500000.50"),
        ("nb", "131\u00a0784,54", "131784.54"),
        ("nb", "1.500", "1500"),  # the point groups thousands on a bokmål page
        ("nb", "1.500.000,50", "1500000.50"),
        ("nb", "0,5", "0.5"),
        ("nb", "0.5", "0.5"),  # a decimal point is read too
        ("nb", "1.5", "1.5"),
        ("nb", "0.500", "0.500"),  # no grouping starts with 0
        ("nb", "\u22125", "-5"),
        ("en", "1,500", "1500"),
        ("en", "1,500,000.50", "1500000.50"),
        ("en", "0.05", "0.05"),
        ("en", "0,05", "0.05"),  # a decimal comma is read on an English page too
    ],
)
def test_typed_numbers_are_read_as_the_page_writes_them(language: str, typed: str, read: str) -> None:
    with translation.override(language):
        assert Decimal(number_text(typed)) == Decimal(read)


@given(
    st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False),
    st.sampled_from(["nb", "en"]),
)
def test_a_number_shown_in_the_pages_language_reads_back_as_itself(number: Decimal, language: str) -> None:
    with translation.override(language):
        assert Decimal(number_text(format_number(number, 2))) == number


def _errors(field: DecimalTextField, typed: str, language: str) -> list[str]:
    from django.core.exceptions import ValidationError

    with translation.override(language):
        try:
            field.clean(typed)
        except ValidationError as error:
            return [str(m) for m in error.messages]
    return []


def test_out_of_range_names_the_bounds_in_the_pages_language() -> None:
    field = DecimalTextField(min_value=Decimal("0.01"), max_value=Decimal("1.00"), decimal_places=2)
    assert _errors(field, "1,5", "nb") == ["Skriv et tall fra og med 0,01 til og med 1,00."]
    assert _errors(field, "1.5", "en") == ["Enter a number from 0.01 to 1.00."]
    assert _errors(DecimalTextField(min_value=Decimal("0.01")), "0", "nb") == ["Skriv et tall på minst 0,01."]
    assert _errors(field, "0,5", "nb") == []


@pytest.mark.parametrize("typed", ["NaN", "inf", "1e400x", "abc", "--1"])
def test_what_is_no_finite_number_is_refused(typed: str) -> None:
    assert _errors(DecimalTextField(), typed, "nb")


def test_a_share_is_a_float_typed_with_a_comma_and_shown_in_the_pages_format() -> None:
    field = ShareField(min_value=Decimal("0.001"), max_value=Decimal("0.499"))
    with translation.override("nb"):
        assert field.clean("0,05") == 0.05
        assert 'value="0,05"' in field.widget.render("alpha", field.prepare_value(0.05))
        assert 'type="text"' in field.widget.render("alpha", None)
    assert _errors(field, "0,5", "nb") == ["Skriv et tall fra og med 0,001 til og med 0,499."]
