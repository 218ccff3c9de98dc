"""Review scores: weighted totals per review, and the spread between reviewers (pure, no Django).

A review scores each criterion 1–5; its weighted total is Σ score × weight / Σ weights, so it
stays on the 1–5 scale. An application's score is the mean of its complete reviews' totals.
Reviewers *disagree* on a criterion when their scores differ by ``DISAGREEMENT`` or more.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

DISAGREEMENT = 2
SCORE_MIN, SCORE_MAX = 1, 5
TWO = Decimal("0.01")


@dataclass(frozen=True)
class Criterion:
    key: str
    weight: int  # percent
    title_nb: str
    title_en: str

    @property
    def title(self) -> str:
        """The title in the active language (bokmål unless English is chosen)."""
        from django.utils.translation import get_language

        return self.title_en if (get_language() or "nb").startswith("en") else self.title_nb


def criteria_from_values(values: Sequence[Mapping[str, object]]) -> tuple[Criterion, ...]:
    result = []
    for position, raw in enumerate(values, start=1):
        key, weight = raw.get("key"), raw.get("weight")
        if not isinstance(key, str) or not isinstance(weight, int) or weight <= 0:
            raise ValueError(f"criterion {position}: needs a 'key' and a positive whole 'weight'")
        result.append(Criterion(key, weight, str(raw.get("title_nb", key)), str(raw.get("title_en", key))))
    if len({c.key for c in result}) != len(result):
        raise ValueError("criteria: keys must be distinct")
    return tuple(result)


def weighted_total(scores: Mapping[str, int], criteria: Sequence[Criterion]) -> Decimal | None:
    """Weighted mean score of one review, 2 decimals; None while a criterion is unscored."""
    if any(c.key not in scores for c in criteria):
        return None
    for key, value in scores.items():
        if not SCORE_MIN <= value <= SCORE_MAX:
            raise ValueError(f"criterion {key!r}: score must be {SCORE_MIN}-{SCORE_MAX}, got {value}")
    total_weight = sum(c.weight for c in criteria)
    raw = Decimal(sum(scores[c.key] * c.weight for c in criteria)) / Decimal(total_weight)
    return raw.quantize(TWO, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Spread:
    reviews: int
    mean_total: Decimal | None
    min_total: Decimal | None
    max_total: Decimal | None
    stdev_total: Decimal | None
    per_criterion: Mapping[str, tuple[int, int]]  # key -> (min, max) across reviewers
    disagreements: tuple[str, ...]  # criteria where reviewers differ by DISAGREEMENT or more

    def disagreement_titles(self, criteria: Sequence[Criterion]) -> str:
        """The criteria reviewers disagree on, by title in the active language."""
        return ", ".join(c.title for c in criteria if c.key in self.disagreements)


def spread(reviews: Sequence[Mapping[str, int]], criteria: Sequence[Criterion]) -> Spread:
    totals = [t for t in (weighted_total(r, criteria) for r in reviews) if t is not None]
    per: dict[str, tuple[int, int]] = {}
    for c in criteria:
        values = [r[c.key] for r in reviews if c.key in r]
        if values:
            per[c.key] = (min(values), max(values))
    disagreements = tuple(k for k, (lo, hi) in per.items() if hi - lo >= DISAGREEMENT)
    if not totals:
        return Spread(0, None, None, None, None, per, disagreements)
    mean = (sum(totals, Decimal(0)) / len(totals)).quantize(TWO, rounding=ROUND_HALF_UP)
    stdev = (
        statistics.pstdev(totals).quantize(TWO, rounding=ROUND_HALF_UP)
        if len(totals) > 1
        else Decimal("0.00")
    )
    return Spread(len(totals), mean, min(totals), max(totals), stdev, per, disagreements)
