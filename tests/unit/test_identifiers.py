import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.no import fodselsnummer as stdnum_fnr

from pht.rules.identifiers import (
    InvalidIdentifier,
    PersonIdKind,
    check_hpr,
    check_kommunenummer,
    check_orgnr,
    check_person_id,
)
from pht.synth.registry import synthetic_orgnr


def make_fnr(day: int, month: int, yy: int, individual: int) -> str | None:
    base = f"{day:02d}{month:02d}{yy:02d}{individual:03d}"
    k1 = stdnum_fnr.calc_check_digit1(base)
    if k1 == "10":
        return None
    k2 = stdnum_fnr.calc_check_digit2(base + k1)
    if k2 == "10":
        return None
    return base + k1 + k2


def test_known_valid_fodselsnummer():
    person = check_person_id("15108695088")  # stdnum's documented example
    assert person.kind == PersonIdKind.FODSELSNUMMER
    assert person.birth_date == datetime.date(1986, 10, 15)
    assert person.sex == "F"
    assert not person.synthetic


def test_wrong_check_digit_is_refused_naming_field_and_digit():
    with pytest.raises(InvalidIdentifier) as info:
        check_person_id("15108695077")
    assert info.value.field == "fødselsnummer"
    assert "check digit" in info.value.reason
    assert "fødselsnummer" in str(info.value)


def test_d_number_and_synthetic_series():
    d_number = make_fnr(55, 10, 86, 950)  # day + 40
    assert d_number is not None
    assert check_person_id(d_number).kind == PersonIdKind.D_NUMMER
    synthetic = make_fnr(15, 90, 86, 123)  # October + 80
    assert synthetic is not None
    with pytest.raises(InvalidIdentifier, match="synthetic"):
        check_person_id(synthetic)
    person = check_person_id(synthetic, allow_synthetic=True)
    assert person.synthetic and person.birth_date == datetime.date(1986, 10, 15)


@given(
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2039, 12, 31)),
    st.integers(min_value=0, max_value=999),
    st.booleans(),
)
def test_valid_numbers_round_trip_and_any_single_digit_change_is_refused(birth, individual, synthetic):
    yy = birth.year % 100
    # Individual numbers 000-499 are for 1900-1999, 500-999 for 2000-2039.
    individual = 500 + individual % 500 if birth.year >= 2000 else individual % 500
    month = birth.month + (80 if synthetic else 0)
    number = make_fnr(birth.day, month, yy, individual)
    if number is None:
        return
    person = check_person_id(number, allow_synthetic=True)
    assert person.birth_date == birth
    assert person.synthetic == synthetic
    for position in (9, 10):
        wrong = number[:position] + str((int(number[position]) + 1) % 10) + number[position + 1 :]
        with pytest.raises(InvalidIdentifier):
            check_person_id(wrong, allow_synthetic=True)


@given(st.text(max_size=14))
def test_person_id_never_crashes_on_garbage(text):
    try:
        check_person_id(text, allow_synthetic=True)
    except InvalidIdentifier as exc:
        assert exc.field == "fødselsnummer" and exc.reason


def test_orgnr():
    assert check_orgnr("974 760 673") == "974760673"  # Brønnøysundregistrene's own
    with pytest.raises(InvalidIdentifier) as info:
        check_orgnr("974760674")
    assert info.value.field == "organisasjonsnummer" and "check digit" in info.value.reason
    with pytest.raises(InvalidIdentifier, match="9 digits"):
        check_orgnr("97476067")


@given(st.sampled_from(["0828", "1401", "0301"]), st.integers(min_value=1, max_value=999))
def test_synthetic_orgnr_valid_only_in_synthetic_mode(kommunenummer, serial):
    try:
        number = synthetic_orgnr(kommunenummer, serial)
    except ValueError:
        return
    assert check_orgnr(number, allow_synthetic=True) == number
    with pytest.raises(InvalidIdentifier, match="synthetic"):
        check_orgnr(number)


def test_hpr_and_kommunenummer():
    assert check_hpr("1234567") == "1234567"
    with pytest.raises(InvalidIdentifier, match="digits only"):
        check_hpr("12a4")
    with pytest.raises(InvalidIdentifier, match="synthetic"):
        check_hpr("908280001")
    assert check_hpr("908280001", allow_synthetic=True) == "908280001"
    assert check_kommunenummer("0828", known={"0828"}) == "0828"
    with pytest.raises(InvalidIdentifier, match="reference data"):
        check_kommunenummer("0829", known={"0828"})
    with pytest.raises(InvalidIdentifier, match="4 digits"):
        check_kommunenummer("828")


@pytest.mark.parametrize("bad", ["12345", "123456", "0123456", "1234567890", "", "  "])
def test_hpr_refuses_numbers_outside_the_register_format(bad: str) -> None:
    with pytest.raises(InvalidIdentifier, match="HPR-nummer"):
        check_hpr(bad)


@given(st.integers(min_value=1_000_000, max_value=899_999_999))
def test_hpr_accepts_every_7_to_9_digit_number_below_the_synthetic_series(number: int) -> None:
    assert check_hpr(str(number)) == str(number)
