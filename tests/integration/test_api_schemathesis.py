"""schemathesis over the OpenAPI document, with bearer tokens of three roles (a practice nurse, a case
officer and a municipal project lead): generated requests to every operation, no server error."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from pht.site.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)

ROLES = {"nurse": "practice_a", "case_officer": "directorate", "project_lead": "seljord"}


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Any:
    """schemathesis calls the WSGI application directly, so Django's request signals close the
    database connection after each request, which on PostgreSQL is the test's open transaction.
    Django's own test client disconnects the same handler for the same reason."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(orgs: Any, make_user: Any) -> dict[str, str]:
    from pht.apps.accounts.models import ApiToken

    result = {}
    for role, org in ROLES.items():
        user = make_user(f"api_{role}", roles=[role], organisation=orgs[org])
        result[role] = ApiToken.issue(user, "schemathesis")[1]
    return result


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_for_any_role(case: Any, tokens: dict[str, str]) -> None:
    for token in tokens.values():
        response = case.call(headers={"Authorization": f"Bearer {token}", "Host": "localhost"})
        case.validate_response(response, checks=(not_a_server_error, status_code_conformance))


def test_every_secured_operation_documents_its_refusals() -> None:
    document = schema.raw_schema
    operations = [
        (path, method, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and op.get("security")
    ]
    assert len(operations) >= 15
    for path, method, op in operations:
        assert {"401", "403"} <= set(op["responses"]), (method, path)
        if "{" in path:
            assert "404" in op["responses"], (method, path)


@pytest.mark.django_db
def test_a_request_without_credentials_gets_the_documented_401() -> None:
    from django.test import Client

    response = Client(HTTP_HOST="localhost").get("/api/care/worklist")
    assert response.status_code == 401
    assert "401" in schema.raw_schema["paths"]["/api/care/worklist"]["get"]["responses"]


def test_the_openapi_document_has_no_duplicate_keys() -> None:
    """Swagger UI parses the document with a YAML parser that refuses a key given twice (a blank
    /api/docs page): django-ninja's int status keys and our str ones once produced "200" twice."""
    import json

    from django.test import Client

    def refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
        return dict(pairs)

    body = Client(HTTP_HOST="localhost").get("/api/openapi.json").content
    document = json.loads(body, object_pairs_hook=refuse_duplicates)
    assert "400" in document["paths"]["/api/municipalities"]["get"]["responses"]
