"""Settlement explanations and rule-named lines as messages: every id has a template, every placeholder a
value, and the English text is the message rendered (hypothesis over practice-months and indicators)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import finance_fixtures as fx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from message_checks import check_message
from pht.engine.finance_params import month_parameters, nurse_funding
from pht.rules.explain import Message, render
from pht.rules.financing import (
    CapitationRate,
    ClaimRecord,
    Condition,
    ListSpell,
    QualityIndicator,
    Settlement,
    aggregate_practice_month,
    indicator_points,
    indicator_score,
    settle_capitation_model,
    settle_fee_model,
)
from pht.rules.financing.settle import TEMPLATES, vocabulary

PARAMS = month_parameters(fx.PERIOD)
RATE = CapitationRate(Decimal(1000), Decimal(1), False)
VOCABULARY = vocabulary()
CHRONIC = ("T90", "K86", "K77", "R95", "P70")
CODES = ("2ad", "2ak", "2ae", "1ad", "11ad", "PHT1", "PHT2", "PHT3")
# Lines named by parameter data (tariffs, quality indicators) carry the data's text and no message.
DATA_NAMED = {"fee_reimbursement", "nurse_reimbursement", "quality_grant"}


def _check(text: str, message: Message | None) -> set[str]:
    return check_message(TEMPLATES, VOCABULARY, text, message)


def _checked(settlement: Settlement) -> set[str]:
    used: set[str] = set()
    for item in settlement.explanation:
        used |= _check(item.reason, item.message)
    for line in settlement.lines:
        if line.component in DATA_NAMED:
            assert line.message is None, line
        else:
            used |= _check(line.description, line.message)
        if "reason_message" in line.details:
            stored = line.details["reason_message"]
            assert isinstance(stored, dict)
            used |= _check(str(line.details["reason"]), Message.from_dict(stored))
    return used


def _month(spells, conditions, claims):  # type: ignore[no-untyped-def]
    return aggregate_practice_month(
        "P1", fx.PERIOD, spells, conditions, claims, PARAMS.schedules, PARAMS.ceilings, PARAMS.capitation,
        PARAMS.quality,
    )  # fmt: skip


def _settle(month) -> tuple[Settlement, Settlement]:  # type: ignore[no-untyped-def]
    fee = settle_fee_model(month, PARAMS.base_grant, PARAMS.schedule)
    cap = settle_capitation_model(
        month, PARAMS.capitation, RATE, PARAMS.quality, PARAMS.schedule,
        nurse=nurse_funding(fx.PERIOD.start), gp_lists=3,
    )  # fmt: skip
    return fee, cap


def test_the_hand_computed_month_and_the_points_bands_use_every_message_id() -> None:
    fee, cap = _settle(_month(fx.SPELLS, fx.CONDITIONS, fx.CLAIMS))
    used = _checked(fee) | _checked(cap)
    indicator = QualityIndicator(
        "x", "x", frozenset({"T90"}), frozenset(), frozenset(), 365, Decimal("0.4"), Decimal("0.9"), 30
    )
    for numerator, denominator in ((1, 10), (9, 10)):
        points, message = indicator_score(indicator, numerator, denominator)
        used |= _check(indicator_points(indicator, numerator, denominator)[1], message)
    assert used == set(TEMPLATES)
    # The English texts read as before the messages (the command line and the API keep them).
    assert (
        fee.explanation[0].reason
        == "base grant for 139 resident-days + reimbursements of 5 claims + copayments"
    )
    quality = [e.reason for e in cap.explanation if e.rule == "financing.quality_indicator"]
    assert quality[0] == (
        "diabetes_yearly_check: 1/2; share 0.5000 is between 0.40 and 0.90: 6.00 of 30 points"
    )
    women = next(line for line in cap.lines if line.code == "F:67-79:m2:0828")
    assert women.description == (
        "Capitation (listeinnbyggertilskudd), women 67-79 years, 2 chronic conditions, municipality 0828"
    )


def test_a_template_placeholder_without_a_value_is_refused() -> None:
    with pytest.raises(KeyError):
        render(Message("financing.points.below", {"share": "0.1000"}), TEMPLATES.__getitem__)


@st.composite
def residents(draw):  # type: ignore[no-untyped-def]
    spells, conditions, claims = [], [], []
    for i in range(draw(st.integers(min_value=0, max_value=8))):
        rid = f"r{i}"
        birth = draw(st.dates(dt.date(1915, 1, 1), dt.date(2018, 4, 30)))
        listed_from = draw(st.dates(dt.date(2017, 1, 1), dt.date(2018, 5, 31)))
        sex = draw(st.sampled_from("FM"))
        spells.append(ListSpell(rid, "P1", sex, birth, draw(st.sampled_from(["0828", "1401"])), listed_from))
        for code in draw(st.lists(st.sampled_from(CHRONIC), max_size=4, unique=True)):
            conditions.append(Condition(rid, code, draw(st.dates(dt.date(2000, 1, 1), dt.date(2018, 5, 31)))))
        for j in range(draw(st.integers(min_value=0, max_value=10))):
            claims.append(
                ClaimRecord(
                    claim_id=i * 1000 + j,
                    resident_id=rid,
                    practice="P1",
                    date=draw(st.dates(dt.date(2018, 1, 1), dt.date(2018, 5, 31))),
                    code=draw(st.sampled_from(CODES)),
                    diagnosis=draw(st.sampled_from([*CHRONIC, "A03"])),
                )
            )
    return spells, conditions, claims


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(residents())
def test_every_explanation_and_rule_named_line_is_a_complete_message(data) -> None:  # type: ignore[no-untyped-def]
    for settlement in _settle(_month(*data)):
        _checked(settlement)


thresholds = st.tuples(
    st.decimals(min_value="0.00", max_value="0.95", places=2),
    st.decimals(min_value="0.01", max_value="0.5", places=2),
)


@settings(max_examples=300, deadline=None)
@given(
    bounds=thresholds,
    max_points=st.integers(min_value=1, max_value=100),
    numerator=st.integers(min_value=0, max_value=500),
    denominator=st.integers(min_value=-1, max_value=500),
)
def test_every_points_reason_is_a_complete_message(
    bounds: tuple[Decimal, Decimal], max_points: int, numerator: int, denominator: int
) -> None:
    lower, width = bounds
    upper = min(lower + width, Decimal(1))
    indicator = QualityIndicator(
        "i", "i", frozenset({"T90"}), frozenset(), frozenset(), 365, lower, upper, max_points
    )
    numerator = min(numerator, max(denominator, 0))
    points, message = indicator_score(indicator, numerator, denominator)
    assert indicator_points(indicator, numerator, denominator) == (
        points,
        render(message, TEMPLATES.__getitem__),
    )
    _check(render(message, TEMPLATES.__getitem__), message)
