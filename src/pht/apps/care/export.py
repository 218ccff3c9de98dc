"""Building the FHIR export of one resident from the database (the caller has checked access and logged it)."""

from __future__ import annotations

from typing import Any

from pht.apps.care.fhir import FhirActivity, FhirCarePlan, FhirMember, FhirPatient, FhirPractice, bundle
from pht.apps.care.models import ListResident


def fhir_bundle(resident: ListResident) -> dict[str, Any]:
    from pht.apps.registry.models import StaffRole

    practice = resident.practice
    members = []
    if resident.gp is not None:
        members.append(FhirMember(resident.gp.hpr, resident.gp.full_name, "gp"))
    for member in practice.team_members.exclude(hpr=""):
        role = {StaffRole.NURSE: "nurse", StaffRole.SECRETARY: "secretary"}.get(member.role)  # type: ignore[call-overload]
        if role:
            members.append(FhirMember(member.hpr, member.name, role))
    # In the request's language, as on the patient's page.
    reasons = [f"{m.get_group_display()}: {m.get_reason_display()}" for m in resident.memberships.all()]
    plans = [
        FhirCarePlan(
            id=f"careplan-{plan.pk}",
            status=plan.status,
            title=plan.title,
            created=plan.created_at.date(),
            next_review=plan.next_review,
            goals=plan.goal_list,
            activities=[FhirActivity(a, plan.responsible_role, "open") for a in plan.activity_list]
            + [FhirActivity(t.description, t.role, t.status, t.due) for t in plan.tasks.all()],
            reasons=reasons,
        )
        for plan in resident.care_plans.prefetch_related("tasks")
    ]
    patient = FhirPatient(
        id=f"resident-{resident.pk}",
        fnr=resident.fnr,
        birth_date=resident.birth_date,
        sex=resident.sex,
        d_number=int(resident.fnr[0]) >= 4,
    )
    return bundle(patient, FhirPractice(practice.orgnr, practice.name), members, plans)
