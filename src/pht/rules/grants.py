"""Grant amounts and payment plans for a grant decision (RULES.md §1).

Two grants per calendar year of the pilot period:

* to the practices: ``grant_per_gp_per_year`` for every participating GP;
* to the municipality (local project leadership): ``municipality_base_per_year`` plus
  ``municipality_per_gp_per_year`` for every participating GP.

Proration convention for partial years: a year's amount is multiplied by
``days of the period inside that calendar year / days in that calendar year`` (365 or 366),
both ends of the period included, and rounded ROUND_HALF_UP to 0.01 NOK once per year and
grant. So 1 Apr – 31 Dec 2018 is 275/365 of a year and 1 Jan – 31 Mar 2021 is 90/365.

Payment plan: each year's grant is paid in equal instalments on the first day of the
configured months (default January and July). An instalment due before the decision is
accepted is paid on the acceptance date instead (the first instalment comes when the decision
is accepted); instalments due after the period has ended are not used, so a year's money is
never paid after that year's part of the period is over. Rounding remainders go to the last
instalment of the year, so instalments add up exactly to the year's grant.

Reports: the municipality reports progress and spending once per calendar year of the period;
the report for a year is due on ``report_due_month_day`` (month, day; default 1 March) of the
year after (``report_due_date``).

A year's reason (how its grants were computed) is also a translatable message (``TEMPLATES``; the English
reason is rendered from it). Amounts in it are plain decimals (``904109.59``), as the decision stores them.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from pht.rules.explain import Message, render

RULE_AMOUNT = "grants.yearly_amount"
RULE_PLAN = "grants.payment_plan"
CENT = Decimal("0.01")

# English templates of the reasons' messages (ids -> ``%(name)s`` templates); the scheme app translates them.
TEMPLATES: Mapping[str, str] = {
    "grants.year": (
        "%(year)s: %(days)s/%(days_in_year)s days; practices %(gps)s GPs × %(per_gp)s × %(days)s/%(days_in_year)s "
        "= %(practice)s; municipality (%(base)s + %(gps)s × %(municipality_per_gp)s) × %(days)s/%(days_in_year)s "
        "= %(municipality)s"
    ),
}


def money(value: Decimal) -> Decimal:
    """Round to whole øre, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class GrantParameters:
    grant_per_gp_per_year: Decimal
    municipality_base_per_year: Decimal
    municipality_per_gp_per_year: Decimal
    instalment_months: tuple[int, ...] = (1, 7)
    report_due_month_day: tuple[int, int] = (3, 1)

    def __post_init__(self) -> None:
        for name in ("grant_per_gp_per_year", "municipality_base_per_year", "municipality_per_gp_per_year"):
            if getattr(self, name) < 0:
                raise ValueError(f"grant parameter {name!r} must not be negative")
        months = self.instalment_months
        if not months or list(months) != sorted(set(months)) or not all(1 <= m <= 12 for m in months):
            raise ValueError(
                f"grant parameter 'instalment_months' must be distinct months 1-12 in order, got {months}"
            )
        due = self.report_due_month_day
        try:
            month, day = due
            # A day that exists every year (1 March, not 29 February): checked in a common year.
            datetime.date(2001, month, day)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"grant parameter 'report_due_month_day' must be [month, day] of a date that exists "
                f"every year, got {due!r}"
            ) from exc

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> GrantParameters:
        raw_months = values.get("instalment_months", [1, 7])
        if not isinstance(raw_months, list | tuple) or not all(
            isinstance(m, int) and not isinstance(m, bool) for m in raw_months
        ):
            raise ValueError(
                f"grant parameter 'instalment_months' must be a list of months, got {raw_months!r}"
            )
        raw_due = values.get("report_due_month_day", [3, 1])
        if (
            not isinstance(raw_due, list | tuple)
            or len(raw_due) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in raw_due)
        ):
            raise ValueError(f"grant parameter 'report_due_month_day' must be [month, day], got {raw_due!r}")
        return cls(
            grant_per_gp_per_year=_decimal(values, "grant_per_gp_per_year"),
            municipality_base_per_year=_decimal(values, "municipality_base_per_year"),
            municipality_per_gp_per_year=_decimal(values, "municipality_per_gp_per_year"),
            instalment_months=tuple(int(m) for m in raw_months),
            report_due_month_day=(int(raw_due[0]), int(raw_due[1])),
        )


def _decimal(values: Mapping[str, object], key: str) -> Decimal:
    value = values.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError(f"grant parameter {key!r} must be a decimal string, got {value!r}")
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"grant parameter {key!r} is not a number: {value!r}") from exc


@dataclass(frozen=True)
class GrantYear:
    """The grants for one calendar year of the period, with how they were computed."""

    year: int
    first_day: datetime.date
    last_day: datetime.date
    days: int
    days_in_year: int
    gps: int
    practice_grant: Decimal
    municipality_grant: Decimal
    reason: str
    message: Message | None = None

    @property
    def total(self) -> Decimal:
        return self.practice_grant + self.municipality_grant

    def as_dict(self) -> dict[str, object]:
        return {
            "year": self.year,
            "days": self.days,
            "practice_grant": f"{self.practice_grant:.2f}",
            "municipality_grant": f"{self.municipality_grant:.2f}",
        }


def days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def grant_years(
    gps: int, start: datetime.date, end: datetime.date, params: GrantParameters
) -> list[GrantYear]:
    """Practice and municipality grants per calendar year for ``gps`` GPs from ``start`` to ``end``."""
    if gps < 0:
        raise ValueError(f"number of GPs must not be negative, got {gps}")
    if end < start:
        raise ValueError(f"period end {end.isoformat()} is before its start {start.isoformat()}")
    result: list[GrantYear] = []
    for year in range(start.year, end.year + 1):
        first = max(start, datetime.date(year, 1, 1))
        last = min(end, datetime.date(year, 12, 31))
        days = (last - first).days + 1
        in_year = days_in_year(year)
        practice_full = params.grant_per_gp_per_year * gps
        municipality_full = params.municipality_base_per_year + params.municipality_per_gp_per_year * gps
        # Multiply before dividing and round once, so no intermediate rounding creeps in.
        practice = money(practice_full * days / in_year)
        municipality = money(municipality_full * days / in_year)
        message = Message(
            "grants.year",
            {
                "year": str(year),
                "days": days,
                "days_in_year": in_year,
                "gps": gps,
                "per_gp": f"{params.grant_per_gp_per_year:.2f}",
                "practice": f"{practice:.2f}",
                "base": f"{params.municipality_base_per_year:.2f}",
                "municipality_per_gp": f"{params.municipality_per_gp_per_year:.2f}",
                "municipality": f"{municipality:.2f}",
            },
        )
        reason = render(message, TEMPLATES.__getitem__)
        result.append(
            GrantYear(year, first, last, days, in_year, gps, practice, municipality, reason, message)
        )
    return result


def report_due_date(year: int, params: GrantParameters) -> datetime.date:
    """When the report for calendar ``year`` is due: ``report_due_month_day`` of the year after."""
    month, day = params.report_due_month_day
    return datetime.date(year + 1, month, day)


@dataclass(frozen=True)
class Instalment:
    number: int
    due: datetime.date
    year: int
    practice_amount: Decimal
    municipality_amount: Decimal
    reason: str

    @property
    def total(self) -> Decimal:
        return self.practice_amount + self.municipality_amount


def _split(amount: Decimal, parts: int) -> list[Decimal]:
    each = money(amount / parts)
    return [each] * (parts - 1) + [amount - each * (parts - 1)]


def payment_plan(
    years: Sequence[GrantYear], params: GrantParameters, accepted_on: datetime.date
) -> list[Instalment]:
    """Instalments (due date, amounts) for the grant ``years`` of a decision accepted on ``accepted_on``."""
    planned: list[tuple[datetime.date, int, Decimal, Decimal, str]] = []
    for grant in years:
        dates = [
            datetime.date(grant.year, month, 1)
            for month in params.instalment_months
            if datetime.date(grant.year, month, 1) <= grant.last_day
        ]
        if not dates:  # e.g. months (3, 9) and a period ending in January: pay at the start
            dates = [grant.first_day]
        practice_parts = _split(grant.practice_grant, len(dates))
        municipality_parts = _split(grant.municipality_grant, len(dates))
        for index, (due, practice, municipality) in enumerate(
            zip(dates, practice_parts, municipality_parts, strict=True), start=1
        ):
            why = f"{grant.year} part {index} of {len(dates)}"
            if due < accepted_on:
                why += f", due {due.isoformat()} before acceptance, so paid on acceptance"
                due = accepted_on
            planned.append((due, grant.year, practice, municipality, why))
    # Instalments moved to the acceptance date are paid as one.
    merged: dict[tuple[datetime.date, int], list[tuple[Decimal, Decimal, str]]] = {}
    for due, year, practice, municipality, why in planned:
        merged.setdefault((due, year), []).append((practice, municipality, why))
    result: list[Instalment] = []
    for number, ((due, year), parts) in enumerate(sorted(merged.items()), start=1):
        result.append(
            Instalment(
                number=number,
                due=due,
                year=year,
                practice_amount=sum((p for p, _, _ in parts), Decimal("0")),
                municipality_amount=sum((m for _, m, _ in parts), Decimal("0")),
                reason="; ".join(why for _, _, why in parts),
            )
        )
    return result
