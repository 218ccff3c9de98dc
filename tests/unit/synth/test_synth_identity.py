from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from stdnum.no import fodselsnummer as stdnum_fnr

from pht.lake import read_dataset
from pht.rules.identifiers import InvalidIdentifier, PersonIdKind, check_person_id
from pht.synth.fnr import synthetic_fnr
from pht.synth.generate import day_of


def test_every_generated_fnr_is_valid_synthetic_and_refused_outside_synthetic_mode(small_lake: Path) -> None:
    residents = read_dataset(small_lake, "residents", columns=["resident_id", "fnr", "sex", "birth_date"])
    people = {r["resident_id"]: r for r in residents.to_pylist()}
    numbers = [r["fnr"] for r in people.values()]
    assert len(set(numbers)) == len(numbers), "each person has their own number"
    for person in people.values():
        parsed = check_person_id(person["fnr"], allow_synthetic=True)
        assert parsed.synthetic
        assert int(person["fnr"][2:4]) > 80  # birth month + 80
        assert parsed.birth_date == person["birth_date"]
        assert parsed.sex == person["sex"]
        assert parsed.kind in (PersonIdKind.FODSELSNUMMER, PersonIdKind.D_NUMMER)
        assert stdnum_fnr.calc_check_digit1(person["fnr"][:9]) == person["fnr"][9]
    for number in numbers[:200]:
        with pytest.raises(InvalidIdentifier, match="synthetic"):
            check_person_id(number)


def test_numbers_stay_valid_when_a_date_runs_out_of_ordinary_numbers() -> None:
    # 450 women born on one day: more than the ordinary series holds, so D-number forms are used
    days = np.full(450, day_of("1964-06-15"))
    numbers = synthetic_fnr(days, np.zeros(450, dtype=bool), np.arange(450)).to_pylist()
    assert len(set(numbers)) == 450
    kinds = {check_person_id(n, allow_synthetic=True).kind for n in numbers}
    assert kinds == {PersonIdKind.FODSELSNUMMER, PersonIdKind.D_NUMMER}
    assert all(check_person_id(n, allow_synthetic=True).sex == "F" for n in numbers)


def test_fnr_unique_across_municipalities_generated_separately(make_lake) -> None:  # type: ignore[no-untyped-def]
    a = read_dataset(make_lake(("0828",)), "residents", columns=["fnr"])["fnr"].to_pylist()
    b = read_dataset(make_lake(("1401",)), "residents", columns=["fnr"])["fnr"].to_pylist()
    assert not set(a) & set(b)
