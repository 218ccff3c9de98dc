"""Patients newly in a target group: a later list update marks exactly the memberships that are new (the
resident was not in the group, or not on the list, a window before the list's date); the practice
staff's to-do counts them and the worklist filtered to it shows exactly them, marked «ny»."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from care_data import PEOPLE, make_fnr
from django.test import Client
from django.urls import reverse

from pht.apps.accounts.todos import todos_for
from pht.apps.care import actions
from pht.apps.care.models import ListResident, TargetGroupMembership

pytestmark = pytest.mark.django_db

# A person listed from 10 December 2019 with diabetes on record since 2018: new to the practice's team.
MOVED_IN = (datetime.date(1948, 3, 3), 120)


def _new() -> set[tuple[str, str]]:
    rows = TargetGroupMembership.objects.filter(new_since__isnull=False).values_list("resident__fnr", "group")
    return set(rows)


def _update_list(care: dict[str, Any]) -> None:
    """A later list update: the young resident is diagnosed with depression on 20 December 2019 (the
    extract's new date), and a person moves onto the list on 10 December."""
    practice, user = care["practice_a"], care["users"]["admin_a"]
    gp = practice.gps.order_by("hpr").first()
    moved = make_fnr(*MOVED_IN)
    residents = (
        f"fnr,gp_hpr,practice_orgnr,list_from,list_to\n{moved},{gp.hpr},{practice.orgnr},2019-12-10,\n"
    )
    actions.import_bytes(user, practice, residents.encode(), "moved.csv", "residents")
    young = make_fnr(*PEOPLE["young"])
    contacts = f"fnr,contact_date,kind,icpc2\n{young},2019-12-20,gp,P76\n{moved},2018-06-01,gp,T90\n"
    actions.import_bytes(user, practice, contacts.encode(), "update.csv", "contacts")


def test_the_first_import_is_the_baseline_and_marks_nothing_new(care: dict[str, Any]) -> None:
    # On the list's date (1 December 2019) every membership was already there a month before.
    assert TargetGroupMembership.objects.filter(resident__practice=care["practice_a"]).count() == 5
    assert _new() == set()


def test_a_later_update_marks_only_the_new_memberships(care: dict[str, Any]) -> None:
    _update_list(care)
    young, moved = make_fnr(*PEOPLE["young"]), make_fnr(*MOVED_IN)
    assert _new() == {(young, "mental_illness"), (moved, "chronic_disease")}
    # 30 days (target_groups.toml, new_members.window_days) before the list's new date, 20 December 2019
    assert set(
        TargetGroupMembership.objects.filter(new_since__isnull=False).values_list("new_since", flat=True)
    ) == {datetime.date(2019, 11, 20)}
    # the frail and the poor resident keep their groups, none of them new
    frail = ListResident.objects.get(fnr=make_fnr(*PEOPLE["frail"]))
    assert {m.group for m in frail.memberships.all()} == {"chronic_disease", "frail_elderly", "complex_needs"}
    assert not frail.memberships.filter(new_since__isnull=False).exists()


def test_the_todo_counts_them_and_the_worklist_shows_exactly_them(care: dict[str, Any]) -> None:
    nurse = care["users"]["nurse_a"]
    before = {t.key: t.count for t in todos_for(nurse)}
    assert before["care.new_in_group"] == 0
    _update_list(care)
    todo = next(t for t in todos_for(nurse) if t.key == "care.new_in_group")
    assert todo.count == 2
    client = Client()
    client.force_login(nurse)
    page = client.get(todo.url)
    assert page.status_code == 200
    shown = {row.fnr for row in page.context["rows"]}
    assert shown == {make_fnr(*PEOPLE["young"]), make_fnr(*MOVED_IN)}
    html = page.content.decode()
    assert html.count('data-testid="new-member"') == 2
    assert "ny (ikke i målgruppen 20. november 2019)" in html
    english = client.get(todo.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "new (not in the group on Nov. 20, 2019)" in english
    # the unfiltered worklist still lists the others, without the mark
    everyone = client.get(reverse("care:worklist"))
    assert len(everyone.context["rows"]) > 2


def test_another_practice_sees_none_of_them(care: dict[str, Any]) -> None:
    _update_list(care)
    todo = next(t for t in todos_for(care["users"]["nurse_b"]) if t.key == "care.new_in_group")
    assert todo.count == 0
