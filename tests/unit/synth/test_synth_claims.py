from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pht.lake import read_dataset
from pht.refdata import load_parameters
from pht.refdata.params import parameter_versions
from pht.rules.copayment import split_copayments
from pht.synth.generate import Ages, day_of
from pht.synth.pilot import default_pilot


def _ore(text: str) -> int:
    return int(Decimal(text) * 100)


def _column(table: pa.Table, name: str) -> np.ndarray:
    column = table[name]
    if pa.types.is_dictionary(column.type):
        column = column.cast(pa.string())
    if pa.types.is_date(column.type):
        column = column.cast(pa.int32())
    return column.to_numpy(zero_copy_only=False)


def test_claim_amounts_come_from_the_fee_schedule_and_add_up(small_lake: Path) -> None:
    claims = read_dataset(small_lake, "claims")
    assert claims.num_rows > 100_000
    day = _column(claims, "contact_date")
    code = _column(claims, "tariff_code")
    fee, cop, reimb = (_column(claims, f) for f in ("fee_ore", "copayment_ore", "reimbursement_ore"))
    versions = parameter_versions("fee_schedule")
    checked = 0
    for version in versions:
        start = day_of(version.valid_from)
        end = day_of(version.valid_to) if version.valid_to else 10**6
        in_force = (day >= start) & (day < end)
        for tariff in version.values["tariffs"]:
            rows = in_force & (code == tariff["code"])
            assert np.all(fee[rows] == _ore(tariff["fee"])), tariff["code"]
            assert np.all(cop[rows] == _ore(tariff["copayment"])), tariff["code"]
            assert np.all(reimb[rows] == _ore(tariff["reimbursement"])), tariff["code"]
            checked += int(rows.sum())
    assert checked == claims.num_rows
    assert np.all(fee == cop + reimb)
    patient, state = _column(claims, "patient_paid_ore"), _column(claims, "state_copayment_ore")
    assert np.all(cop == patient + state)
    assert np.all(patient[_column(claims, "copayment_exempt")] == 0)


def test_children_under_16_are_exempt_and_the_yearly_ceiling_is_applied(small_lake: Path) -> None:
    residents = read_dataset(small_lake, "residents", columns=["resident_id", "birth_date"])
    ids, first = np.unique(_column(residents, "resident_id"), return_index=True)
    birth = _column(residents, "birth_date")[first].astype(np.int64)
    claims = read_dataset(small_lake, "claims").sort_by([("claim_id", "ascending")])
    who = np.searchsorted(ids, _column(claims, "resident_id"))
    day = _column(claims, "contact_date").astype(np.int64)
    sixteen = Ages(birth).birthday(16)[who]
    assert np.array_equal(_column(claims, "copayment_exempt"), day < sixteen)
    # the split in the data equals the pure rule, for every person-year (claim order = claim_id)
    year = _column(claims, "year")
    nominal = np.where(_column(claims, "copayment_exempt"), 0, _column(claims, "copayment_ore"))
    patient = _column(claims, "patient_paid_ore")
    key = who.astype(np.int64) * 10_000 + year
    order = np.argsort(key, kind="stable")
    key, nominal, patient, year = key[order], nominal[order], patient[order], year[order]
    bounds = np.flatnonzero(np.diff(key)) + 1
    reached = 0
    ceilings = {
        y: _ore(load_parameters("copayment_ceiling", datetime.date(int(y), 1, 1)).values["ceiling"])
        for y in np.unique(year)
    }
    for group_nominal, group_patient, group_year in zip(
        np.split(nominal, bounds), np.split(patient, bounds), np.split(year, bounds), strict=True
    ):
        ceiling = ceilings[group_year[0]]
        if group_nominal.sum() <= ceiling:
            assert np.array_equal(group_nominal, group_patient)
            continue
        splits = split_copayments(ceiling, group_nominal.tolist())
        assert group_patient.tolist() == [s.patient for s in splits]
        assert group_patient.sum() == ceiling
        reached += 1
    assert reached > 100  # the ceiling matters in the data, not only in theory


def test_nurse_contacts_only_in_pilot_practices_from_their_start(small_lake: Path) -> None:
    pilot = default_pilot(11).by_orgnr()
    contacts = read_dataset(small_lake, "contacts")
    kind = _column(contacts, "kind")
    nurse = contacts.filter(pa.array(kind == "nurse")).to_pylist()
    assert len(nurse) > 1000
    for c in nurse:
        practice = pilot[c["practice_orgnr"]]
        assert c["contact_date"] >= practice.start
        assert c["gp_hpr"] is None
    claims = read_dataset(small_lake, "claims", columns=["tariff_code", "billed_by"])
    billed, code = _column(claims, "billed_by"), _column(claims, "tariff_code")
    assert np.array_equal(billed == "nurse", np.char.startswith(code.astype(str), "PHT"))
    assert set(kind.tolist()) == {
        "gp_day", "gp_evening", "e_consultation", "home_visit", "simple_contact", "out_of_hours", "nurse",
    }  # fmt: skip
    assert pc.all(pc.is_valid(contacts["icpc2"])).as_py()
