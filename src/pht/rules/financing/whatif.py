"""What-if: a year's income under each financing model from a list composition and activity.

For a practice, or a municipality before it chooses a model. The year is settled month by month
with the same rules as real statements, from aggregates built here:

* list residents per (sex, age band), held constant over the year, split over morbidity levels by
  the given shares (rounded half up per cell, remainder to level 0);
* yearly activity per tariff code, spread over the months by days (cumulative rounding, so the
  months add up to the yearly count); claims by children under the exemption age in proportion to
  the list's residents under 16 (an approximation, stated on the page);
* the share of copayments the state pays above the ceiling;
* quality attainment: the share of each indicator's way from its lower to its upper threshold.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from pht.rules.financing.inputs import CapitationCell, CodeCount, IndicatorCount, Period, PracticeMonth
from pht.rules.financing.parameters import BaseGrantRate, CapitationParameters, FeeSchedule, QualityParameters
from pht.rules.financing.settle import (
    COMPONENTS,
    CapitationRate,
    Settlement,
    settle_capitation_model,
    settle_fee_model,
)

CHILD_BANDS = ("0-5", "6-15")


@dataclass(frozen=True)
class WhatIf:
    residents: Mapping[tuple[str, str], int]  # (sex, age band) -> residents
    activity: Mapping[str, int]  # tariff code -> claims per year
    morbidity_shares: tuple[Decimal, ...] = (Decimal(1),)  # share of residents at level 0, 1, 2, 3+
    municipality: str = "0000"
    state_copayment_share: Decimal = Decimal(0)
    quality_attainment: Decimal = Decimal("0.5")

    def __post_init__(self) -> None:
        if any(n < 0 for n in self.residents.values()) or any(n < 0 for n in self.activity.values()):
            raise ValueError("residents and activity must not be negative")
        if any(s < 0 for s in self.morbidity_shares) or sum(self.morbidity_shares) > 1:
            raise ValueError("morbidity shares must be non-negative and add up to at most 1")
        if (
            not Decimal(0) <= self.state_copayment_share <= 1
            or not Decimal(0) <= self.quality_attainment <= 1
        ):
            raise ValueError("shares must lie between 0 and 1")


@dataclass(frozen=True)
class WhatIfResult:
    year: int
    fee: Mapping[str, Decimal]
    capitation: Mapping[str, Decimal]
    months: tuple[tuple[Settlement, Settlement], ...] = field(repr=False)

    @property
    def difference(self) -> Decimal:
        """Capitation total minus fee total (positive: the practice gains under capitation)."""
        return self.capitation["total"] - self.fee["total"]


def _spread(yearly: int, year: int) -> list[int]:
    """Monthly counts by days, cumulative rounding half up, adding up to ``yearly``."""
    days_in_year = (datetime.date(year + 1, 1, 1) - datetime.date(year, 1, 1)).days
    counts, done, elapsed = [], 0, 0
    for month in range(1, 13):
        elapsed += Period(year, month).days
        target = int((Decimal(yearly) * elapsed / days_in_year).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        counts.append(target - done)
        done = target
    return counts


def _levels(count: int, shares: tuple[Decimal, ...]) -> list[int]:
    split = [int((Decimal(count) * s).quantize(Decimal(1), rounding=ROUND_HALF_UP)) for s in shares]
    while sum(split) > count:  # rounding up too far: take back from the highest level that has some
        split[max(i for i, n in enumerate(split) if n > 0)] -= 1
    split[0] += count - sum(split)
    return split


def what_if_year(
    scenario: WhatIf,
    year: int,
    base_grant: Mapping[int, BaseGrantRate],  # by month
    schedules: Mapping[int, FeeSchedule],  # by month
    capitation: CapitationParameters,
    rate: CapitationRate,
    quality: QualityParameters,
) -> WhatIfResult:
    """Both models' income for ``year`` (components summed over the 12 monthly settlements)."""
    total_residents = sum(scenario.residents.values())
    children = sum(n for (_, band), n in scenario.residents.items() if band in CHILD_BANDS)
    spread = {code: _spread(n, year) for code, n in scenario.activity.items()}
    months: list[tuple[Settlement, Settlement]] = []
    for month in range(1, 13):
        period = Period(year, month)
        schedule = schedules[month]
        cells = []
        for (sex, band), count in sorted(scenario.residents.items()):
            for level, residents in enumerate(_levels(count, scenario.morbidity_shares)):
                if residents:
                    cells.append(
                        CapitationCell(
                            sex, band, level, scenario.municipality, residents * period.days, residents
                        )
                    )
        codes, due = [], Decimal(0)
        for code, counts in sorted(spread.items()):
            claims = counts[month - 1]
            if not claims:
                continue
            exempt = (
                int(
                    (Decimal(claims) * children / total_residents).quantize(
                        Decimal(1), rounding=ROUND_HALF_UP
                    )
                )
                if total_residents
                else 0
            )
            codes.append(CodeCount(code, claims, exempt))
            due += schedule.tariff(code).copayment * (claims - exempt)
        state = (due * scenario.state_copayment_share).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        indicators = tuple(
            IndicatorCount(
                i.id,
                int(
                    ((i.lower + (i.upper - i.lower) * scenario.quality_attainment) * 1000).to_integral_value()
                ),
                1000,
            )
            for i in quality.indicators
        )
        aggregate = PracticeMonth(
            practice="what-if",
            period=period,
            residents=total_residents,
            resident_days=total_residents * period.days,
            cells=tuple(cells),
            codes=tuple(codes),
            copayment_patient=due - state,
            copayment_state=state,
            indicators=indicators,
        )
        months.append(
            (
                settle_fee_model(aggregate, base_grant[month], schedule),
                settle_capitation_model(aggregate, capitation, rate, quality, schedule),
            )
        )
    fee = {name: sum((m[0].components[name] for m in months), Decimal("0.00")) for name in COMPONENTS}
    cap = {name: sum((m[1].components[name] for m in months), Decimal("0.00")) for name in COMPONENTS}
    return WhatIfResult(year=year, fee=fee, capitation=cap, months=tuple(months))
