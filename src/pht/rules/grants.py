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
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

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


# --- grants per recipient (decision lines) ----------------------------------------------------
#
# A decision has one line per recipient: the municipality (project leadership) and each
# participating practice (implementation and development, per GP). A practice's line runs from its
# own start date; the municipality's line runs from the period start and carries
# ``municipality_base_per_year`` for the whole period plus ``municipality_per_gp_per_year`` for
# each practice's GPs from that practice's start. Each line and year is rounded once, half up, so
# the decision total is the sum of its lines to the øre.

MUNICIPALITY = "municipality"
PRACTICE = "practice"

LINE_TEMPLATES: Mapping[str, str] = {
    "grants.line.practice": "%(year)s: %(gps)s GPs × %(per_gp)s × %(days)s/%(days_in_year)s days = %(amount)s",
    "grants.line.municipality": (
        "%(year)s: %(base)s × %(days)s/%(days_in_year)s days + %(per_gp)s × %(gp_days)s GP-days / "
        "%(days_in_year)s = %(amount)s"
    ),
}


@dataclass(frozen=True)
class Recipient:
    """Who a decision line pays: the municipality or one practice, by organisation number."""

    kind: str
    orgnr: str
    name: str
    gps: int
    start: datetime.date

    def __post_init__(self) -> None:
        if self.kind not in (MUNICIPALITY, PRACTICE):
            raise ValueError(f"recipient {self.name!r}: kind must be {MUNICIPALITY!r} or {PRACTICE!r}")
        if self.gps < 0:
            raise ValueError(f"recipient {self.name!r}: number of GPs must not be negative, got {self.gps}")


@dataclass(frozen=True)
class LineYear:
    year: int
    first_day: datetime.date
    last_day: datetime.date
    amount: Decimal
    reason: str
    message: Message


@dataclass(frozen=True)
class GrantLine:
    recipient: Recipient
    start: datetime.date
    end: datetime.date
    years: tuple[LineYear, ...]

    @property
    def total(self) -> Decimal:
        return sum((y.amount for y in self.years), Decimal("0"))


def _days(first: datetime.date, last: datetime.date) -> int:
    return max(0, (last - first).days + 1)


def _year_span(year: int, start: datetime.date, end: datetime.date) -> tuple[datetime.date, datetime.date]:
    return max(start, datetime.date(year, 1, 1)), min(end, datetime.date(year, 12, 31))


def grant_lines(
    municipality: Recipient,
    practices: Sequence[Recipient],
    end: datetime.date,
    params: GrantParameters,
) -> list[GrantLine]:
    """The municipality's line and one line per practice, each per calendar year up to ``end``.

    ``municipality.start`` is the period start; a practice may start later (never earlier).
    """
    if municipality.kind != MUNICIPALITY or any(p.kind != PRACTICE for p in practices):
        raise ValueError("grant_lines takes the municipality first, then practices")
    if end < municipality.start:
        raise ValueError(f"period end {end.isoformat()} is before its start {municipality.start.isoformat()}")
    for p in practices:
        if p.start < municipality.start:
            raise ValueError(
                f"practice {p.name!r} ({p.orgnr}): start {p.start.isoformat()} is before the period start "
                f"{municipality.start.isoformat()}"
            )
        if p.start > end:
            raise ValueError(f"practice {p.name!r} ({p.orgnr}): start {p.start.isoformat()} is after the end")
    lines: list[GrantLine] = []
    municipality_years: list[LineYear] = []
    for year in range(municipality.start.year, end.year + 1):
        first, last = _year_span(year, municipality.start, end)
        in_year = days_in_year(year)
        days = _days(first, last)
        gp_days = sum(p.gps * _days(*_year_span(year, p.start, end)) for p in practices)
        amount = money(
            (params.municipality_base_per_year * days + params.municipality_per_gp_per_year * gp_days)
            / in_year
        )
        message = Message(
            "grants.line.municipality",
            {
                "year": str(year),
                "base": f"{params.municipality_base_per_year:.2f}",
                "days": days,
                "days_in_year": in_year,
                "per_gp": f"{params.municipality_per_gp_per_year:.2f}",
                "gp_days": gp_days,
                "amount": f"{amount:.2f}",
            },
        )
        municipality_years.append(
            LineYear(year, first, last, amount, render(message, LINE_TEMPLATES.__getitem__), message)
        )
    lines.append(GrantLine(municipality, municipality.start, end, tuple(municipality_years)))
    for p in practices:
        years: list[LineYear] = []
        for year in range(p.start.year, end.year + 1):
            first, last = _year_span(year, p.start, end)
            in_year = days_in_year(year)
            days = _days(first, last)
            amount = money(params.grant_per_gp_per_year * p.gps * days / in_year)
            message = Message(
                "grants.line.practice",
                {
                    "year": str(year),
                    "gps": p.gps,
                    "per_gp": f"{params.grant_per_gp_per_year:.2f}",
                    "days": days,
                    "days_in_year": in_year,
                    "amount": f"{amount:.2f}",
                },
            )
            years.append(
                LineYear(year, first, last, amount, render(message, LINE_TEMPLATES.__getitem__), message)
            )
        lines.append(GrantLine(p, p.start, end, tuple(years)))
    return lines


@dataclass(frozen=True)
class LineInstalment:
    due: datetime.date
    year: int
    amount: Decimal
    reason: str


def _plan_year(
    year: int,
    first_day: datetime.date,
    last_day: datetime.date,
    amount: Decimal,
    params: GrantParameters,
    not_before: datetime.date,
) -> list[tuple[datetime.date, Decimal, str]]:
    """One year's ``amount`` in equal parts on the instalment months inside ``first_day..last_day``.

    A date before ``first_day`` (the recipient's start in that year) or before ``not_before`` (the
    acceptance or amendment date) is paid on the later of the two instead; parts on the same date are
    paid as one.
    """
    dates = [
        datetime.date(year, month, 1)
        for month in params.instalment_months
        if datetime.date(year, month, 1) <= last_day
    ]
    if not dates:
        dates = [first_day]
    parts = _split(amount, len(dates))
    floor = max(first_day, not_before)
    merged: dict[datetime.date, tuple[Decimal, list[str]]] = {}
    for index, (due, part) in enumerate(zip(dates, parts, strict=True), start=1):
        why = f"{year} part {index} of {len(dates)}"
        if due < floor:
            why += f", due {due.isoformat()} before {floor.isoformat()}, so paid then"
            due = floor
        total, whys = merged.get(due, (Decimal("0"), []))
        merged[due] = (total + part, [*whys, why])
    return [(due, total, "; ".join(whys)) for due, (total, whys) in sorted(merged.items())]


def line_plan(line: GrantLine, params: GrantParameters, accepted_on: datetime.date) -> list[LineInstalment]:
    """The instalments of one line; none before the recipient's start or the acceptance date."""
    result: list[LineInstalment] = []
    for y in line.years:
        for due, amount, why in _plan_year(y.year, y.first_day, y.last_day, y.amount, params, accepted_on):
            if amount:
                result.append(LineInstalment(due, y.year, amount, why))
    return result


# --- amendments: extension and late joiners, within a budget frame ------------------------------
#
# An amendment re-plans the OPEN (not yet paid or in payment) part of every line as of a date, for
# a (possibly new) end date and (possibly) new practices, within a stated budget frame for the
# whole decision. Already paid or committed money stays as it is. Each line's remaining entitlement
# is, per year, the line's amount for that year under the new end and recipients minus what was
# already paid for that year (never below zero). If the entitlements fit in the frame minus what is
# paid, each line gets its entitlement; otherwise every line is scaled by the same factor
# (frame - paid) / entitlement, rounded down to the øre, and the øre left over go to the
# municipality's line, so the amended total equals the frame exactly and never exceeds it.


@dataclass(frozen=True)
class ReplannedLine:
    recipient: Recipient
    paid: Decimal
    entitlement: Decimal
    allocated: Decimal
    instalments: tuple[LineInstalment, ...]

    @property
    def total(self) -> Decimal:
        return self.paid + self.allocated


@dataclass(frozen=True)
class Replan:
    frame: Decimal
    paid: Decimal
    entitlement: Decimal
    factor: Decimal
    lines: tuple[ReplannedLine, ...]
    reason: str

    @property
    def total(self) -> Decimal:
        return self.paid + sum((line.allocated for line in self.lines), Decimal("0"))


def replan(
    municipality: Recipient,
    practices: Sequence[Recipient],
    end: datetime.date,
    params: GrantParameters,
    frame: Decimal,
    paid: Mapping[str, Mapping[int, Decimal]],
    as_of: datetime.date,
) -> Replan:
    """Re-plan the open instalments of every line within ``frame``.

    ``paid`` maps a recipient's orgnr to what it has been paid (or is being paid) per year.
    """
    if not frame.is_finite() or frame < 0:
        raise ValueError(f"budget frame must be a finite amount of 0 or more, got {frame}")
    lines = grant_lines(municipality, practices, end, params)
    paid_total = sum((a for per_year in paid.values() for a in per_year.values()), Decimal("0"))
    if paid_total > frame:
        raise ValueError(f"budget frame {frame:.2f} is less than what is already paid, {paid_total:.2f}")
    remaining: list[dict[int, Decimal]] = []
    for line in lines:
        already = paid.get(line.recipient.orgnr, {})
        remaining.append(
            {y.year: max(Decimal("0"), y.amount - already.get(y.year, Decimal("0"))) for y in line.years}
        )
    entitlement = sum((a for r in remaining for a in r.values()), Decimal("0"))
    available = frame - paid_total
    if entitlement <= available:
        factor = Decimal("1")
        allocations = [sum(r.values(), Decimal("0")) for r in remaining]
    else:
        factor = available / entitlement
        allocations = [
            (sum(r.values(), Decimal("0")) * available / entitlement).quantize(CENT, rounding=ROUND_DOWN)
            for r in remaining
        ]
        allocations[0] += available - sum(allocations, Decimal("0"))
    result: list[ReplannedLine] = []
    for line, per_year, allocated in zip(lines, remaining, allocations, strict=True):
        line_entitlement = sum(per_year.values(), Decimal("0"))
        instalments: list[LineInstalment] = []
        open_years = [y for y in line.years if per_year[y.year] > 0]
        left = allocated
        for index, y in enumerate(open_years):
            if index == len(open_years) - 1:
                amount = left
            else:
                amount = (allocated * per_year[y.year] / line_entitlement).quantize(CENT, rounding=ROUND_DOWN)
                left -= amount
            for due, part, why in _plan_year(y.year, y.first_day, y.last_day, amount, params, as_of):
                if part:
                    instalments.append(LineInstalment(due, y.year, part, why))
        already_paid = sum(paid.get(line.recipient.orgnr, {}).values(), Decimal("0"))
        result.append(
            ReplannedLine(line.recipient, already_paid, line_entitlement, allocated, tuple(instalments))
        )
    reason = (
        f"frame {frame:.2f}; paid or in payment {paid_total:.2f}; available {available:.2f}; "
        f"open entitlement to {end.isoformat()} {entitlement:.2f}; "
        + ("all of it fits" if factor == 1 else f"scaled by {available:.2f}/{entitlement:.2f}")
    )
    return Replan(frame, paid_total, entitlement, factor, tuple(result), reason)


# Every reason template of this module, for the presentation layer's catalogue.
TEMPLATES = {**TEMPLATES, **LINE_TEMPLATES}
