"""API endpoints of the care app (mounted under /api/care/). Same scoping and access log as the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.models import Role
from pht.apps.care import access
from pht.apps.care.export import fhir_bundle
from pht.apps.care.views import worklist_rows

router = Router(tags=["care"])


@router.get("/worklist")
def worklist(request: HttpRequest, group: str = "", gp: str = "") -> list[dict[str, Any]]:
    """Target-group patients of your practice without an open care plan (no fnr: open the record for that)."""
    own = access.own_practice_id(request.user)
    if own is None or not access.can_see_patients(request.user, own).passed:
        raise HttpError(403, "Only practice staff may see the worklist.")
    return [
        {
            "id": r.pk,
            "birth_year": r.birth_date.year,
            "sex": r.sex,
            "need_score": r.need_score,
            "groups": [
                {"group": m.group, "reason": m.reason, "message": m.message} for m in r.memberships.all()
            ],
        }
        for r in worklist_rows(own, group, gp)[:500]
    ]


@router.get("/residents/{resident_id}")
def resident(request: HttpRequest, resident_id: int, purpose: str = "API-oppslag") -> dict[str, Any]:
    """One patient's record; writes one access-log row. 404 for patients not on your practice's list."""
    try:
        r = access.read_resident(request.user, resident_id, purpose, "api")  # type: ignore[arg-type]
    except ActionRefused:
        raise HttpError(404, "No such patient on your practice's list.") from None
    return {
        "id": r.pk,
        "fnr": r.fnr,
        "birth_date": r.birth_date.isoformat(),
        "sex": r.sex,
        "practice_orgnr": r.practice.orgnr,
        "gp_hpr": r.gp_hpr,
        "need_score": r.need_score,
        "frailty": {"category": r.frailty_category, "reason": r.frailty_reason, "message": r.frailty_message},
        "memberships": [
            {
                "group": m.group,
                "rule": m.rule,
                "reason": m.reason,
                "message": m.message,
                "inputs": m.inputs,
                "computed_on": str(m.computed_on),
            }
            for m in r.memberships.all()
        ],
        "contacts": [
            {"date": c.contact_date.isoformat(), "kind": c.kind, "icpc2": c.icpc2}
            for c in r.contacts.all()[:50]
        ],
        "care_plans": [
            {
                "id": p.pk,
                "title": p.title,
                "status": p.status,
                "next_review": p.next_review.isoformat() if p.next_review else None,
                "tasks": [
                    {
                        "description": t.description,
                        "role": t.role,
                        "status": t.status,
                        "due": str(t.due or ""),
                    }
                    for t in p.tasks.all()
                ],
            }
            for p in r.care_plans.all()
        ],
    }


@router.get("/residents/{resident_id}/fhir")
def resident_fhir(request: HttpRequest, resident_id: int) -> dict[str, Any]:
    try:
        r = access.read_resident(request.user, resident_id, "FHIR-eksport", "fhir")  # type: ignore[arg-type]
    except ActionRefused:
        raise HttpError(404, "No such patient on your practice's list.") from None
    return fhir_bundle(r)


@router.get("/aggregates")
def aggregates(request: HttpRequest) -> list[dict[str, Any]]:
    """Counts per practice and target group; no identifiable data (Directorate, evaluators, municipalities)."""
    from pht.apps.accounts.permissions import visible_practices

    ids = list(visible_practices(request.user).values_list("pk", flat=True))  # type: ignore[arg-type]
    return access.aggregates(ids)


@router.get("/pseudonymised")
def pseudonymised(request: HttpRequest) -> list[dict[str, Any]]:
    """Evaluators only: memberships per resident under a keyed-HMAC pseudonym (no fnr, no birth date)."""
    if not request.user.has_role(Role.EVALUATOR):  # type: ignore[union-attr]
        raise HttpError(403, "Only evaluators get the pseudonymised extract.")
    try:
        return access.pseudonymised_memberships()
    except ActionRefused as refused:
        raise HttpError(503, refused.reason) from None
