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

The explanation and each group's description are also translatable messages (ids and English templates:
``TEMPLATES``; the English text is rendered from them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from pht.rules.eligibility import model_param, size_class_param
from pht.rules.explain import Message, Param, render

RULE_ID = "selection.stratified_milp"
TOLERANCE = 1e-6

# English templates of the explanation's and the groups' messages (ids -> ``%(name)s`` templates); the
# scheme app translates them (pht.apps.scheme.reasons).
TEMPLATES: Mapping[str, str] = {
    "selection.per_size_class": "exactly %(count)s chosen of size class %(size_class)s",
    "selection.gps_min": "at least %(gps)s GPs in all",
    "selection.gps_max": "at most %(gps)s GPs in all",
    "selection.min_per_model": "at least %(count)s chosen offering the %(model)s model",
    "selection.max_per_county": "at most %(count)s chosen in %(county)s",
    "selection.locked_in": "%(candidate)s locked in",
    "selection.locked_out": "%(candidate)s locked out",
    "selection.left_out": "%(candidate)s left out",
    "selection.infeasible.repairable": (
        "infeasible: these constraints cannot all hold together: %(clash)s. "
        "Relaxing any one of %(repairs)s alone makes the problem feasible."
    ),
    "selection.infeasible.stuck": (
        "infeasible: these constraints cannot all hold together: %(clash)s. "
        "No single constraint can be relaxed alone to make it feasible."
    ),
    "selection.optimal.binding": (
        "optimal: %(chosen)s chosen, total score %(score)s, %(gps)s GPs. Binding: %(binding)s."
    ),
    "selection.binding": "%(group)s (relaxing it alone would add %(gain)s)",
    "selection.optimal.free": (
        "optimal: %(chosen)s chosen, total score %(score)s, %(gps)s GPs. No single constraint limits the score."
    ),
}


def _text(message: Message) -> str:
    return render(message, TEMPLATES.__getitem__)


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
    message: Message | None = None  # the description as a message


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
    message: Message | None = None  # the explanation as a message
    group_messages: Mapping[str, Message] = field(default_factory=dict)

    def as_dict(self, details: bool = False) -> dict[str, object]:
        """The result; with ``details``, also the binding groups, alternatives, conflict and repairs, and the
        explanation and group descriptions as messages (``message``) beside their English text."""
        result: dict[str, object] = {
            "status": self.status,
            "chosen": list(self.chosen),
            "total_score": self.total_score,
            "total_gps": self.total_gps,
            "explanation": self.explanation,
        }
        if details:
            if self.message is not None:
                result["message"] = self.message.as_dict()
            result["binding"] = [
                _with_message(
                    {"group": b.group, "description": b.description, "gain_if_relaxed": b.gain_if_relaxed},
                    b.message,
                )
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
                _with_message(
                    {"group": g, "description": self.group_descriptions.get(g, g)}, self.group_messages.get(g)
                )
                for g in self.conflict
            ]
            result["repairs"] = list(self.repairs)
        return result


def _with_message(item: dict[str, object], message: Message | None) -> dict[str, object]:
    if message is not None:
        item["message"] = message.as_dict()
    return item


@dataclass(frozen=True)
class _Row:
    group: str
    message: Message
    coeffs: tuple[float, ...]
    lower: float
    upper: float

    @property
    def description(self) -> str:
        return _text(self.message)


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
                Message(
                    "selection.per_size_class", {"count": count, "size_class": size_class_param(size_class)}
                ),
                indicator(c.size_class == size_class for c in cands),
                count,
                count,
            )
        )
    gps = tuple(float(c.gps) for c in cands)
    if limits.gps_min is not None:
        message = Message("selection.gps_min", {"gps": limits.gps_min})
        rows.append(_Row("gps_min", message, gps, limits.gps_min, np.inf))
    if limits.gps_max is not None:
        message = Message("selection.gps_max", {"gps": limits.gps_max})
        rows.append(_Row("gps_max", message, gps, -np.inf, limits.gps_max))
    for model, count in sorted(limits.min_per_model.items()):
        rows.append(
            _Row(
                f"min_per_model[{model}]",
                Message(
                    "selection.min_per_model",
                    {"count": count, "model": model_param(model)},
                ),
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
                    Message("selection.max_per_county", {"count": limits.max_per_county, "county": county}),
                    indicator(c.county == county for c in cands),
                    -np.inf,
                    limits.max_per_county,
                )
            )
    for cid in sorted(problem.locked_in):
        rows.append(
            _Row(
                f"locked_in[{cid}]",
                Message("selection.locked_in", {"candidate": cid}),
                indicator(c.id == cid for c in cands),
                1,
                1,
            )
        )
    for cid in sorted(problem.locked_out):
        rows.append(
            _Row(
                f"locked_out[{cid}]",
                Message("selection.locked_out", {"candidate": cid}),
                indicator(c.id == cid for c in cands),
                0,
                0,
            )
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
    group_messages = {r.group: r.message for r in rows}
    x = _solve(scores, rows)
    if x is None:
        conflict = _minimal_conflict(scores, rows)
        repairs = [r.group for r in rows if _solve(scores, [o for o in rows if o is not r]) is not None]
        # Readers see each constraint described (its group key stays in the result's details).
        clash = tuple(r.message for r in conflict)
        repair_messages = tuple(r.message for r in rows if r.group in repairs)
        message = (
            Message("selection.infeasible.repairable", {"clash": clash, "repairs": repair_messages})
            if repairs
            else Message("selection.infeasible.stuck", {"clash": clash})
        )
        return SelectionResult(
            status="infeasible",
            chosen=(),
            total_score=None,
            total_gps=None,
            explanation=_text(message),
            conflict=tuple(r.group for r in conflict),
            repairs=tuple(repairs),
            group_descriptions=descriptions,
            message=message,
            group_messages=group_messages,
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
            Binding(
                row.group,
                row.description,
                round(gain, 6) if gain and gain > TOLERANCE else None,
                row.message,
            )
        )

    alternatives: list[Alternative] = []
    for cid in chosen:
        index = ids.index(cid)
        without = _Row(
            f"exclude[{cid}]",
            Message("selection.left_out", {"candidate": cid}),
            tuple(float(i == index) for i in range(len(ids))),
            0,
            0,
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
    found: dict[str, Param] = {"chosen": len(chosen), "score": f"{optimum:.2f}", "gps": total_gps}
    if limiting:
        found["binding"] = tuple(
            Message(
                "selection.binding", {"group": b.message or b.description, "gain": f"{b.gain_if_relaxed:.2f}"}
            )
            for b in limiting
        )
        message = Message("selection.optimal.binding", found)
    else:
        message = Message("selection.optimal.free", found)
    return SelectionResult(
        status="optimal",
        chosen=chosen,
        total_score=round(optimum, 6),
        total_gps=total_gps,
        explanation=_text(message),
        binding=tuple(binding),
        alternatives=tuple(alternatives),
        group_descriptions=descriptions,
        message=message,
        group_messages=group_messages,
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
