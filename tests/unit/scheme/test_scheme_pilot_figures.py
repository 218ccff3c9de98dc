"""The 2017 call on the real pilot's figures (RULES.md §1), by hand: 11 units (8 municipalities and 3 Oslo
districts) with 13 practices and 85 GPs from 1 April 2018 to 31 March 2021; extended in 2019 to 31 March
2023 within the same budget; four practices joining on 1 January 2020, 112 GPs in all. Each unit's
amendment stays within its frame, so the pilot's total does too.

The split of practices and GPs over the units was not published: the one below is a stand-in with the
published totals. Grant rates are the shipped defaults (300,000 per GP to the practice; 400,000 plus
10,000 per GP to the municipality, per year, pro-rated by days)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from pht.rules.grants import MUNICIPALITY, PRACTICE, GrantParameters, Recipient, grant_lines, replan

PARAMS = GrantParameters(Decimal("300000"), Decimal("400000"), Decimal("10000"))
START = datetime.date(2018, 4, 1)
END = datetime.date(2021, 3, 31)
EXTENDED = datetime.date(2023, 3, 31)
JOINED = datetime.date(2020, 1, 1)
# unit -> GPs per practice at the start (13 practices, 85 GPs), and the 2020 joiners (4 practices, 27 GPs).
UNITS: dict[str, list[int]] = {
    "Seljord": [5],
    "Flora": [6],
    "Kristiansand": [9, 8],
    "Ringsaker": [10],
    "Eid": [6],
    "Rana": [7, 6],
    "Oslo Alna": [7],
    "Oslo Nordstrand": [8],
    "Oslo Sagene": [6],
    "Austevoll": [4],
    "Hå": [3],
}
JOINERS: dict[str, int] = {"Seljord": 5, "Flora": 7, "Kristiansand": 8, "Ringsaker": 7}
PILOT_TOTAL = Decimal("92250000.00")


def _recipients(unit: str, joiners: bool = False) -> tuple[Recipient, list[Recipient]]:
    practices = [
        Recipient(PRACTICE, f"9{index:02d}{len(unit):02d}{gps:04d}", f"{unit} legekontor {index}", gps, START)
        for index, gps in enumerate(UNITS[unit])
    ]
    if joiners and unit in JOINERS:
        practices.append(
            Recipient(PRACTICE, f"8{len(unit):04d}0000", f"{unit} nytt legekontor", JOINERS[unit], JOINED)
        )
    return Recipient(MUNICIPALITY, "", f"{unit} kommune", 0, START), practices


def _frames() -> dict[str, Decimal]:
    frames = {}
    for unit in UNITS:
        municipality, practices = _recipients(unit)
        frames[unit] = sum(
            (line.total for line in grant_lines(municipality, practices, END, PARAMS)), Decimal("0")
        )
    return frames


def _paid_2018_and_2019(unit: str) -> dict[str, dict[int, Decimal]]:
    """What the original decision paid for 2018 and 2019 (in full by 1 December 2019)."""
    municipality, practices = _recipients(unit)
    lines = grant_lines(municipality, practices, END, PARAMS)
    return {
        line.recipient.orgnr: {y.year: y.amount for y in line.years if y.year in (2018, 2019)}
        for line in lines
    }


def test_the_pilot_as_decided_by_hand() -> None:
    assert sum(sum(gps) for gps in UNITS.values()) == 85
    assert sum(len(gps) for gps in UNITS.values()) == 13 and len(UNITS) == 11
    frames = _frames()
    # Each line gets 275/365 of 2018, all of 2019 and 2020, 90/365 of 2021: three full years, since
    # 275 + 90 = 365 and the year parts round to whole øre that add up. Seljord, 5 GPs:
    # 3 x (5 x 300,000 + 400,000 + 5 x 10,000) = 3 x 1,950,000
    assert frames["Seljord"] == Decimal("5850000.00")
    # Kristiansand, 17 GPs: 3 x (5,100,000 + 400,000 + 170,000)
    assert frames["Kristiansand"] == Decimal("17010000.00")
    # The pilot: practices 85 x 900,000 = 76,500,000; municipalities 11 x 1,200,000 + 85 x 30,000
    # = 13,200,000 + 2,550,000; in all 92,250,000
    assert sum(frames.values()) == PILOT_TOTAL


def test_extension_to_march_2023_within_the_same_frame_by_hand() -> None:
    frames = _frames()
    results = {}
    for unit in UNITS:
        municipality, practices = _recipients(unit)
        results[unit] = replan(
            municipality, practices, EXTENDED, PARAMS, frames[unit], _paid_2018_and_2019(unit),
            datetime.date(2019, 12, 1),
        )  # fmt: skip
    # Paid by 1 Dec 2019: 2019 in full (30,750,000 a year: 85 x 310,000 + 11 x 400,000) and 275/365 of
    # 2018 per line, each rounded to øre: practices with 3..10 GPs get 678,082.19; 904,109.59;
    # 1,130,136.99; 1,356,164.38 (x4); 1,582,191.78 (x2); 1,808,219.18 (x2); 2,034,246.58; 2,260,273.97
    # = 19,212,328.76; municipalities (400,000 + 10,000 x GPs) x 275/365 = 3,955,479.45.
    paid = sum((r.paid for r in results.values()), Decimal("0"))
    assert paid == Decimal("30750000") + Decimal("19212328.76") + Decimal("3955479.45")
    assert paid == Decimal("53917808.21")
    for unit, result in results.items():
        assert result.total == frames[unit], unit  # every amendment totals its own frame
        assert all(line.total <= frames[unit] for line in result.lines)
        instalments = [i for line in result.lines for i in line.instalments]
        assert min(i.due for i in instalments) >= datetime.date(2019, 12, 1)
        assert max(i.due for i in instalments) == datetime.date(2023, 1, 1)
    assert sum((r.total for r in results.values()), Decimal("0")) == PILOT_TOTAL
    # Seljord, 5 GPs: open entitlement 2020 - 31 Mar 2023 is 3 years and 90/365, 1,950,000 x 3 +
    # 369,863.01 + 110,958.90 = 6,330,821.91, more than the 5,850,000 - 3,419,178.09 = 2,430,821.91 left:
    # the practice gets 4,869,863.01 x 2,430,821.91 / 6,330,821.91 = 1,869,863.00 (rounded down) and the
    # municipality the rest, 560,958.91.
    seljord = results["Seljord"]
    assert seljord.paid == Decimal("3419178.09") and seljord.entitlement == Decimal("6330821.91")
    assert [line.allocated for line in seljord.lines] == [Decimal("560958.91"), Decimal("1869863.00")]


def test_four_practices_joining_in_2020_stay_within_the_frame_by_hand() -> None:
    assert sum(JOINERS.values()) == 27 and 85 + 27 == 112
    frames = _frames()
    results = {}
    for unit in UNITS:
        municipality, practices = _recipients(unit, joiners=True)
        results[unit] = replan(
            municipality, practices, EXTENDED, PARAMS, frames[unit], _paid_2018_and_2019(unit), JOINED
        )
    gps = sum(line.recipient.gps for result in results.values() for line in result.lines)
    assert gps == 112 and sum(len(r.lines) - 1 for r in results.values()) == 17
    for unit, result in results.items():
        assert result.total == frames[unit], unit
    assert sum((r.total for r in results.values()), Decimal("0")) == PILOT_TOTAL
    # A joiner's entitlement from 1 Jan 2020: GPs x 300,000 x 3 years + 90/365 of a year
    # (5 GPs: 4,500,000 + 369,863.01; 7 GPs: 6,300,000 + 517,808.22; 8 GPs: 7,200,000 + 591,780.82)
    expected = {5: Decimal("4869863.01"), 7: Decimal("6817808.22"), 8: Decimal("7791780.82")}
    for unit, joiner_gps in JOINERS.items():
        joiner = next(line for line in results[unit].lines if line.recipient.start == JOINED)
        assert joiner.recipient.gps == joiner_gps
        assert joiner.entitlement == expected[joiner_gps]
        assert 0 < joiner.allocated < joiner.entitlement  # the frame binds: scaled like everyone else
        assert min(i.due for i in joiner.instalments) == JOINED
    # Seljord's municipality line: 400,000 + 10,000 x 10 GPs from 2020 on; 2018 and 2019 are paid.
    # Open: 500,000 x 3 + 500,000 x 90/365 (123,287.67) = 1,623,287.67
    assert results["Seljord"].lines[0].entitlement == Decimal("1623287.67")
