"""What a settlement is computed from: one practice's month, aggregated from list spells and claims.

The money arithmetic (``settle.py``) works on these aggregates, never on records, so the pure
path (``aggregate_practice_month`` here, over Python records) and the engine's path (Ibis over
the lake, ``pht.engine.finance``) feed the same function and agree to the øre by construction
once their aggregates agree — which the tests check.

Conventions (all stated once, here):

* A list spell covers ``listed_from`` to ``listed_to`` with both days included; ``listed_to``
  ``None`` means still listed. Resident-days of a month = days of the month inside a spell.
* A resident's capitation cell (sex, age band, morbidity level, municipality) is fixed for the
  month: age and the number of distinct chronic conditions (onset on or before that day) on the
  first day of the month the resident is on the list.
* Copayments: a claim is exempt when the patient's age on the claim date is under the fee
  schedule's ``copayment_exempt_under_age``. The copayment ceiling counts every claim of the
  calendar year, from any provider, in order of (date, claim id); ``pht.rules.copayment`` splits
  each copayment into the patient's and the state's part. The practice receives both parts.
* Quality indicators are counted on the month's last day (see ``quality_indicators.toml``).
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from pht.rules.copayment import split_copayments
from pht.rules.financing.parameters import CapitationParameters, DatedFeeSchedules, QualityParameters


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month, the unit of settlement."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"period month must be 1-12, got {self.month}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """``YYYY-MM``, e.g. ``2018-05``."""
        try:
            year_text, month_text = text.strip().split("-")
            if len(year_text) != 4 or len(month_text) != 2:
                raise ValueError
            return cls(int(year_text), int(month_text))
        except ValueError:
            raise ValueError(f"period {text!r} is not a month written YYYY-MM (e.g. 2018-05)") from None

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Completed years on ``day``."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


# --- records ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListSpell:
    """A resident's time on one practice's list (both ends included; ``listed_to`` None: still listed)."""

    resident_id: str
    practice: str
    sex: str  # "F" or "M"
    birth_date: datetime.date
    municipality: str
    listed_from: datetime.date
    listed_to: datetime.date | None = None

    def days_in(self, period: Period) -> int:
        first = max(self.listed_from, period.start)
        last = period.end if self.listed_to is None else min(self.listed_to, period.end)
        return max((last - first).days + 1, 0)

    def covers(self, day: datetime.date) -> bool:
        return self.listed_from <= day and (self.listed_to is None or day <= self.listed_to)


@dataclass(frozen=True)
class Condition:
    resident_id: str
    code: str  # ICPC-2
    onset: datetime.date


@dataclass(frozen=True)
class ClaimRecord:
    """One billed tariff code. ``practice`` is the billing practice, None for other providers
    (out-of-hours). Claims of one person are ordered by (date, claim_id) for the ceiling."""

    claim_id: int
    resident_id: str
    practice: str | None
    date: datetime.date
    code: str
    diagnosis: str | None = None


# --- aggregates ---------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class CapitationCell:
    sex: str
    age_band: str
    morbidity_level: int
    municipality: str
    resident_days: int
    residents: int  # list spells in the cell (see PracticeMonth.residents)


@dataclass(frozen=True, order=True)
class CodeCount:
    code: str
    claims: int
    exempt_claims: int  # of which copayment-exempt (patient under the exemption age)


@dataclass(frozen=True, order=True)
class IndicatorCount:
    indicator: str
    numerator: int
    denominator: int


@dataclass(frozen=True)
class PracticeMonth:
    """Everything the money arithmetic needs for one practice and month."""

    practice: str
    period: Period
    residents: int  # list spells with days in the month (= residents, but one who leaves and
    # rejoins the same list within the month counts twice; cheap to count in bulk)
    resident_days: int
    cells: tuple[CapitationCell, ...]
    codes: tuple[CodeCount, ...]
    copayment_patient: Decimal
    copayment_state: Decimal
    indicators: tuple[IndicatorCount, ...]


def copayment_splits(
    claims: Iterable[ClaimRecord],
    birth_dates: Mapping[str, datetime.date],
    schedules: DatedFeeSchedules,
    ceilings: Mapping[int, Decimal],
) -> dict[int, tuple[Decimal, Decimal, bool]]:
    """claim id -> (patient part, state part, exempt) for every claim given (all providers)."""
    by_person_year: dict[tuple[str, int], list[ClaimRecord]] = defaultdict(list)
    for claim in claims:
        by_person_year[(claim.resident_id, claim.date.year)].append(claim)
    result: dict[int, tuple[Decimal, Decimal, bool]] = {}
    for (resident, year), items in by_person_year.items():
        items.sort(key=lambda c: (c.date, c.claim_id))
        if year not in ceilings:
            raise ValueError(f"no copayment ceiling for {year}")
        birth = birth_dates.get(resident)
        if birth is None:
            raise ValueError(f"claim {items[0].claim_id}: resident {resident} has no birth date")
        dues: list[Decimal] = []
        exempt_flags: list[bool] = []
        for claim in items:
            schedule = schedules.on(claim.date)
            exempt = age_on(birth, claim.date) < schedule.copayment_exempt_under_age
            exempt_flags.append(exempt)
            dues.append(Decimal(0) if exempt else schedule.tariff(claim.code).copayment)
        for claim, split, exempt in zip(
            items, split_copayments(ceilings[year], dues), exempt_flags, strict=True
        ):
            result[claim.claim_id] = (split.patient, split.state, exempt)
    return result


def aggregate_practice_month(
    practice: str,
    period: Period,
    spells: Sequence[ListSpell],
    conditions: Sequence[Condition],
    claims: Sequence[ClaimRecord],
    schedules: DatedFeeSchedules,
    ceilings: Mapping[int, Decimal],
    capitation: CapitationParameters,
    quality: QualityParameters,
) -> PracticeMonth:
    """Aggregate the records of one practice and month.

    ``spells`` may include other practices' spells (ignored); ``claims`` must include every claim
    of the practice's residents from any provider in the calendar year up to the month's end
    (the copayment ceiling counts them all) and in the quality indicators' windows.
    """
    own = [s for s in spells if s.practice == practice and s.days_in(period) > 0]
    chronic: dict[str, list[Condition]] = defaultdict(list)
    for condition in conditions:
        chronic[condition.resident_id].append(condition)

    cells: dict[tuple[str, str, int, str], list[int]] = {}
    cell_residents: dict[tuple[str, str, int, str], int] = defaultdict(int)
    for spell in own:
        day = max(spell.listed_from, period.start)
        age = max(age_on(spell.birth_date, day), 0)
        count = len(
            {
                c.code
                for c in chronic[spell.resident_id]
                if c.code in capitation.chronic_codes and c.onset <= day
            }
        )
        key = (spell.sex, capitation.band_for(age), capitation.morbidity_level(count), spell.municipality)
        cells.setdefault(key, [0])[0] += spell.days_in(period)
        cell_residents[key] += 1

    birth_dates = {s.resident_id: s.birth_date for s in spells}
    year_claims = [c for c in claims if c.date.year == period.year and c.date <= period.end]
    splits = copayment_splits(year_claims, birth_dates, schedules, ceilings)
    month_claims = [c for c in year_claims if c.practice == practice and c.date >= period.start]
    code_counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    patient = state = Decimal(0)
    for claim in month_claims:
        part_patient, part_state, exempt = splits[claim.claim_id]
        code_counts[claim.code][0] += 1
        code_counts[claim.code][1] += int(exempt)
        patient += part_patient
        state += part_state

    indicators = tuple(
        _indicator_count(indicator_id, practice, period, spells, chronic, claims, quality)
        for indicator_id in (i.id for i in quality.indicators)
    )
    return PracticeMonth(
        practice=practice,
        period=period,
        residents=len(own),
        resident_days=sum(s.days_in(period) for s in own),
        cells=tuple(
            sorted(
                CapitationCell(
                    sex,
                    band,
                    level,
                    municipality,
                    days[0],
                    cell_residents[(sex, band, level, municipality)],
                )
                for (sex, band, level, municipality), days in cells.items()
            )
        ),
        codes=tuple(sorted(CodeCount(code, n, exempt) for code, (n, exempt) in code_counts.items())),
        copayment_patient=patient,
        copayment_state=state,
        indicators=indicators,
    )


def _indicator_count(
    indicator_id: str,
    practice: str,
    period: Period,
    spells: Sequence[ListSpell],
    chronic: Mapping[str, list[Condition]],
    claims: Sequence[ClaimRecord],
    quality: QualityParameters,
) -> IndicatorCount:
    indicator = next(i for i in quality.indicators if i.id == indicator_id)
    day = period.end
    window_start = day - datetime.timedelta(days=indicator.window_days - 1)
    denominator: set[str] = set()
    for spell in spells:
        if (
            spell.practice != practice
            or not spell.covers(day)
            or age_on(spell.birth_date, day) < indicator.min_age
        ):
            continue
        if any(
            c.code in indicator.denominator_conditions and c.onset <= day
            for c in chronic.get(spell.resident_id, ())
        ):
            denominator.add(spell.resident_id)
    numerator = {
        c.resident_id
        for c in claims
        if c.resident_id in denominator
        and c.practice == practice
        and window_start <= c.date <= day
        and (not indicator.numerator_diagnoses or c.diagnosis in indicator.numerator_diagnoses)
        and (not indicator.numerator_codes or c.code in indicator.numerator_codes)
    }
    return IndicatorCount(indicator_id, len(numerator), len(denominator))
