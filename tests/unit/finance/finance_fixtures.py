"""A hand-computed practice-month (May 2018, practice P1), shared by the rules and engine tests.

Parameters in force on 2018-05-01: basistilskudd NOK 450/year (default), fee schedule of
2017-07-01 (2ad: copayment 152, reimbursement 154; PHT1: copayment 100, reimbursement 150),
copayment ceiling 2018 NOK 2,258, copayments exempt under 16.

Residents (all municipality 0828, practice P1):
  A  F born 1950-03-10 (68, band 67-79), T90 + K86 -> 2 chronic, whole month (31 days);
     May: 2ad 05-03 (diagnosis T90), PHT1 05-10.
  B  M born 2010-06-01 (7, band 6-15), whole month; May: 2ad 05-15 -> copayment-exempt child.
  C  M born 1980-01-01 (38, band 16-44), whole month; Jan-Apr: 14 x 2ad at P1 (14 x 152 = 2,128
     paid); May: 2ad 05-20 crosses the ceiling (patient 130, state 22), 2ad 05-25 (state 152).
  D  F born 1990-07-15 (27, band 16-44), joins 2018-05-17 -> 15 days.
  E  F born 1945-02-01 (73, band 67-79), T90 -> 1 chronic, whole month, no T90 contact.
  X  M born 1960-01-01, listed with another practice P2; an out-of-hours claim, ignored by P1.

Resident-days 31+31+31+15+31 = 139.

Fee model:
  base_grant          450 x 139 / 365 = 171.369863... -> 171.37
  fee_reimbursement   4 x 2ad x 154 = 616.00
  nurse_reimbursement 1 x PHT1 x 150 = 150.00
  copayments          patient 152 + 100 + 130 = 382.00; state above the ceiling 22 + 152 = 174.00;
                      state for the exempt child B 152.00 -> 708.00
  total               1,645.37

Capitation model, with rate NOK 1,000 per weight-year and divisor 1 (budget neutrality off);
socio-economic factor of Seljord (0828, 2,979 residents in 2017: band under 5,000) 1.06
(socio_economic_index.toml):
  A F 67-79 m2: 1.56 x 1.30 x 1.06 x 31 x 1000/365 = 182.5755... -> 182.58
  E F 67-79 m1: 1.56 x 1.15 x 1.06 x 31 x 1000/365 = 161.5091... -> 161.51
  B M 6-15  m0: 0.3733 x 1.06 x 31 x 1000/365      =  33.6072... ->  33.61
  C M 16-44 m0: 0.76 x 1.06 x 31 x 1000/365        =  68.4208... ->  68.42
  D F 16-44 m0: 1.14 x 1.06 x 15 x 1000/365        =  49.6603... ->  49.66
  capitation 495.78
  quality: diabetes_yearly_check denominator {A, E}, numerator {A}: share 0.5 between 0.40 and
  0.90 -> 30 x 0.1/0.5 = 6.00 points x 800 x 139 / (1000 x 365) = 1.82794... -> 1.83;
  the other indicators have empty denominators -> 0 points.
  copayments 708.00; total 495.78 + 1.83 + 708.00 = 1,205.61
"""

from __future__ import annotations

import datetime as dt

from pht.rules.financing import ClaimRecord, Condition, ListSpell, Period

PERIOD = Period(2018, 5)
PRACTICE = "P1"

SPELLS = (
    ListSpell("A", "P1", "F", dt.date(1950, 3, 10), "0828", dt.date(2010, 1, 1)),
    ListSpell("B", "P1", "M", dt.date(2010, 6, 1), "0828", dt.date(2010, 6, 1)),
    ListSpell("C", "P1", "M", dt.date(1980, 1, 1), "0828", dt.date(2000, 1, 1)),
    ListSpell("D", "P1", "F", dt.date(1990, 7, 15), "0828", dt.date(2018, 5, 17)),
    ListSpell("E", "P1", "F", dt.date(1945, 2, 1), "0828", dt.date(2000, 1, 1)),
    ListSpell("X", "P2", "M", dt.date(1960, 1, 1), "0828", dt.date(2000, 1, 1)),
)

CONDITIONS = (
    Condition("A", "T90", dt.date(2010, 1, 1)),
    Condition("A", "K86", dt.date(2012, 1, 1)),
    Condition("E", "T90", dt.date(2015, 1, 1)),
)

_C_EARLIER = tuple(
    ClaimRecord(100 + i, "C", "P1", dt.date(2018, 1 + i // 4, 2 + i % 4 * 7), "2ad", "A03") for i in range(14)
)

CLAIMS = (
    *_C_EARLIER,
    ClaimRecord(1, "A", "P1", dt.date(2018, 5, 3), "2ad", "T90"),
    ClaimRecord(2, "A", "P1", dt.date(2018, 5, 10), "PHT1", "T90"),
    ClaimRecord(3, "B", "P1", dt.date(2018, 5, 15), "2ad", "R74"),
    ClaimRecord(4, "C", "P1", dt.date(2018, 5, 20), "2ad", "L03"),
    ClaimRecord(5, "C", "P1", dt.date(2018, 5, 25), "2ad", "L03"),
    ClaimRecord(6, "X", None, dt.date(2018, 5, 5), "2ak", "R74"),
)

EXPECTED_FEE = {
    "base_grant": "171.37",
    "fee_reimbursement": "616.00",
    "nurse_reimbursement": "150.00",
    "capitation": "0.00",
    "quality_grant": "0.00",
    "copayments": "708.00",
    "total": "1645.37",
}
EXPECTED_CAPITATION = {
    "base_grant": "0.00",
    "fee_reimbursement": "0.00",
    "nurse_reimbursement": "0.00",
    "capitation": "495.78",
    "quality_grant": "1.83",
    "copayments": "708.00",
    "total": "1205.61",
}
