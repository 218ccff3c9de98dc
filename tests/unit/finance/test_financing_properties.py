"""Property tests of the financing rules (hypothesis)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, localcontext

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pht.engine.finance_params import month_parameters
from pht.rules.financing import (
    COMPONENTS,
    CapitationRate,
    ClaimRecord,
    Condition,
    ListSpell,
    Period,
    PracticeMonth,
    age_on,
    aggregate_practice_month,
    capitation_rate,
    reference_totals,
    settle_capitation_model,
    settle_fee_model,
)

PERIOD = Period(2018, 5)
PARAMS = month_parameters(PERIOD)
CHRONIC = ("T90", "K86", "K77", "R95", "P70")
CODES = ("2ad", "2ak", "2ae", "1ad", "11ad", "PHT1", "PHT2", "PHT3")
HALF_ORE = Decimal("0.005")


@st.composite
def residents(draw, practice: str = "P1", prefix: str = "r"):
    count = draw(st.integers(min_value=0, max_value=12))
    spells, conditions, claims = [], [], []
    for i in range(count):
        rid = f"{practice}{prefix}{i}"
        birth = draw(st.dates(dt.date(1915, 1, 1), dt.date(2018, 4, 30)))
        listed_from = draw(st.dates(dt.date(2017, 1, 1), dt.date(2018, 5, 31)))
        listed_to = draw(st.one_of(st.none(), st.dates(listed_from, dt.date(2018, 12, 31))))
        sex = draw(st.sampled_from("FM"))
        municipality = draw(st.sampled_from(["0828", "1401"]))
        spells.append(ListSpell(rid, practice, sex, birth, municipality, listed_from, listed_to))
        for code in draw(st.lists(st.sampled_from(CHRONIC), max_size=4, unique=True)):
            conditions.append(Condition(rid, code, draw(st.dates(dt.date(2000, 1, 1), dt.date(2018, 5, 31)))))
        for j in range(draw(st.integers(min_value=0, max_value=25))):
            claims.append(
                ClaimRecord(
                    claim_id=i * 1000 + j,
                    resident_id=rid,
                    practice=draw(st.sampled_from([practice, practice, None])),
                    date=draw(st.dates(dt.date(2018, 1, 1), dt.date(2018, 5, 31))),
                    code=draw(st.sampled_from(CODES)),
                    diagnosis=draw(st.sampled_from([*CHRONIC, "A03"])),
                )
            )
    return spells, conditions, claims


def _aggregate(spells, conditions, claims, practice="P1"):
    return aggregate_practice_month(
        practice, PERIOD, spells, conditions, claims, PARAMS.schedules, PARAMS.ceilings, PARAMS.capitation,
        PARAMS.quality,
    )  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=residents(),
    rate=st.decimals(min_value=100, max_value=5000, places=2),
    divisor=st.decimals(min_value="0.5", max_value="2", places=4),
)
def test_capitation_equals_sum_over_residents_of_weight_times_rate(data, rate, divisor):
    spells, conditions, claims = data
    month = _aggregate(spells, conditions, claims)
    result = settle_capitation_model(
        month, PARAMS.capitation, CapitationRate(rate, divisor, False), PARAMS.quality, PARAMS.schedule
    )
    cap = PARAMS.capitation
    with localcontext() as ctx:
        ctx.prec = 40
        expected = Decimal(0)
        for spell in spells:
            days = spell.days_in(PERIOD)
            if days == 0:
                continue
            day = max(spell.listed_from, PERIOD.start)
            chronic = {c.code for c in conditions if c.resident_id == spell.resident_id and c.onset <= day}
            band = cap.band_for(max(age_on(spell.birth_date, day), 0))
            raw = cap.raw_weight(spell.sex, band, len(chronic), spell.municipality)
            expected += raw / divisor * rate * days / cap.days_in_year
        lines = [line for line in result.lines if line.component == "capitation"]
        exact = sum((line.exact for line in lines), Decimal(0))
    assert abs(exact - expected) < Decimal("1e-20")
    # each line is rounded once, so the component is within half an øre per line of the exact sum
    assert abs(result.components["capitation"] - expected) <= HALF_ORE * len(lines)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=residents())
def test_no_component_is_negative_and_lines_add_up(data):
    spells, conditions, claims = data
    month = _aggregate(spells, conditions, claims)
    fee = settle_fee_model(month, PARAMS.base_grant, PARAMS.schedule)
    rate = CapitationRate(Decimal(900), Decimal(1), False)
    cap = settle_capitation_model(month, PARAMS.capitation, rate, PARAMS.quality, PARAMS.schedule)
    for result in (fee, cap):
        assert set(result.components) == set(COMPONENTS)
        assert all(value >= 0 for value in result.components.values()), result.components
        assert sum(line.amount for line in result.lines) == result.total
    assert fee.components["copayments"] == cap.components["copayments"]


def _practice_month(draw, practice: str) -> PracticeMonth:
    """An aggregate drawn directly (faster than records) for the budget-neutrality property."""
    from pht.rules.financing import CapitationCell, CodeCount

    cells = {}
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        key = (
            draw(st.sampled_from("FM")),
            draw(st.sampled_from([b.label for b in PARAMS.capitation.age_bands])),
            draw(st.integers(min_value=0, max_value=3)),
            draw(st.sampled_from(["0828", "1401"])),
        )
        cells[key] = draw(st.integers(min_value=1, max_value=40_000))
    codes = [
        CodeCount(code, n, draw(st.integers(min_value=0, max_value=n)))
        for code in draw(st.lists(st.sampled_from(CODES), unique=True, max_size=5))
        for n in [draw(st.integers(min_value=0, max_value=3000))]
    ]
    return PracticeMonth(
        practice=practice,
        period=PERIOD,
        residents=len(cells),
        resident_days=sum(cells.values()),
        cells=tuple(CapitationCell(*key, days, 1) for key, days in sorted(cells.items())),
        codes=tuple(codes),
        copayment_patient=Decimal(0),
        copayment_state=Decimal(0),
        indicators=(),
    )


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_budget_neutral_capitation_equals_the_reference_year_fee_total(data):
    months = [_practice_month(data.draw, f"P{i}") for i in range(data.draw(st.integers(1, 6)))]
    fees = [settle_fee_model(m, PARAMS.base_grant, PARAMS.schedule) for m in months]
    reference = reference_totals(2018, months, fees, PARAMS.capitation)
    rate = capitation_rate(PARAMS.capitation, reference)
    assert PARAMS.capitation.budget_neutral
    caps = [
        settle_capitation_model(m, PARAMS.capitation, rate, PARAMS.quality, PARAMS.schedule) for m in months
    ]
    total_capitation = sum((c.components["capitation"] for c in caps), Decimal(0))
    lines = sum(1 for c in caps for line in c.lines if line.component == "capitation")
    assert abs(total_capitation - reference.fee_total) <= HALF_ORE * lines
    # normalisation: the reference population's mean weight is 1.0
    with localcontext() as ctx:
        ctx.prec = 40
        assert abs(reference.raw_weighted_days / rate.divisor - reference.resident_days) < Decimal("1e-20")
