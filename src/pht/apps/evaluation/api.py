"""Read endpoints of the evaluation app (mounted under /api/evaluation/), scoped like the pages:
evaluators and Directorate users only (403 for everyone else). Changes go through the pages' actions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from pht.apps.evaluation import results
from pht.apps.evaluation.access import can_read
from pht.apps.evaluation.models import AnalysisPlan, Run

router = Router(tags=["evaluation"])


class PlanOut(Schema):
    id: int
    name: str
    version: int
    title: str
    status: str
    plan_hash: str
    locked_at: str | None
    previous: int | None
    deviation_reason: str
    deviations: list[dict[str, Any]]
    document: dict[str, Any]
    mde: list[dict[str, Any]] | None


class RunOut(Schema):
    id: int
    plan: int
    status: str
    error: str
    meta: dict[str, Any]


class EstimateOut(Schema):
    outcome: str
    dimension: str
    population: str
    scale: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    p_adjusted: float | None
    naive_estimate: float | None
    mde: float | None
    treated_practices: int | None
    control_practices: int | None


def _check(request: HttpRequest) -> None:
    if not can_read(request.user):
        raise HttpError(403, "the evaluation workspace is for evaluators and the Directorate")


def _plan(plan: AnalysisPlan) -> PlanOut:
    return PlanOut(
        id=plan.pk,
        name=plan.name,
        version=plan.version,
        title=plan.title,
        status=plan.status,
        plan_hash=plan.plan_hash,
        locked_at=plan.locked_at.isoformat() if plan.locked_at else None,
        previous=plan.previous_id,
        deviation_reason=plan.deviation_reason,
        deviations=plan.deviations,
        document=plan.document,
        mde=(plan.mde or {}).get("rows") if plan.mde else None,
    )


def _run(run: Run) -> RunOut:
    return RunOut(id=run.pk, plan=run.plan_id, status=run.status, error=run.error, meta=results.meta(run))


@router.get("/plans", response=list[PlanOut])
def list_plans(request: HttpRequest) -> list[PlanOut]:
    _check(request)
    return [_plan(p) for p in AnalysisPlan.objects.all()]


@router.get("/plans/{plan_id}", response=PlanOut)
def get_plan(request: HttpRequest, plan_id: int) -> PlanOut:
    _check(request)
    return _plan(get_object_or_404(AnalysisPlan, pk=plan_id))


@router.get("/runs", response=list[RunOut])
def list_runs(request: HttpRequest) -> list[RunOut]:
    _check(request)
    return [_run(r) for r in Run.objects.select_related("plan", "extract", "job")]


@router.get("/runs/{run_id}", response=RunOut)
def get_run(request: HttpRequest, run_id: int) -> RunOut:
    _check(request)
    return _run(get_object_or_404(Run.objects.select_related("plan", "extract", "job"), pk=run_id))


@router.get("/runs/{run_id}/estimates", response=list[EstimateOut])
def run_estimates(request: HttpRequest, run_id: int) -> list[EstimateOut]:
    _check(request)
    run = get_object_or_404(Run.objects.select_related("plan", "extract"), pk=run_id)
    return [EstimateOut(**row) for row in results.estimates(run)]
