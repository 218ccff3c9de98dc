"""The analysis plan: a TOML document (``refdata/plans/default.toml`` is PHT's default), checked
field by field, identified by the sha256 of its canonical JSON, and compared with the default so a
result lists every deviation from it.

A plan is *locked* (``lock``) before any post-period outcome is read: the engine's post-period
reader takes only a ``LockedPlan``, and a ``LockedPlan`` is made only after the pre-period work
(matching, balance, power) is done. The lock records the hash and the time.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from pht.stats.did import Control, Scale, Weights

DEFAULT_PLAN = Path(__file__).parents[2] / "refdata" / "plans" / "default.toml"

ESTIMATORS = ("callaway_santanna",)
CONTROLS = ("notyet", "never")
PERIODS = ("quarter", "month")
POPULATIONS = ("target", "all")
COMPARISONS = ("twfe_event_study", "poisson", "naive")
BOOTSTRAP_WEIGHTS = ("webb", "rademacher", "mammen")
MULTIPLE_TESTING = ("romano_wolf", "holm", "none")


class PlanError(ValueError):
    """The plan file is unreadable or a field in it is missing or invalid (the message names it)."""


@dataclass(frozen=True)
class Plan:
    name: str
    version: str
    title: str
    baseline_date: datetime.date
    study_start: datetime.date
    study_end: datetime.date
    period: str
    survey_period: str
    populations: tuple[str, ...]
    estimator: str
    control: Control
    count_scale: Scale
    comparison: tuple[str, ...]
    min_control_practices: int
    neighbours: int
    covariates: tuple[str, ...]
    bootstrap_weights: Weights
    bootstrap_draws: int
    randomisation_permutations: int
    seed: int
    alpha: float
    power: float
    multiple_testing: str
    outcomes: dict[str, tuple[str, ...]]  # dimension -> outcome keys
    document: dict[str, Any] = field(repr=False, compare=False)
    deviations_stated: tuple[str, ...] = ()

    @property
    def hash(self) -> str:
        return plan_hash(self.document)

    def outcome_dimensions(self) -> list[tuple[str, str]]:
        """(outcome, dimension) in plan order."""
        return [(key, dim) for dim, keys in self.outcomes.items() for key in keys]


@dataclass(frozen=True)
class LockedPlan:
    plan: Plan
    plan_hash: str
    locked_at: str


def lock(plan: Plan, now: datetime.datetime | None = None) -> LockedPlan:
    moment = (now or datetime.datetime.now(datetime.UTC)).isoformat(timespec="seconds")
    return LockedPlan(plan=plan, plan_hash=plan.hash, locked_at=moment)


def _canonical(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def plan_hash(document: Mapping[str, Any]) -> str:
    text = json.dumps(_canonical(document), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _get(doc: Mapping[str, Any], path: str, kind: type | tuple[type, ...]) -> Any:
    node: Any = doc
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise PlanError(f"plan field {path!r} is missing")
        node = node[part]
    if (
        isinstance(node, bool)
        and kind is not bool
        and bool not in (kind if isinstance(kind, tuple) else (kind,))
    ):
        raise PlanError(f"plan field {path!r}: expected {kind}, got a boolean")
    if not isinstance(node, kind):
        raise PlanError(f"plan field {path!r}: expected {getattr(kind, '__name__', kind)}, got {node!r}")
    return node


def _choice(doc: Mapping[str, Any], path: str, allowed: tuple[str, ...]) -> str:
    value = _get(doc, path, str)
    if value not in allowed:
        raise PlanError(f"plan field {path!r}: {value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _date(doc: Mapping[str, Any], path: str) -> datetime.date:
    value = _get(doc, path, (datetime.date, str))
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError as exc:
            raise PlanError(f"plan field {path!r}: {value!r} is not a date (YYYY-MM-DD)") from exc
    if isinstance(value, datetime.datetime):
        raise PlanError(f"plan field {path!r}: expected a date, got a date-time")
    return value


def _strings(doc: Mapping[str, Any], path: str) -> tuple[str, ...]:
    value = _get(doc, path, list)
    if not all(isinstance(v, str) for v in value):
        raise PlanError(f"plan field {path!r}: expected a list of strings")
    return tuple(value)


def parse_plan(document: Mapping[str, Any], known_outcomes: frozenset[str] | None = None) -> Plan:
    """Check every field of a plan document; ``known_outcomes`` (the outcome catalogue) names what
    an outcome key may be."""
    populations = _strings(document, "design.populations")
    for population in populations:
        if population not in POPULATIONS:
            raise PlanError(f"plan field 'design.populations': unknown population {population!r}")
    comparison = _strings(document, "design.comparison")
    for name in comparison:
        if name not in COMPARISONS:
            raise PlanError(f"plan field 'design.comparison': unknown comparison {name!r}")
    outcomes_doc = _get(document, "outcomes", Mapping)
    outcomes: dict[str, tuple[str, ...]] = {}
    seen: set[str] = set()
    for dimension in outcomes_doc:
        keys = _strings(document, f"outcomes.{dimension}")
        for key in keys:
            if known_outcomes is not None and key not in known_outcomes:
                raise PlanError(
                    f"plan field 'outcomes.{dimension}': unknown outcome {key!r}; "
                    f"known outcomes are {', '.join(sorted(known_outcomes))}"
                )
            if key in seen:
                raise PlanError(f"plan field 'outcomes.{dimension}': outcome {key!r} appears twice")
            seen.add(key)
        outcomes[str(dimension)] = keys
    if not seen:
        raise PlanError("plan field 'outcomes': the plan names no outcome")
    plan = Plan(
        name=_get(document, "plan.name", str),
        version=str(_get(document, "plan.version", (str, datetime.date))),
        title=_get(document, "plan.title", str),
        baseline_date=_date(document, "design.baseline_date"),
        study_start=_date(document, "design.study_start"),
        study_end=_date(document, "design.study_end"),
        period=_choice(document, "design.period", PERIODS),
        survey_period=_choice(document, "design.survey_period", (*PERIODS, "year")),
        populations=populations,
        estimator=_choice(document, "design.estimator", ESTIMATORS),
        control=cast(Control, _choice(document, "design.control", CONTROLS)),
        count_scale=cast(Scale, _choice(document, "design.count_scale", ("log", "level"))),
        comparison=comparison,
        min_control_practices=_get(document, "design.min_control_practices", int),
        neighbours=_get(document, "matching.neighbours", int),
        covariates=_strings(document, "matching.covariates"),
        bootstrap_weights=cast(Weights, _choice(document, "inference.bootstrap_weights", BOOTSTRAP_WEIGHTS)),
        bootstrap_draws=_get(document, "inference.bootstrap_draws", int),
        randomisation_permutations=_get(document, "inference.randomisation_permutations", int),
        seed=_get(document, "inference.seed", int),
        alpha=float(_get(document, "inference.alpha", (float, int))),
        power=float(_get(document, "inference.power", (float, int))),
        multiple_testing=_choice(document, "inference.multiple_testing", MULTIPLE_TESTING),
        outcomes=outcomes,
        document=_canonical(document),
        deviations_stated=tuple(document.get("plan", {}).get("deviations", ())),
    )
    if not plan.study_start < plan.baseline_date < plan.study_end:
        raise PlanError(
            "plan fields 'design.study_start' < 'design.baseline_date' < 'design.study_end' must hold"
        )
    if not 0.0 < plan.alpha < 0.5:
        raise PlanError(f"plan field 'inference.alpha': {plan.alpha} is not in (0, 0.5)")
    if not 0.5 <= plan.power < 1.0:
        raise PlanError(f"plan field 'inference.power': {plan.power} is not in [0.5, 1)")
    if not 99 <= plan.bootstrap_draws <= 100_000:
        raise PlanError(
            f"plan field 'inference.bootstrap_draws': {plan.bootstrap_draws} is not in 99..100000"
        )
    if not (plan.randomisation_permutations == 0 or 99 <= plan.randomisation_permutations <= 100_000):
        raise PlanError(
            f"plan field 'inference.randomisation_permutations': {plan.randomisation_permutations} "
            "is not 0 (off) or in 99..100000"
        )
    if not 1 <= plan.neighbours <= 20:
        raise PlanError(f"plan field 'matching.neighbours': {plan.neighbours} is not in 1..20")
    if plan.min_control_practices < 1:
        raise PlanError("plan field 'design.min_control_practices' must be at least 1")
    if not plan.populations:
        raise PlanError("plan field 'design.populations': the plan names no population")
    return plan


def load_plan(path: Path | str | None = None, known_outcomes: frozenset[str] | None = None) -> Plan:
    source = Path(path) if path is not None else DEFAULT_PLAN
    try:
        document = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PlanError(f"plan file {source} does not exist") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PlanError(f"plan file {source} is not valid TOML: {exc}") from exc
    return parse_plan(document, known_outcomes)


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


def deviations(plan: Plan, reference: Plan) -> list[dict[str, Any]]:
    """Every field where ``plan`` differs from ``reference`` (the default plan), besides its own
    name, version, title and stated reasons."""
    ignored = {"plan.name", "plan.version", "plan.title", "plan.deviations"}
    mine, theirs = _flatten(plan.document), _flatten(reference.document)
    out = []
    for key in sorted(set(mine) | set(theirs)):
        if key in ignored or mine.get(key) == theirs.get(key):
            continue
        out.append({"field": key, "default": theirs.get(key), "plan": mine.get(key)})
    return out
