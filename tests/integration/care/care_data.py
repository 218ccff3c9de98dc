"""Hand-made list residents and import files for the care integration tests."""

from __future__ import annotations

import datetime
from typing import Any

from stdnum.no import fodselsnummer


def make_fnr(birth: datetime.date, individual: int) -> str:
    """A valid synthetic fødselsnummer (birth month + 80) for ``birth`` and an individual number."""
    head = f"{birth.day:02d}{birth.month + 80:02d}{birth.year % 100:02d}{individual:03d}"
    for _ in range(1000):
        k1 = fodselsnummer.calc_check_digit1(head)
        if k1 != "10":
            k2 = fodselsnummer.calc_check_digit2(head + k1)
            if k2 != "10":
                return head + k1 + k2
        individual += 1
        head = head[:6] + f"{individual:03d}"
    raise AssertionError("no valid number")


# Born in the 1900s: individual numbers 000-499.
PEOPLE = {
    "frail": (datetime.date(1937, 7, 7), 100),
    "young": (datetime.date(1990, 6, 1), 200),
    "poor": (datetime.date(1955, 4, 4), 300),
}


def residents_csv(practice: Any, people: dict[str, tuple[datetime.date, int]] = PEOPLE) -> bytes:
    gp = practice.gps.order_by("hpr").first()
    lines = ["fnr,gp_hpr,practice_orgnr,list_from,list_to"]
    for birth, individual in people.values():
        lines.append(f"{make_fnr(birth, individual)},{gp.hpr},{practice.orgnr},2015-01-01,")
    return ("\n".join(lines) + "\n").encode()


def contacts_csv() -> bytes:
    frail = make_fnr(*PEOPLE["frail"])
    young = make_fnr(*PEOPLE["young"])
    poor = make_fnr(*PEOPLE["poor"])
    lines = [
        "fnr,contact_date,kind,icpc2",
        f"{young},2019-12-01,gp,R74",
        f"{poor},2017-05-01,gp,K77",
        f"{frail},2019-11-01,home_visit,",
    ]
    for code, day in [
        ("K86", 1),
        ("T90", 2),
        ("K78", 3),
        ("P70", 4),
        ("L95", 5),
        ("U04", 6),
        ("N17", 7),
        ("H84", 8),
    ]:
        lines.append(f"{frail},2019-10-{day:02d},gp,{code}")
    return ("\n".join(lines) + "\n").encode()
