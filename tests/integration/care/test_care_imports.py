"""Imports: all or nothing, naming line and field; importing twice equals importing once; stratified."""

from __future__ import annotations

from typing import Any

import pytest
from care_data import PEOPLE, contacts_csv, make_fnr, residents_csv

from pht.apps.care import actions
from pht.apps.care.importing import ImportRefused
from pht.apps.care.models import ImportBatch, ListResident, ResidentContact, TargetGroupMembership


def _state() -> tuple[list[tuple[Any, ...]], ...]:
    return (
        list(
            ListResident.objects.order_by("fnr").values_list(
                "fnr", "practice_id", "gp_hpr", "list_from", "need_score"
            )
        ),
        list(
            ResidentContact.objects.order_by("id").values_list("resident_id", "contact_date", "kind", "icpc2")
        ),
        list(TargetGroupMembership.objects.order_by("id").values_list("resident_id", "group", "reason")),
    )


@pytest.mark.django_db
def test_import_stores_residents_and_stratifies_with_reasons(care: dict[str, Any]) -> None:
    frail = ListResident.objects.get(fnr=make_fnr(*PEOPLE["frail"]))
    groups = {m.group: m.reason for m in frail.memberships.all()}
    assert set(groups) == {"chronic_disease", "frail_elderly", "complex_needs"}
    assert "aged 82" in groups["frail_elderly"] and "moderate" in groups["frail_elderly"]
    assert frail.stratified_on.isoformat() == "2019-12-01"  # the extract's latest contact
    poor = ListResident.objects.get(fnr=make_fnr(*PEOPLE["poor"]))
    assert {m.group for m in poor.memberships.all()} == {"chronic_disease", "poor_demanders"}
    young = ListResident.objects.get(fnr=make_fnr(*PEOPLE["young"]))
    assert young.memberships.count() == 0
    assert frail.pseudonym and frail.fnr not in frail.pseudonym


@pytest.mark.django_db
def test_one_bad_row_refuses_the_whole_file_and_the_database_is_unchanged(care: dict[str, Any]) -> None:
    practice = care["practice_a"]
    before = _state()
    batches = ImportBatch.objects.count()
    good = residents_csv(practice, {"new1": (PEOPLE["frail"][0], 150), "new2": (PEOPLE["young"][0], 250)})
    bad_fnr = make_fnr(PEOPLE["poor"][0], 350)
    wrong = f"{bad_fnr[:-1]}{(int(bad_fnr[-1]) + 1) % 10}"
    bad = good + f"{wrong},{practice.gps.first().hpr},{practice.orgnr},2016-01-01,\n".encode()
    with pytest.raises(ImportRefused) as refused:
        actions.import_bytes(care["users"]["admin_a"], practice, bad, "bad.csv", "residents")
    assert [(p.line, p.field) for p in refused.value.problems] == [(4, "fnr")]
    assert _state() == before
    assert ImportBatch.objects.count() == batches
    # A row naming another practice is refused by the store step too, and nothing of the file remains.
    other = residents_csv(care["practice_b"], {"x": (PEOPLE["frail"][0], 160)})
    mixed = good + other.split(b"\n", 1)[1]
    with pytest.raises(ImportRefused) as refused:
        actions.import_bytes(care["users"]["admin_a"], practice, mixed, "mixed.csv", "residents")
    assert [(p.line, p.field) for p in refused.value.problems] == [(4, "practice_orgnr")]
    assert _state() == before


@pytest.mark.django_db
def test_contacts_for_someone_not_on_the_list_refuse_the_file(care: dict[str, Any]) -> None:
    before = _state()
    stranger = make_fnr(PEOPLE["frail"][0], 470)
    data = contacts_csv() + f"{stranger},2019-01-01,gp,T90\n".encode()
    with pytest.raises(ImportRefused) as refused:
        actions.import_bytes(care["users"]["admin_a"], care["practice_a"], data, "c.csv", "contacts")
    assert refused.value.problems[0].field == "fnr"
    assert refused.value.problems[0].line == data.decode().count("\n")
    assert _state() == before


@pytest.mark.django_db
def test_importing_the_same_files_twice_gives_the_same_state_as_once(care: dict[str, Any]) -> None:
    once = _state()
    practice = care["practice_a"]
    user = care["users"]["admin_a"]
    actions.import_bytes(user, practice, residents_csv(practice), "a.csv", "residents")
    batch = actions.import_bytes(user, practice, contacts_csv(), "a-contacts.csv", "contacts")
    assert batch.added == 0
    assert _state() == once


@pytest.mark.django_db
def test_staff_of_another_practice_cannot_import(care: dict[str, Any]) -> None:
    from pht.apps.accounts.actions import ActionRefused

    with pytest.raises(ActionRefused):
        actions.import_bytes(
            care["users"]["nurse_b"],
            care["practice_a"],
            residents_csv(care["practice_a"]),
            "a.csv",
            "residents",
        )
    with pytest.raises(ActionRefused):
        actions.import_bytes(
            care["users"]["directorate"],
            care["practice_a"],
            residents_csv(care["practice_a"]),
            "a.csv",
            "residents",
        )
