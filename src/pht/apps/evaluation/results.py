"""What every result of a run is shown with: where it came from (``meta``), and its estimates table."""

from __future__ import annotations

from typing import Any

from pht.apps.evaluation.models import Run

ESTIMATE_FIELDS = (
    "outcome",
    "dimension",
    "population",
    "scale",
    "estimate",
    "ci_low",
    "ci_high",
    "p_value",
    "p_adjusted",
    "naive_estimate",
    "mde",
    "treated_practices",
    "control_practices",
)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def meta(run: Run) -> dict[str, Any]:
    """The reproducibility block of a run: plan hash, plan version, when it was locked, the data
    snapshot's hash, PHT version, seed, run id, and when the run started and finished."""
    plan = run.plan
    return {
        "run": run.pk,
        "run_id": run.pk,
        "plan": plan.name,
        "plan_version": plan.version,
        "plan_hash": plan.plan_hash,
        "locked_at": _iso(plan.locked_at),
        "snapshot_hash": run.extract.snapshot_hash,
        "extract": run.extract.pk,
        "pht_version": run.pht_version,
        "seed": run.seed,
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "status": run.status,
    }


def estimates(run: Run) -> list[dict[str, Any]]:
    """The run's estimates, the fields a table shows (no patient-level data exists in a result)."""
    if not run.result:
        return []
    return [{name: row.get(name) for name in ESTIMATE_FIELDS} for row in run.result.get("estimates", [])]
