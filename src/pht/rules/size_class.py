"""Municipality size class by population (RULES.md §1; the 2017 invitation letter)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from pht.rules.explain import Classification

RULE_ID = "size_class.by_population"


class SizeClass(StrEnum):
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


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
        reason = f"population {population:,} is under {thresholds.small_below:,}"
    elif population > thresholds.large_above:
        value = SizeClass.LARGE
        reason = f"population {population:,} is over {thresholds.large_above:,}"
    else:
        value = SizeClass.MEDIUM
        reason = (
            f"population {population:,} is between {thresholds.small_below:,} "
            f"and {thresholds.large_above:,} (bounds included)"
        )
    return Classification(rule=RULE_ID, value=value, reason=reason, inputs=inputs)
