"""The extract's pseudonymisation rules (pht.rules.pseudonym): keyed, stable, distinct per kind of id,
and birth dates coarsened to the year."""

from __future__ import annotations

import datetime
import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pht.apps.care.pseudonym import pseudonymise
from pht.rules.pseudonym import PseudonymKeyError, coarsen_birth_date, pseudonym, pseudonym_int

KEYS = st.binary(min_size=16, max_size=64)
FNRS = st.from_regex(r"\A[0-9]{11}\Z")


@given(FNRS, KEYS)
def test_the_fnr_pseudonym_is_the_care_apps_keyed_hmac(fnr: str, key: bytes) -> None:
    expected = hmac.new(key, fnr.encode(), hashlib.sha256).hexdigest()[:32]
    assert pseudonym(fnr, key) == expected == pseudonymise(fnr, key)
    assert fnr not in pseudonym(fnr, key)


@given(FNRS, KEYS, KEYS)
def test_another_key_gives_another_pseudonym(fnr: str, key: bytes, other: bytes) -> None:
    if key != other:
        assert pseudonym(fnr, key) != pseudonym(fnr, other)


@given(st.integers(min_value=0, max_value=2**63 - 1), KEYS)
def test_integer_pseudonyms_fit_int64_and_differ_from_the_id(value: int, key: bytes) -> None:
    out = pseudonym_int(value, key)
    assert 0 <= out < 2**63
    assert out == pseudonym_int(value, key)  # stable, so datasets still join
    digest = hmac.new(key, f"resident:{value}".encode(), hashlib.sha256).digest()
    assert out == int.from_bytes(digest[:8], "big") & (2**63 - 1)


@given(st.text(min_size=1, max_size=12), KEYS)
def test_kinds_of_ids_are_kept_apart(value: str, key: bytes) -> None:
    assert pseudonym(value, key, "hpr") != pseudonym(value, key)


@given(st.dates(min_value=datetime.date(1880, 1, 1), max_value=datetime.date(2030, 12, 31)))
def test_birth_dates_keep_only_the_year(day: datetime.date) -> None:
    coarse = coarsen_birth_date(day)
    assert coarse.year == day.year and (coarse.month, coarse.day) == (7, 1)
    assert abs((coarse - day).days) <= 184


def test_a_short_key_is_refused() -> None:
    with pytest.raises(PseudonymKeyError):
        pseudonym("01010112345", b"short")
    with pytest.raises(PseudonymKeyError):
        pseudonym_int(1, b"")
