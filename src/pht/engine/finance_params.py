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


def national_divisor(capitation: CapitationParameters, year: int = 2017) -> Decimal:
    """Mean raw age/sex weight of Norway's population (refdata, 1 January ``year``), for normalising
    where no lake is at hand (the what-if). Morbidity is not known nationally: factor of level 0."""
    from pht.refdata import national_population_by_age_sex

    weighted = Decimal(0)
    people = 0
    for row in national_population_by_age_sex(year):
        band = capitation.band_for(row.age)
        for sex, count in (("M", row.male), ("F", row.female)):
            weighted += capitation.raw_weight(sex, band, 0, "") * count
            people += count
    return weighted / people


def what_if_parameters(year: int) -> tuple[dict[int, BaseGrantRate], dict[int, FeeSchedule], MonthParameters]:
    months = {m: month_parameters(Period(year, m)) for m in range(1, 13)}
    return (
        {m: p.base_grant for m, p in months.items()},
        {m: p.schedule for m, p in months.items()},
        months[1],
    )
