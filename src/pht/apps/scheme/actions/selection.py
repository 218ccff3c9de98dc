"""Selection: candidates, the optimisation problem, the officer's decision."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.validation import bounded_text
from pht.apps.scheme import models as m
from pht.apps.scheme import workflows
from pht.apps.scheme.actions._common import ROLE_OFFICER, _audit, _require_role, _transition
from pht.apps.scheme.actions.decisions import create_decision
from pht.rules.grants import GrantParameters
from pht.rules.selection import solve_selection


def selection_candidates(call: m.Call) -> list[m.Application]:
    """Submitted, eligible and scored applications of the call."""
    result = []
    for application in call.applications.filter(status=m.Application.Status.SUBMITTED).select_related(
        "municipality"
    ):
        if application.score is None:
            continue
        if all(v.get("passed") for v in application.verdicts):
            result.append(application)
    return result


def default_constraints(call: m.Call) -> dict[str, Any]:
    t = call.targets
    return {
        "per_size_class": {k: t.get(f"target_{k}", 0) for k in ("small", "medium", "large")},
        "gps_min": t.get("gps_min"),
        "gps_max": t.get("gps_max"),
        "min_per_model": {k: t.get(f"min_per_model_{k}", 0) for k in call.financing_models},
        "max_per_county": t.get("max_per_county"),
    }


def size_class_of(application: m.Application) -> str:
    for verdict in application.verdicts:
        if verdict.get("rule") == "eligibility.size_class":
            value = verdict.get("inputs", {}).get("size_class")
            if value:
                return str(value)
    return application.declared_size_class or "unknown"


def candidate_of(application: m.Application) -> dict[str, Any]:
    """An application as a selection candidate (the row of a selection problem)."""
    models_offered = sorted({p.financing_model for p in application.practices.all() if p.financing_model})
    return {
        "id": application.municipality.kommunenummer,
        "name": application.municipality.name,
        "size_class": size_class_of(application),
        "gps": application.gp_count,
        "score": float(application.score or 0),
        "models": models_offered,
        "county": getattr(application.municipality, "county", None),
    }


def decided_candidates(call: m.Call) -> list[dict[str, Any]] | None:
    """After the selection decision, the candidates it was made on, each with its outcome.

    Once decided, the applications are granted or rejected, no longer submitted, so
    ``selection_candidates`` finds none. The decision's run holds the candidates as they were
    (its input); each gets ``selected`` (chosen by the decision), the application's ``status``
    now and its ``application_id``. Selected first, then by score. ``None`` before a decision.
    """
    decision = call.selection_decisions.select_related("run").first()
    if decision is None:
        return None
    applications = {a.municipality.kommunenummer: a for a in call.applications.select_related("municipality")}
    rows = [dict(c) for c in decision.run.problem.get("candidates", [])]
    listed = {row["id"] for row in rows}
    # A decision may choose other than its run proposed (``decide_selection(chosen=...)``).
    rows += [candidate_of(applications[c]) for c in decision.chosen if c not in listed and c in applications]
    chosen = set(decision.chosen)
    for row in rows:
        application = applications.get(row["id"])
        row["selected"] = row["id"] in chosen
        row["status"] = application.status if application else ""
        row["status_label"] = application.get_status_display() if application else ""
        row["application_id"] = application.pk if application else None
    rows.sort(key=lambda r: (not r["selected"], -float(r.get("score") or 0), str(r.get("name") or r["id"])))
    return rows


def build_problem(
    call: m.Call,
    constraints: Mapping[str, Any] | None = None,
    locked_in: Iterable[str] = (),
    locked_out: Iterable[str] = (),
) -> dict[str, Any]:
    return {
        "constraints": dict(constraints or default_constraints(call)),
        "candidates": [candidate_of(a) for a in selection_candidates(call)],
        "locked_in": sorted(locked_in),
        "locked_out": sorted(locked_out),
    }


def run_selection(
    user: Any,
    call: m.Call,
    constraints: Mapping[str, Any] | None = None,
    locked_in: Iterable[str] = (),
    locked_out: Iterable[str] = (),
    note: str = "",
) -> m.SelectionRun:
    from pht.rules.selection import SelectionInputError, problem_from_mapping

    _require_role(user, ROLE_OFFICER)
    bounded_text(note, m.SelectionRun, "note")
    if call.selection_decisions.exists():
        raise ActionRefused(_("utvelgelsen for denne utlysningen er allerede vedtatt"))
    locked_in, locked_out = list(locked_in), list(locked_out)
    both = sorted(set(locked_in) & set(locked_out))
    if both:
        names = {c["id"]: c.get("name") or c["id"] for c in build_problem(call)["candidates"]}
        raise ActionRefused(
            _("%(names)s: en kommune kan ikke både låses inn og låses ut"),
            {"names": ", ".join(str(names.get(i, i)) for i in both)},
        )
    problem = build_problem(call, constraints, locked_in, locked_out)
    try:
        result = solve_selection(problem_from_mapping(problem))
    except SelectionInputError as exc:
        raise ActionRefused(str(exc)) from exc
    with transaction.atomic():
        run = m.SelectionRun.objects.create(
            call=call, problem=problem, result=result.as_dict(details=True), created_by=user, note=note
        )
        _audit(user, "scheme.selection.run", call, {}, {"run": run.pk, "status": result.status})
    return run


def decide_selection(
    user: Any, run: m.SelectionRun, rationale: str, chosen: Sequence[str] | None = None
) -> m.SelectionDecision:
    """Record the final selection with its rationale; grant the chosen, reject the rest."""
    _require_role(user, ROLE_OFFICER)
    bounded_text(rationale, m.SelectionDecision, "rationale")
    if not rationale.strip():
        raise ActionRefused(_("et utvelgelsesvedtak trenger en begrunnelse"))
    picked = list(chosen if chosen is not None else run.result.get("chosen", []))
    if not picked:
        raise ActionRefused(_("utvelgelsen velger ingen kommune"))
    call = run.call
    if call.selection_decisions.exists():
        raise ActionRefused(_("utvelgelsen for denne utlysningen er allerede vedtatt"))
    applications = {
        a.municipality.kommunenummer: a
        for a in call.applications.filter(status="submitted").select_related("municipality")
    }
    unknown = [c for c in picked if c not in applications]
    if unknown:
        raise ActionRefused(
            _("ikke innsendte søknader: %(municipalities)s"), {"municipalities": ", ".join(unknown)}
        )
    GrantParameters.from_mapping(call.grant_parameters)  # the call's grant rules are checked before writing
    with transaction.atomic():
        decision = m.SelectionDecision.objects.create(
            call=call, run=run, chosen=picked, rationale=rationale, decided_by=user
        )
        for number, application in applications.items():
            target = "granted" if number in picked else "rejected"
            _transition(workflows.APPLICATION, application.status, target, user)
            application.status = target
            application.save(update_fields=["status"])
            if target == "granted":
                create_decision(user, application)
        _audit(user, "scheme.selection.decide", call, {}, {"chosen": picked, "rationale": rationale})
    return decision
