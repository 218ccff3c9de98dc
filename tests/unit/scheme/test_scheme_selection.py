import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pht.rules.selection import (
    Candidate,
    SelectionConstraints,
    SelectionInputError,
    SelectionProblem,
    _rows,
    _solve,
    problem_from_mapping,
    solve_selection,
)

CLASSES = ("small", "medium", "large")
MODELS = ("fee", "capitation")
COUNTIES = ("Telemark", "Rogaland", "Viken")


def brute_force(problem: SelectionProblem) -> float | None:
    """Best total score over all subsets that satisfy every constraint, by enumeration."""
    cands = problem.candidates
    n = len(cands)
    limits = problem.constraints
    scores = np.array([c.score for c in cands])
    columns = [np.array([c.gps for c in cands], dtype=float)]
    lower = [limits.gps_min if limits.gps_min is not None else -np.inf]
    upper = [limits.gps_max if limits.gps_max is not None else np.inf]
    for size_class, count in limits.per_size_class.items():
        columns.append(np.array([c.size_class == size_class for c in cands], dtype=float))
        lower.append(count)
        upper.append(count)
    for model, count in limits.min_per_model.items():
        columns.append(np.array([model in c.models for c in cands], dtype=float))
        lower.append(count)
        upper.append(np.inf)
    if limits.max_per_county is not None:
        for county in COUNTIES:
            columns.append(np.array([c.county == county for c in cands], dtype=float))
            lower.append(-np.inf)
            upper.append(limits.max_per_county)
    for i, c in enumerate(cands):
        if c.id in problem.locked_in or c.id in problem.locked_out:
            columns.append(np.eye(n)[i])
            value = 1 if c.id in problem.locked_in else 0
            lower.append(value)
            upper.append(value)
    matrix = np.array(columns).T  # n × k
    lo, hi = np.array(lower), np.array(upper)
    best: float | None = None
    bits = np.arange(n)
    # Enumerate subsets in chunks so 2^20 stays within memory.
    chunk = 1 << min(n, 16)
    for start in range(0, 1 << n, chunk):
        masks = ((np.arange(start, start + chunk)[:, None] >> bits) & 1).astype(float)
        activity = masks @ matrix
        ok = np.all((activity >= lo - 1e-9) & (activity <= hi + 1e-9), axis=1)
        if ok.any():
            value = float((masks[ok] @ scores).max())
            best = value if best is None else max(best, value)
    return best


@st.composite
def problems(draw: st.DrawFn) -> SelectionProblem:
    n = draw(st.integers(0, 20))
    cands = tuple(
        Candidate(
            id=f"{i:04d}",
            size_class=draw(st.sampled_from(CLASSES)),
            gps=draw(st.integers(1, 30)),
            score=draw(st.integers(100, 500)) / 100,
            models=frozenset(draw(st.sets(st.sampled_from(MODELS), min_size=1))),
            county=draw(st.sampled_from(COUNTIES)),
        )
        for i in range(n)
    )
    per_class = {c: draw(st.integers(0, 3)) for c in draw(st.sets(st.sampled_from(CLASSES)))}
    gps_min = draw(st.none() | st.integers(0, 60))
    gps_max = draw(st.none() | st.integers(20, 120))
    constraints = SelectionConstraints(
        per_size_class=per_class,
        gps_min=gps_min,
        gps_max=gps_max,
        min_per_model={m: draw(st.integers(0, 2)) for m in draw(st.sets(st.sampled_from(MODELS)))},
        max_per_county=draw(st.none() | st.integers(1, 3)),
    )
    ids = [c.id for c in cands]
    locked_in = draw(st.sets(st.sampled_from(ids), max_size=2)) if ids else set()
    rest = [i for i in ids if i not in locked_in]
    locked_out = draw(st.sets(st.sampled_from(rest), max_size=2)) if rest else set()
    return SelectionProblem(cands, constraints, frozenset(locked_in), frozenset(locked_out))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_optimum_equals_brute_force(problem: SelectionProblem) -> None:
    expected = brute_force(problem)
    result = solve_selection(problem)
    if expected is None:
        assert result.status == "infeasible"
        assert result.conflict, "an infeasible problem must name its clashing constraints"
        # The named conflict is irreducible: infeasible together, feasible without any one of them.
        rows = {r.group: r for r in _rows(problem)}
        scores = np.array([c.score for c in problem.candidates])
        conflict = [rows[g] for g in result.conflict]
        assert _solve(scores, conflict) is None
        for row in conflict:
            assert _solve(scores, [r for r in conflict if r is not row]) is not None
    else:
        assert result.status == "optimal"
        assert result.total_score == pytest.approx(expected, abs=1e-6)
        chosen = [c for c in problem.candidates if c.id in result.chosen]
        assert result.total_gps == sum(c.gps for c in chosen)
        assert sum(c.score for c in chosen) == pytest.approx(expected, abs=1e-6)


def _cand(cid: str, size: str, gps: int, score: float, models: tuple[str, ...] = ("fee",), county: str = "A"):
    return Candidate(cid, size, gps, score, frozenset(models), county)


def test_infeasible_names_the_clashing_constraints() -> None:
    # Two small ones must be chosen, but together they have 30 GPs against a maximum of 20;
    # the capitation minimum is irrelevant to the clash and must not be named.
    problem = SelectionProblem(
        (
            _cand("a", "small", 15, 4.0, ("fee", "capitation")),
            _cand("b", "small", 15, 3.0),
            _cand("c", "large", 5, 2.0),
        ),
        SelectionConstraints(per_size_class={"small": 2}, gps_max=20, min_per_model={"capitation": 1}),
    )
    result = solve_selection(problem)
    assert result.status == "infeasible"
    assert set(result.conflict) == {"per_size_class[small]", "gps_max"}
    assert set(result.repairs) == {"per_size_class[small]", "gps_max"}
    # The explanation describes the constraints in words; their keys stay in the result's fields.
    assert "exactly 2 chosen of size class small" in result.explanation
    assert "at most 20 GPs in all" in result.explanation
    assert "per_size_class" not in result.explanation and "gps_max" not in result.explanation
    assert "capitation" not in result.explanation


def test_infeasible_lock_clash() -> None:
    problem = SelectionProblem(
        (_cand("a", "small", 4, 4.0), _cand("b", "small", 4, 3.0)),
        SelectionConstraints(per_size_class={"small": 1}),
        locked_in=frozenset({"a", "b"}),
    )
    result = solve_selection(problem)
    assert result.status == "infeasible"
    assert set(result.conflict) == {"per_size_class[small]", "locked_in[a]", "locked_in[b]"}


def test_binding_and_alternatives() -> None:
    problem = SelectionProblem(
        (
            _cand("s1", "small", 3, 4.5),
            _cand("s2", "small", 4, 4.0, ("capitation",)),
            _cand("s3", "small", 2, 3.0),
            _cand("l1", "large", 30, 5.0),
            _cand("l2", "large", 25, 3.5, ("capitation",)),
        ),
        SelectionConstraints(per_size_class={"small": 1, "large": 1}, min_per_model={"capitation": 1}),
    )
    result = solve_selection(problem)
    assert result.status == "optimal"
    # Best: s2 (capitation) + l1 = 9.0 beats s1 + l2 = 8.0.
    assert result.chosen == ("l1", "s2")
    assert result.total_score == pytest.approx(9.0)
    assert result.total_gps == 34
    gains = {b.group: b.gain_if_relaxed for b in result.binding}
    assert gains["min_per_model[capitation]"] == pytest.approx(0.5)  # s1 + l1 = 9.5
    alternatives = {a.without: a for a in result.alternatives}
    assert alternatives["s2"].entering == ("l2", "s1")
    assert alternatives["s2"].score_cost == pytest.approx(1.0)
    # Without l1, l2 must come in and then capitation is covered, so s1 replaces s2: 8.0.
    assert alternatives["l1"].entering == ("l2", "s1")
    assert alternatives["l1"].score_cost == pytest.approx(1.0)


def test_alternative_when_no_replacement_exists() -> None:
    problem = SelectionProblem(
        (_cand("a", "small", 4, 4.0),),
        SelectionConstraints(per_size_class={"small": 1}),
    )
    (alt,) = solve_selection(problem).alternatives
    assert not alt.feasible and alt.score_cost is None


def test_locks_are_respected() -> None:
    problem = SelectionProblem(
        (_cand("a", "small", 4, 4.0), _cand("b", "small", 4, 3.0), _cand("c", "small", 4, 1.0)),
        SelectionConstraints(per_size_class={"small": 2}),
        locked_in=frozenset({"c"}),
        locked_out=frozenset({"a"}),
    )
    assert solve_selection(problem).chosen == ("b", "c")


def test_parses_the_issue_example() -> None:
    document = {
        "constraints": {
            "per_size_class": {"small": 1},
            "gps_min": 1,
            "gps_max": 90,
            "min_per_model": {"fee": 1, "capitation": 0},
            "max_per_county": None,
        },
        "candidates": [
            {
                "id": "0828",
                "size_class": "small",
                "gps": 4,
                "score": 3.8,
                "models": ["fee"],
                "county": "Telemark",
            }
        ],
        "locked_in": [],
        "locked_out": [],
    }
    result = solve_selection(problem_from_mapping(document))
    assert result.as_dict() == {
        "status": "optimal",
        "chosen": ["0828"],
        "total_score": 3.8,
        "total_gps": 4,
        "explanation": result.explanation,
    }


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"candidates": "x"}, "field 'candidates'"),
        (
            {"candidates": [{"id": "1", "size_class": "small", "gps": "4", "score": 1}]},
            "candidate '1', field 'gps'",
        ),
        ({"candidates": [], "locked_in": ["9"]}, "locked_in: unknown candidate ids"),
        ({"candidates": [], "constraints": {"gps_min": -1}}, "gps_min"),
    ],
)
def test_bad_input_names_record_and_field(document: dict[str, object], message: str) -> None:
    with pytest.raises(SelectionInputError, match=message):
        problem_from_mapping(document)


def test_brute_force_helper_sanity() -> None:
    # The reference must itself find the obvious answer.
    problem = SelectionProblem(
        tuple(_cand(str(i), "small", 1, float(i)) for i in range(4)),
        SelectionConstraints(per_size_class={"small": 2}),
    )
    assert brute_force(problem) == 5.0
    assert list(itertools.combinations(range(4), 2))
