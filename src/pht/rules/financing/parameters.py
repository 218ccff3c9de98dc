"""Typed parameters of the two financing models, built from versioned parameter data.

Each class has a ``from_mapping(values)`` classmethod that takes the ``values`` of one version of
a parameter set (``pht.refdata.params.load_parameters``) and refuses a malformed value naming
the parameter set and field. Amounts are ``Decimal`` (TOML decimal strings).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext

SEXES = ("F", "M")
MORBIDITY_LEVELS = 4  # 0, 1, 2, 3 or more chronic conditions (the last factor applies to "or more")


def _decimal(name: str, values: Mapping[str, object], key: str, *, minimum: Decimal = Decimal(0)) -> Decimal:
    value = values.get(key)
    return _to_decimal(name, key, value, minimum=minimum)


def _to_decimal(name: str, key: str, value: object, *, minimum: Decimal = Decimal(0)) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError(f"{name} parameter {key!r} must be a decimal string, got {value!r}")
    try:
        result = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{name} parameter {key!r} is not a number: {value!r}") from exc
    if not result.is_finite() or result < minimum:
        raise ValueError(f"{name} parameter {key!r} must be a number not below {minimum}, got {value!r}")
    return result


def _int(name: str, values: Mapping[str, object], key: str, *, minimum: int = 0) -> int:
    value = values.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(
            f"{name} parameter {key!r} must be a whole number not below {minimum}, got {value!r}"
        )
    return value


def _strings(name: str, values: Mapping[str, object], key: str) -> tuple[str, ...]:
    value = values.get(key, [])
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{name} parameter {key!r} must be a list of strings, got {value!r}")
    return tuple(str(v) for v in value)


def _mapping(name: str, values: Mapping[str, object], key: str) -> Mapping[str, object]:
    value = values.get(key, {})
    if not isinstance(value, Mapping):
        raise ValueError(f"{name} parameter {key!r} must be a table, got {value!r}")
    return value


# --- fee schedule -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tariff:
    code: str
    description: str
    fee: Decimal
    copayment: Decimal
    reimbursement: Decimal
    billed_by: tuple[str, ...]

    @property
    def is_nurse(self) -> bool:
        """Nurse tariffs are settled as ``nurse_reimbursement``; all others as ``fee_reimbursement``."""
        return "nurse" in self.billed_by


@dataclass(frozen=True)
class FeeSchedule:
    tariffs: Mapping[str, Tariff]
    copayment_exempt_under_age: int

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> FeeSchedule:
        raw = values.get("tariffs")
        if not isinstance(raw, list) or not raw:
            raise ValueError("fee_schedule parameter 'tariffs' must be a non-empty list")
        tariffs: dict[str, Tariff] = {}
        for index, entry in enumerate(raw, start=1):
            if not isinstance(entry, Mapping):
                raise ValueError(f"fee_schedule parameter 'tariffs', entry {index}: must be a table")
            code = entry.get("code")
            if not isinstance(code, str) or not code:
                raise ValueError(f"fee_schedule parameter 'tariffs', entry {index}, field 'code': missing")
            where = f"fee_schedule tariff {code}"
            tariff = Tariff(
                code=code,
                description=str(entry.get("description", "")),
                fee=_decimal(where, entry, "fee"),
                copayment=_decimal(where, entry, "copayment"),
                reimbursement=_decimal(where, entry, "reimbursement"),
                billed_by=_strings(where, entry, "billed_by"),
            )
            if tariff.copayment + tariff.reimbursement != tariff.fee:
                raise ValueError(f"{where}: fee {tariff.fee} is not copayment + reimbursement")
            if code in tariffs:
                raise ValueError(f"fee_schedule parameter 'tariffs': code {code} appears twice")
            tariffs[code] = tariff
        return cls(
            tariffs=tariffs,
            copayment_exempt_under_age=_int("fee_schedule", values, "copayment_exempt_under_age"),
        )

    def tariff(self, code: str) -> Tariff:
        try:
            return self.tariffs[code]
        except KeyError:
            raise ValueError(f"tariff code {code!r} is not in the fee schedule") from None


@dataclass(frozen=True)
class DatedFeeSchedules:
    """The fee schedule versions in order, to price a claim by the schedule in force on its date."""

    versions: tuple[tuple[datetime.date, FeeSchedule], ...]

    def __post_init__(self) -> None:
        if not self.versions:
            raise ValueError("at least one fee schedule version is needed")
        dates = [d for d, _ in self.versions]
        if dates != sorted(dates):
            raise ValueError("fee schedule versions must be in date order")

    def on(self, day: datetime.date) -> FeeSchedule:
        for valid_from, schedule in reversed(self.versions):
            if valid_from <= day:
                return schedule
        raise ValueError(f"no fee schedule in force on {day.isoformat()}")


@dataclass(frozen=True)
class BaseGrantRate:
    rate_per_year: Decimal
    days_in_year: int = 365

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> BaseGrantRate:
        return cls(
            rate_per_year=_decimal("base_grant", values, "rate_per_year"),
            days_in_year=_int("base_grant", values, "days_in_year", minimum=1),
        )


# --- capitation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgeBand:
    label: str
    min_age: int
    max_age: int


@dataclass(frozen=True)
class CapitationParameters:
    days_in_year: int
    age_bands: tuple[AgeBand, ...]
    age_sex_weights: Mapping[tuple[str, str], Decimal]  # (sex, band label) -> raw weight
    chronic_codes: frozenset[str]
    morbidity_factors: tuple[Decimal, ...]  # by number of chronic conditions; the last is "or more"
    socio_economic_default: Decimal
    socio_economic_factors: Mapping[str, Decimal]  # kommunenummer -> factor
    budget_neutral: bool
    reference_year: int
    rate_per_year: Decimal

    def __post_init__(self) -> None:
        ages = sorted((b.min_age, b.max_age) for b in self.age_bands)
        if not ages or ages[0][0] != 0:
            raise ValueError("capitation parameter 'age_bands' must start at age 0")
        for (_, high), (low, _) in zip(ages, ages[1:], strict=False):
            if low != high + 1:
                raise ValueError("capitation parameter 'age_bands' must not overlap or leave gaps")
        for sex in SEXES:
            for band in self.age_bands:
                if (sex, band.label) not in self.age_sex_weights:
                    raise ValueError(
                        f"capitation parameter 'age_sex_weights': no weight for {sex} {band.label}"
                    )
        if not self.morbidity_factors:
            raise ValueError("capitation parameter 'morbidity_factors' must not be empty")

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> CapitationParameters:
        raw_bands = values.get("age_bands")
        if not isinstance(raw_bands, list) or not raw_bands:
            raise ValueError("capitation parameter 'age_bands' must be a non-empty list")
        bands = []
        for entry in raw_bands:
            if not isinstance(entry, Mapping) or not isinstance(entry.get("label"), str):
                raise ValueError(f"capitation parameter 'age_bands': malformed band {entry!r}")
            bands.append(
                AgeBand(
                    label=str(entry["label"]),
                    min_age=_int("capitation age band", entry, "min_age"),
                    max_age=_int("capitation age band", entry, "max_age"),
                )
            )
        weights: dict[tuple[str, str], Decimal] = {}
        for sex, table in _mapping("capitation", values, "age_sex_weights").items():
            if sex not in SEXES or not isinstance(table, Mapping):
                raise ValueError(f"capitation parameter 'age_sex_weights': unknown sex {sex!r}")
            for label, weight in table.items():
                weights[(sex, str(label))] = _to_decimal(
                    "capitation", f"age_sex_weights.{sex}.{label}", weight
                )
        factors = tuple(
            _to_decimal("capitation", "morbidity_factors", v)
            for v in _strings("capitation", values, "morbidity_factors")
        )
        socio = {
            str(k): _to_decimal("capitation", f"socio_economic_factors.{k}", v)
            for k, v in _mapping("capitation", values, "socio_economic_factors").items()
        }
        budget_neutral = values.get("budget_neutral", False)
        if not isinstance(budget_neutral, bool):
            raise ValueError(
                f"capitation parameter 'budget_neutral' must be true or false, got {budget_neutral!r}"
            )
        return cls(
            days_in_year=_int("capitation", values, "days_in_year", minimum=1),
            age_bands=tuple(bands),
            age_sex_weights=weights,
            chronic_codes=frozenset(_strings("capitation", values, "chronic_codes")),
            morbidity_factors=factors,
            socio_economic_default=_decimal("capitation", values, "socio_economic_default"),
            socio_economic_factors=socio,
            budget_neutral=budget_neutral,
            reference_year=_int("capitation", values, "reference_year", minimum=1900),
            rate_per_year=_decimal("capitation", values, "rate_per_year"),
        )

    def band_for(self, age: int) -> str:
        for band in self.age_bands:
            if band.min_age <= age <= band.max_age:
                return band.label
        raise ValueError(f"age {age} is in no capitation age band")

    def morbidity_level(self, chronic_count: int) -> int:
        return min(max(chronic_count, 0), len(self.morbidity_factors) - 1)

    def socio_economic_factor(self, kommunenummer: str) -> Decimal:
        return self.socio_economic_factors.get(kommunenummer, self.socio_economic_default)

    def raw_weight(self, sex: str, band: str, morbidity_level: int, kommunenummer: str) -> Decimal:
        """age/sex weight x morbidity factor x socio-economic factor, before normalisation."""
        try:
            age_sex = self.age_sex_weights[(sex, band)]
        except KeyError:
            raise ValueError(f"no capitation weight for sex {sex!r}, age band {band!r}") from None
        return (
            age_sex
            * self.morbidity_factors[self.morbidity_level(morbidity_level)]
            * self.socio_economic_factor(kommunenummer)
        )


# --- quality-based grant ------------------------------------------------------------------------


@dataclass(frozen=True)
class QualityIndicator:
    id: str
    title: str
    denominator_conditions: frozenset[str]
    numerator_diagnoses: frozenset[str]  # empty: any diagnosis
    numerator_codes: frozenset[str]  # empty: any tariff code
    window_days: int
    lower: Decimal
    upper: Decimal
    max_points: int
    min_age: int = 0

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.lower < self.upper <= Decimal(1):
            raise ValueError(f"quality indicator {self.id}: need 0 <= lower < upper <= 1")
        if not self.denominator_conditions:
            raise ValueError(f"quality indicator {self.id}: 'denominator_conditions' must not be empty")


@dataclass(frozen=True)
class QualityParameters:
    value_per_point: Decimal  # NOK per point per ``per_list_residents`` list residents per year
    per_list_residents: int
    days_in_year: int
    indicators: tuple[QualityIndicator, ...]

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> QualityParameters:
        raw = values.get("indicators")
        if not isinstance(raw, list):
            raise ValueError("quality_indicators parameter 'indicators' must be a list")
        indicators: list[QualityIndicator] = []
        for index, entry in enumerate(raw, start=1):
            if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
                raise ValueError(f"quality_indicators parameter 'indicators', entry {index}: needs an 'id'")
            where = f"quality indicator {entry['id']}"
            indicators.append(
                QualityIndicator(
                    id=str(entry["id"]),
                    title=str(entry.get("title", entry["id"])),
                    denominator_conditions=frozenset(_strings(where, entry, "denominator_conditions")),
                    numerator_diagnoses=frozenset(_strings(where, entry, "numerator_diagnoses")),
                    numerator_codes=frozenset(_strings(where, entry, "numerator_codes")),
                    window_days=_int(where, entry, "window_days", minimum=1),
                    lower=_decimal(where, entry, "lower"),
                    upper=_decimal(where, entry, "upper"),
                    max_points=_int(where, entry, "max_points"),
                    min_age=_int(where, entry, "min_age") if "min_age" in entry else 0,
                )
            )
        ids = [i.id for i in indicators]
        if len(set(ids)) != len(ids):
            raise ValueError("quality_indicators parameter 'indicators': an id appears twice")
        return cls(
            value_per_point=_decimal("quality_indicators", values, "value_per_point"),
            per_list_residents=_int("quality_indicators", values, "per_list_residents", minimum=1),
            days_in_year=_int("quality_indicators", values, "days_in_year", minimum=1),
            indicators=tuple(indicators),
        )


# --- nurse funding (team norm) ------------------------------------------------------------------


@dataclass(frozen=True)
class NurseFunding:
    """One version of ``nurse_funding.toml``."""

    gp_lists_per_fte: Decimal
    cost_per_fte: Decimal  # NOK per FTE per year: the capitation model's nurse allowance
    claims_per_fte: Mapping[str, int]  # nurse tariff code -> claims one FTE bills per year
    quality_share: Decimal  # share of the capitation frame paid as the quality grant
    supply_fte: Decimal  # nurse FTE available for GP teams nationally (stated supply figure)

    def __post_init__(self) -> None:
        if self.gp_lists_per_fte <= 0:
            raise ValueError("nurse_funding parameter 'gp_lists_per_fte' must be above 0")
        if not Decimal(0) <= self.quality_share < Decimal(1):
            raise ValueError("nurse_funding parameter 'quality_share' must lie in [0, 1)")

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> NurseFunding:
        claims: dict[str, int] = {}
        for code, count in _mapping("nurse_funding", values, "claims_per_fte").items():
            claims[str(code)] = _int("nurse_funding", {"n": count}, "n")
        return cls(
            gp_lists_per_fte=_decimal("nurse_funding", values, "gp_lists_per_fte"),
            cost_per_fte=_decimal("nurse_funding", values, "cost_per_fte"),
            claims_per_fte=claims,
            quality_share=_decimal("nurse_funding", values, "quality_share"),
            supply_fte=_decimal("nurse_funding", values, "supply_fte"),
        )

    def fte(self, gp_lists: int) -> Decimal:
        """Nurse FTE by the norm for a practice of ``gp_lists`` GP lists (exact)."""
        if gp_lists < 0:
            raise ValueError(f"gp_lists must not be negative, got {gp_lists}")
        with localcontext() as ctx:
            ctx.prec = 40
            return Decimal(gp_lists) / self.gp_lists_per_fte


def copayment_ceiling_from_mapping(values: Mapping[str, object]) -> Decimal:
    return _decimal("copayment_ceiling", values, "ceiling")


__all__: Sequence[str] = (
    "AgeBand",
    "BaseGrantRate",
    "CapitationParameters",
    "DatedFeeSchedules",
    "FeeSchedule",
    "NurseFunding",
    "QualityIndicator",
    "QualityParameters",
    "Tariff",
    "copayment_ceiling_from_mapping",
)
