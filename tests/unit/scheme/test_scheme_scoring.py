from decimal import Decimal

import pytest

from pht.apps.scheme.scoring import criteria_from_values, spread, weighted_total

CRITERIA = criteria_from_values(
    [
        {"key": "anchoring", "weight": 20},
        {"key": "readiness", "weight": 25},
        {"key": "target_groups", "weight": 25},
        {"key": "cooperation", "weight": 15},
        {"key": "evaluation_data", "weight": 15},
    ]
)
FULL = {"anchoring": 4, "readiness": 5, "target_groups": 3, "cooperation": 2, "evaluation_data": 5}


def test_weighted_total_by_hand() -> None:
    # (4·20 + 5·25 + 3·25 + 2·15 + 5·15) / 100 = (80 + 125 + 75 + 30 + 75) / 100 = 3.85
    assert weighted_total(FULL, CRITERIA) == Decimal("3.85")


def test_incomplete_review_has_no_total() -> None:
    assert weighted_total({"anchoring": 4}, CRITERIA) is None


def test_score_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="'anchoring': score must be 1-5"):
        weighted_total({**FULL, "anchoring": 6}, CRITERIA)


def test_spread_and_disagreement() -> None:
    other = {**FULL, "cooperation": 5}  # 3.85 + 3·15/100 = 4.30
    result = spread([FULL, other], CRITERIA)
    assert result.reviews == 2
    assert (result.min_total, result.max_total) == (Decimal("3.85"), Decimal("4.30"))
    assert result.mean_total == Decimal("4.08")  # 4.075 half up
    assert result.stdev_total == Decimal("0.23")  # population stdev 0.225
    assert result.disagreements == ("cooperation",)
    assert result.per_criterion["cooperation"] == (2, 5)


def test_criteria_must_be_distinct() -> None:
    with pytest.raises(ValueError, match="distinct"):
        criteria_from_values([{"key": "a", "weight": 1}, {"key": "a", "weight": 2}])
