"""Load the financing parameters in force for a month, as the typed dataclasses the rules take."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

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
from pht.rules.financing.parameters import NurseFunding
from pht.rules.financing.socio import SocioEconomicIndex


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
def _typed(name: str, valid_from: datetime.date) -> Any:
    """One typed object per parameter version, shared by every month it is in force (the
    capitation rule caches per-cell constants by the identity of its parameters)."""
    version = load_parameters(name, valid_from)
    return _FACTORIES[name](version.values)


_FACTORIES: dict[str, Callable[[Any], Any]] = {
    "base_grant": BaseGrantRate.from_mapping,
    "fee_schedule": FeeSchedule.from_mapping,
    "capitation": CapitationParameters.from_mapping,
    "quality_indicators": QualityParameters.from_mapping,
}


@cache
def socio_economic_index(valid_from: datetime.date) -> SocioEconomicIndex:
    return SocioEconomicIndex.from_mapping(load_parameters("socio_economic_index", valid_from).values)


@cache
def _capitation(valid_from: datetime.date, socio_from: datetime.date) -> CapitationParameters:
    """The capitation parameters with the socio-economic factor of every municipality from the
    index in force (``socio_economic_index.toml``) where ``capitation.toml`` names none itself."""
    from pht.refdata import municipalities

    params: CapitationParameters = _typed("capitation", valid_from)
    index = socio_economic_index(socio_from)
    populations = {m.kommunenummer: m.population for m in municipalities(index.population_year)}
    factors = {**index.factors(populations), **params.socio_economic_factors}
    return dataclasses.replace(params, socio_economic_factors=factors)


@cache
def nurse_funding(day: datetime.date) -> NurseFunding:
    """The nurse funding parameters in force on ``day``."""
    return NurseFunding.from_mapping(load_parameters("nurse_funding", day).values)


@cache
def month_parameters(period: Period) -> MonthParameters:
    day = period.start
    base, fees, ceiling, capitation, quality = (
        load_parameters(name, day)
        for name in ("base_grant", "fee_schedule", "copayment_ceiling", "capitation", "quality_indicators")
    )
    socio = load_parameters("socio_economic_index", day)
    ceilings = {year: _ceiling(year) for year in range(period.year - 1, period.year + 1)}
    return MonthParameters(
        period=period,
        base_grant=_typed("base_grant", base.valid_from),
        schedule=_typed("fee_schedule", fees.valid_from),
        schedules=_schedules(),
        ceilings=ceilings,
        capitation=_capitation(capitation.valid_from, socio.valid_from),
        quality=_typed("quality_indicators", quality.valid_from),
        sets=(base, fees, ceiling, capitation, quality, socio),
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
