"""The call parameters' formatters (pht.apps.scheme.parameters): amounts read back as the same kroner, months
in order in the page's language, and any value a formatter cannot read shown raw instead of failing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from pht.apps.scheme.parameters import LABELS, parameter

NB_MONTHS = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
]
EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

amounts = st.decimals(min_value=0, max_value=10**12, places=2)
json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=8,
)


@given(amounts)
def test_an_amount_reads_back_as_the_same_kroner(amount: Decimal) -> None:
    with translation.override("nb"):
        nb = parameter("grant_per_gp_per_year", str(amount))
    with translation.override("en"):
        en = parameter("grant_per_gp_per_year", str(amount))
    assert nb.known and en.known
    assert nb.value.endswith(" kr") and en.value.startswith("NOK ")
    assert Decimal(nb.value.removesuffix(" kr").replace("\xa0", "").replace(",", ".")) == amount
    assert Decimal(en.value.removeprefix("NOK ").replace(",", "")) == amount
    whole = amount == amount.to_integral_value()
    assert ("," in nb.value.split("\xa0")[-1].removesuffix(" kr")) is not whole  # øre only when there are any


@given(st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=12))
def test_instalment_months_are_named_in_order_in_the_page_language(months: list[int]) -> None:
    for language, names, last in (("nb", NB_MONTHS, " og "), ("en", EN_MONTHS, " and ")):
        with translation.override(language):
            shown = parameter("instalment_months", months)
        assert shown.known
        expected = [names[m - 1] for m in months]
        if len(expected) == 1:
            assert shown.value == expected[0]
        else:
            assert shown.value == ", ".join(expected[:-1]) + last + expected[-1]


@given(st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=31))
def test_the_report_due_date_names_its_day_and_month(month: int, day: int) -> None:
    with translation.override("nb"):
        shown = parameter("report_due_month_day", [month, day])
    exists = day <= (29 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)
    assert shown.known is exists
    if exists:
        assert shown.value == f"{day}. {NB_MONTHS[month - 1]} året etter"
    else:
        assert shown.value == str([month, day]) and shown.label == "report_due_month_day"


@given(st.sampled_from(sorted(LABELS)), json_values)
def test_any_value_is_shown_formatted_or_raw(key: str, value: Any) -> None:
    for language in ("nb", "en"):
        with translation.override(language):
            shown = parameter(key, value)
        assert shown.key == key
        if not shown.known:
            assert (shown.label, shown.value) == (key, str(value))


def test_an_amount_past_any_grant_is_shown_raw() -> None:
    for huge in ("9E999999999", "1000000000000000.00", "NaN", "Infinity"):
        assert not parameter("budget_first_year", huge).known, huge


def test_an_unknown_key_is_shown_raw() -> None:
    shown = parameter("new_rule", [3, 1])
    assert (shown.label, shown.value, shown.known) == ("new_rule", "[3, 1]", False)
