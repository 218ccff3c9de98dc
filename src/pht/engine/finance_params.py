"""Load the financing parameters in force for a month, as the typed dataclasses the rules take."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from pht.refdata.params import ParameterSet, load_parameters, parameter_versions
from pht.rules.financing import (
    BaseGrantRate,
    CapitationParameters,
    DatedFeeSchedules,
    FeeSchedule,
    Period,
    QualityParameters,
    copayment_ceiling_from_mapping,
)


@dataclass(frozen=True)
class MonthParameters:
    """Everything needed to settle one month: the versions in force on its first day."""

    period: Period
    base_grant: BaseGrantRate
    schedule: FeeSchedule
    schedules: DatedFeeSchedules
    ceilings: dict[int, Decimal]
    capitation: CapitationParameters
    quality: QualityParameters
    sets: tuple[ParameterSet, ...]

    @property
    def capitation_version(self) -> datetime.date:
        return next(s.valid_from for s in self.sets if s.name == "capitation")

    def provenance(self) -> tuple[dict[str, object], ...]:
        return tuple(p.provenance() for p in self.sets)


@cache
def _schedules() -> DatedFeeSchedules:
    return DatedFeeSchedules(
        tuple((v.valid_from, FeeSchedule.from_mapping(v.values)) for v in parameter_versions("fee_schedule"))
    )


def _ceiling(year: int) -> Decimal:
    version = load_parameters("copayment_ceiling", datetime.date(year, 1, 1))
    return copayment_ceiling_from_mapping(version.values)


@cache
def month_parameters(period: Period) -> MonthParameters:
    day = period.start
    base = load_parameters("base_grant", day)
    fees = load_parameters("fee_schedule", day)
    capitation = load_parameters("capitation", day)
    quality = load_parameters("quality_indicators", day)
    ceilings = {year: _ceiling(year) for year in range(period.year - 1, period.year + 1)}
    ceiling = load_parameters("copayment_ceiling", day)
    return MonthParameters(
        period=period,
        base_grant=BaseGrantRate.from_mapping(base.values),
        schedule=FeeSchedule.from_mapping(fees.values),
        schedules=_schedules(),
        ceilings=ceilings,
        capitation=CapitationParameters.from_mapping(capitation.values),
        quality=QualityParameters.from_mapping(quality.values),
        sets=(base, fees, ceiling, capitation, quality),
    )
