"""FHIR R4 export of Patient, CareTeam and CarePlan, validated with fhir.resources.

fhir.resources ships R4B (4.3), whose Patient, CareTeam and CarePlan are unchanged from R4 (4.0.1); the
R4B models are used to validate. Norwegian identifier systems (Volven / HL7 Norway OIDs):
fødselsnummer 2.16.578.1.12.4.1.4.1, organisation number 2.16.578.1.12.4.1.4.101, HPR 2.16.578.1.12.4.1.4.4.
The builders take plain data (no Django), so the export is the same from the web, the API and tests.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

FNR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.1"
DNR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.2"
ORGNR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.101"
HPR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.4"
ICPC2_SYSTEM = "urn:oid:2.16.578.1.12.4.1.1.7170"
ROLE_SYSTEM = "http://snomed.info/sct"

# SNOMED CT codes for the team roles (the CareTeam participant role).
ROLE_CODES: dict[str, tuple[str, str]] = {
    "gp": ("62247001", "General practitioner"),
    "nurse": ("106292003", "Professional nurse"),
    "secretary": ("159561009", "Receptionist"),
}
# PHT care plan status -> FHIR CarePlan.status (request-status value set).
CAREPLAN_STATUS = {
    "draft": "draft",
    "active": "active",
    "on_hold": "on-hold",
    "completed": "completed",
    "revoked": "revoked",
}
ACTIVITY_STATUS = {
    "open": "not-started",
    "in_progress": "in-progress",
    "done": "completed",
    "cancelled": "cancelled",
}


@dataclass(frozen=True)
class FhirPatient:
    id: str
    fnr: str
    birth_date: datetime.date
    sex: str  # "M" / "F"
    d_number: bool = False
    name: str = ""


@dataclass(frozen=True)
class FhirPractice:
    orgnr: str
    name: str


@dataclass(frozen=True)
class FhirMember:
    hpr: str
    name: str
    role: str  # gp / nurse / secretary


@dataclass(frozen=True)
class FhirActivity:
    description: str
    role: str
    status: str  # open / in_progress / done / cancelled
    due: datetime.date | None = None
    performer_hpr: str = ""


@dataclass(frozen=True)
class FhirCarePlan:
    id: str
    status: str
    title: str
    created: datetime.date
    next_review: datetime.date | None
    goals: Sequence[str]
    activities: Sequence[FhirActivity] = field(default_factory=tuple)
    reasons: Sequence[str] = field(default_factory=tuple)  # target groups, as text


def patient_resource(patient: FhirPatient) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": patient.id,
        "identifier": [
            {
                "use": "official",
                "system": DNR_SYSTEM if patient.d_number else FNR_SYSTEM,
                "value": patient.fnr,
            }
        ],
        "gender": {"M": "male", "F": "female"}.get(patient.sex, "unknown"),
        "birthDate": patient.birth_date.isoformat(),
    }
    if patient.name:
        resource["name"] = [{"text": patient.name}]
    return resource


def _practitioner_ref(member: FhirMember) -> dict[str, Any]:
    return {"identifier": {"system": HPR_SYSTEM, "value": member.hpr}, "display": member.name}


def careteam_resource(
    patient: FhirPatient, practice: FhirPractice, members: Sequence[FhirMember]
) -> dict[str, Any]:
    participants = []
    for member in members:
        code, display = ROLE_CODES[member.role]
        participants.append(
            {
                "role": [
                    {
                        "coding": [{"system": ROLE_SYSTEM, "code": code, "display": display}],
                        "text": member.role,
                    }
                ],
                "member": _practitioner_ref(member),
                "onBehalfOf": {"identifier": {"system": ORGNR_SYSTEM, "value": practice.orgnr}},
            }
        )
    return {
        "resourceType": "CareTeam",
        "id": f"team-{patient.id}",
        "status": "active",
        "name": f"Primærhelseteam {practice.name}",
        "subject": {"reference": f"Patient/{patient.id}"},
        "participant": participants,
        "managingOrganization": [
            {"identifier": {"system": ORGNR_SYSTEM, "value": practice.orgnr}, "display": practice.name}
        ],
    }


def careplan_resource(
    patient: FhirPatient, plan: FhirCarePlan, members: Sequence[FhirMember]
) -> dict[str, Any]:
    if plan.status not in CAREPLAN_STATUS:
        raise ValueError(f"care plan status {plan.status!r} has no FHIR equivalent")
    by_role = {member.role: member for member in members}
    activities = []
    for activity in plan.activities:
        detail: dict[str, Any] = {
            "status": ACTIVITY_STATUS[activity.status],
            "description": f"[{activity.role}] {activity.description}",
        }
        if activity.due:
            detail["scheduledPeriod"] = {"end": activity.due.isoformat()}
        performer = next((m for m in members if m.hpr == activity.performer_hpr), by_role.get(activity.role))
        if performer is not None:
            detail["performer"] = [_practitioner_ref(performer)]
        activities.append({"detail": detail})
    period: dict[str, str] = {"start": plan.created.isoformat()}
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": plan.id,
        "status": CAREPLAN_STATUS[plan.status],
        "intent": "plan",
        "title": plan.title,
        "subject": {"reference": f"Patient/{patient.id}"},
        "period": period,
        "created": plan.created.isoformat(),
        "careTeam": [{"reference": f"CareTeam/team-{patient.id}"}],
        "activity": activities,
    }
    notes = [f"Neste evaluering / next review: {plan.next_review.isoformat()}"] if plan.next_review else []
    notes += [f"Mål / goal: {goal}" for goal in plan.goals]
    notes += [f"Målgruppe / target group: {reason}" for reason in plan.reasons]
    if notes:
        resource["note"] = [{"text": text} for text in notes]
    if plan.reasons:
        resource["description"] = "; ".join(plan.reasons)
    return resource


def bundle(
    patient: FhirPatient,
    practice: FhirPractice,
    members: Sequence[FhirMember],
    plans: Sequence[FhirCarePlan],
) -> dict[str, Any]:
    """A validated collection Bundle of the Patient, their CareTeam and CarePlans (raises if invalid)."""
    resources = [patient_resource(patient), careteam_resource(patient, practice, members)]
    resources += [careplan_resource(patient, plan, members) for plan in plans]
    document = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": f"urn:pht:{r['resourceType']}/{r['id']}", "resource": r} for r in resources],
    }
    validate(document)
    return document


def validate(document: dict[str, Any]) -> None:
    """Validate against the FHIR models (R4B = R4 for these resources); raises ``ValueError`` if invalid."""
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.careplan import CarePlan
    from fhir.resources.R4B.careteam import CareTeam
    from fhir.resources.R4B.patient import Patient

    models: dict[str, Any] = {
        "Bundle": Bundle,
        "Patient": Patient,
        "CareTeam": CareTeam,
        "CarePlan": CarePlan,
    }
    model = models[document["resourceType"]]
    model.model_validate(document)
    for entry in document.get("entry", []):
        resource = entry["resource"]
        models[resource["resourceType"]].model_validate(resource)
