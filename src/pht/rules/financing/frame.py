"""Nurse funding in both financing models, and the capitation model's yearly frame.

The team norm (``nurse_funding.toml``): one nurse FTE per ``gp_lists_per_fte`` GP lists. A practice
with ``n`` GP lists is funded for ``n / gp_lists_per_fte`` FTE under each model:

* fee model (honorarmodell): by the nurse tariffs such a team is expected to bill, ``FTE x claims
  per FTE per year x reimbursement`` of each nurse tariff (the tariffs themselves stay as they are);
* capitation model (driftstilskuddsmodell): by a nurse allowance, ``FTE x cost per FTE``, paid as
  part of the capitation.

The capitation model's frame for a year = the reference year's income under the fee model (base
grant and GP reimbursements; the reference year's nurse tariffs are left out so that nurse work
is not counted twice) + the nurse allowance of every practice. The frame is split by
``quality_share``: that share of the frame is the quality grant pool, the rest is capitation, of
which the nurse allowance comes first and the remainder is shared by needs weights. Each pool is
shared to the øre by the largest-remainder method, so capitation + quality grant over all
practices equals the frame exactly.

The frame is a year's split. The monthly statements (``settle_capitation_model``) pay on account:
the needs-weighted capitation at the budget-neutral rate, the points-based quality grant and the
nurse allowance pro rata for the month's days (a practice with a team); the frame's exact split
uses the year's needs-weighted capitation and points-based quality grants as its weights (as
``pht.engine.nation`` does for every practice of a lake). A year-end true-up statement of the
difference is not built yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, localcontext

from pht.rules.financing.parameters import FeeSchedule, NurseFunding
from pht.rules.financing.settle import CENT, PRECISION, money, nurse_allowance

RULE_FRAME = "financing.capitation_frame"
RULE_TEAM = "financing.team_funding"


def expected_nurse_tariffs(
    funding: NurseFunding, gp_lists: int, schedules: Sequence[tuple[FeeSchedule, int]], days_in_year: int
) -> Decimal:
    """Fee model: the nurse tariffs a team by the norm is expected to bill in a year.

    ``schedules``: the fee schedule in force and the days it is in force (e.g. per month); the
    claims per FTE are spread over the year by days. Each (schedule, code) is rounded to øre."""
    total = Decimal("0.00")
    with localcontext() as ctx:
        ctx.prec = PRECISION
        fte = funding.fte(gp_lists)
        for schedule, days in schedules:
            for code, claims in sorted(funding.claims_per_fte.items()):
                tariff = schedule.tariff(code)
                if not tariff.is_nurse:
                    raise ValueError(f"nurse_funding claims_per_fte: tariff {code} is not a nurse tariff")
                total += money(fte * claims * tariff.reimbursement * days / days_in_year)
    return total


def largest_remainder(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Share ``total`` (whole øre, not negative) in proportion to ``weights`` (not negative, not all
    zero) to the øre: each gets its floor, the øre left over go to the largest remainders (ties:
    the earlier). The shares add up to ``total`` exactly."""
    if total < 0 or total != total.quantize(CENT):
        raise ValueError(f"the amount to share must be whole øre and not negative, got {total}")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights, Decimal(0))
    if not weights or weight_sum <= 0:
        if total == 0:
            return [Decimal("0.00")] * len(weights)
        raise ValueError(f"cannot share {total} by weights that are all zero")
    ore = int(total * 100)
    with localcontext() as ctx:
        ctx.prec = PRECISION + 20
        exact = [Decimal(ore) * w / weight_sum for w in weights]
    floors = [int(e.to_integral_value(rounding=ROUND_DOWN)) for e in exact]
    left = ore - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(n).scaleb(-2).quantize(CENT) for n in floors]


@dataclass(frozen=True)
class FramePractice:
    """What the frame is shared by, for one practice and year."""

    practice: str
    gp_lists: int
    needs_weight: Decimal  # e.g. normalised weight x resident-days, or the needs-weighted capitation
    quality_weight: Decimal  # e.g. points x resident-days, or the points-based quality grant


@dataclass(frozen=True)
class FrameShare:
    practice: str
    nurse_fte: Decimal
    nurse_allowance: Decimal
    needs_capitation: Decimal
    quality_grant: Decimal

    @property
    def capitation(self) -> Decimal:
        """The capitation component: the needs-weighted part + the nurse allowance."""
        return self.needs_capitation + self.nurse_allowance

    @property
    def total(self) -> Decimal:
        return self.capitation + self.quality_grant

    @property
    def for_team(self) -> Decimal:
        return self.nurse_allowance


@dataclass(frozen=True)
class Frame:
    reference_income: Decimal
    nurse_allowance: Decimal
    quality_pool: Decimal
    needs_pool: Decimal
    shares: tuple[FrameShare, ...]
    explanation: str

    @property
    def total(self) -> Decimal:
        return self.reference_income + self.nurse_allowance

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": RULE_FRAME,
            "reference_income": str(self.reference_income),
            "nurse_allowance": str(self.nurse_allowance),
            "frame": str(self.total),
            "quality_pool": str(self.quality_pool),
            "needs_pool": str(self.needs_pool),
            "explanation": self.explanation,
        }


def capitation_frame(
    reference_income: Decimal, practices: Sequence[FramePractice], funding: NurseFunding
) -> Frame:
    """Share a year's frame (``reference_income`` + every practice's nurse allowance) between the
    practices: nurse allowance by the norm, quality pool by quality weights (by needs weights when
    no practice has any), the rest by needs weights. Refuses a frame too small for the allowance."""
    if reference_income < 0 or reference_income != reference_income.quantize(CENT):
        raise ValueError(f"reference income must be whole øre and not negative, got {reference_income}")
    names = [p.practice for p in practices]
    if len(set(names)) != len(names):
        raise ValueError("a practice appears twice in the capitation frame")
    allowances = [nurse_allowance(funding, p.gp_lists) for p in practices]
    allowance = sum(allowances, Decimal("0.00"))
    frame = reference_income + allowance
    quality_pool = money(frame * funding.quality_share)
    needs_pool = frame - quality_pool - allowance
    if needs_pool < 0:
        raise ValueError(
            f"the capitation frame {frame} is too small: quality pool {quality_pool} and nurse allowance "
            f"{allowance} leave {needs_pool} for the needs-weighted capitation"
        )
    needs = largest_remainder(needs_pool, [p.needs_weight for p in practices])
    quality_weights = [p.quality_weight for p in practices]
    if sum(quality_weights, Decimal(0)) <= 0:
        quality_weights = [p.needs_weight for p in practices]
    quality = largest_remainder(quality_pool, quality_weights)
    shares = tuple(
        FrameShare(p.practice, funding.fte(p.gp_lists), a, n, q)
        for p, a, n, q in zip(practices, allowances, needs, quality, strict=True)
    )
    explanation = (
        f"frame {frame} = reference-year fee income {reference_income} (base grant and GP reimbursements, "
        f"without nurse tariffs) + nurse allowance {allowance} (1 FTE per {funding.gp_lists_per_fte} GP lists "
        f"x {funding.cost_per_fte} kr); quality grant {funding.quality_share} of the frame = {quality_pool}; "
        f"needs-weighted capitation {needs_pool}; shared to the øre by largest remainders"
    )
    return Frame(reference_income, allowance, quality_pool, needs_pool, shares, explanation)


def team_funding(
    model_components: Mapping[str, Decimal], nurse_allowance_amount: Decimal = Decimal(0)
) -> Decimal:
    """How much of a settlement's income is "for the team": the nurse tariffs (fee model) or the
    nurse allowance (capitation model)."""
    return model_components.get("nurse_reimbursement", Decimal("0.00")) + nurse_allowance_amount
