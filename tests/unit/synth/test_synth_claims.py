from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from pht.refdata import load_parameters
from pht.rules.copayment import split_copayments
from pht.synth.pilot import default_pilot
from pht.synth.schemas import read_dataset


def _ore(text: str) -> int:
    return int(Decimal(text) * 100)


def test_claim_amounts_come_from_the_fee_schedule_and_add_up(small_lake: Path) -> None:
    claims = read_dataset(small_lake, "claims").to_pylist()
    assert claims
    cache: dict[datetime.date, dict[str, dict[str, int]]] = {}
    for c in claims:
        version = load_parameters("fee_schedule", c["contact_date"])
        tariffs = cache.setdefault(
            version.valid_from,
            {
                t["code"]: {
                    "fee": _ore(t["fee"]),
                    "copayment": _ore(t["copayment"]),
                    "reimbursement": _ore(t["reimbursement"]),
                }
                for t in version.values["tariffs"]
            },
        )
        tariff = tariffs[c["tariff_code"]]
        assert (c["fee_ore"], c["copayment_ore"], c["reimbursement_ore"]) == (
            tariff["fee"],
            tariff["copayment"],
            tariff["reimbursement"],
        )
        assert c["fee_ore"] == c["copayment_ore"] + c["reimbursement_ore"]
        assert c["copayment_ore"] == c["patient_paid_ore"] + c["state_copayment_ore"]
        if c["copayment_exempt"]:
            assert c["patient_paid_ore"] == 0


def test_children_under_16_are_exempt_and_the_yearly_ceiling_is_applied(small_lake: Path) -> None:
    residents = {r["resident_id"]: r["birth_date"] for r in read_dataset(small_lake, "residents").to_pylist()}
    claims = read_dataset(small_lake, "claims").to_pylist()
    per_person_year: dict[tuple[int, int], list[dict[str, object]]] = defaultdict(list)
    reached = 0
    for c in claims:
        birth = residents[c["resident_id"]]
        day = c["contact_date"]
        age = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
        assert c["copayment_exempt"] == (age < 16)
        per_person_year[(c["resident_id"], c["year"])].append(c)
    for (_, year), rows in per_person_year.items():
        ceiling = _ore(load_parameters("copayment_ceiling", datetime.date(year, 1, 1)).values["ceiling"])
        rows.sort(key=lambda r: r["claim_id"])  # claim order
        nominal = [0 if r["copayment_exempt"] else r["copayment_ore"] for r in rows]
        splits = split_copayments(ceiling, nominal)  # the rule the finance engine uses
        assert [r["patient_paid_ore"] for r in rows] == [s.patient for s in splits]
        paid = sum(r["patient_paid_ore"] for r in rows)
        assert paid <= ceiling
        reached += any(s.state > 0 for s in splits)
    assert reached > 100  # the ceiling matters in the data, not only in theory


def test_nurse_contacts_only_in_pilot_practices_from_their_start(small_lake: Path) -> None:
    pilot = default_pilot(11).by_orgnr()
    contacts = read_dataset(small_lake, "contacts").to_pylist()
    nurse = [c for c in contacts if c["kind"] == "nurse"]
    assert nurse
    for c in nurse:
        practice = pilot[c["practice_orgnr"]]
        assert c["contact_date"] >= practice.start
        assert c["gp_hpr"] is None
    claims = read_dataset(small_lake, "claims", columns=["tariff_code", "billed_by"]).to_pylist()
    for c in claims:
        assert (c["billed_by"] == "nurse") == c["tariff_code"].startswith("PHT")
    kinds = {c["kind"] for c in contacts}
    assert kinds == {
        "gp_day",
        "gp_evening",
        "e_consultation",
        "home_visit",
        "simple_contact",
        "out_of_hours",
        "nurse",
    }
    assert all(c["icpc2"] for c in contacts)
