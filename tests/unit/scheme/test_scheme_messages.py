"""Grant-scheme reasons as messages: every message id the eligibility, size-class, grant and selection rules
give has a template, every placeholder a value, and the English reason is the message rendered."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from message_checks import check_message
from pht.rules import eligibility, grants, selection, size_class
from pht.rules.eligibility import ApplicationInput, EligibilityContext, PracticeEntry, check_all
from pht.rules.explain import Message, render
from pht.rules.grants import GrantParameters, grant_years
from pht.rules.selection import Candidate, SelectionConstraints, SelectionProblem, solve_selection
from pht.rules.size_class import SizeClassThresholds

VOCABULARY = eligibility.vocabulary()
THRESHOLDS = SizeClassThresholds(small_below=5000, large_above=20000)
CTX = EligibilityContext(
    deadline_date=datetime.date(2017, 10, 15),
    timezone="Europe/Oslo",
    registry_gps={
        "100000001": frozenset({"908280001", "908280002", "908280003"}),
        "100000002": frozenset({"908280004"}),
    },
    known_municipalities=frozenset({"0828", "0301"}),
    size_thresholds=THRESHOLDS,
)
GPS = ("908280001", "908280002", "908280003", "908280004", "908289999")


def _check(templates: Mapping[str, str], reason: str, message: Message | None) -> set[str]:
    return check_message(templates, VOCABULARY, reason, message)


practices = st.builds(
    PracticeEntry,
    orgnr=st.sampled_from(["100000001", "100000002", "100000003"]),
    name=st.just("Legekontor"),
    kommunenummer=st.sampled_from(["0828", "0301"]),
    gp_hprs=st.frozensets(st.sampled_from(GPS), max_size=4),
    financing_model=st.sampled_from([None, "fee", "capitation", "salary"]),
    team_lead_hpr=st.one_of(st.none(), st.sampled_from(GPS)),
    nurse_fte=st.decimals(min_value=0, max_value=3, places=2),
    secretary_fte=st.decimals(min_value=0, max_value=1, places=1),
    gp_lists=st.one_of(st.none(), st.integers(min_value=0, max_value=12)),
)
applications = st.builds(
    ApplicationInput,
    applicant_kind=st.sampled_from(["municipality", "municipality", "practice"]),
    kommunenummer=st.sampled_from(["0828", "0301", "9999"]),
    municipality_name=st.just("Seljord"),
    population=st.one_of(st.none(), st.integers(min_value=0, max_value=800_000)),
    declared_size_class=st.sampled_from([None, "small", "medium", "large", "huge"]),
    submitted_at=st.one_of(
        st.none(),
        st.datetimes(
            min_value=datetime.datetime(2017, 10, 14), max_value=datetime.datetime(2017, 10, 17)
        ).map(lambda d: d.replace(tzinfo=ZoneInfo("Europe/Oslo"))),
    ),
    practices=st.lists(practices, max_size=3, unique_by=lambda p: p.orgnr).map(tuple),
)


@settings(max_examples=300, deadline=None)
@given(applications)
def test_every_eligibility_reason_is_a_complete_message(app: ApplicationInput) -> None:
    for verdict in check_all(app, CTX).verdicts:
        _check(eligibility.TEMPLATES, verdict.reason, verdict.message)


def test_hand_made_applications_use_every_eligibility_message_id() -> None:
    lead = PracticeEntry(
        "100000001", "A", "0828", frozenset({"908280001", "908280002", "908280003"}), "fee", "908280001",
        Decimal("1.0"), Decimal("0.5"),
    )  # fmt: skip
    good = ApplicationInput(
        "municipality", "0828", "Seljord", 2984, "small",
        datetime.datetime(2017, 10, 10, 12, tzinfo=ZoneInfo("Europe/Oslo")), (lead,),
    )  # fmt: skip
    bad_practice = PracticeEntry(
        "100000002", "B", "0301", frozenset({"908289999"}), "salary", None, Decimal("0"), Decimal("0"), 9
    )
    other_lead = PracticeEntry(
        "100000003", "C", "0828", frozenset({"908280001"}), None, "908280002", Decimal("1"), Decimal("1")
    )
    apps = [
        good,
        ApplicationInput("practice", "0828", "Seljord", None, None, None, ()),
        ApplicationInput("municipality", "9999", "X", 30000, "small", good.submitted_at, (bad_practice,)),
        ApplicationInput(
            "municipality",
            "0828",
            "Seljord",
            12000,
            "medium",
            datetime.datetime(2017, 10, 16, 0, 1, tzinfo=ZoneInfo("Europe/Oslo")),
            (lead, bad_practice, other_lead),
        ),  # fmt: skip
        ApplicationInput("municipality", "0828", "Seljord", 30000, "large", good.submitted_at, (lead,)),
    ]
    used: set[str] = set()
    for app in apps:
        for verdict in check_all(app, CTX).verdicts:
            used |= _check(eligibility.TEMPLATES, verdict.reason, verdict.message)
    assert used == set(eligibility.TEMPLATES)
    # The English reasons read as before the messages (the command line, the API and the export keep them).
    size = check_all(apps[2], CTX).verdicts[-1]
    assert size.reason == "declared size class small but population 30,000 is over 20,000, so large"


@settings(max_examples=200, deadline=None)
@given(population=st.integers(min_value=0, max_value=2_000_000))
def test_every_size_class_reason_is_a_complete_message(population: int) -> None:
    result = size_class.classify_size(population, THRESHOLDS)
    _check(size_class.TEMPLATES, result.reason, result.message)


@settings(max_examples=200, deadline=None)
@given(
    gps=st.integers(min_value=0, max_value=200),
    start=st.dates(datetime.date(2017, 1, 1), datetime.date(2020, 12, 31)),
    days=st.integers(min_value=0, max_value=1500),
)
def test_every_grant_year_reason_is_a_complete_message(gps: int, start: datetime.date, days: int) -> None:
    params = GrantParameters(Decimal("300000"), Decimal("400000"), Decimal("10000"))
    years = grant_years(gps, start, start + datetime.timedelta(days=days), params)
    for year in years:
        assert _check(grants.TEMPLATES, year.reason, year.message) == {"grants.year"}
        assert year.message is not None and year.message.params["practice"] == f"{year.practice_grant:.2f}"


candidates = st.lists(
    st.builds(
        Candidate,
        id=st.sampled_from(["0828", "1401", "0301", "1833", "4601", "3005"]),
        size_class=st.sampled_from(["small", "medium", "large"]),
        gps=st.integers(min_value=0, max_value=30),
        score=st.floats(min_value=0, max_value=5, allow_nan=False).map(lambda f: round(f, 2)),
        models=st.frozensets(st.sampled_from(["fee", "capitation"]), min_size=1),
        county=st.sampled_from([None, "Telemark", "Viken"]),
    ),
    max_size=5,
    unique_by=lambda c: c.id,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cands=candidates,
    small=st.integers(min_value=0, max_value=2),
    gps_max=st.one_of(st.none(), st.integers(min_value=0, max_value=60)),
    per_model=st.integers(min_value=0, max_value=2),
    per_county=st.one_of(st.none(), st.integers(min_value=0, max_value=2)),
    lock=st.booleans(),
)
def test_every_selection_explanation_and_group_is_a_complete_message(
    cands: list[Candidate],
    small: int,
    gps_max: int | None,
    per_model: int,
    per_county: int | None,
    lock: bool,
) -> None:
    problem = SelectionProblem(
        tuple(cands),
        SelectionConstraints({"small": small}, 1, gps_max, {"capitation": per_model}, per_county),
        locked_in=frozenset({cands[0].id}) if lock and cands else frozenset(),
        locked_out=frozenset({cands[-1].id}) if lock and len(cands) > 1 else frozenset(),
    )
    result = solve_selection(problem)
    _check(selection.TEMPLATES, result.explanation, result.message)
    for group, description in result.group_descriptions.items():
        _check(selection.TEMPLATES, description, result.group_messages[group])
    stored = result.as_dict(details=True)
    assert stored["message"] == result.message.as_dict()  # type: ignore[union-attr]
    for item in [*stored["binding"], *stored["conflict"]]:  # type: ignore[misc]
        assert (
            render(Message.from_dict(item["message"]), selection.TEMPLATES.__getitem__) == item["description"]
        )


def test_the_selection_messages_cover_every_template() -> None:
    a = Candidate("0828", "small", 10, 4.0, frozenset({"fee"}), "Telemark")
    b = Candidate("1401", "small", 30, 3.0, frozenset({"capitation"}), "Telemark")
    used: set[str] = set()
    problems = [
        # optimal, bound by the size class and the county
        SelectionProblem(
            (a, b), SelectionConstraints({"small": 1}, 5, 100, {"fee": 1}, 1), frozenset({"0828"})
        ),
        # optimal, the size class costs a point
        SelectionProblem((a, b), SelectionConstraints({"small": 1})),
        # optimal, nothing binding that costs
        SelectionProblem((a, b), SelectionConstraints({}, None, None, {}, None)),
        # infeasible, repairable by one group; infeasible whatever one group is relaxed
        SelectionProblem((a, b), SelectionConstraints({"small": 2}, None, 20)),
        SelectionProblem(
            (a,), SelectionConstraints({"small": 2, "medium": 1}), locked_out=frozenset({"0828"})
        ),
    ]
    for problem in problems:
        result = solve_selection(problem)
        used |= _check(selection.TEMPLATES, result.explanation, result.message)
        for group, description in result.group_descriptions.items():
            used |= _check(selection.TEMPLATES, description, result.group_messages[group])
    # "left out" describes the internal rows of the alternatives, never shown.
    assert used | {"selection.left_out"} == set(selection.TEMPLATES)
    assert solve_selection(problems[3]).explanation.startswith(
        "infeasible: these constraints cannot all hold together: "
    )


def test_a_template_placeholder_without_a_value_is_refused() -> None:
    with pytest.raises(KeyError):
        render(Message("eligibility.gps.left_out", {"orgnr": "1"}), eligibility.TEMPLATES.__getitem__)
