import dataclasses
import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pht.rules.eligibility import (
    ApplicationFormatError,
    ApplicationInput,
    EligibilityContext,
    PracticeEntry,
    all_gps_included,
    applicant_is_municipality,
    application_from_mapping,
    check_all,
    financing_model_per_practice,
    nurse_norm,
    practices_in_municipality,
    size_class_matches,
    submitted_in_time,
    team_composition,
)
from pht.rules.size_class import SizeClassThresholds

OSLO = ZoneInfo("Europe/Oslo")
UTC = datetime.UTC
CTX = EligibilityContext(
    deadline_date=datetime.date(2017, 10, 15),
    timezone="Europe/Oslo",
    registry_gps={
        "100000001": frozenset({"908280001", "908280002", "908280003"}),
        "100000002": frozenset({"908280004"}),
    },
    known_municipalities=frozenset({"0828", "0301"}),
    size_thresholds=SizeClassThresholds(small_below=5000, large_above=20000),
)
P1 = PracticeEntry(
    orgnr="100000001",
    name="Seljord legesenter",
    kommunenummer="0828",
    gp_hprs=frozenset({"908280001", "908280002", "908280003"}),
    financing_model="fee",
    team_lead_hpr="908280001",
    nurse_fte=Decimal("1.0"),
    secretary_fte=Decimal("0.5"),
)
P2 = PracticeEntry(
    orgnr="100000002",
    name="Flatdal legekontor",
    kommunenummer="0828",
    gp_hprs=frozenset({"908280004"}),
    financing_model="capitation",
    team_lead_hpr="908280004",
    nurse_fte=Decimal("0.4"),
    secretary_fte=Decimal("0.2"),
)
GOOD = ApplicationInput(
    applicant_kind="municipality",
    kommunenummer="0828",
    municipality_name="Seljord",
    population=2984,
    declared_size_class="small",
    submitted_at=datetime.datetime(2017, 10, 10, 12, 0, tzinfo=OSLO),
    practices=(P1, P2),
)


def with_(**changes: object) -> ApplicationInput:
    return dataclasses.replace(GOOD, **changes)


def test_good_application_passes_every_rule() -> None:
    report = check_all(GOOD, CTX)
    assert report.passed, [v.reason for v in report.failed]
    assert len(report.verdicts) == 8
    assert len({v.rule for v in report.verdicts}) == 8


# Applicant
def test_applicant_must_be_a_municipality() -> None:
    verdict = applicant_is_municipality(with_(applicant_kind="practice"), CTX)
    assert not verdict.passed and "not a municipality" in verdict.reason
    verdict = applicant_is_municipality(with_(kommunenummer="9999"), CTX)
    assert not verdict.passed and "9999" in verdict.reason
    assert applicant_is_municipality(GOOD, CTX).passed


# Deadline: end of 15 Oct 2017, Europe/Oslo (CEST, UTC+2 that day)
def test_last_second_before_deadline_is_in_time() -> None:
    verdict = submitted_in_time(
        with_(submitted_at=datetime.datetime(2017, 10, 15, 23, 59, 59, tzinfo=OSLO)), CTX
    )
    assert verdict.passed
    assert "2017-10-15 23:59:59" in verdict.reason


def test_midnight_after_deadline_is_late() -> None:
    verdict = submitted_in_time(
        with_(submitted_at=datetime.datetime(2017, 10, 16, 0, 0, 0, tzinfo=OSLO)), CTX
    )
    assert not verdict.passed
    assert "after the deadline" in verdict.reason and "2017-10-16 00:00:00" in verdict.reason


def test_deadline_compares_in_oslo_time_not_utc() -> None:
    # 22:30 UTC on 15 Oct is 00:30 on 16 Oct in Oslo: late, although the UTC date is still the 15th.
    assert not submitted_in_time(
        with_(submitted_at=datetime.datetime(2017, 10, 15, 22, 30, tzinfo=UTC)), CTX
    ).passed
    # 21:59:59 UTC is 23:59:59 in Oslo: in time.
    assert submitted_in_time(
        with_(submitted_at=datetime.datetime(2017, 10, 15, 21, 59, 59, tzinfo=UTC)), CTX
    ).passed


def test_unsubmitted_is_not_in_time() -> None:
    verdict = submitted_in_time(with_(submitted_at=None), CTX)
    assert not verdict.passed and "not been submitted" in verdict.reason


@given(st.datetimes(datetime.datetime(2017, 9, 1), datetime.datetime(2017, 11, 30), timezones=st.just(UTC)))
def test_deadline_property(moment: datetime.datetime) -> None:
    local = moment.astimezone(OSLO)
    expected = local.date() <= datetime.date(2017, 10, 15)
    assert submitted_in_time(with_(submitted_at=moment), CTX).passed is expected


# GPs
def test_every_gp_of_a_practice_must_be_included() -> None:
    partial = dataclasses.replace(P1, gp_hprs=frozenset({"908280001", "908280002"}))
    verdict = all_gps_included(with_(practices=(partial, P2)), CTX)
    assert not verdict.passed
    assert "100000001 leaves out GPs 908280003" in verdict.reason


def test_gps_not_in_the_registry_are_refused() -> None:
    extra = dataclasses.replace(P2, gp_hprs=frozenset({"908280004", "908289999"}))
    verdict = all_gps_included(with_(practices=(P1, extra)), CTX)
    assert not verdict.passed and "908289999" in verdict.reason


def test_no_practice_fails() -> None:
    assert not all_gps_included(with_(practices=()), CTX).passed


# Practices in the municipality
def test_practice_outside_the_municipality_fails() -> None:
    outside = dataclasses.replace(P2, kommunenummer="0301")
    verdict = practices_in_municipality(with_(practices=(P1, outside)), CTX)
    assert not verdict.passed and "100000002 (in 0301)" in verdict.reason
    assert practices_in_municipality(GOOD, CTX).passed


# Team
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"team_lead_hpr": None}, "no GP named as team lead"),
        ({"team_lead_hpr": "908280004"}, "is not one of its included GPs"),
        ({"nurse_fte": Decimal("0")}, "no nurse planned"),
        ({"secretary_fte": Decimal("0")}, "no health secretary planned"),
    ],
)
def test_team_needs_gp_lead_nurse_and_secretary(change: dict[str, object], message: str) -> None:
    practice = dataclasses.replace(P1, **change)
    verdict = team_composition(with_(practices=(practice, P2)), CTX)
    assert not verdict.passed and message in verdict.reason and "100000001" in verdict.reason
    assert team_composition(GOOD, CTX).passed


# Nurse norm: one FTE per three GP lists
def test_nurse_norm() -> None:
    assert nurse_norm(GOOD, CTX).passed  # 3 lists -> 1.00, 1 list -> 0.33
    short = dataclasses.replace(P1, nurse_fte=Decimal("0.99"))
    verdict = nurse_norm(with_(practices=(short, P2)), CTX)
    assert not verdict.passed and "needs 1.00" in verdict.reason
    four = dataclasses.replace(P1, gp_lists=4, nurse_fte=Decimal("1.33"))
    assert nurse_norm(with_(practices=(four, P2)), CTX).passed  # 4/3 = 1.333 -> 1.33
    four_short = dataclasses.replace(four, nurse_fte=Decimal("1.32"))
    assert not nurse_norm(with_(practices=(four_short, P2)), CTX).passed


# Financing model
def test_each_practice_needs_a_financing_model() -> None:
    verdict = financing_model_per_practice(
        with_(practices=(dataclasses.replace(P1, financing_model=None), P2)), CTX
    )
    assert not verdict.passed and "100000001: no financing model" in verdict.reason
    verdict = financing_model_per_practice(
        with_(practices=(dataclasses.replace(P1, financing_model="salary"),)), CTX
    )
    assert not verdict.passed and "'salary'" in verdict.reason
    verdict = financing_model_per_practice(GOOD, CTX)
    assert verdict.passed and "capitation, fee" in verdict.reason  # both models in one municipality


# Size class
@pytest.mark.parametrize(
    ("population", "declared", "passed"),
    [
        (2984, "small", True),
        (5000, "medium", True),
        (20000, "medium", True),
        (20001, "large", True),
        (4999, "medium", False),
        (2984, None, True),
    ],
)
def test_size_class_follows_from_population(population: int, declared: str | None, passed: bool) -> None:
    verdict = size_class_matches(with_(population=population, declared_size_class=declared), CTX)
    assert verdict.passed is passed
    assert str(population) in verdict.reason.replace(",", "")


def test_size_class_without_population_fails() -> None:
    assert not size_class_matches(with_(population=None), CTX).passed


# The export format
EXPORT = {
    "format": "pht.application/1",
    "applicant": {"kind": "municipality", "kommunenummer": "0828", "name": "Seljord"},
    "population": 2984,
    "size_class": "small",
    "submitted_at": "2017-10-15T23:59:59+02:00",
    "practices": [
        {
            "orgnr": "100000001",
            "name": "Seljord legesenter",
            "kommunenummer": "0828",
            "gps": ["908280001", "908280002", "908280003"],
            "registry_gps": ["908280001", "908280002", "908280003"],
            "financing_model": "fee",
            "team_lead": "908280001",
            "nurse_fte": "1.0",
            "secretary_fte": "0.5",
        }
    ],
}


def test_export_round_trip() -> None:
    app, registry = application_from_mapping(EXPORT)
    assert app.practices[0].nurse_fte == Decimal("1.0")
    assert registry == {"100000001": frozenset({"908280001", "908280002", "908280003"})}
    ctx = dataclasses.replace(CTX, registry_gps=registry)
    assert check_all(app, ctx).passed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"applicant": None}, "field 'applicant'"),
        ({"submitted_at": "2017-10-15T23:59:59"}, "UTC offset"),
        ({"submitted_at": "yesterday"}, "submitted_at"),
        (
            {"practices": [{"orgnr": "1", "kommunenummer": "0828", "nurse_fte": "x"}]},
            "practice 1, field 'nurse_fte'",
        ),
        ({"practices": [{"orgnr": "1", "kommunenummer": "0828", "gps": "9"}]}, "practice 1, field 'gps'"),
    ],
)
def test_export_errors_name_record_and_field(change: dict[str, object], message: str) -> None:
    with pytest.raises(ApplicationFormatError, match=message):
        application_from_mapping({**EXPORT, **change})
