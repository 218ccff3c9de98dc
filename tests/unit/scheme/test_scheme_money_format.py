"""Amounts in Norwegian format: ``1 500 000,00 kr`` with non-breaking spaces."""

from decimal import Decimal

import pytest

from pht.apps.scheme.templatetags.scheme_money import format_nok, nok

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1500000"), "1 500 000,00 kr"),
        (Decimal("904109.59"), "904 109,59 kr"),
        ("0.5", "0,50 kr"),
        (Decimal("-1234.5"), "−1 234,50 kr"),
        (Decimal("999999999999.99"), "999 999 999 999,99 kr"),
    ],
)
def test_amounts_read_as_norwegians_write_them(value: object, shown: str) -> None:
    assert format_nok(value) == shown.replace(" ", NBSP)


def test_what_is_not_an_amount_is_shown_as_it_is() -> None:
    assert nok(None) == "" and nok("") == ""
    assert format_nok("abc") == "abc" and format_nok(Decimal("NaN")) == "NaN"
