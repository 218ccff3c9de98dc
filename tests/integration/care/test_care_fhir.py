"""The FHIR export of a stored patient validates and carries the Norwegian identifier systems."""

from __future__ import annotations

from typing import Any

import pytest
from care_data import PEOPLE, make_fnr
from django.test import Client
from django.urls import reverse

from pht.apps.care import actions
from pht.apps.care.fhir import FNR_SYSTEM, HPR_SYSTEM, ORGNR_SYSTEM, validate
from pht.apps.care.models import AccessLogEntry, ListResident


@pytest.mark.django_db
def test_fhir_export_validates_with_norwegian_identifiers(care: dict[str, Any]) -> None:
    nurse = care["users"]["nurse_a"]
    resident = ListResident.objects.get(fnr=make_fnr(*PEOPLE["frail"]))
    plan = actions.create_care_plan(
        nurse, resident, title="Plan", goals="Gå tur\nFærre fall", responsible_role="nurse"
    )
    actions.add_task(nurse, plan, description="Legemiddelgjennomgang", role="gp", due=None)
    client = Client()
    client.force_login(nurse)
    response = client.get(reverse("care:fhir", args=[resident.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    document = response.json()
    validate(document)
    by_type = {e["resource"]["resourceType"]: e["resource"] for e in document["entry"]}
    assert by_type["Patient"]["identifier"][0] == {
        "use": "official",
        "system": FNR_SYSTEM,
        "value": resident.fnr,
    }
    assert by_type["CareTeam"]["managingOrganization"][0]["identifier"]["system"] == ORGNR_SYSTEM
    assert by_type["CareTeam"]["participant"][0]["member"]["identifier"]["system"] == HPR_SYSTEM
    plan_resource = by_type["CarePlan"]
    assert plan_resource["status"] == "active"
    assert any("Legemiddelgjennomgang" in a["detail"]["description"] for a in plan_resource["activity"])
    assert AccessLogEntry.objects.filter(resident=resident, channel="fhir").count() == 1
