"""The worklist under load: paginated, searchable, and a constant number of queries per page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from pht.apps.care import views
from pht.apps.care.models import ListResident, TargetGroupMembership


def _add_target_group_patients(practice: Any, n: int, start: int) -> list[ListResident]:
    """``n`` more residents of ``practice`` in a target group, each with two memberships and a GP."""
    gp = practice.gps.order_by("hpr").first()
    residents = ListResident.objects.bulk_create(
        ListResident(
            practice=practice,
            gp=gp,
            gp_hpr=gp.hpr,
            fnr=f"9{start + i:010d}",
            pseudonym=f"p{start + i}",
            birth_date=datetime.date(1935, 1, 1),
            sex="K",
            list_from=datetime.date(2015, 1, 1),
            need_score=10 + i,
        )
        for i in range(n)
    )
    TargetGroupMembership.objects.bulk_create(
        TargetGroupMembership(
            resident=r, group=group, rule="test", reason="test", computed_on=datetime.date(2020, 1, 1)
        )
        for r in residents
        for group in ("frail_elderly", "chronic_disease")
    )
    return residents


# Session, user, organisation; the patients' count, the tasks' count, the list size (2), the GPs, the
# page of tasks, the page of patients and their memberships (one prefetch).
WORKLIST_MAX_QUERIES = 11


def _worklist_queries(client: Client, **params: str) -> tuple[int, Any]:
    # Counted at the cursor: the debug log that CaptureQueriesContext reads is reset by each request.
    seen: list[str] = []

    def count(execute: Any, sql: str, sql_params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, sql_params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(reverse("care:worklist"), params)
    assert response.status_code == 200
    return len(seen), response


@pytest.mark.django_db
def test_worklist_queries_do_not_grow_with_the_number_of_patients(care: dict[str, Any]) -> None:
    client = Client()
    client.force_login(care["users"]["nurse_a"])
    _add_target_group_patients(care["practice_a"], 3, 0)
    few, response = _worklist_queries(client)
    shown_few = len(response.context["rows"])
    _add_target_group_patients(care["practice_a"], 120, 1000)
    many, response = _worklist_queries(client)
    # More rows on the page (a full page), the same number of queries: no per-patient loop.
    assert len(response.context["rows"]) == views.WORKLIST_PAGE_SIZE > shown_few
    assert 0 < many == few <= WORKLIST_MAX_QUERIES, (
        f"{few} queries for {shown_few} rows, {many} for a full page"
    )
    # Each row's memberships and GP come from the prefetch, not from a query per row.
    assert response.content.count(b"<tr data-resident=") == views.WORKLIST_PAGE_SIZE


@pytest.mark.django_db
def test_worklist_is_paginated_and_searchable(care: dict[str, Any]) -> None:
    client = Client()
    client.force_login(care["users"]["nurse_a"])
    added = _add_target_group_patients(care["practice_a"], 60, 2000)
    total = views.worklist_rows(care["practice_a"].pk).count()
    assert total > views.WORKLIST_PAGE_SIZE
    first = client.get(reverse("care:worklist"))
    second = client.get(reverse("care:worklist"), {"page": "2"})
    first_ids = {r.pk for r in first.context["rows"]}
    second_ids = {r.pk for r in second.context["rows"]}
    assert len(first_ids) == views.WORKLIST_PAGE_SIZE
    assert len(second_ids) == min(views.WORKLIST_PAGE_SIZE, total - views.WORKLIST_PAGE_SIZE)
    assert not first_ids & second_ids
    assert b'rel="next"' in first.content
    # An out-of-range or malformed page number gives a page, never an error.
    assert client.get(reverse("care:worklist"), {"page": "abc"}).status_code == 200
    assert client.get(reverse("care:worklist"), {"page": "999"}).status_code == 200

    target = added[7]
    by_number = client.get(reverse("care:worklist"), {"q": str(target.pk)})
    assert [r.pk for r in by_number.context["rows"]] == [target.pk]
    by_fnr = client.get(reverse("care:worklist"), {"q": target.fnr})
    assert [r.pk for r in by_fnr.context["rows"]] == [target.pk]
    assert list(client.get(reverse("care:worklist"), {"q": "x' OR 1=1"}).context["rows"]) == []


@pytest.mark.django_db
def test_worklist_search_never_finds_another_practices_patient(care: dict[str, Any]) -> None:
    client = Client()
    client.force_login(care["users"]["nurse_a"])
    (other,) = _add_target_group_patients(care["practice_b"], 1, 3000)
    response = client.get(reverse("care:worklist"), {"q": str(other.pk)})
    assert list(response.context["rows"]) == []
    response = client.get(reverse("care:worklist"), {"q": other.fnr})
    assert list(response.context["rows"]) == []


def _add_open_tasks(practice: Any, user: Any, n: int, start: int) -> None:
    """``n`` open nurse tasks, one care plan per new target-group resident of ``practice``."""
    from pht.apps.care.models import CarePlan, CareTask

    plans = CarePlan.objects.bulk_create(
        CarePlan(
            resident=r, title="Plan", goals="Goal", responsible_role="nurse", status="active", created_by=user
        )
        for r in _add_target_group_patients(practice, n, start)
    )
    CareTask.objects.bulk_create(
        CareTask(
            plan=p, description=f"Task {i}", role="nurse", due=datetime.date(2030, 1, 1), created_by=user
        )
        for i, p in enumerate(plans)
    )


@pytest.mark.django_db
def test_open_tasks_come_in_pages_at_a_constant_number_of_queries(care: dict[str, Any]) -> None:
    client = Client()
    nurse = care["users"]["nurse_a"]
    client.force_login(nurse)
    _add_open_tasks(care["practice_a"], nurse, 2, 4000)
    few, _response = _worklist_queries(client, role="")
    _add_open_tasks(care["practice_a"], nurse, 40, 5000)
    many, first = _worklist_queries(client, role="")
    total = first.context["tasks"].paginator.count
    assert total >= 42
    # A full page of tasks costs no more queries than two tasks: no patient row fetched per task.
    assert len(first.context["tasks"]) == views.TASKS_PAGE_SIZE
    assert 0 < many == few <= WORKLIST_MAX_QUERIES
    second = client.get(reverse("care:worklist"), {"role": "", "tasks_page": "2"})
    first_ids = {t.pk for t in first.context["tasks"]}
    second_ids = {t.pk for t in second.context["tasks"]}
    assert len(second_ids) == min(views.TASKS_PAGE_SIZE, total - views.TASKS_PAGE_SIZE)
    assert not first_ids & second_ids
    assert b'data-testid="task-pages"' in first.content
    assert client.get(reverse("care:worklist"), {"tasks_page": "x"}).status_code == 200
