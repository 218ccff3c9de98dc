"""The yearly copayment ceiling (egenandelstak 1): who pays a copayment, the patient or the state.

A person pays copayments until their copayments in the calendar year reach the ceiling; the
rest of that year the state pays them (frikort). A copayment that crosses the ceiling is split:
the patient pays the part up to the ceiling, the state the part above. Pure arithmetic on
amounts in one unit (whole øre as ``int``, or ``Decimal`` NOK); the caller supplies the ceiling
for the year (parameter set ``copayment_ceiling``) and the order of the claims.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

Amount = TypeVar("Amount", int, Decimal)


@dataclass(frozen=True)
class CopaymentSplit(Generic[Amount]):
    patient: Amount  # paid by the patient
    state: Amount  # paid by the state because the ceiling has been reached
    paid_so_far: Amount  # the patient's copayments this year, this claim included

    @property
    def reached_ceiling(self) -> bool:
        return bool(self.state > 0)


def split_copayment(paid_so_far: Amount, ceiling: Amount, copayment: Amount) -> CopaymentSplit[Amount]:
    """Split ``copayment`` given what the patient has already paid this year towards ``ceiling``.

    ``paid_so_far`` counts only what the patient paid (not what the state took over), so it
    never exceeds the ceiling when the function is used in claim order.
    """
    if copayment < 0 or paid_so_far < 0 or ceiling < 0:
        raise ValueError("amounts must not be negative")
    room = ceiling - paid_so_far
    if room < 0:
        room = ceiling - ceiling  # zero of the same type: the ceiling was already passed
    patient = copayment if copayment <= room else room
    return CopaymentSplit(patient=patient, state=copayment - patient, paid_so_far=paid_so_far + patient)


def split_copayments(ceiling: Amount, copayments: list[Amount]) -> list[CopaymentSplit[Amount]]:
    """Split one person's copayments of one calendar year, given in claim order."""
    result: list[CopaymentSplit[Amount]] = []
    paid = ceiling - ceiling
    for copayment in copayments:
        split = split_copayment(paid, ceiling, copayment)
        paid = split.paid_so_far
        result.append(split)
    return result
