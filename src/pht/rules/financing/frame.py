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

``capitation_frame`` shares a year's frame at once (``pht.engine.nation`` does so for every practice
of a lake). The monthly statements of a group of practices (the pilot's) pay the frame by month
(``year_frame``, ``share_month``, ``apply_frame``): the year's quality pool and needs-weighted pool
are split over the months by their days; each month's pools are shared between the group's
practices by that month's capitation at the budget-neutral rate and points-based quality grant
(``settle_capitation_model``'s lines, kept on the statement as the weights), and one adjustment line
per component brings a statement to its share. The nurse allowance is paid as the statements pay it
(pro rata for each month's days). So a year of the group's statements adds up to the frame to the
øre, and each month needs only that month's data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, Decimal, localcontext

from pht.rules.explain import Classification, Message, render
from pht.rules.financing.parameters import FeeSchedule, NurseFunding
from pht.rules.financing.settle import (
    CAPITATION,
    CENT,
    PRECISION,
    Settlement,
    StatementLine,
    components_of,
    money,
    nurse_allowance,
)

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


# --- the frame by month: what the statements of a year pay ------------------------------------

# English templates of the frame's messages (ids -> ``%(name)s`` templates); the finance app translates
# them (pht.apps.finance.reasons), as it does the settlement rules' ``TEMPLATES``.
TEMPLATES: Mapping[str, str] = {
    "financing.frame": (
        "share of the capitation frame %(year)s: frame NOK %(frame)s = reference-year fee income "
        "NOK %(reference_income)s + nurse allowance NOK %(allowance)s; quality grant %(quality_share)s of the "
        "frame (NOK %(quality_pool)s), the rest capitation. This month: needs-weighted pool NOK %(month_needs)s "
        "shared by the capitation at the budget-neutral rate (here NOK %(needs_weight)s) gives NOK %(needs)s; "
        "quality pool NOK %(month_quality)s shared by the points-based quality grant (here "
        "NOK %(quality_weight)s) gives NOK %(quality)s"
    ),
    "financing.line.frame_capitation": "Adjustment to this month's share of the capitation frame",
    "financing.line.frame_quality": "Adjustment to this month's share of the frame's quality grant",
}


def _text(message: Message) -> str:
    return render(message, TEMPLATES.__getitem__)


@dataclass(frozen=True)
class FrameMonth:
    period: str
    days: int
    nurse_allowance: Decimal  # every practice's allowance of the month, as its statements pay it
    needs_pool: Decimal
    quality_pool: Decimal


@dataclass(frozen=True)
class YearFrame:
    """A year's capitation frame of a group of practices, split into months.

    frame = reference income + the nurse allowances of the year (as paid by month); quality pool =
    frame x ``quality_share`` (to the øre); the rest is capitation: the allowances and the
    needs-weighted pool. Both pools are split over the months by their days (largest remainders),
    so the months add up to the year exactly."""

    year: int
    practices: tuple[str, ...]
    reference_income: Decimal
    quality_share: Decimal
    months: tuple[FrameMonth, ...]

    @property
    def nurse_allowance(self) -> Decimal:
        return sum((m.nurse_allowance for m in self.months), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.reference_income + self.nurse_allowance

    @property
    def quality_pool(self) -> Decimal:
        return sum((m.quality_pool for m in self.months), Decimal("0.00"))

    @property
    def capitation(self) -> Decimal:
        """The capitation part: frame - quality pool = frame x (1 - quality share), to the øre."""
        return self.total - self.quality_pool

    def month(self, period: str) -> FrameMonth:
        for item in self.months:
            if item.period == period:
                return item
        raise KeyError(f"the frame of {self.year} has no month {period}")

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": RULE_FRAME,
            "year": self.year,
            "practices": list(self.practices),
            "reference_income": str(self.reference_income),
            "nurse_allowance": str(self.nurse_allowance),
            "frame": str(self.total),
            "quality_share": str(self.quality_share),
            "quality_pool": str(self.quality_pool),
            "capitation": str(self.capitation),
        }


def year_frame(
    year: int,
    practices: Sequence[str],
    reference_income: Decimal,
    months: Sequence[tuple[str, int, Decimal]],
    quality_share: Decimal,
) -> YearFrame:
    """The frame of a year from the group's reference income and, per month (period, days, the
    group's nurse allowance of the month), split into monthly pools. Refuses a frame too small."""
    if reference_income < 0 or reference_income != reference_income.quantize(CENT):
        raise ValueError(f"reference income must be whole øre and not negative, got {reference_income}")
    allowance = sum((a for _, _, a in months), Decimal("0.00"))
    frame = reference_income + allowance
    quality_pool = money(frame * quality_share)
    needs_pool = frame - quality_pool - allowance
    if needs_pool < 0:
        raise ValueError(
            f"the capitation frame {frame} of {year} is too small: quality pool {quality_pool} and nurse "
            f"allowance {allowance} leave {needs_pool} for the needs-weighted capitation"
        )
    days = [Decimal(d) for _, d, _ in months]
    needs = largest_remainder(needs_pool, days)
    quality = largest_remainder(quality_pool, days)
    return YearFrame(
        year,
        tuple(practices),
        reference_income,
        quality_share,
        tuple(
            FrameMonth(period, int(d), a, n, q)
            for (period, d, a), n, q in zip(months, needs, quality, strict=True)
        ),
    )


def share_month(
    month: FrameMonth, needs_weights: Sequence[Decimal], quality_weights: Sequence[Decimal]
) -> list[tuple[Decimal, Decimal]]:
    """(needs-weighted capitation, quality grant) of each practice of the group for the month: the
    month's pools shared to the øre by the weights (the quality pool by the needs weights when no
    practice has quality points)."""
    if sum(quality_weights, Decimal(0)) <= 0:
        quality_weights = needs_weights
    needs = largest_remainder(month.needs_pool, needs_weights)
    quality = largest_remainder(month.quality_pool, quality_weights)
    return list(zip(needs, quality, strict=True))


def apply_frame(
    settlement: Settlement,
    frame: YearFrame,
    needs: Decimal,
    quality: Decimal,
    needs_weight: Decimal,
    quality_weight: Decimal,
) -> Settlement:
    """A capitation statement paying its month's share of the frame: the lines at the budget-neutral
    rate and by quality points stay (they are the weights), and one adjustment line per component
    brings the capitation's needs-weighted part to ``needs`` and the quality grant to ``quality``."""
    if settlement.model != CAPITATION:
        raise ValueError("only a capitation statement is paid from the capitation frame")
    month = frame.month(settlement.period)
    adjustments = []
    for component, code, amount in (
        ("capitation", "frame_capitation", needs - needs_weight),
        ("quality_grant", "frame_quality", quality - quality_weight),
    ):
        message = Message(f"financing.line.{code}")
        adjustments.append(
            StatementLine(
                component,
                code,
                _text(message),
                Decimal(1),
                amount,
                amount,
                amount,
                {"year": frame.year, "frame": str(frame.total)},
                message,
            )
        )
    lines = list(settlement.lines)
    at = next((i for i, line in enumerate(lines) if line.component == "copayments"), len(lines))
    lines[at:at] = adjustments
    amounts: dict[str, Decimal] = {}
    for line in lines:
        amounts[line.component] = amounts.get(line.component, Decimal("0.00")) + line.amount
    components = components_of(amounts)
    message = Message(
        "financing.frame",
        {
            "year": str(frame.year),
            "frame": str(frame.total),
            "reference_income": str(frame.reference_income),
            "allowance": str(frame.nurse_allowance),
            "quality_share": str(frame.quality_share),
            "quality_pool": str(frame.quality_pool),
            "month_needs": str(month.needs_pool),
            "needs_weight": str(needs_weight),
            "needs": str(needs),
            "month_quality": str(month.quality_pool),
            "quality_weight": str(quality_weight),
            "quality": str(quality),
        },
    )
    item = Classification(
        RULE_FRAME,
        needs + quality,
        _text(message),
        {
            **frame.as_dict(),
            "month_needs_pool": str(month.needs_pool),
            "month_quality_pool": str(month.quality_pool),
        },
        message,
    )
    explanation = list(settlement.explanation)
    first = explanation[:1]
    if first:  # the model's total follows the frame's split
        head = first[0]
        first = [Classification(head.rule, components["total"], head.reason, head.inputs, head.message)]
    explanation = [*first, item, *explanation[1:]]
    return replace(settlement, components=components, lines=tuple(lines), explanation=tuple(explanation))
