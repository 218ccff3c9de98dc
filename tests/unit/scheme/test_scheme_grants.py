import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pht.refdata.params import load_parameters
from pht.rules.grants import GrantParameters, grant_years, payment_plan, report_due_date

D = datetime.date
PARAMS = GrantParameters.from_mapping(load_parameters("call_2017", D(2017, 10, 15)).values)


def test_parameters_come_from_the_call_file() -> None:
    assert PARAMS.grant_per_gp_per_year == Decimal("300000.00")
    assert PARAMS.municipality_base_per_year == Decimal("400000.00")
    assert PARAMS.municipality_per_gp_per_year == Decimal("10000.00")
    assert PARAMS.instalment_months == (1, 7)
    assumptions = load_parameters("call_2017", D(2017, 10, 15)).assumptions
    assert "grant_per_gp_per_year" in assumptions and "municipality_base_per_year" in assumptions


def test_pilot_period_matches_hand_computation() -> None:
    # Hand computation for 10 GPs: practices 10 × 300,000 = 3,000,000 a year;
    # municipality 400,000 + 10 × 10,000 = 500,000 a year.
    # 2018: 1 Apr-31 Dec = 275 days of 365; 2021: 1 Jan-31 Mar = 90 days of 365; 2020 is a leap year.
    years = grant_years(10, D(2018, 4, 1), D(2021, 3, 31), PARAMS)
    got = [(y.year, y.days, y.days_in_year, y.practice_grant, y.municipality_grant) for y in years]
    assert got == [
        (2018, 275, 365, Decimal("2260273.97"), Decimal("376712.33")),  # 825e6/365, 137.5e6/365
        (2019, 365, 365, Decimal("3000000.00"), Decimal("500000.00")),
        (2020, 366, 366, Decimal("3000000.00"), Decimal("500000.00")),
        (2021, 90, 365, Decimal("739726.03"), Decimal("123287.67")),  # 270e6/365, 45e6/365
    ]
    assert "275/365" in years[0].reason


def test_85_gps_2018() -> None:
    (first, *_) = grant_years(85, D(2018, 4, 1), D(2021, 3, 31), PARAMS)
    # 85 × 300,000 × 275 / 365 = 19,212,328.767...; (400,000 + 850,000) × 275/365 = 941,780.821...
    assert first.practice_grant == Decimal("19212328.77")
    assert first.municipality_grant == Decimal("941780.82")


def test_as_dict_uses_two_decimal_strings() -> None:
    (year,) = grant_years(1, D(2019, 1, 1), D(2019, 12, 31), PARAMS)
    assert year.as_dict() == {
        "year": 2019,
        "days": 365,
        "practice_grant": "300000.00",
        "municipality_grant": "410000.00",
    }


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="before its start"):
        grant_years(1, D(2019, 1, 2), D(2019, 1, 1), PARAMS)
    with pytest.raises(ValueError, match="negative"):
        grant_years(-1, D(2019, 1, 1), D(2019, 1, 2), PARAMS)
    with pytest.raises(ValueError, match="grant_per_gp_per_year"):
        GrantParameters.from_mapping({"grant_per_gp_per_year": "abc"})


def test_payment_plan_first_instalment_on_acceptance() -> None:
    years = grant_years(10, D(2018, 4, 1), D(2021, 3, 31), PARAMS)
    plan = payment_plan(years, PARAMS, accepted_on=D(2018, 2, 15))
    assert [i.due for i in plan] == [
        D(2018, 2, 15),  # January 2018 instalment moved to acceptance
        D(2018, 7, 1),
        D(2019, 1, 1),
        D(2019, 7, 1),
        D(2020, 1, 1),
        D(2020, 7, 1),
        D(2021, 1, 1),  # the period ends in March: the whole 2021 share in January
    ]
    assert plan[0].practice_amount == Decimal("1130136.99")  # 2,260,273.97 / 2 = ...6.985, half up
    assert plan[1].practice_amount == Decimal("1130136.98")  # remainder to the last part
    assert plan[-1].practice_amount == Decimal("739726.03")
    assert "acceptance" in plan[0].reason
    assert sum(i.total for i in plan) == sum(y.total for y in years)


def test_late_acceptance_merges_overdue_instalments() -> None:
    years = grant_years(2, D(2018, 4, 1), D(2019, 12, 31), PARAMS)
    plan = payment_plan(years, PARAMS, accepted_on=D(2018, 9, 1))
    assert plan[0].due == D(2018, 9, 1)
    assert plan[0].total == years[0].total
    assert [i.number for i in plan] == [1, 2, 3]


@given(
    gps=st.integers(0, 200),
    start=st.dates(D(2017, 1, 1), D(2025, 12, 31)),
    length=st.integers(0, 2000),
    accepted=st.dates(D(2016, 1, 1), D(2027, 1, 1)),
)
def test_plan_adds_up_to_grants(gps: int, start: datetime.date, length: int, accepted: datetime.date) -> None:
    end = start + datetime.timedelta(days=length)
    years = grant_years(gps, start, end, PARAMS)
    assert sum(y.days for y in years) == length + 1
    plan = payment_plan(years, PARAMS, accepted_on=accepted)
    assert sum(i.practice_amount for i in plan) == sum(y.practice_grant for y in years)
    assert sum(i.municipality_amount for i in plan) == sum(y.municipality_grant for y in years)
    assert all(i.due >= accepted for i in plan)
    assert [i.due for i in plan] == sorted(i.due for i in plan)


# --- report due dates: data of the call, labelled a default ---------------------------------


def test_report_due_date_and_attachment_limit_are_labelled_defaults_in_the_call_file() -> None:
    params = load_parameters("call_2017", D(2017, 10, 15))
    assert params.values["report_due_month_day"] == [3, 1]
    assert PARAMS.report_due_month_day == (3, 1)
    assert report_due_date(2018, PARAMS) == D(2019, 3, 1)
    # Both are defaults PHT ships, each with why (in English and bokmål).
    assert params.assumption("report_due_month_day").startswith("Default:")
    assert params.assumption("attachment_max_bytes", "nb").startswith("Standardverdi:")


@given(
    year=st.integers(min_value=2000, max_value=2100),
    due=st.dates(min_value=D(2001, 1, 1), max_value=D(2001, 12, 31)),
)
def test_report_due_is_that_day_of_the_year_after(year: int, due: datetime.date) -> None:
    params = GrantParameters.from_mapping(
        {**load_parameters("call_2017", D(2017, 10, 15)).values, "report_due_month_day": [due.month, due.day]}
    )
    got = report_due_date(year, params)
    assert (got.year, got.month, got.day) == (year + 1, due.month, due.day)
    assert got > D(year, 12, 31)


def test_report_due_defaults_to_1_march_and_refuses_bad_values() -> None:
    base = {
        "grant_per_gp_per_year": "1",
        "municipality_base_per_year": "1",
        "municipality_per_gp_per_year": "1",
    }
    assert GrantParameters.from_mapping(base).report_due_month_day == (3, 1)
    for bad in ([2, 29], [13, 1], [4, 31], [0, 1]):
        with pytest.raises(ValueError, match="report_due_month_day.*exists every year"):
            GrantParameters.from_mapping({**base, "report_due_month_day": bad})
    for malformed in ("03-01", [3], [3, 1, 2], [3, "1"], [True, 1]):
        with pytest.raises(ValueError, match=r"report_due_month_day' must be \[month, day\]"):
            GrantParameters.from_mapping({**base, "report_due_month_day": malformed})
