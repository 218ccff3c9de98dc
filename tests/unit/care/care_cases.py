"""Hand-made residents who should and should not qualify for each target group.

Shared by the rule tests and the engine tests.

Reference date ``ON`` = 2019-12-31, default parameters (target_groups.toml, frailty_index.toml).
Each case lists the groups it must belong to (all others: not a member), the frailty category computed
by hand, and fragments its reasons must contain.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from pht.refdata.params import load_parameters
from pht.rules.frailty import FrailtyIndexParameters
from pht.rules.target_groups import Contact, ContactKind, Diagnosis, ResidentHistory, TargetGroupParameters

ON = datetime.date(2019, 12, 31)
D = datetime.date


def parameters() -> tuple[TargetGroupParameters, FrailtyIndexParameters]:
    return (
        TargetGroupParameters.from_mapping(load_parameters("target_groups", ON).values),
        FrailtyIndexParameters.from_mapping(load_parameters("frailty_index", ON).values),
    )


def dx(*pairs: tuple[str, datetime.date]) -> tuple[Diagnosis, ...]:
    return tuple(Diagnosis(code, on) for code, on in pairs)


def cx(*pairs: tuple[ContactKind, datetime.date]) -> tuple[Contact, ...]:
    return tuple(Contact(on, kind) for kind, on in pairs)


GP, NURSE, HOME, OOH, HOSP, CARE = (
    ContactKind.GP,
    ContactKind.NURSE,
    ContactKind.HOME_VISIT,
    ContactKind.OUT_OF_HOURS,
    ContactKind.HOSPITAL,
    ContactKind.MUNICIPAL_CARE,
)

# Nine deficits by hand: hypertension K86, diabetes T90, AF K78, dementia P70 (memory), osteoporosis L95,
# urinary incontinence U04, dizziness N17, hearing H84, home visit (housebound) -> 9/36 = 0.25 -> moderate.
NINE_DEFICITS = dx(
    ("K86", D(2010, 1, 1)),
    ("T90", D(2012, 1, 1)),
    ("K78", D(2015, 5, 5)),
    ("P70", D(2018, 2, 2)),
    ("L95", D(2016, 3, 3)),
    ("U04", D(2017, 4, 4)),
    ("N17", D(2019, 1, 1)),
    ("H84", D(2014, 1, 1)),
)


@dataclass(frozen=True)
class Case:
    history: ResidentHistory
    groups: frozenset[str]
    frailty: str = "fit"
    deficit_count: int = 0
    reason_fragments: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _case(
    rid: str,
    born: datetime.date,
    groups: set[str],
    diagnoses: tuple[Diagnosis, ...] = (),
    contacts: tuple[Contact, ...] = (),
    frailty: str = "fit",
    deficit_count: int = 0,
    reasons: dict[str, tuple[str, ...]] | None = None,
) -> Case:
    return Case(
        ResidentHistory(rid, born, diagnoses, contacts),
        frozenset(groups),
        frailty,
        deficit_count,
        reasons or {},
    )


CASES: tuple[Case, ...] = (
    _case("healthy", D(1990, 6, 1), set(), contacts=cx((GP, D(2019, 3, 1)))),
    _case(
        "diabetic-seen",
        D(1960, 1, 1),
        {"chronic_disease"},
        dx(("T90", D(2015, 2, 1))),
        cx((GP, D(2019, 6, 1))),
        deficit_count=1,
        reasons={"chronic_disease": ("diabetes (T90, first 2015-02-01)",)},
    ),
    _case(
        "poor-demander",
        D(1955, 4, 4),
        {"chronic_disease", "poor_demanders"},
        dx(("K77", D(2016, 3, 1))),
        cx((GP, D(2017, 5, 1)), (OOH, D(2019, 2, 1))),
        deficit_count=1,
        reasons={
            "poor_demanders": ("heart failure", "last practice contact 2017-05-01", "none in 24 months")
        },
    ),
    # Last practice contact exactly 24 months before ON: outside the window (on - 24 months, on] -> qualifies.
    _case(
        "poor-demander-boundary",
        D(1955, 4, 4),
        {"chronic_disease", "poor_demanders"},
        dx(("R95", D(2016, 3, 1))),
        cx((NURSE, D(2017, 12, 31))),
        deficit_count=1,
    ),
    # One day later the contact is inside the window -> not a poor demander.
    _case(
        "seen-inside-window",
        D(1955, 4, 4),
        {"chronic_disease"},
        dx(("R95", D(2016, 3, 1))),
        cx((HOME, D(2018, 1, 1))),
        deficit_count=1,
        reasons={"poor_demanders": ("last practice contact 2018-01-01, within 24 months",)},
    ),
    # A chronic condition and no practice contact on record at all.
    _case("never-seen", D(1970, 1, 1), {"chronic_disease", "poor_demanders"}, dx(("N88", D(2014, 1, 1)))),
    _case(
        "depression",
        D(1989, 9, 9),
        {"mental_illness"},
        dx(("P76", D(2018, 1, 1))),
        cx((GP, D(2019, 1, 1))),
        reasons={"mental_illness": ("affective disorder (P76",)},
    ),
    # Tobacco (P17) is not on the substance-use list; acute stress reaction P02 not on any list.
    _case(
        "smoker",
        D(1980, 1, 1),
        set(),
        dx(("P17", D(2018, 1, 1)), ("P02", D(2019, 1, 1))),
        cx((GP, D(2019, 1, 1))),
    ),
    _case(
        "alcohol",
        D(1975, 1, 1),
        {"substance_use"},
        dx(("P15", D(2017, 1, 1))),
        cx((GP, D(2019, 1, 1))),
        reasons={"substance_use": ("alcohol (P15",)},
    ),
    _case(
        "intellectual-disability",
        D(2000, 1, 1),
        {"disability"},
        dx(("P85", D(2005, 1, 1))),
        cx((GP, D(2019, 1, 1))),
        reasons={"disability": ("intellectual disability (P85",)},
    ),
    _case(
        "frail-82",
        D(1937, 7, 7),
        {"chronic_disease", "frail_elderly", "complex_needs"},
        NINE_DEFICITS,
        cx((GP, D(2019, 10, 1)), (HOME, D(2019, 11, 1))),
        frailty="moderate",
        deficit_count=9,
        reasons={"frail_elderly": ("aged 82", "9 of 36 deficits", "index 0.250", "moderate")},
    ),
    # Same record, aged 49: frailty is moderate but the person is not elderly.
    _case(
        "frail-young",
        D(1970, 7, 7),
        {"chronic_disease", "complex_needs"},
        NINE_DEFICITS,
        cx((GP, D(2019, 10, 1)), (HOME, D(2019, 11, 1))),
        frailty="moderate",
        deficit_count=9,
        reasons={"frail_elderly": ("aged 49, under 65",)},
    ),
    # Home visit 13 months ago no longer counts as housebound: 8 deficits = 0.222 -> mild, not frail.
    _case(
        "mild-old",
        D(1940, 1, 1),
        {"chronic_disease", "complex_needs"},
        NINE_DEFICITS,
        cx((GP, D(2019, 10, 1)), (HOME, D(2018, 11, 30))),
        frailty="mild",
        deficit_count=8,
        reasons={"frail_elderly": ("frailty mild (0.222) is below moderate",)},
    ),
    # 65th birthday on ON itself: aged 65 counts. 13 deficits = 0.361 -> severe.
    _case(
        "severe-65",
        D(1954, 12, 31),
        {"chronic_disease", "frail_elderly", "complex_needs"},
        NINE_DEFICITS + dx(("K77", D(2019, 1, 1)), ("R02", D(2019, 2, 1)), ("S97", D(2019, 3, 1))),
        cx((GP, D(2019, 10, 1)), (HOME, D(2019, 11, 1)), (CARE, D(2019, 12, 1))),
        frailty="severe",
        deficit_count=13,
    ),
    _case(
        "multimorbid",
        D(1950, 1, 1),
        {"chronic_disease", "mental_illness", "complex_needs"},
        dx(("T90", D(2015, 1, 1)), ("R95", D(2016, 1, 1)), ("P76", D(2017, 1, 1))),
        cx((GP, D(2019, 5, 1))),
        deficit_count=2,
        reasons={"complex_needs": ("3 conditions (>= 3)",)},
    ),
    # Two codes for the same condition (T89, T90) plus asthma: 2 distinct conditions -> not complex.
    _case(
        "two-conditions",
        D(1950, 1, 1),
        {"chronic_disease"},
        dx(("T89", D(2015, 1, 1)), ("T90", D(2016, 1, 1)), ("R96", D(2017, 1, 1))),
        cx((GP, D(2019, 5, 1))),
        deficit_count=2,
        reasons={"complex_needs": ("2 conditions (< 3)",)},
    ),
    _case(
        "out-of-hours-user",
        D(1985, 1, 1),
        {"complex_needs"},
        (),
        cx((OOH, D(2019, 1, 15)), (OOH, D(2019, 6, 1)), (OOH, D(2019, 12, 31))),
        reasons={"complex_needs": ("3 out-of-hours contacts in 12 months (>= 3)",)},
    ),
    # The first of three out-of-hours contacts is exactly 12 months old: outside the window.
    _case(
        "out-of-hours-boundary",
        D(1985, 1, 1),
        set(),
        (),
        cx((OOH, D(2018, 12, 31)), (OOH, D(2019, 6, 1)), (OOH, D(2019, 7, 1))),
    ),
    _case(
        "hospital-user",
        D(1945, 1, 1),
        {"complex_needs"},
        (),
        cx((HOSP, D(2019, 3, 1)), (HOSP, D(2019, 9, 1)), (GP, D(2019, 10, 1))),
        reasons={"complex_needs": ("2 hospital admissions in 12 months (>= 2)",)},
    ),
    # Records after the reference date do not count.
    _case(
        "future-only",
        D(1950, 1, 1),
        set(),
        dx(("T90", D(2020, 1, 1)), ("P76", D(2020, 2, 1))),
        cx((GP, D(2019, 1, 1)), (OOH, D(2020, 1, 2)), (OOH, D(2020, 1, 3)), (OOH, D(2020, 1, 4))),
    ),
)
