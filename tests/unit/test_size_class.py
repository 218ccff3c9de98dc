import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pht.refdata import load_parameters
from pht.rules.size_class import SizeClass, SizeClassThresholds, classify_size

THRESHOLDS = SizeClassThresholds.from_mapping(
    load_parameters("size_class", on=datetime.date(2017, 1, 1)).values
)


@pytest.mark.parametrize(
    ("population", "expected"),
    [(0, "small"), (4999, "small"), (5000, "medium"), (20000, "medium"), (20001, "large"), (2979, "small")],
)
def test_bounds_follow_rules_md(population, expected):
    result = classify_size(population, THRESHOLDS)
    assert result.value == expected
    assert result.rule == "size_class.by_population"
    assert f"{population:,}" in result.reason


@given(st.integers(min_value=0, max_value=10_000_000))
def test_classes_are_monotone_and_explained(population):
    result = classify_size(population, THRESHOLDS)
    order = [SizeClass.SMALL, SizeClass.MEDIUM, SizeClass.LARGE]
    bigger = classify_size(population + 1, THRESHOLDS)
    assert order.index(bigger.value) >= order.index(result.value)
    assert result.inputs["population"] == population


def test_negative_population_refused():
    with pytest.raises(ValueError, match="population"):
        classify_size(-1, THRESHOLDS)


def test_thresholds_must_be_ordered():
    with pytest.raises(ValueError, match="small_below"):
        SizeClassThresholds(small_below=30000, large_above=20000)
    with pytest.raises(ValueError, match="large_above"):
        SizeClassThresholds.from_mapping({"small_below": 5000, "large_above": "many"})
