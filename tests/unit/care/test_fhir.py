"""FHIR export validates as R4 (R4B models) and carries the Norwegian identifier systems."""

from __future__ import annotations

import datetime
import json

import pytest

from pht.apps.care.fhir import (
    FNR_SYSTEM,
    HPR_SYSTEM,
    ORGNR_SYSTEM,
    FhirActivity,
    FhirCarePlan,
    FhirMember,
    FhirPatient,
    FhirPractice,
    bundle,
    validate,
)

PATIENT = FhirPatient("p1", "09921663355", datetime.date(2016, 12, 9), "M")
PRACTICE = FhirPractice("108280026", "Seljord legekontor")
MEMBERS = [FhirMember("908280003", "Kari Lege", "gp"), FhirMember("908280099", "Nina Sykepleier", "nurse")]
PLAN = FhirCarePlan(
    id="cp1",
    status="on_hold",
    title="Oppfølging diabetes",
    created=datetime.date(2019, 3, 1),
    next_review=datetime.date(2019, 9, 1),
    goals=["HbA1c under 53"],
    activities=[FhirActivity("Årskontroll", "gp", "open", datetime.date(2019, 4, 1))],
    reasons=["chronic disease: diabetes (T90)"],
)


def test_bundle_validates_and_uses_norwegian_identifier_systems() -> None:
    document = bundle(PATIENT, PRACTICE, MEMBERS, [PLAN])
    resources = {entry["resource"]["resourceType"]: entry["resource"] for entry in document["entry"]}
    assert set(resources) == {"Patient", "CareTeam", "CarePlan"}
    assert resources["Patient"]["identifier"][0] == {
        "use": "official",
        "system": FNR_SYSTEM,
        "value": "09921663355",
    }
    assert FNR_SYSTEM == "urn:oid:2.16.578.1.12.4.1.4.1"
    assert ORGNR_SYSTEM == "urn:oid:2.16.578.1.12.4.1.4.101"
    assert HPR_SYSTEM == "urn:oid:2.16.578.1.12.4.1.4.4"
    team = resources["CareTeam"]
    assert {p["member"]["identifier"]["system"] for p in team["participant"]} == {HPR_SYSTEM}
    assert team["managingOrganization"][0]["identifier"] == {"system": ORGNR_SYSTEM, "value": "108280026"}
    plan = resources["CarePlan"]
    assert plan["status"] == "on-hold"
    assert plan["activity"][0]["detail"]["performer"][0]["identifier"]["value"] == "908280003"
    assert plan["activity"][0]["detail"]["scheduledPeriod"]["end"] == "2019-04-01"
    json.dumps(document)  # serialisable as is


def test_an_invalid_resource_is_refused() -> None:
    document = bundle(PATIENT, PRACTICE, MEMBERS, [PLAN])
    broken = json.loads(json.dumps(document))
    broken["entry"][2]["resource"]["status"] = 42
    with pytest.raises(ValueError):
        validate(broken)
    broken = json.loads(json.dumps(document))
    broken["entry"][0]["resource"]["birthDate"] = "2016-13-45"
    with pytest.raises(ValueError):
        validate(broken)


def test_unknown_status_has_no_fhir_equivalent() -> None:
    plan = FhirCarePlan("x", "paused", "t", datetime.date(2019, 1, 1), None, [])
    with pytest.raises(ValueError, match="no FHIR equivalent"):
        bundle(PATIENT, PRACTICE, MEMBERS, [plan])
