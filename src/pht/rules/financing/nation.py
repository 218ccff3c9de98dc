"""The national what-if's and the pilot's socio-economic arithmetic (pure).

* ``net_cost_per_avoided``: an extra yearly cost against the admissions (and out-of-hours
  contacts) a rate ratio from the evaluation avoids, valued at versioned unit costs
  (``unit_costs.toml``): net cost = extra cost - avoided admissions x unit cost - avoided
  out-of-hours contacts x unit cost; per avoided admission = net cost / avoided admissions. The
  interval takes the admission rate ratio's confidence bounds (the out-of-hours ratio at its
  point estimate); no admissions avoided (ratio >= 1): not defined.
* ``pilot_summary``: the pilot's costs against its estimated effects, as table rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from pht.rules.financing.parameters import _decimal
from pht.rules.financing.settle import money


@dataclass(frozen=True)
class UnitCosts:
    acute_admission: Decimal
    out_of_hours_contact: Decimal
    nurse_fte: Decimal

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> UnitCosts:
        return cls(
            acute_admission=_decimal("unit_costs", values, "acute_admission"),
            out_of_hours_contact=_decimal("unit_costs", values, "out_of_hours_contact"),
            nurse_fte=_decimal("unit_costs", values, "nurse_fte"),
        )


@dataclass(frozen=True)
class RateRatio:
    """An effect on a count outcome as a rate ratio with its confidence interval."""

    estimate: Decimal
    low: Decimal
    high: Decimal

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.low <= self.estimate <= self.high:
            raise ValueError(
                f"rate ratio needs 0 <= low <= estimate <= high, got {self.low}, {self.estimate}, {self.high}"
            )


def _avoided(baseline: int, ratio: Decimal) -> Decimal:
    """Events avoided a year: baseline x (1 - ratio); negative when the ratio is above 1."""
    return Decimal(baseline) * (Decimal(1) - ratio)


def net_cost(
    extra_cost: Decimal,
    baseline_admissions: int,
    admissions: Decimal,
    baseline_out_of_hours: int,
    out_of_hours: Decimal,
    costs: UnitCosts,
) -> tuple[Decimal, Decimal, Decimal | None]:
    """(avoided admissions, net cost, net cost per avoided admission or None) for one ratio."""
    if baseline_admissions < 0 or baseline_out_of_hours < 0:
        raise ValueError("baseline counts must not be negative")
    avoided = _avoided(baseline_admissions, admissions)
    net = money(
        extra_cost
        - avoided * costs.acute_admission
        - _avoided(baseline_out_of_hours, out_of_hours) * costs.out_of_hours_contact
    )
    per = money(net / avoided) if avoided > 0 else None
    return avoided, net, per


def net_cost_per_avoided(
    extra_cost: Decimal,
    baseline_admissions: int,
    admissions: RateRatio,
    baseline_out_of_hours: int,
    out_of_hours: Decimal,
    costs: UnitCosts,
) -> dict[str, object]:
    """Net cost per avoided admission at the point estimate and the admission ratio's bounds."""
    rows = {}
    for name, ratio in (
        ("estimate", admissions.estimate),
        ("low", admissions.low),
        ("high", admissions.high),
    ):
        avoided, net, per = net_cost(
            extra_cost, baseline_admissions, ratio, baseline_out_of_hours, out_of_hours, costs
        )
        rows[name] = {
            "admission_rate_ratio": str(ratio),
            "avoided_admissions": str(avoided.quantize(Decimal("0.1"))),
            "net_cost": str(net),
            "net_cost_per_avoided_admission": None if per is None else str(per),
        }
    return {
        "extra_cost": str(extra_cost),
        "baseline_admissions": baseline_admissions,
        "baseline_out_of_hours_contacts": baseline_out_of_hours,
        "out_of_hours_rate_ratio": str(out_of_hours),
        "unit_costs": {
            "acute_admission": str(costs.acute_admission),
            "out_of_hours_contact": str(costs.out_of_hours_contact),
        },
        # the ratio's low bound avoids the most admissions: the interval of the cost per avoided
        # admission runs from the value at "low" to the value at "high" (undefined where none avoided)
        **rows,
    }


@dataclass(frozen=True)
class PilotCosts:
    """What the pilot cost in a period (NOK): grants paid, nurse funding and each model's extra
    cost over the fee model without teams."""

    grants_paid: Decimal
    nurse_funding_fee: Decimal  # nurse tariffs paid under the fee model
    nurse_funding_capitation: Decimal  # nurse allowances paid under the capitation model
    fee_extra: Decimal  # fee-model practices: income over the same practices' income without nurse tariffs
    capitation_extra: Decimal  # capitation practices: own model over their shadow fee settlement


def pilot_summary(costs: PilotCosts, effects: Mapping[str, object] | None) -> list[dict[str, object]]:
    """The pilot's socio-economic summary as rows (item, amount, note): costs, their total, and the
    estimated effects (or a row saying none is given)."""
    total = costs.grants_paid + costs.fee_extra + costs.capitation_extra
    rows: list[dict[str, object]] = [
        {"item": "grants_paid", "amount": costs.grants_paid, "note": "grants paid to municipalities"},
        {
            "item": "nurse_funding_fee",
            "amount": costs.nurse_funding_fee,
            "note": "nurse tariffs, fee model (part of its extra cost)",
        },
        {
            "item": "nurse_funding_capitation",
            "amount": costs.nurse_funding_capitation,
            "note": "nurse allowance, capitation model (part of its extra cost)",
        },
        {
            "item": "fee_extra",
            "amount": costs.fee_extra,
            "note": "fee model over the fee model without the team",
        },
        {
            "item": "capitation_extra",
            "amount": costs.capitation_extra,
            "note": "capitation model over the same practices' fee model (shadow)",
        },
        {"item": "total_cost", "amount": total, "note": "grants + both models' extra cost"},
    ]
    if not effects:
        rows.append({"item": "effects", "amount": None, "note": "no evaluation result given"})
    else:
        for name, value in effects.items():
            rows.append({"item": f"effect:{name}", "amount": None, "note": str(value)})
    return rows
