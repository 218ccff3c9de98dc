"""API bearer tokens (issue 10): not subject to CSRF, expire, record their last use, revocable by their
owner."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from pht.apps.accounts.models import ApiToken, AuditEvent, Organisation, OrganisationKind, User


@pytest.fixture
def lead(db: Any) -> User:
    organisation = Organisation.objects.create(kind=OrganisationKind.DIRECTORATE, name="Helsedirektoratet")
    return User.objects.create(username="officer", roles=["case_officer"], organisation=organisation)


def _bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_a_bearer_token_post_is_not_refused_by_csrf(lead: User) -> None:
    _, key = ApiToken.issue(lead, "epj")
    client = Client(enforce_csrf_checks=True)  # as a machine client: no cookie, no CSRF token
    response = client.post("/api/scheme/applications/999999/submit", **_bearer(key))
    assert response.status_code == 404, response.content  # reached the endpoint: no such application
    # A session without the CSRF token is still refused.
    session = Client(enforce_csrf_checks=True)
    session.force_login(lead)
    refused = session.post("/api/scheme/applications/999999/submit")
    assert refused.status_code == 403 and b"CSRF" in refused.content


def test_use_is_recorded_and_expired_tokens_are_refused(lead: User) -> None:
    token, key = ApiToken.issue(lead, "epj")
    assert token.expires_at is not None and token.expires_at > timezone.now() + datetime.timedelta(days=80)
    assert token.last_used_at is None
    client = Client()
    assert client.get("/api/municipalities", **_bearer(key)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None and timezone.now() - token.last_used_at < datetime.timedelta(
        minutes=1
    )
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/api/municipalities", **_bearer(key)).status_code == 401
    assert client.get("/api/municipalities", **_bearer("not-a-token")).status_code == 401


def test_the_owner_revokes_a_token_and_no_one_else_can(lead: User) -> None:
    token, key = ApiToken.issue(lead, "epj")
    other = User.objects.create(username="other", roles=["case_officer"], organisation=lead.organisation)
    _, other_key = ApiToken.issue(other, "x")
    client = Client(enforce_csrf_checks=True)
    assert client.delete(f"/api/tokens/{token.pk}", **_bearer(other_key)).status_code == 404
    assert [t["id"] for t in client.get("/api/tokens/", **_bearer(key)).json()] == [token.pk]
    revoked = client.delete(f"/api/tokens/{token.pk}", **_bearer(key))
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    assert client.get("/api/municipalities", **_bearer(key)).status_code == 401
    assert client.get("/api/municipalities", **_bearer(other_key)).status_code == 200
    assert AuditEvent.objects.filter(verb="accounts.token.revoke", target_id=str(token.pk)).count() == 1
