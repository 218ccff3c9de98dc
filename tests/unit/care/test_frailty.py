"""The open frailty index: categories by hand, evidence, and properties."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from care_cases import ON, parameters
from hypothesis import given
from hypothesis import strategies as st

from pht.refdata.params import load_parameters
from pht.rules.frailty import FrailtyCategory, FrailtyIndexParameters, categorise, frailty_index

_, FRAILTY = parameters()


def test_the_index_has_the_36_efi_deficits() -> None:
    assert FRAILTY.total == 36
    assert len({d.key for d in FRAILTY.deficits}) == 36


@pytest.mark.parametrize(
    ("count", "category"),
    [
        (0, "fit"),
        (4, "fit"),  # 4/36 = 0.111 <= 0.12
        (5, "mild"),  # 5/36 = 0.139
        (8, "mild"),  # 8/36 = 0.222 <= 0.24
        (9, "moderate"),  # 9/36 = 0.250
        (12, "moderate"),  # 12/36 = 0.333 <= 0.36
        (13, "severe"),  # 13/36 = 0.361 > 0.36
        (36, "severe"),
    ],
)
def test_categories_match_hand_computation(count: int, category: str) -> None:
    assert categorise(count, 36, FRAILTY) == FrailtyCategory(category)


def test_a_cut_off_is_inclusive_for_the_lower_category() -> None:
    # 3/25 = 0.12 exactly: fit (the eFI uses "above 0.12" for mild); exact fractions, no float error.
    assert categorise(3, 25, FRAILTY) == FrailtyCategory.FIT
    assert categorise(6, 25, FRAILTY) == FrailtyCategory.MILD  # 0.24 exactly
    assert categorise(9, 25, FRAILTY) == FrailtyCategory.MODERATE  # 0.36 exactly


def test_evidence_by_deficit_and_two_codes_for_one_deficit_count_once() -> None:
    result = frailty_index({"K86", "K87", "T90", "B80", "XXX"}, {"municipal_care"}, FRAILTY)
    assert result.inputs["deficits"] == {
        "anaemia": ["B80"],
        "diabetes": ["T90"],
        "hypertension": ["K86", "K87"],
        "requirement_for_care": ["municipal_care"],
    }
    assert result.inputs["deficit_count"] == 4
    assert result.inputs["index"] == "0.111"
    assert result.value is FrailtyCategory.FIT
    assert "4 of 36 deficits (index 0.111, fit)" in result.reason
    assert "Hypertension (K86, K87)" in result.reason


def test_polypharmacy_has_no_evidence_source() -> None:
    poly = next(d for d in FRAILTY.deficits if d.key == "polypharmacy")
    assert not poly.codes and not poly.services


def test_parameters_refuse_falling_cut_offs() -> None:
    values = dict(load_parameters("frailty_index", ON).values)
    values["moderate_above"] = "0.10"
    with pytest.raises(ValueError, match="must rise"):
        FrailtyIndexParameters.from_mapping(values)


def test_parameters_refuse_a_bad_code() -> None:
    values = dict(load_parameters("frailty_index", datetime.date(2019, 1, 1)).values)
    values["deficits"] = [
        *values["deficits"][:-1],
        {"key": "x", "label": "X", "codes": ["T9"], "services": []},
    ]
    with pytest.raises(ValueError, match="not ICPC-2 codes"):
        FrailtyIndexParameters.from_mapping(values)


ALL = sorted({code for d in FRAILTY.deficits for code in d.codes})


@given(st.sets(st.sampled_from(ALL)), st.sets(st.sampled_from(["home_visit", "municipal_care", "gp"])))
def test_index_equals_count_of_deficits_with_evidence(codes: set[str], services: set[str]) -> None:
    result = frailty_index(codes, services, FRAILTY)
    expected = sum(1 for d in FRAILTY.deficits if d.codes & codes or d.services & services)
    assert result.inputs["deficit_count"] == expected
    assert Decimal(str(result.inputs["index"])) == (Decimal(expected) / 36).quantize(Decimal("0.001"))


@given(st.integers(0, 35))
def test_category_never_falls_as_deficits_rise(count: int) -> None:
    assert categorise(count + 1, 36, FRAILTY).rank >= categorise(count, 36, FRAILTY).rank
