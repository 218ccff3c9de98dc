"""Normen: only staff of the patient's practice see identifiable data; every read is logged exactly once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from care_data import PEOPLE, make_fnr
from django.test import Client
from django.urls import reverse

from pht.apps.care import actions
from pht.apps.care.models import AccessLogEntry, CareTask, ListResident


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _resident(name: str) -> ListResident:
    return ListResident.objects.get(fnr=make_fnr(*PEOPLE[name]))


@pytest.mark.django_db
def test_each_patient_page_view_adds_exactly_one_access_log_row(care: dict[str, Any]) -> None:
    resident = _resident("frail")
    nurse = care["users"]["nurse_a"]
    client = _client(nurse)
    for expected in (1, 2):
        response = client.get(reverse("care:patient", args=[resident.pk]), {"purpose": "Årskontroll"})
        assert response.status_code == 200
        assert resident.fnr in response.content.decode()
        assert AccessLogEntry.objects.filter(resident=resident).count() == expected
    entry = AccessLogEntry.objects.filter(resident=resident).first()
    assert (entry.user, entry.purpose, entry.channel) == (nurse, "Årskontroll", "page")
    # Pages that are not the record do not log; the API read logs once.
    client.get(reverse("care:worklist"))
    assert AccessLogEntry.objects.filter(resident=resident).count() == 2
    assert client.get(f"/api/care/residents/{resident.pk}").status_code == 200
    assert AccessLogEntry.objects.filter(resident=resident).count() == 3


@pytest.mark.django_db
def test_staff_of_practice_b_cannot_open_a_patient_of_practice_a(care: dict[str, Any]) -> None:
    resident = _resident("frail")
    client = _client(care["users"]["nurse_b"])
    assert client.get(reverse("care:patient", args=[resident.pk])).status_code == 404
    assert client.get(f"/api/care/residents/{resident.pk}").status_code == 404
    assert client.get(f"/api/care/residents/{resident.pk}/fhir").status_code == 404
    assert client.get(reverse("care:fhir", args=[resident.pk])).status_code == 404
    response = client.post(
        reverse("care:plan_create", args=[resident.pk]),
        {"title": "x", "goals": "y", "responsible_role": "nurse"},
    )
    assert response.status_code == 404
    worklist = client.get(reverse("care:worklist")).content.decode()
    assert f'data-resident="{resident.pk}"' not in worklist
    assert all(r["id"] != resident.pk for r in client.get("/api/care/worklist").json())
    assert AccessLogEntry.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["directorate", "evaluator", "superuser"])
def test_directorate_evaluators_and_administrators_get_no_identifiable_data(
    care: dict[str, Any], who: str
) -> None:
    resident = _resident("frail")
    client = _client(care["users"][who])
    assert client.get(reverse("care:patient", args=[resident.pk])).status_code == 404
    assert client.get(f"/api/care/residents/{resident.pk}").status_code == 404
    assert client.get("/api/care/worklist").status_code == 403
    fnrs = list(ListResident.objects.values_list("fnr", flat=True))
    pages = [
        client.get(reverse("care:overview")).content.decode(),
        json.dumps(client.get("/api/care/aggregates").json()),
    ]
    for page in pages:
        assert not any(fnr in page for fnr in fnrs)
    aggregates = client.get("/api/care/aggregates").json()
    practice_a = next(row for row in aggregates if row["orgnr"] == care["practice_a"].orgnr)
    assert practice_a["listed"] == 3
    # Small cells are suppressed: 2 residents with a chronic disease show as "<5".
    assert practice_a["groups"]["chronic_disease"] == "<5"
    from pht.apps.care.access import aggregates as counts

    exact = next(row for row in counts(suppress_below=1) if row["orgnr"] == care["practice_a"].orgnr)
    assert exact["groups"]["chronic_disease"] == 2
    assert AccessLogEntry.objects.count() == 0


@pytest.mark.django_db
def test_evaluators_get_pseudonyms_never_fnr(care: dict[str, Any], settings: Any) -> None:
    settings.PHT_PSEUDONYM_KEY = "a-long-operational-secret-key"
    evaluator = _client(care["users"]["evaluator"])
    rows = evaluator.get("/api/care/pseudonymised").json()
    fnrs = set(ListResident.objects.values_list("fnr", flat=True))
    assert len(rows) == len(fnrs)
    text = json.dumps(rows)
    assert not any(fnr in text for fnr in fnrs)
    assert all(len(row["pseudonym"]) == 32 and "birth_date" not in row for row in rows)
    assert _client(care["users"]["directorate"]).get("/api/care/pseudonymised").status_code == 403


@pytest.mark.django_db
def test_practice_administrator_lists_the_access_log_and_others_cannot(care: dict[str, Any]) -> None:
    resident = _resident("poor")
    _client(care["users"]["nurse_a"]).get(
        reverse("care:patient", args=[resident.pk]), {"purpose": "Oppfølging"}
    )
    url = reverse("care:access_log", args=[resident.pk])
    page = _client(care["users"]["admin_a"]).get(url)
    assert page.status_code == 200
    assert "Oppfølging" in page.content.decode() and "Nina" in page.content.decode()
    assert _client(care["users"]["nurse_a"]).get(url).status_code == 403
    assert _client(care["users"]["nurse_b"]).get(url).status_code == 404


@pytest.mark.django_db
def test_worklist_ranks_by_need_filters_and_hides_patients_with_a_plan(care: dict[str, Any]) -> None:
    client = _client(care["users"]["nurse_a"])
    rows = client.get("/api/care/worklist").json()
    assert [r["id"] for r in rows] == [_resident("frail").pk, _resident("poor").pk]
    assert rows[0]["need_score"] >= rows[1]["need_score"]
    assert [r["id"] for r in client.get("/api/care/worklist", {"group": "poor_demanders"}).json()] == [
        _resident("poor").pk
    ]
    plan = actions.create_care_plan(
        care["users"]["nurse_a"], _resident("frail"), title="Plan", goals="Mål", responsible_role="nurse"
    )
    actions.add_task(care["users"]["nurse_a"], plan, description="Legemiddelgjennomgang", role="gp", due=None)
    assert [r["id"] for r in client.get("/api/care/worklist").json()] == [_resident("poor").pk]
    gp_page = _client(care["users"]["gp_a"]).get(reverse("care:worklist")).content.decode()
    assert "Legemiddelgjennomgang" in gp_page
    nurse_page = client.get(reverse("care:worklist"), {"role": "nurse"}).content.decode()
    assert "Legemiddelgjennomgang" not in nurse_page


@pytest.mark.django_db
def test_care_plan_workflow_and_follow_up(care: dict[str, Any]) -> None:
    from pht.apps.accounts.actions import ActionRefused
    from pht.apps.accounts.models import AuditEvent

    nurse, gp = care["users"]["nurse_a"], care["users"]["gp_a"]
    resident = _resident("frail")
    plan = actions.create_care_plan(nurse, resident, title="Plan", goals="Mål", responsible_role="nurse")
    plan = actions.change_plan_status(nurse, plan, "on_hold")
    with pytest.raises(ActionRefused, match="needs one of the roles gp"):
        actions.change_plan_status(nurse, plan, "revoked")
    plan = actions.change_plan_status(gp, plan, "revoked")
    with pytest.raises(ActionRefused, match="no step"):
        actions.change_plan_status(gp, plan, "active")
    with pytest.raises(ActionRefused):
        actions.add_task(nurse, plan, description="x", role="gp", due=None)
    assert CareTask.objects.count() == 0
    assert AuditEvent.objects.filter(verb="care.plan.status").count() == 2
    import datetime

    contact = actions.record_follow_up(
        nurse, resident, on=datetime.date.today(), kind="nurse", note="Ringt opp"
    )
    assert contact.recorded_by == nurse
    with pytest.raises(ActionRefused):
        actions.record_follow_up(
            care["users"]["nurse_b"], resident, on=datetime.date.today(), kind="nurse", note=""
        )


@pytest.mark.django_db
def test_gp_marks_the_task_done_through_the_page_and_a_follow_up_is_recorded(care: dict[str, Any]) -> None:
    import datetime

    from pht.apps.accounts.models import AuditEvent

    resident = _resident("frail")
    plan = actions.create_care_plan(
        care["users"]["nurse_a"], resident, title="Plan", goals="Mål", responsible_role="nurse"
    )
    task = actions.add_task(
        care["users"]["nurse_a"], plan, description="Legemiddelgjennomgang", role="gp", due=None
    )
    gp = _client(care["users"]["gp_a"])
    response = gp.post(reverse("care:task_status", args=[task.pk]), {"status": "done"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "done"
    assert AuditEvent.objects.filter(verb="care.task.status", target_id=str(task.pk)).count() == 1
    # Staff of another practice cannot touch it.
    other = _client(care["users"]["nurse_b"])
    assert other.post(reverse("care:task_status", args=[task.pk]), {"status": "cancelled"}).status_code == 404
    nurse = _client(care["users"]["nurse_a"])
    today = datetime.date.today().isoformat()
    nurse.post(
        reverse("care:follow_up", args=[resident.pk]), {"on": today, "kind": "nurse", "note": "Ringte"}
    )
    assert resident.contacts.filter(note="Ringte", recorded_by=care["users"]["nurse_a"]).count() == 1
