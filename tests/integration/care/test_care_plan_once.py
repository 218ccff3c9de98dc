"""One open care plan per patient: «Opprett oppfølgingsplan» clicked twice, or the form sent again, makes one
plan, and the second request is shown the plan that exists (no 500, no second plan, no second task)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from care_data import PEOPLE, make_fnr
from django.db import IntegrityError, connection, transaction
from django.test import Client

from pht.apps.accounts.models import AuditEvent
from pht.apps.care import actions
from pht.apps.care.models import CarePlan, CareTask, ListResident

FNR = make_fnr(*PEOPLE["frail"])
FORM = {
    "title": "Oppfølging",
    "goals": "Færre fall",
    "responsible_role": "nurse",
    "status": "active",
    "task_description": "Ring pårørende",
    "task_role": "secretary",
}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_form_sent_twice_makes_one_plan_and_shows_it(care: dict[str, Any]) -> None:
    resident = ListResident.objects.get(fnr=FNR)
    nurse = _client(care["users"]["nurse_a"])
    url = f"/care/patients/{resident.pk}/plans/"
    first = nurse.post(url, FORM, HTTP_ACCEPT_LANGUAGE="nb")
    assert first.status_code == 302 and first["Location"] == f"/care/patients/{resident.pk}/"
    (plan,) = CarePlan.objects.filter(resident=resident)
    assert (
        "Oppfølgingsplanen er opprettet"
        in nurse.get(first["Location"], HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    )
    second = nurse.post(url, FORM, HTTP_ACCEPT_LANGUAGE="nb")
    assert second.status_code == 302
    assert second["Location"] == f"/care/patients/{resident.pk}/#plan-{plan.pk}"
    assert list(CarePlan.objects.filter(resident=resident)) == [plan]
    assert CareTask.objects.filter(plan__resident=resident).count() == 1  # the first task not added twice
    assert AuditEvent.objects.filter(verb="care.plan.create").count() == 1
    page = nurse.get(second["Location"], HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "Pasienten har allerede en åpen oppfølgingsplan (Oppfølging)" in page
    assert "Oppfølgingsplanen er opprettet" not in page
    # Another nurse of the practice sending the same form meanwhile is shown the same plan.
    other = _client(care["users"]["gp_a"]).post(url, FORM, HTTP_ACCEPT_LANGUAGE="en")
    assert other.status_code == 302 and other["Location"].endswith(f"#plan-{plan.pk}")
    assert CarePlan.objects.filter(resident=resident).count() == 1


@pytest.mark.django_db
def test_a_draft_or_a_plan_on_hold_counts_and_a_closed_one_does_not(care: dict[str, Any]) -> None:
    resident = ListResident.objects.get(fnr=FNR)
    nurse, gp = care["users"]["nurse_a"], care["users"]["gp_a"]
    draft = actions.create_care_plan(
        nurse, resident, title="Utkast", goals="Mål", responsible_role="nurse", status="draft"
    )
    with pytest.raises(actions.OpenPlanExists) as refused:
        actions.create_care_plan(nurse, resident, title="Plan", goals="Mål", responsible_role="nurse")
    assert refused.value.plan == draft
    assert "already has an open care plan (Utkast)" in refused.value.reason
    held = actions.change_plan_status(nurse, actions.change_plan_status(nurse, draft, "active"), "on_hold")
    with pytest.raises(actions.OpenPlanExists):
        actions.create_care_plan(nurse, resident, title="Plan", goals="Mål", responsible_role="nurse")
    actions.change_plan_status(gp, held, "revoked")
    again = actions.create_care_plan(nurse, resident, title="Ny plan", goals="Mål", responsible_role="nurse")
    assert again.status == "active"
    assert CarePlan.objects.filter(resident=resident).count() == 2


@pytest.mark.django_db
def test_the_database_refuses_a_second_open_plan(care: dict[str, Any]) -> None:
    """The constraint holds where the action's check is passed by (bulk writes, a request racing it)."""
    resident = ListResident.objects.get(fnr=FNR)
    nurse = care["users"]["nurse_a"]
    values = {
        "resident": resident,
        "title": "P",
        "goals": "G",
        "responsible_role": "nurse",
        "created_by": nurse,
    }
    CarePlan.objects.create(status="draft", **values)
    with pytest.raises(IntegrityError), transaction.atomic():
        CarePlan.objects.create(status="active", **values)
    CarePlan.objects.create(status="completed", **values)


@pytest.mark.django_db
def test_a_request_that_loses_the_race_is_shown_the_plan_of_the_one_that_won(
    care: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the check found nothing because the other request had not committed yet, the constraint
    refuses the insert and the action answers as if the check had found the plan."""
    resident = ListResident.objects.get(fnr=FNR)
    nurse = care["users"]["nurse_a"]
    won = actions.create_care_plan(nurse, resident, title="Først", goals="Mål", responsible_role="nurse")
    real = actions._open_plan
    calls: list[int] = []

    def not_yet_committed(resident: ListResident) -> CarePlan | None:
        calls.append(1)
        return None if len(calls) == 1 else real(resident)

    monkeypatch.setattr(actions, "_open_plan", not_yet_committed)
    response = _client(nurse).post(f"/care/patients/{resident.pk}/plans/", FORM)
    assert response.status_code == 302 and response["Location"].endswith(f"#plan-{won.pk}")
    assert len(calls) == 2
    assert list(CarePlan.objects.filter(resident=resident)) == [won]
    assert not CareTask.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_make_one_plan(care: dict[str, Any]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    resident = ListResident.objects.get(fnr=FNR)
    nurse = care["users"]["nurse_a"]
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = actions.create_care_plan(
                nurse,
                ListResident.objects.get(pk=resident.pk),
                title="P",
                goals="G",
                responsible_role="nurse",
            )
        except Exception as exc:  # noqa: BLE001 - the refusal is the result
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    plans = [r for r in results if isinstance(r, CarePlan)]
    refused = [r for r in results if isinstance(r, actions.OpenPlanExists)]
    assert len(plans) == 1 and len(refused) == 1, results
    assert refused[0].plan == plans[0]
    assert CarePlan.objects.filter(resident=resident).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_oldest_of_doubled_open_plans_and_revokes_the_rest(
    care: dict[str, Any],
) -> None:
    from django.db.migrations.executor import MigrationExecutor

    from pht.apps.accounts.audit import verify_chain

    resident = ListResident.objects.get(fnr=FNR)
    nurse = care["users"]["nurse_a"]
    before, after = ("care", "0005_membership_new_since"), ("care", "0006_one_open_plan")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    try:
        values = {"resident": resident, "goals": "G", "responsible_role": "nurse", "created_by": nurse}
        kept = CarePlan.objects.create(title="Først", status="active", **values)
        doubled = CarePlan.objects.create(title="Andre", status="draft", **values)
        closed = CarePlan.objects.create(title="Gammel", status="completed", **values)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate([after])
    statuses = dict(CarePlan.objects.values_list("pk", "status"))
    assert statuses == {kept.pk: "active", doubled.pk: "revoked", closed.pk: "completed"}
    (event,) = AuditEvent.objects.filter(verb="care.plan.status")
    assert event.target_id == str(doubled.pk) and event.before == {"status": "draft"}
    assert verify_chain()[1] == []
