"""The bench pages (`pht bench web`) at a bounded number of queries: the application list and a settlement
statement cost the same queries with N and 2N rows, and at most a stated number. (The worklist's are in
tests/integration/care/test_care_worklist_scale.py.)"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from pht.apps.accounts.models import Role

# Session, user, organisation, then the page's own: the published call, "already applied?", the rows.
APPLICATION_LIST_MAX_QUERIES = 6
# Session, user, organisation, then the versions, the other model's statement, the lines and the
# month's linked payments (one query for all versions).
STATEMENT_MAX_QUERIES = 7


def _queries(client: Client, url: str) -> tuple[int, Any]:
    """The number of SQL statements one GET of ``url`` runs (counted at the cursor, not from the debug log,
    which each request resets)."""
    seen: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200
    return len(seen), response


def _add_applications(call: Any, user: Any, municipalities: list[Any]) -> None:
    from pht.apps.scheme.models import Application

    Application.objects.bulk_create(
        Application(
            call=call,
            municipality=m,
            created_by=user,
            status=Application.Status.SUBMITTED,
            verdicts=[{"rule": "r", "passed": i % 2 == 0, "reason": "test"}],
        )
        for i, m in enumerate(municipalities)
    )


@pytest.mark.django_db
def test_application_list_queries_do_not_grow_with_the_applications(orgs: Any, make_user: Any) -> None:
    from pht.apps.registry.models import Municipality
    from pht.apps.scheme.calls import load_call

    call = load_call("call_2017")
    officer = make_user("officer", roles=[Role.CASE_OFFICER], organisation=orgs["directorate"])
    client = Client()
    client.force_login(officer)
    municipalities = list(Municipality.objects.order_by("kommunenummer")[:24])
    assert len(municipalities) == 24
    _add_applications(call, officer, municipalities[:12])
    few, response = _queries(client, reverse("scheme:applications"))
    assert response.content.count(b"data-eligibility-flag=") == 12
    _add_applications(call, officer, municipalities[12:])
    many, response = _queries(client, reverse("scheme:applications"))
    # Every row shown, with its municipality, call, status and eligibility flag, at the same queries.
    assert response.content.count(b"data-eligibility-flag=") == 24
    assert response.content.count(b'data-eligibility-flag="fails"') == 12
    assert 0 < many == few <= APPLICATION_LIST_MAX_QUERIES, (few, many)


def _statement(practice: Any, lines: int, version: int = 1, current: bool = True) -> Any:
    from pht.apps.finance.models import Statement, StatementLine

    statement = Statement.versions.create(
        practice=practice, period="2018-05", model="fee", own_model=True, total=Decimal(lines),
        base_grant=Decimal(lines), version=version, is_current=current,
        explanation=[{"reason": "test"}],
    )  # fmt: skip
    StatementLine.objects.bulk_create(
        StatementLine(
            statement=statement,
            position=i,
            component="base_grant",
            code=f"c{i}",
            description="test",
            count=Decimal(1),
            rate=Decimal(1),
            amount=Decimal(1),
            details={"reason": "test"},
        )  # fmt: skip
        for i in range(lines)
    )
    return statement


@pytest.mark.django_db
def test_statement_page_queries_do_not_grow_with_lines_or_versions(orgs: Any, make_user: Any) -> None:
    practice = orgs["practice_a"].practice
    officer = make_user("finance", roles=[Role.FINANCE_OFFICER], organisation=orgs["directorate"])
    client = Client()
    client.force_login(officer)
    url = reverse("finance:statement", args=[practice.orgnr, "2018-05", "fee"])
    first = _statement(practice, 10)
    few, response = _queries(client, url)
    assert response.content.count(b'data-testid="statement-line"') == 10
    first.is_current = False
    first.save(update_fields=["is_current"])
    _statement(practice, 20, version=2)
    many, response = _queries(client, url)
    # Twice the lines and a second version (its table and the difference), the same queries.
    assert response.content.count(b'data-testid="statement-line"') == 20
    assert b'data-testid="version-diff"' in response.content
    assert 0 < many == few <= STATEMENT_MAX_QUERIES, (few, many)
