"""Decision lines per recipient, their payment plans, and amendments within a budget frame."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pht.rules.grants import (
    MUNICIPALITY,
    PRACTICE,
    GrantParameters,
    Recipient,
    grant_lines,
    line_plan,
    replan,
)

PARAMS = GrantParameters(Decimal("300000"), Decimal("400000"), Decimal("10000"))
START = datetime.date(2018, 4, 1)
END = datetime.date(2021, 3, 31)
EXTENDED = datetime.date(2023, 3, 31)


def _municipality(start: datetime.date = START) -> Recipient:
    return Recipient(MUNICIPALITY, "", "Seljord kommune", 0, start)


def _practice(orgnr: str, gps: int, start: datetime.date = START) -> Recipient:
    return Recipient(PRACTICE, orgnr, f"Legekontor {orgnr}", gps, start)


def test_lines_on_the_pilot_period_by_hand() -> None:
    # 5 GPs in one practice, 1 Apr 2018 - 31 Mar 2021: 275/365 of 2018, 2019, 2020 (leap, 366/366),
    # 90/365 of 2021. Practice 1,500,000 a year; municipality 400,000 + 5 x 10,000 = 450,000 a year.
    lines = grant_lines(_municipality(), [_practice("100000011", 5)], END, PARAMS)
    municipality, practice = lines
    assert [y.amount for y in practice.years] == [
        Decimal("1130136.99"),  # 1,500,000 x 275/365 = 1,130,136.986...
        Decimal("1500000.00"),
        Decimal("1500000.00"),
        Decimal("369863.01"),  # 1,500,000 x 90/365 = 369,863.013...
    ]
    assert [y.amount for y in municipality.years] == [
        Decimal("339041.10"),  # 450,000 x 275/365 = 339,041.095...
        Decimal("450000.00"),
        Decimal("450000.00"),
        Decimal("110958.90"),  # 450,000 x 90/365 = 110,958.904...
    ]
    assert practice.total == Decimal("4500000.00") and municipality.total == Decimal("1350000.00")


def test_a_late_practice_is_prorated_from_its_start_and_paid_no_earlier() -> None:
    late = _practice("100000013", 2, datetime.date(2020, 1, 1))
    municipality, practice = grant_lines(_municipality(), [late], EXTENDED, PARAMS)
    # 2 GPs x 300,000 for 2020, 2021, 2022 and 90/365 of 2023 (147,945.205...)
    assert [y.amount for y in practice.years] == [
        Decimal("600000.00"),
        Decimal("600000.00"),
        Decimal("600000.00"),
        Decimal("147945.21"),
    ]
    # the municipality's per-GP share starts with the practice: 2018 is the base only
    assert municipality.years[0].amount == Decimal("301369.86")  # 400,000 x 275/365
    plan = line_plan(practice, PARAMS, accepted_on=datetime.date(2019, 11, 1))
    assert plan[0].due == datetime.date(2020, 1, 1)
    assert all(i.due >= late.start for i in plan)


def test_instalments_before_the_start_are_paid_on_the_start_date() -> None:
    municipality, practice = grant_lines(_municipality(), [_practice("100000011", 5)], END, PARAMS)
    plan = line_plan(practice, PARAMS, accepted_on=datetime.date(2018, 2, 1))
    # January 2018 is before the 1 April start: that half is paid on 1 April, not in February
    assert [(i.due, i.amount) for i in plan[:2]] == [
        (datetime.date(2018, 4, 1), Decimal("565068.50")),
        (datetime.date(2018, 7, 1), Decimal("565068.49")),
    ]


def test_extension_and_late_joiners_stay_within_the_frame_by_hand() -> None:
    """The 2017 call on the pilot's figures: extended to 31 Mar 2023 within the same frame."""
    practice = _practice("100000011", 5)
    frame = Decimal("5850000.00")  # 4,500,000 + 1,350,000 (test above)
    # 2018 and 2019 paid in full by 1 Dec 2019
    paid = {
        "": {2018: Decimal("339041.10"), 2019: Decimal("450000.00")},
        "100000011": {2018: Decimal("1130136.99"), 2019: Decimal("1500000.00")},
    }
    result = replan(_municipality(), [practice], EXTENDED, PARAMS, frame, paid, datetime.date(2019, 12, 1))
    # paid: 339,041.10 + 450,000 + 1,130,136.99 + 1,500,000 = 3,419,178.09; available 2,430,821.91
    assert result.paid == Decimal("3419178.09")
    # open entitlement 2020-2023Q1: practice 1,500,000 x 3 + 369,863.01 = 4,869,863.01;
    # municipality 450,000 x 3 + 110,958.90 = 1,460,958.90; in all 6,330,821.91 > available
    assert result.entitlement == Decimal("6330821.91")
    municipality_line, practice_line = result.lines
    # practice: 4,869,863.01 x 2,430,821.91 / 6,330,821.91 = 1,869,863.0085... rounded down
    assert practice_line.allocated == Decimal("1869863.00")
    # municipality gets the rest of the frame: 2,430,821.91 - 1,869,863.00
    assert municipality_line.allocated == Decimal("560958.91")
    assert result.total == frame
    assert all(i.due >= datetime.date(2019, 12, 1) for line in result.lines for i in line.instalments)
    assert max(i.due for i in practice_line.instalments) == datetime.date(2023, 1, 1)
    assert sum(i.amount for i in practice_line.instalments) == Decimal("1869863.00")

    # Four practices join on 1 Jan 2020 (1 GP each), same frame, re-planned on 1 Jan 2020 with the
    # extension's 2020 instalments still open: everyone is scaled down, the total stays the frame.
    joiners = [_practice(f"10000002{i}", 1, datetime.date(2020, 1, 1)) for i in range(4)]
    result = replan(
        _municipality(), [practice, *joiners], EXTENDED, PARAMS, frame, paid, datetime.date(2020, 1, 1)
    )
    # entitlement: old practice 4,869,863.01; each joiner 300,000 x 3 + 73,972.60 (300,000 x 90/365);
    # municipality 400,000 x 3 + 98,630.14 + GP share 9 GPs x 10,000 x 3 + 22,191.78 (90,000 x 90/365)
    per_joiner = Decimal("973972.60")
    municipality_entitlement = Decimal("1298630.14") + Decimal("292191.78")
    assert result.entitlement == Decimal("4869863.01") + 4 * per_joiner + municipality_entitlement
    assert result.total == frame
    assert all(line.total <= frame for line in result.lines)
    for line in result.lines[1:]:
        assert line.allocated < line.entitlement


def test_a_frame_below_what_is_paid_is_refused() -> None:
    with pytest.raises(ValueError, match="less than what is already paid"):
        replan(_municipality(), [], END, PARAMS, Decimal("10"), {"": {2018: Decimal("11")}}, START)


dates = st.dates(min_value=datetime.date(2018, 1, 1), max_value=datetime.date(2024, 12, 31))


@settings(max_examples=60, deadline=None)
@given(
    start=dates,
    span=st.integers(min_value=0, max_value=2000),
    practices=st.lists(
        st.tuples(st.integers(min_value=0, max_value=12), st.integers(min_value=0, max_value=900)),
        max_size=5,
    ),
    accepted=dates,
    months=st.sampled_from([(1, 7), (1,), (3, 6, 9, 12), (2, 11)]),
)
def test_lines_and_plans_add_up_and_never_pay_before_start(
    start: datetime.date,
    span: int,
    practices: list[tuple[int, int]],
    accepted: datetime.date,
    months: tuple[int, ...],
) -> None:
    params = GrantParameters(Decimal("300000"), Decimal("400000"), Decimal("10000"), months)
    end = start + datetime.timedelta(days=span)
    recipients = [
        _practice(f"1{i:08d}", gps, min(end, start + datetime.timedelta(days=offset)))
        for i, (gps, offset) in enumerate(practices)
    ]
    lines = grant_lines(_municipality(start), recipients, end, params)
    for line in lines:
        plan = line_plan(line, params, accepted)
        # a line's instalments add up to the line to the øre, and none falls before its start
        assert sum((i.amount for i in plan), Decimal("0")) == line.total
        assert all(i.due >= line.recipient.start and i.due >= accepted for i in plan)
        assert all(i.amount > 0 for i in plan)
    # the practices' lines add up to the per-GP grant computed directly, within half an øre per year
    for line, recipient in zip(lines[1:], recipients, strict=True):
        exact = sum(
            Decimal(300000)
            * recipient.gps
            * ((y.last_day - y.first_day).days + 1)
            / (366 if y.year % 4 == 0 else 365)
            for y in line.years
        )
        assert abs(line.total - exact) <= Decimal("0.005") * len(line.years)


@settings(max_examples=60, deadline=None)
@given(
    gps=st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=4),
    frame=st.decimals(min_value=0, max_value=20_000_000, places=2),
    paid_2018=st.decimals(min_value=0, max_value=500_000, places=2),
    as_of=st.dates(min_value=datetime.date(2018, 4, 1), max_value=datetime.date(2023, 3, 31)),
)
def test_replan_never_exceeds_the_frame(
    gps: list[int], frame: Decimal, paid_2018: Decimal, as_of: datetime.date
) -> None:
    recipients = [_practice(f"2{i:08d}", n) for i, n in enumerate(gps)]
    paid = {recipients[0].orgnr: {2018: paid_2018}}
    if paid_2018 > frame:
        with pytest.raises(ValueError):
            replan(_municipality(), recipients, EXTENDED, PARAMS, frame, paid, as_of)
        return
    result = replan(_municipality(), recipients, EXTENDED, PARAMS, frame, paid, as_of)
    assert result.total <= frame
    for line in result.lines:
        assert sum((i.amount for i in line.instalments), Decimal("0")) == line.allocated
        assert line.allocated <= line.entitlement
        assert all(i.due >= as_of and i.amount > 0 for i in line.instalments)
    if result.entitlement > frame - result.paid:
        assert result.total == frame


@settings(max_examples=60, deadline=None)
@given(
    start=dates,
    span=st.integers(min_value=0, max_value=1500),
    gps=st.lists(st.integers(min_value=0, max_value=15), min_size=1, max_size=6),
)
def test_lines_agree_with_the_whole_decisions_grant_years(
    start: datetime.date, span: int, gps: list[int]
) -> None:
    """With every practice from the start, the municipality's line is the decision's municipality grant
    exactly, and the practices' lines add up to its practice grant within the rounding of each line."""
    from pht.rules.grants import grant_years

    end = start + datetime.timedelta(days=span)
    lines = grant_lines(
        _municipality(start), [_practice(f"3{i:08d}", n, start) for i, n in enumerate(gps)], end, PARAMS
    )
    whole = grant_years(sum(gps), start, end, PARAMS)
    assert [y.amount for y in lines[0].years] == [y.municipality_grant for y in whole]
    for index, year in enumerate(whole):
        practices = sum(line.years[index].amount for line in lines[1:])
        assert abs(practices - year.practice_grant) <= Decimal("0.005") * len(gps) + Decimal("0.005")
    total = sum((line.total for line in lines), Decimal("0"))
    assert total == sum(y.amount for line in lines for y in line.years)  # the total is its lines', to the øre
