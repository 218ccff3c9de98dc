"""Own model vs shadow model: who gains, who loses, and why (pure: no Django, no I/O).

Sign convention: ``difference = shadow − own``. A positive difference means the shadow model (the
model the practice is *not* paid by) would have paid more: the practice is a *winner* of a switch;
a negative one, a *loser*. Totals are the sums of the components over the months both models were
settled, so the components' differences add up to the total difference exactly (to the øre).

The "why" has two parts: the component whose difference explains most of the total difference
(the largest one pulling the same way; the largest in size when the total is zero), with the
largest one pulling against it (what it had to make up for), and the list
characteristics (list size, share aged 67+ and 80+, share with a chronic condition, ...) that stand
out against the pilot average, the unweighted mean over the compared practices.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from pht.rules.financing.settle import COMPONENTS

ZERO = Decimal("0.00")
# The components compared (settle.COMPONENTS without "total", which is their sum).
COMPARED = tuple(component for component in COMPONENTS if component != "total")
# A characteristic stands out when it differs from the pilot average by at least this share of it.
STANDOUT = Decimal("0.15")
MAX_STANDOUTS = 3


@dataclass(frozen=True)
class PracticeInput:
    """One practice: component amounts per month of its own model and of the shadow model, and its
    list characteristics (name -> value, e.g. ``{"list_size": 1450, "share_80": 0.05}``)."""

    practice: str
    name: str
    own_model: str
    shadow_model: str
    own: Mapping[str, Mapping[str, Decimal]]
    shadow: Mapping[str, Mapping[str, Decimal]]
    characteristics: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Amounts:
    """Own, shadow and their difference (shadow − own) for one month or one component."""

    key: str
    own: Decimal
    shadow: Decimal

    @property
    def difference(self) -> Decimal:
        return self.shadow - self.own


@dataclass(frozen=True)
class Standout:
    """A list characteristic that differs from the pilot average; ``relative`` = value / average − 1."""

    name: str
    value: Decimal
    average: Decimal
    relative: Decimal

    @property
    def higher(self) -> bool:
        return self.relative > 0


@dataclass(frozen=True)
class PracticeComparison:
    practice: str
    name: str
    own_model: str
    shadow_model: str
    by_month: list[Amounts]
    by_component: list[Amounts]
    main_component: str | None
    offsetting_component: str | None
    standouts: list[Standout]
    characteristics: Mapping[str, Decimal]
    missing_months: list[str]

    @property
    def own_total(self) -> Decimal:
        return sum((m.own for m in self.by_month), ZERO)

    @property
    def shadow_total(self) -> Decimal:
        return sum((m.shadow for m in self.by_month), ZERO)

    @property
    def difference(self) -> Decimal:
        return self.shadow_total - self.own_total

    @property
    def main_amounts(self) -> Amounts | None:
        return next((c for c in self.by_component if c.key == self.main_component), None)

    @property
    def offsetting_amounts(self) -> Amounts | None:
        return next((c for c in self.by_component if c.key == self.offsetting_component), None)


@dataclass(frozen=True)
class Comparison:
    practices: list[PracticeComparison]
    averages: Mapping[str, Decimal]
    by_component: list[Amounts]
    by_month: list[Amounts]

    @property
    def own_total(self) -> Decimal:
        return sum((p.own_total for p in self.practices), ZERO)

    @property
    def shadow_total(self) -> Decimal:
        return sum((p.shadow_total for p in self.practices), ZERO)

    @property
    def difference(self) -> Decimal:
        return self.shadow_total - self.own_total

    @property
    def ranked(self) -> list[PracticeComparison]:
        """Largest gain first, largest loss last (ties by practice number, so the order is stable)."""
        return sorted(self.practices, key=lambda p: (-p.difference, p.practice))

    @property
    def winners(self) -> list[PracticeComparison]:
        return [p for p in self.ranked if p.difference > 0]

    @property
    def losers(self) -> list[PracticeComparison]:
        return sorted(
            (p for p in self.practices if p.difference < 0), key=lambda p: (p.difference, p.practice)
        )

    @property
    def unchanged(self) -> list[PracticeComparison]:
        return [p for p in self.ranked if p.difference == 0]


def _component(amounts: Mapping[str, Decimal], name: str) -> Decimal:
    return Decimal(amounts.get(name, ZERO))


def main_component(by_component: Sequence[Amounts]) -> str | None:
    """The component explaining most of the total difference: the largest difference of the same
    sign as the total (a component pulling the other way explains none of it); for a zero total, the
    largest in size. None when every component is equal under both models."""
    total = sum((c.difference for c in by_component), ZERO)
    if total > 0:
        candidates = [c for c in by_component if c.difference > 0]
    elif total < 0:
        candidates = [c for c in by_component if c.difference < 0]
    else:
        candidates = [c for c in by_component if c.difference != 0]
    if not candidates:
        return None
    return max(candidates, key=lambda c: abs(c.difference)).key


def offsetting_component(by_component: Sequence[Amounts]) -> str | None:
    """The largest component difference pulling against the total difference (what the main
    component had to make up for, e.g. the fee reimbursements a capitation replaces); None if none does."""
    total = sum((c.difference for c in by_component), ZERO)
    against = [c for c in by_component if (c.difference < 0 if total >= 0 else c.difference > 0)]
    if total == 0 or not against:
        return None
    return max(against, key=lambda c: abs(c.difference)).key


def averages(practices: Sequence[PracticeInput]) -> dict[str, Decimal]:
    """The pilot average of each characteristic: the unweighted mean over the practices that have it."""
    values: dict[str, list[Decimal]] = {}
    for p in practices:
        for name, value in p.characteristics.items():
            values.setdefault(name, []).append(Decimal(value))
    return {name: sum(vs, Decimal(0)) / len(vs) for name, vs in values.items()}


def standouts(
    characteristics: Mapping[str, Decimal],
    average: Mapping[str, Decimal],
    threshold: Decimal = STANDOUT,
    limit: int = MAX_STANDOUTS,
) -> list[Standout]:
    """The characteristics at least ``threshold`` (relative) above or below the average, most
    different first, at most ``limit``. A zero average has no relative difference: left out."""
    found = []
    for name, value in characteristics.items():
        mean = average.get(name)
        if mean is None or mean == 0:
            continue
        relative = Decimal(value) / mean - 1
        if abs(relative) >= threshold:
            found.append(Standout(name, Decimal(value), mean, relative))
    found.sort(key=lambda s: (-abs(s.relative), s.name))
    return found[:limit]


def compare_practice(
    practice: PracticeInput, average: Mapping[str, Decimal], components: Sequence[str] = COMPARED
) -> PracticeComparison:
    """One practice over the months settled under both models (months with only one are listed as
    missing, not compared)."""
    months = sorted(set(practice.own) & set(practice.shadow))
    missing = sorted(set(practice.own) ^ set(practice.shadow))
    by_month = [
        Amounts(
            period,
            sum((_component(practice.own[period], c) for c in components), ZERO),
            sum((_component(practice.shadow[period], c) for c in components), ZERO),
        )
        for period in months
    ]
    by_component = [
        Amounts(
            c,
            sum((_component(practice.own[period], c) for period in months), ZERO),
            sum((_component(practice.shadow[period], c) for period in months), ZERO),
        )
        for c in components
    ]
    return PracticeComparison(
        practice=practice.practice,
        name=practice.name,
        own_model=practice.own_model,
        shadow_model=practice.shadow_model,
        by_month=by_month,
        by_component=by_component,
        main_component=main_component(by_component),
        offsetting_component=offsetting_component(by_component),
        standouts=standouts(practice.characteristics, average),
        characteristics=dict(practice.characteristics),
        missing_months=missing,
    )


def compare(practices: Sequence[PracticeInput], components: Sequence[str] = COMPARED) -> Comparison:
    """Every practice compared, against the pilot average of the characteristics, and the aggregate
    by component and by month (the sums over the practices)."""
    average = averages(practices)
    compared = [compare_practice(p, average, components) for p in practices]
    by_component = [
        Amounts(
            c,
            sum((a.own for p in compared for a in p.by_component if a.key == c), ZERO),
            sum((a.shadow for p in compared for a in p.by_component if a.key == c), ZERO),
        )
        for c in components
    ]
    months = sorted({m.key for p in compared for m in p.by_month})
    by_month = [
        Amounts(
            period,
            sum((m.own for p in compared for m in p.by_month if m.key == period), ZERO),
            sum((m.shadow for p in compared for m in p.by_month if m.key == period), ZERO),
        )
        for period in months
    ]
    return Comparison(compared, average, by_component, by_month)
