"""Stratified selection of municipalities as a mixed-integer linear programme (RULES.md §1).

Choose a set of candidates (municipalities, or Oslo districts counted as units) maximising
the total weighted review score, subject to:

* ``per_size_class``: exactly N chosen per size class named (classes not named are free);
* ``gps_min`` / ``gps_max``: a band on the total number of participating GPs;
* ``min_per_model``: at least N chosen candidates offering each financing model (a candidate
  counts toward every model it lists);
* ``max_per_county``: optionally at most N chosen per county;
* officer locks: ``locked_in`` must be chosen, ``locked_out`` must not.

Every constraint is one row in a named *group* (``per_size_class[small]``, ``gps_max``,
``locked_in[0828]`` …), so results can speak about them: which groups are binding (relaxing
them alone would raise the optimum, and by how much), and for an infeasible problem a minimal
set of groups that clash (deletion filter: drop each group in turn, keep it only if the rest
becomes feasible without it) plus the single groups whose relaxation alone restores
feasibility. For each chosen candidate the result gives the best selection without it and
the score that costs. Solved with scipy's ``milp`` (HiGHS).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

RULE_ID = "selection.stratified_milp"
TOLERANCE = 1e-6


class SelectionInputError(ValueError):
    """Bad selection input; the message names the record and field."""


@dataclass(frozen=True)
class Candidate:
    id: str
    size_class: str
    gps: int
    score: float
    models: frozenset[str]
    county: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class SelectionConstraints:
    per_size_class: Mapping[str, int] = field(default_factory=dict)
    gps_min: int | None = None
    gps_max: int | None = None
    min_per_model: Mapping[str, int] = field(default_factory=dict)
    max_per_county: int | None = None


@dataclass(frozen=True)
class SelectionProblem:
    candidates: tuple[Candidate, ...]
    constraints: SelectionConstraints
    locked_in: frozenset[str] = frozenset()
    locked_out: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        ids = [c.id for c in self.candidates]
        seen: set[str] = set()
        for candidate in self.candidates:
            if candidate.id in seen:
                raise SelectionInputError(f"candidate {candidate.id!r}: id appears twice")
            seen.add(candidate.id)
            if candidate.gps < 0:
                raise SelectionInputError(f"candidate {candidate.id!r}, field 'gps': must not be negative")
        for name, locked in (("locked_in", self.locked_in), ("locked_out", self.locked_out)):
            unknown = sorted(set(locked) - set(ids))
            if unknown:
                raise SelectionInputError(f"{name}: unknown candidate ids {unknown}")
        both = sorted(self.locked_in & self.locked_out)
        if both:
            raise SelectionInputError(f"candidates {both} are both locked in and locked out")


@dataclass(frozen=True)
class Binding:
    group: str
    description: str
    gain_if_relaxed: float | None  # None: relaxing it alone makes no difference to the optimum


@dataclass(frozen=True)
class Alternative:
    """The best selection without ``without``: who comes in instead and what it costs."""

    without: str
    feasible: bool
    chosen: tuple[str, ...]
    entering: tuple[str, ...]
    score: float | None
    score_cost: float | None


@dataclass(frozen=True)
class SelectionResult:
    status: str  # "optimal" or "infeasible"
    chosen: tuple[str, ...]
    total_score: float | None
    total_gps: int | None
    explanation: str
    binding: tuple[Binding, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    conflict: tuple[str, ...] = ()  # minimal set of clashing constraint groups
    repairs: tuple[str, ...] = ()  # groups whose relaxation alone makes the problem feasible
    group_descriptions: Mapping[str, str] = field(default_factory=dict)

    def as_dict(self, details: bool = False) -> dict[str, object]:
        result: dict[str, object] = {
            "status": self.status,
            "chosen": list(self.chosen),
            "total_score": self.total_score,
            "total_gps": self.total_gps,
            "explanation": self.explanation,
        }
        if details:
            result["binding"] = [
                {"group": b.group, "description": b.description, "gain_if_relaxed": b.gain_if_relaxed}
                for b in self.binding
            ]
            result["alternatives"] = [
                {
                    "without": a.without,
                    "feasible": a.feasible,
                    "chosen": list(a.chosen),
                    "entering": list(a.entering),
                    "score": a.score,
                    "score_cost": a.score_cost,
                }
                for a in self.alternatives
            ]
            result["conflict"] = [
                {"group": g, "description": self.group_descriptions.get(g, g)} for g in self.conflict
            ]
            result["repairs"] = list(self.repairs)
        return result


@dataclass(frozen=True)
class _Row:
    group: str
    description: str
    coeffs: tuple[float, ...]
    lower: float
    upper: float


def _rows(problem: SelectionProblem) -> list[_Row]:
    cands = problem.candidates
    limits = problem.constraints
    rows: list[_Row] = []

    def indicator(predicate: Iterable[bool]) -> tuple[float, ...]:
        return tuple(1.0 if hit else 0.0 for hit in predicate)

    for size_class, count in sorted(limits.per_size_class.items()):
        rows.append(
            _Row(
                f"per_size_class[{size_class}]",
                f"exactly {count} chosen of size class {size_class}",
                indicator(c.size_class == size_class for c in cands),
                count,
                count,
            )
        )
    gps = tuple(float(c.gps) for c in cands)
    if limits.gps_min is not None:
        rows.append(_Row("gps_min", f"at least {limits.gps_min} GPs in all", gps, limits.gps_min, np.inf))
    if limits.gps_max is not None:
        rows.append(_Row("gps_max", f"at most {limits.gps_max} GPs in all", gps, -np.inf, limits.gps_max))
    for model, count in sorted(limits.min_per_model.items()):
        rows.append(
            _Row(
                f"min_per_model[{model}]",
                f"at least {count} chosen offering the {model} model",
                indicator(model in c.models for c in cands),
                count,
                np.inf,
            )
        )
    if limits.max_per_county is not None:
        counties = sorted({c.county for c in cands if c.county is not None})
        for county in counties:
            rows.append(
                _Row(
                    f"max_per_county[{county}]",
                    f"at most {limits.max_per_county} chosen in {county}",
                    indicator(c.county == county for c in cands),
                    -np.inf,
                    limits.max_per_county,
                )
            )
    for cid in sorted(problem.locked_in):
        rows.append(
            _Row(f"locked_in[{cid}]", f"{cid} locked in", indicator(c.id == cid for c in cands), 1, 1)
        )
    for cid in sorted(problem.locked_out):
        rows.append(
            _Row(f"locked_out[{cid}]", f"{cid} locked out", indicator(c.id == cid for c in cands), 0, 0)
        )
    return rows


def _solve(scores: np.ndarray, rows: Sequence[_Row]) -> np.ndarray | None:
    """Optimal 0/1 vector, or None when infeasible."""
    n = len(scores)
    if n == 0:
        feasible = all(r.lower <= 0 <= r.upper for r in rows)
        return np.zeros(0) if feasible else None
    constraints = []
    if rows:
        matrix = np.array([r.coeffs for r in rows], dtype=float)
        constraints.append(
            LinearConstraint(matrix, np.array([r.lower for r in rows]), np.array([r.upper for r in rows]))
        )
    result = milp(
        c=-scores,
        constraints=constraints,
        integrality=np.ones(n),
        bounds=Bounds(np.zeros(n), np.ones(n)),
    )
    if result.status == 2:
        return None
    if result.status != 0 or result.x is None:
        raise RuntimeError(f"selection solver stopped without an answer: {result.message}")
    solution: np.ndarray = np.round(result.x).astype(int)
    return solution


def _value(scores: np.ndarray, x: np.ndarray) -> float:
    return float(scores @ x)


def _minimal_conflict(scores: np.ndarray, rows: list[_Row]) -> list[_Row]:
    """Deletion filter over constraint groups: an irreducible infeasible subset."""
    kept = list(rows)
    for row in list(rows):
        trial = [r for r in kept if r is not row]
        if _solve(scores, trial) is None:
            kept = trial
    return kept


def solve_selection(problem: SelectionProblem) -> SelectionResult:
    """Best selection under the constraints, explained; or why no selection is possible."""
    cands = problem.candidates
    ids = [c.id for c in cands]
    scores = np.array([c.score for c in cands], dtype=float)
    rows = _rows(problem)
    descriptions = {r.group: r.description for r in rows}
    x = _solve(scores, rows)
    if x is None:
        conflict = _minimal_conflict(scores, rows)
        repairs = [r.group for r in rows if _solve(scores, [o for o in rows if o is not r]) is not None]
        clash = "; ".join(f"{r.group} ({r.description})" for r in conflict)
        text = f"infeasible: these constraints cannot all hold together: {clash}."
        if repairs:
            text += f" Relaxing any one of {', '.join(repairs)} alone makes the problem feasible."
        else:
            text += " No single constraint can be relaxed alone to make it feasible."
        return SelectionResult(
            status="infeasible",
            chosen=(),
            total_score=None,
            total_gps=None,
            explanation=text,
            conflict=tuple(r.group for r in conflict),
            repairs=tuple(repairs),
            group_descriptions=descriptions,
        )
    optimum = _value(scores, x)
    chosen = tuple(sorted(ids[i] for i in range(len(ids)) if x[i] == 1))
    total_gps = int(sum(c.gps for c, hit in zip(cands, x, strict=True) if hit))

    binding: list[Binding] = []
    for row in rows:
        activity = float(np.dot(row.coeffs, x))
        active = np.isclose(activity, row.lower) or np.isclose(activity, row.upper)
        if not active:
            continue
        relaxed = _solve(scores, [r for r in rows if r is not row])
        gain = None if relaxed is None else _value(scores, relaxed) - optimum
        binding.append(
            Binding(row.group, row.description, round(gain, 6) if gain and gain > TOLERANCE else None)
        )

    alternatives: list[Alternative] = []
    for cid in chosen:
        index = ids.index(cid)
        without = _Row(
            f"exclude[{cid}]", f"{cid} left out", tuple(float(i == index) for i in range(len(ids))), 0, 0
        )
        alt = _solve(scores, [r for r in rows if r.group != f"locked_in[{cid}]"] + [without])
        if alt is None:
            alternatives.append(Alternative(cid, False, (), (), None, None))
            continue
        alt_chosen = tuple(sorted(ids[i] for i in range(len(ids)) if alt[i] == 1))
        alt_score = _value(scores, alt)
        alternatives.append(
            Alternative(
                without=cid,
                feasible=True,
                chosen=alt_chosen,
                entering=tuple(sorted(set(alt_chosen) - set(chosen))),
                score=round(alt_score, 6),
                score_cost=round(optimum - alt_score, 6),
            )
        )

    limiting = [b for b in binding if b.gain_if_relaxed is not None]
    text = f"optimal: {len(chosen)} chosen, total score {optimum:.2f}, {total_gps} GPs."
    if limiting:
        text += " Binding: " + "; ".join(
            f"{b.group} (relaxing it alone would add {b.gain_if_relaxed:.2f})" for b in limiting
        )
        text += "."
    else:
        text += " No single constraint limits the score."
    return SelectionResult(
        status="optimal",
        chosen=chosen,
        total_score=round(optimum, 6),
        total_gps=total_gps,
        explanation=text,
        binding=tuple(binding),
        alternatives=tuple(alternatives),
        group_descriptions=descriptions,
    )


def problem_from_mapping(document: Mapping[str, object]) -> SelectionProblem:
    """Parse the JSON form used by ``pht selection solve`` (see docs/scheme.md)."""
    raw_constraints = document.get("constraints", {})
    if not isinstance(raw_constraints, Mapping):
        raise SelectionInputError("field 'constraints': must be an object")
    raw_candidates = document.get("candidates")
    if not isinstance(raw_candidates, list):
        raise SelectionInputError("field 'candidates': must be a list")
    candidates = []
    for position, raw in enumerate(raw_candidates, start=1):
        label = f"candidate {position}"
        if not isinstance(raw, Mapping):
            raise SelectionInputError(f"{label}: must be an object")
        cid = raw.get("id")
        if not isinstance(cid, str) or not cid:
            raise SelectionInputError(f"{label}, field 'id': must be a non-empty string")
        label = f"candidate {cid!r}"
        size_class = raw.get("size_class")
        if not isinstance(size_class, str):
            raise SelectionInputError(f"{label}, field 'size_class': must be a string")
        gps = raw.get("gps")
        if not isinstance(gps, int) or isinstance(gps, bool):
            raise SelectionInputError(f"{label}, field 'gps': must be a whole number")
        score = raw.get("score")
        if not isinstance(score, int | float) or isinstance(score, bool):
            raise SelectionInputError(f"{label}, field 'score': must be a number")
        models = raw.get("models", [])
        if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
            raise SelectionInputError(f"{label}, field 'models': must be a list of strings")
        county = raw.get("county")
        if county is not None and not isinstance(county, str):
            raise SelectionInputError(f"{label}, field 'county': must be a string or null")
        name = raw.get("name")
        candidates.append(
            Candidate(
                id=cid,
                size_class=size_class,
                gps=gps,
                score=float(score),
                models=frozenset(models),
                county=county,
                name=name if isinstance(name, str) else None,
            )
        )
    constraints = SelectionConstraints(
        per_size_class=_count_map(raw_constraints, "per_size_class"),
        gps_min=_optional_int(raw_constraints, "gps_min"),
        gps_max=_optional_int(raw_constraints, "gps_max"),
        min_per_model=_count_map(raw_constraints, "min_per_model"),
        max_per_county=_optional_int(raw_constraints, "max_per_county"),
    )
    return SelectionProblem(
        candidates=tuple(candidates),
        constraints=constraints,
        locked_in=_id_set(document, "locked_in"),
        locked_out=_id_set(document, "locked_out"),
    )


def _optional_int(values: Mapping[str, object], key: str) -> int | None:
    value = values.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise SelectionInputError(f"constraints, field {key!r}: must be a whole number ≥ 0 or null")
    return value


def _count_map(values: Mapping[str, object], key: str) -> dict[str, int]:
    value = values.get(key) or {}
    if not isinstance(value, Mapping):
        raise SelectionInputError(f"constraints, field {key!r}: must be an object")
    result: dict[str, int] = {}
    for name, count in value.items():
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise SelectionInputError(f"constraints, field {key}.{name}: must be a whole number ≥ 0")
        result[str(name)] = count
    return result


def _id_set(values: Mapping[str, object], key: str) -> frozenset[str]:
    value = values.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SelectionInputError(f"field {key!r}: must be a list of candidate ids")
    return frozenset(value)
