"""Municipality size class by population (RULES.md §1; the 2017 invitation letter).

The reason is also a translatable message (ids and English templates: ``TEMPLATES``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from pht.rules.explain import Classification, Message, Term, render

RULE_ID = "size_class.by_population"

# English templates of the reason's messages (ids -> ``%(name)s`` templates).
TEMPLATES: Mapping[str, str] = {
    "size_class.small": "population %(population)s is under %(small_below)s",
    "size_class.large": "population %(population)s is over %(large_above)s",
    "size_class.medium": "population %(population)s is between %(small_below)s and %(large_above)s (bounds included)",
}


class SizeClass(StrEnum):
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"

    @property
    def term(self) -> Term:
        return Term("size_class", self.value, self.value)


@dataclass(frozen=True)
class SizeClassThresholds:
    """Under ``small_below`` is small; over ``large_above`` is large; the rest (bounds included) medium."""

    small_below: int
    large_above: int

    def __post_init__(self) -> None:
        if not 0 < self.small_below <= self.large_above:
            raise ValueError(
                f"size class thresholds: small_below ({self.small_below}) must be positive "
                f"and not above large_above ({self.large_above})"
            )

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> SizeClassThresholds:
        return cls(small_below=_as_int(values, "small_below"), large_above=_as_int(values, "large_above"))


def _as_int(values: Mapping[str, object], key: str) -> int:
    value = values.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"size class parameter {key!r} must be a whole number, got {value!r}")
    return value


def classify_size(population: int, thresholds: SizeClassThresholds) -> Classification[SizeClass]:
    """Size class of a municipality with ``population`` inhabitants, with the reason."""
    if population < 0:
        raise ValueError(f"population must not be negative, got {population}")
    inputs = {
        "population": population,
        "small_below": thresholds.small_below,
        "large_above": thresholds.large_above,
    }
    if population < thresholds.small_below:
        value = SizeClass.SMALL
        message = Message(
            "size_class.small", {"population": population, "small_below": thresholds.small_below}
        )
    elif population > thresholds.large_above:
        value = SizeClass.LARGE
        message = Message(
            "size_class.large", {"population": population, "large_above": thresholds.large_above}
        )
    else:
        value = SizeClass.MEDIUM
        message = Message(
            "size_class.medium",
            {
                "population": population,
                "small_below": thresholds.small_below,
                "large_above": thresholds.large_above,
            },
        )
    reason = render(message, TEMPLATES.__getitem__)
    return Classification(rule=RULE_ID, value=value, reason=reason, inputs=inputs, message=message)
