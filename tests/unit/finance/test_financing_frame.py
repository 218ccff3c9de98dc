"""Nurse funding in both models and the capitation frame: properties and a hand-computed fixture."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pht.engine.finance_params import month_parameters, nurse_funding
from pht.rules.financing import NurseFunding, Period, nurse_allowance
from pht.rules.financing.frame import (
    FramePractice,
    capitation_frame,
    expected_nurse_tariffs,
    largest_remainder,
)

CENT = Decimal("0.01")
ore = st.integers(min_value=0, max_value=10**11).map(lambda n: Decimal(n).scaleb(-2).quantize(CENT))
weights = st.decimals(min_value=0, max_value=10**7, places=4, allow_nan=False, allow_infinity=False)


def funding(cost: Decimal = Decimal(700000), quality_share: Decimal = Decimal("0.025")) -> NurseFunding:
    return NurseFunding(
        gp_lists_per_fte=Decimal(3),
        cost_per_fte=cost,
        claims_per_fte={"PHT1": 1200, "PHT2": 150, "PHT3": 1000},
        quality_share=quality_share,
        supply_fte=Decimal(1000),
    )


@st.composite
def frames(draw):  # type: ignore[no-untyped-def]
    count = draw(st.integers(min_value=1, max_value=25))
    practices = [
        FramePractice(
            f"P{i}",
            draw(st.integers(min_value=0, max_value=12)),
            draw(weights.filter(lambda w: w > 0)),
            draw(weights),
        )
        for i in range(count)
    ]
    cost = draw(st.integers(min_value=0, max_value=2_000_000_00))
    share = draw(st.decimals(min_value=0, max_value="0.2", places=3))
    params = funding(Decimal(cost).scaleb(-2), share)
    # a reference income large enough that the quality pool leaves room for the allowance
    allowance_bound = sum((Decimal(p.gp_lists) * params.cost_per_fte / 3 + 1 for p in practices), Decimal(0))
    extra = draw(ore)
    reference = (allowance_bound * 10 + extra).quantize(CENT)
    return reference, practices, params


@settings(max_examples=200, deadline=None)
@given(frames())
def test_capitation_and_quality_grant_add_up_to_the_frame_to_the_ore(case) -> None:  # type: ignore[no-untyped-def]
    reference, practices, params = case
    frame = capitation_frame(reference, practices, params)
    paid = sum((s.capitation + s.quality_grant for s in frame.shares), Decimal(0))
    assert paid == frame.total == reference + frame.nurse_allowance
    assert sum((s.quality_grant for s in frame.shares), Decimal(0)) == frame.quality_pool
    for share, practice in zip(frame.shares, practices, strict=True):
        # nurse allowance = norm (1 FTE per 3 lists) x cost x lists, to the øre
        expected = (Decimal(practice.gp_lists) * params.cost_per_fte / 3).quantize(CENT)
        assert abs(share.nurse_allowance - expected) <= CENT / 2
        assert share.nurse_allowance == expected
        assert share.needs_capitation >= 0 and share.quality_grant >= 0 and share.nurse_allowance >= 0
        assert share.for_team == share.nurse_allowance
        for amount in (share.needs_capitation, share.quality_grant, share.nurse_allowance):
            assert amount == amount.quantize(CENT)


@settings(max_examples=200, deadline=None)
@given(ore, st.lists(weights, min_size=1, max_size=30).filter(lambda w: sum(w) > 0))
def test_largest_remainder_is_exact_and_within_an_ore_of_the_proportional_share(total, ws) -> None:  # type: ignore[no-untyped-def]
    shares = largest_remainder(total, ws)
    assert sum(shares, Decimal(0)) == total
    weight_sum = sum(ws, Decimal(0))
    for share, weight in zip(shares, ws, strict=True):
        assert share >= 0
        assert abs(share - total * weight / weight_sum) < CENT


def test_largest_remainder_hands_the_left_over_ore_to_the_largest_remainders() -> None:
    # 1.00 in thirds: 0.333.. each, one øre left, to the first of the equal remainders
    assert largest_remainder(Decimal("1.00"), [Decimal(1)] * 3) == [
        Decimal("0.34"),
        Decimal("0.33"),
        Decimal("0.33"),
    ]
    # 0.10 by 1:2:7 is exact
    assert largest_remainder(Decimal("0.10"), [Decimal(1), Decimal(2), Decimal(7)]) == [
        Decimal("0.01"),
        Decimal("0.02"),
        Decimal("0.07"),
    ]
    # 0.05 by 1:1:2 -> 0.0125, 0.0125, 0.025: floors 1, 1, 2 øre; the one left goes to the 0.5 remainder
    assert largest_remainder(Decimal("0.05"), [Decimal(1), Decimal(1), Decimal(2)]) == [
        Decimal("0.01"),
        Decimal("0.01"),
        Decimal("0.03"),
    ]


def test_frame_refuses_bad_input_naming_what_is_wrong() -> None:
    params = funding()
    with pytest.raises(ValueError, match="too small"):
        capitation_frame(Decimal("100.00"), [FramePractice("P1", 3, Decimal(1), Decimal(1))], params)
    with pytest.raises(ValueError, match="appears twice"):
        capitation_frame(
            Decimal("1000000.00"),
            [FramePractice("P1", 0, Decimal(1), Decimal(0)), FramePractice("P1", 0, Decimal(1), Decimal(0))],
            params,
        )
    with pytest.raises(ValueError, match="whole øre"):
        largest_remainder(Decimal("1.005"), [Decimal(1)])
    with pytest.raises(ValueError, match="all zero"):
        largest_remainder(Decimal("1.00"), [Decimal(0)])
    with pytest.raises(ValueError, match="quality_share"):
        funding(quality_share=Decimal(1))


def test_three_gp_lists_get_one_fte_of_nurse_funding_under_each_model() -> None:
    """Hand-computed: the shipped defaults, a practice of three GP lists, year 2018.

    Capitation: 3 lists / 3 = 1 FTE x NOK 700,000 = 700,000.00 a year.
    Fee model: 1 FTE bills 1,200 PHT1 + 150 PHT2 + 1,000 PHT3 a year; schedule of 2017-07-01
    (reimbursements 150, 300, 80) for the whole year: 180,000 + 45,000 + 80,000 = 305,000.00.
    """
    params = nurse_funding(dt.date(2018, 1, 1))
    assert params.fte(3) == 1
    assert nurse_allowance(params, 3) == Decimal("700000.00")
    schedule = month_parameters(Period(2018, 5)).schedule
    assert expected_nurse_tariffs(params, 3, [(schedule, 365)], 365) == Decimal("305000.00")
    # by month (the engine's way): the same schedule all year, each month's share rounded
    monthly = [(schedule, d) for d in (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)]
    assert abs(expected_nurse_tariffs(params, 3, monthly, 365) - Decimal("305000.00")) <= Decimal("0.18")
    # in the frame, the practice's capitation holds exactly that allowance, its "for the team"
    frame = capitation_frame(
        Decimal("10000000.00"),
        [FramePractice("P3", 3, Decimal(2), Decimal(1)), FramePractice("P6", 6, Decimal(3), Decimal(0))],
        params,
    )
    three, six = frame.shares
    assert (three.nurse_fte, three.for_team) == (Decimal(1), Decimal("700000.00"))
    assert (six.nurse_fte, six.for_team) == (Decimal(2), Decimal("1400000.00"))
    # frame 10,000,000 + 2,100,000 = 12,100,000; quality 2.5 % = 302,500.00 all to P3 (P6 has no
    # points); needs pool 12,100,000 - 302,500 - 2,100,000 = 9,697,500.00 split 2:3
    assert frame.total == Decimal("12100000.00")
    assert (three.quality_grant, six.quality_grant) == (Decimal("302500.00"), Decimal("0.00"))
    assert (three.needs_capitation, six.needs_capitation) == (Decimal("3879000.00"), Decimal("5818500.00"))


@st.composite
def year_frames(draw):  # type: ignore[no-untyped-def]
    from pht.engine.finance import periods_of_year

    count = draw(st.integers(min_value=1, max_value=8))
    practices = [f"P{i}" for i in range(count)]
    months = [
        (str(p), p.days, Decimal(draw(st.integers(min_value=0, max_value=5_000_000))).scaleb(-2))
        for p in periods_of_year(2018)
    ]
    share = draw(st.decimals(min_value=0, max_value="0.2", places=3))
    allowance = sum((a for _, _, a in months), Decimal(0))
    reference = (allowance * 10 + draw(ore)).quantize(CENT)
    # each month: needs weights (not all zero), quality weights (may all be zero)
    needs = [[draw(weights) for _ in practices] for _ in months]
    needs = [w if sum(w) > 0 else [Decimal(1)] * count for w in needs]
    quality = [[draw(weights) for _ in practices] for _ in months]
    return practices, reference, months, share, needs, quality


@settings(max_examples=100, deadline=None)
@given(year_frames())
def test_a_year_of_monthly_shares_adds_up_to_the_frame_to_the_ore(case) -> None:  # type: ignore[no-untyped-def]
    from pht.rules.financing.frame import share_month, year_frame

    practices, reference, months, share, needs, quality = case
    frame = year_frame(2018, practices, reference, months, share)
    paid_needs = paid_quality = Decimal(0)
    for month, n, q in zip(frame.months, needs, quality, strict=True):
        shares = share_month(month, n, q)
        assert all(a >= 0 and b >= 0 for a, b in shares)
        assert sum((a for a, _ in shares), Decimal(0)) == month.needs_pool
        paid_needs += sum((a for a, _ in shares), Decimal(0))
        paid_quality += sum((b for _, b in shares), Decimal(0))
    allowance = sum((a for _, _, a in months), Decimal(0))
    assert frame.nurse_allowance == allowance
    assert paid_needs + allowance + paid_quality == frame.total == reference + allowance
    assert (
        paid_quality == frame.quality_pool == (frame.total * share).quantize(CENT, rounding="ROUND_HALF_UP")
    )
    assert paid_needs + allowance == frame.capitation
