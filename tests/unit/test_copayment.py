from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pht.rules.copayment import split_copayment, split_copayments

amounts = st.integers(min_value=0, max_value=500_000)


@given(paid=amounts, ceiling=amounts, copayment=amounts)
def test_split_adds_up_and_never_passes_the_ceiling(paid: int, ceiling: int, copayment: int) -> None:
    split = split_copayment(paid, ceiling, copayment)
    assert split.patient + split.state == copayment
    assert 0 <= split.patient <= copayment
    assert split.paid_so_far <= max(ceiling, paid)
    if paid + copayment <= ceiling:
        assert split.state == 0
    else:
        assert split.paid_so_far == max(ceiling, paid)


@given(ceiling=amounts, copayments=st.lists(st.integers(min_value=0, max_value=50_000), max_size=60))
def test_a_year_of_claims(ceiling: int, copayments: list[int]) -> None:
    splits = split_copayments(ceiling, copayments)
    patient_total = sum(s.patient for s in splits)
    assert patient_total == min(ceiling, sum(copayments))
    assert patient_total + sum(s.state for s in splits) == sum(copayments)
    # once the state pays, the patient pays nothing more that year
    first_state = next((i for i, s in enumerate(splits) if s.state > 0), None)
    if first_state is not None:
        assert all(s.patient == 0 for s in splits[first_state + 1 :])


def test_decimal_amounts_and_the_crossing_claim() -> None:
    split = split_copayment(Decimal("2100.00"), Decimal("2205.00"), Decimal("152.00"))
    assert (split.patient, split.state) == (Decimal("105.00"), Decimal("47.00"))
    assert split.reached_ceiling
    assert split_copayment(Decimal("2205"), Decimal("2205"), Decimal("152")).patient == Decimal("0")


def test_negative_amounts_are_refused() -> None:
    with pytest.raises(ValueError):
        split_copayment(0, 2205_00, -1)
