"""The one way to show a value (pht.apps.accounts.templatetags.pht_format), in bokmål and English."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from pht.apps.accounts.templatetags.pht_format import (
    amount,
    day,
    fte,
    moment,
    month,
    number,
    percent,
    setting,
)

NB = "\u00a0"


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("nb", "1500000", f"1{NB}500{NB}000,00{NB}kr"),
        ("en", "1500000", f"NOK{NB}1,500,000.00"),
        ("nb", Decimal("678082.19"), f"678{NB}082,19{NB}kr"),
        ("en", 678082.19, f"NOK{NB}678,082.19"),
        ("nb", "-5", f"\u22125,00{NB}kr"),
        ("nb", "0.005", f"0,01{NB}kr"),  # half up, not banker's
    ],
)
def test_amount(language: str, value: object, expected: str) -> None:
    with translation.override(language):
        assert amount(value) == expected


def test_number_percent_fte_day_in_both_languages() -> None:
    with translation.override("nb"):
        assert number(1859) == f"1{NB}859"
        assert number("2.5", 1) == "2,5"
        assert percent(0.1234) == f"12,3{NB}%"
        assert percent("0.5", 0) == f"50{NB}%"
        assert fte(Decimal("0.5")) == "0,50"
        assert day(datetime.date(2026, 12, 5)) == "5. desember 2026"
        assert day("2021-03-01") == "1. mars 2021"
    with translation.override("en"):
        assert number(1859) == "1,859"
        assert percent(0.1234) == "12.3%"
        assert fte("1") == "1.00"
        assert day(datetime.date(2026, 12, 5)) == "Dec. 5, 2026"


def test_what_is_not_a_number_or_date_passes_through() -> None:
    with translation.override("nb"):
        assert amount(None) == number("") == day(None) == "–"
        assert amount("abc") == "abc"
        assert number(True) == "True"
        assert amount("NaN") == "NaN"
        assert day("not a date") == "not a date"


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_bokmal_amount_reads_back_as_the_value(value: Decimal) -> None:
    with translation.override("nb"):
        text = amount(value)
    assert text.endswith(f"{NB}kr")
    digits = text.removesuffix(f"{NB}kr").replace(NB, "").replace(",", ".").replace("\u2212", "-")
    assert Decimal(digits) == value
    # groups of three digits between the separators
    whole = text.removesuffix(f"{NB}kr").split(",")[0].lstrip("\u2212")
    groups = whole.split(NB)
    assert all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_english_amount_reads_back_as_the_value(value: Decimal) -> None:
    with translation.override("en"):
        text = amount(value)
    assert text.startswith(f"NOK{NB}")
    assert Decimal(text.removeprefix(f"NOK{NB}").replace(",", "")) == value


def test_moment_shows_a_time_in_the_site_time_zone_in_the_page_language() -> None:
    at = datetime.datetime(2026, 12, 5, 13, 5, tzinfo=datetime.UTC)  # 14:05 in Oslo
    with translation.override("nb"):
        assert moment(at) == "5. desember 2026 14:05" and moment(None) == "–"
    with translation.override("en"):
        assert moment(at).startswith("Dec. 5, 2026") and "2:05" in moment(at)


def test_number_auto_keeps_the_value_s_own_decimals() -> None:
    with translation.override("nb"):
        assert number(Decimal("0.12500"), "auto") == "0,125" and number(Decimal("3.00"), "auto") == "3"
    with translation.override("en"):
        assert number(Decimal("1234.5"), "auto") == "1,234.5"


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("nb", "2019-12-31", "31. desember 2019"),
        ("en", "2019-12-31", "Dec. 31, 2019"),
        ("nb", ["2019-12-31", "0.05"], "31. desember 2019, 0,05"),
        ("en", 20000, "20,000"),
        ("nb", 20000, f"20{NB}000"),
        ("nb", "2019-13-45", "2019-13-45"),  # not a date: left as it is
        ("nb", "cluster", "cluster"),
    ],
)
def test_setting(language: str, value: object, expected: str) -> None:
    with translation.override(language):
        assert setting(value) == expected


def test_a_local_time_in_a_reason_is_written_in_the_page_language() -> None:
    from pht.apps.accounts.reasons import localise_values

    with translation.override("nb"):
        assert localise_values("2017-10-01 09:15:00") == "1. oktober 2017 09:15"
    with translation.override("en"):
        assert localise_values("2017-10-01 09:15:00").startswith("Oct. 1, 2017, 9:15")


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("nb", "2018-05", "mai 2018"),  # lower case, as bokmål writes a month
        ("nb", "2018-01", "januar 2018"),
        ("nb", " 2018-12 ", "desember 2018"),
        ("nb", datetime.date(2018, 5, 31), "mai 2018"),
        ("en", "2018-05", "May 2018"),
        ("en", "2018-12", "December 2018"),
        ("en", datetime.date(2018, 5, 31), "May 2018"),
    ],
)
def test_month_writes_a_period_as_a_month_in_the_page_language(
    language: str, value: object, expected: str
) -> None:
    with translation.override(language):
        assert month(value) == expected


@pytest.mark.parametrize(
    "value", ["2018-13", "2018-00", "0000-05", "mai", "2018-5", "2018-05-01", 201805, "2018-05x"]
)
def test_a_value_that_is_not_a_month_is_shown_as_it_was(value: object) -> None:
    for language in ("nb", "en"):
        with translation.override(language):
            assert month(value) == str(value)
    assert month(None) == month("") == "–"


def test_month_in_a_template_follows_the_page_language() -> None:
    from django.template import engines

    template = engines["django"].from_string("{{ p|month }}")
    with translation.override("nb"):
        assert template.render({"p": "2018-05"}) == "mai 2018"
    with translation.override("en"):
        assert template.render({"p": "2018-05"}) == "May 2018"
