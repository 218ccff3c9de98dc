"""API for applications and grant decisions, with the same organisation scoping as the pages."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from pht.apps.accounts.actions import ActionRefused
from pht.apps.scheme import actions
from pht.apps.scheme.scoping import visible_applications, visible_decisions

router = Router(tags=["scheme"])


class VerdictOut(Schema):
    rule: str
    passed: bool
    reason: str  # English, as the rule gave it
    message: dict[str, Any] | None = None  # the reason as pht.rules.explain.Message.as_dict()


class ApplicationOut(Schema):
    id: int
    call: str
    kommunenummer: str
    municipality: str
    status: str
    revision: int
    submitted_at: str | None
    score: str | None
    verdicts: list[VerdictOut]


class DecisionOut(Schema):
    id: int
    application: int
    kommunenummer: str
    status: str
    gps: int
    period_start: str
    period_end: str
    total: str
    years: list[dict[str, Any]]


def _application(a: Any) -> dict[str, Any]:
    return {
        "id": a.pk,
        "call": a.call.code,
        "kommunenummer": a.municipality.kommunenummer,
        "municipality": a.municipality.name,
        "status": a.status,
        "revision": a.revision,
        "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
        "score": None if a.score is None else str(a.score),
        "verdicts": [
            {"rule": v["rule"], "passed": v["passed"], "reason": v["reason"], "message": v.get("message")}
            for v in a.verdicts
        ],
    }


@router.get("/applications", response=list[ApplicationOut])
def list_applications(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        _application(a) for a in visible_applications(request.user).select_related("call", "municipality")
    ]


@router.get("/applications/{application_id}", response=ApplicationOut)
def get_application(request: HttpRequest, application_id: int) -> dict[str, Any]:
    a = (
        visible_applications(request.user)
        .select_related("call", "municipality")
        .filter(pk=application_id)
        .first()
    )
    if a is None:
        raise Http404("no such application")
    return _application(a)


@router.get("/applications/{application_id}/export")
def export_application(request: HttpRequest, application_id: int) -> dict[str, Any]:
    """The application in the ``pht.application/1`` format read by ``pht eligibility check``."""
    a = visible_applications(request.user).filter(pk=application_id).first()
    if a is None:
        raise Http404("no such application")
    return actions.export(a)


def _decision(d: Any) -> dict[str, Any]:
    return {
        "id": d.pk,
        "application": d.application_id,
        "kommunenummer": d.application.municipality.kommunenummer,
        "status": d.status,
        "gps": d.gps,
        "period_start": d.period_start.isoformat(),
        "period_end": d.period_end.isoformat(),
        "total": f"{d.total:.2f}",
        "years": d.years,
    }


@router.get("/decisions", response=list[DecisionOut])
def list_decisions(request: HttpRequest) -> list[dict[str, Any]]:
    return [_decision(d) for d in visible_decisions(request.user)]


@router.get("/decisions/{decision_id}", response=DecisionOut)
def get_decision(request: HttpRequest, decision_id: int) -> dict[str, Any]:
    d = visible_decisions(request.user).filter(pk=decision_id).first()
    if d is None:
        raise Http404("no such decision")
    return _decision(d)


class Refusal(Schema):
    detail: str


@router.post("/applications/{application_id}/submit", response={200: ApplicationOut, 403: Refusal})
def submit_application(request: HttpRequest, application_id: int) -> Any:
    """Submit a draft (the municipality's project lead); refused after the deadline, with the reason."""
    a = visible_applications(request.user).filter(pk=application_id).first()
    if a is None:
        raise Http404("no such application")
    try:
        actions.submit_application(request.user, a)
    except ActionRefused as exc:
        return Status(403, {"detail": exc.reason})
    return Status(200, _application(a))


@router.post("/decisions/{decision_id}/accept", response={200: DecisionOut, 403: Refusal})
def accept_decision(request: HttpRequest, decision_id: int) -> Any:
    """Accept a grant decision (the municipality's project lead); makes the payment plan."""
    d = visible_decisions(request.user).filter(pk=decision_id).first()
    if d is None:
        raise Http404("no such decision")
    try:
        actions.accept_decision(request.user, d)
    except ActionRefused as exc:
        return Status(403, {"detail": exc.reason})
    return Status(200, _decision(d))
