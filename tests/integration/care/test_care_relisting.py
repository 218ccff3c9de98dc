"""Re-listing (issue 10): a person imported at another practice starts a new list episode there.

The rule (docs/care.md, "Re-listing"): care plans, tasks, contacts and diagnoses stay with the old
practice's episode, which the new practice never sees; the old practice's access-log rows never move.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from care_data import PEOPLE, make_fnr
from django.test import Client

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.models import AuditEvent
from pht.apps.care import access, actions
from pht.apps.care.importing import ImportRefused
from pht.apps.care.models import AccessLogEntry, CarePlan, CareTask, ListResident, ResidentContact


def _move(care: dict[str, Any], list_from: str, list_to: str = "") -> bytes:
    practice_b = care["practice_b"]
    gp = practice_b.gps.order_by("hpr").first()
    fnr = make_fnr(*PEOPLE["frail"])
    return f"fnr,gp_hpr,practice_orgnr,list_from,list_to\n{fnr},{gp.hpr},{practice_b.orgnr},{list_from},{list_to}\n".encode()


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_relisting_starts_a_new_episode_and_leaves_the_old_practice_records_behind(
    care: dict[str, Any],
) -> None:
    users = care["users"]
    fnr = make_fnr(*PEOPLE["frail"])
    old = ListResident.objects.get(fnr=fnr)
    plan = actions.create_care_plan(
        users["nurse_a"], old, title="Plan fra praksis A", goals="Gå tur daglig", responsible_role="nurse"
    )
    actions.add_task(users["nurse_a"], plan, description="Legemiddelgjennomgang", role="gp", due=None)
    access.read_resident(users["nurse_a"], old.pk, "oppfølging", "page")
    contacts_before = ResidentContact.objects.filter(resident=old).count()
    log_before = list(AccessLogEntry.objects.values_list("pk", "user_id", "resident_id"))
    assert contacts_before > 0 and log_before

    actions.import_bytes(
        users["nurse_b"], care["practice_b"], _move(care, "2020-01-01"), "b2.csv", "residents"
    )

    episodes = list(ListResident.objects.filter(fnr=fnr).order_by("list_from"))
    assert [(e.practice_id, e.list_from, e.list_to) for e in episodes] == [
        (care["practice_a"].pk, datetime.date(2015, 1, 1), datetime.date(2019, 12, 31)),
        (care["practice_b"].pk, datetime.date(2020, 1, 1), None),
    ]
    new = episodes[1]
    assert new.pk != old.pk
    # Everything the old practice recorded stays on its episode.
    assert list(CarePlan.objects.filter(resident=old)) == [plan]
    assert CareTask.objects.filter(plan__resident=old).count() == 1
    assert ResidentContact.objects.filter(resident=old).count() == contacts_before
    assert not CarePlan.objects.filter(resident=new).exists()
    assert not ResidentContact.objects.filter(resident=new).exists()
    assert not new.diagnoses.exists()
    # The access log never moves, and the new practice's reads land on its own episode.
    assert list(AccessLogEntry.objects.values_list("pk", "user_id", "resident_id")) == log_before
    access.read_resident(users["nurse_b"], new.pk, "første konsultasjon", "page")
    assert AccessLogEntry.objects.filter(resident=old).count() == len(log_before)
    # The new practice cannot open the old episode (page, API, FHIR), nor see the old plan or task.
    nurse_b = _client(users["nurse_b"])
    with pytest.raises(ActionRefused):
        access.read_resident(users["nurse_b"], old.pk, "nysgjerrig", "page")
    assert nurse_b.get(f"/care/patients/{old.pk}/").status_code == 404
    assert nurse_b.get(f"/api/care/residents/{old.pk}").status_code == 404
    assert nurse_b.get(f"/care/patients/{old.pk}/fhir.json").status_code == 404
    record = nurse_b.get(f"/api/care/residents/{new.pk}").json()
    assert record["practice_orgnr"] == care["practice_b"].orgnr
    page = nurse_b.get(f"/care/patients/{new.pk}/").content.decode()
    for text in ("Legemiddelgjennomgang", "Plan fra praksis A", "Gå tur daglig"):
        assert text not in page
    bundle = nurse_b.get(f"/care/patients/{new.pk}/fhir.json").json()
    assert not [e for e in bundle["entry"] if e["resource"]["resourceType"] in ("CarePlan", "Encounter")]
    # The old practice keeps its (now closed) episode and history.
    assert _client(users["nurse_a"]).get(f"/care/patients/{old.pk}/").status_code == 200
    closed = AuditEvent.objects.get(verb="care.list_episode.close")
    assert closed.target_id == str(old.pk) and closed.after == {"list_to": "2019-12-31"}
    assert fnr not in closed.target_repr


@pytest.mark.django_db
def test_a_move_that_does_not_start_after_the_open_episode_is_refused(care: dict[str, Any]) -> None:
    fnr = make_fnr(*PEOPLE["frail"])
    with pytest.raises(ImportRefused) as refused:
        actions.import_bytes(
            care["users"]["nurse_b"], care["practice_b"], _move(care, "2015-01-01"), "b2.csv", "residents"
        )
    assert [(p.line, p.field) for p in refused.value.problems] == [(2, "list_from")]
    assert [(e.practice_id, e.list_to) for e in ListResident.objects.filter(fnr=fnr)] == [
        (care["practice_a"].pk, None)
    ]
    assert not AuditEvent.objects.filter(verb="care.list_episode.close").exists()


@pytest.mark.django_db
def test_an_earlier_closed_episode_elsewhere_leaves_the_open_one_alone(care: dict[str, Any]) -> None:
    fnr = make_fnr(*PEOPLE["frail"])
    actions.import_bytes(
        care["users"]["nurse_b"],
        care["practice_b"],
        _move(care, "2010-01-01", "2014-12-31"),
        "b.csv",
        "residents",
    )
    assert sorted((e.practice_id, e.list_to) for e in ListResident.objects.filter(fnr=fnr)) == sorted(
        [(care["practice_a"].pk, None), (care["practice_b"].pk, datetime.date(2014, 12, 31))]
    )
