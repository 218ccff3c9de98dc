"""Regression tests of issue 10 for the grant scheme: conflict scoping, the administrator role."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pht.apps.scheme import actions
from pht.apps.scheme import models as m

OSLO = ZoneInfo("Europe/Oslo")
BEFORE = datetime.datetime(2017, 10, 10, 12, 0, tzinfo=OSLO)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _submitted_with_attachment(world: dict[str, Any], full_data: Any) -> tuple[m.Application, m.Attachment]:
    lead = world["lead_seljord"]
    application = actions.create_application(lead, world["call"], full_data(world["seljord_practices"]))
    attachment = actions.add_attachment(
        lead, application, "Prosjektplan", SimpleUploadedFile("plan.pdf", b"%PDF-1.4 ok")
    )
    return actions.submit_application(lead, application, now=BEFORE), attachment


def _urls(application: m.Application, attachment: m.Attachment) -> list[str]:
    return [
        f"/scheme/soknader/{application.pk}/",
        f"/scheme/soknader/{application.pk}/vedlegg/{attachment.pk}/",
        f"/api/scheme/applications/{application.pk}",
        f"/api/scheme/applications/{application.pk}/export",
    ]


def test_reviewer_with_a_declared_conflict_can_no_longer_open_the_application(
    world: dict[str, Any], full_data: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    application, attachment = _submitted_with_attachment(world, full_data)
    assignment = actions.assign_reviewer(world["officer"], application, world["reviewer"])
    reviewer = _client(world["reviewer"])
    # Assigned, not yet declared: the reviewer reads the application to judge a conflict.
    for url in _urls(application, attachment):
        assert reviewer.get(url).status_code == 200, url
    assert [a["id"] for a in reviewer.get("/api/scheme/applications").json()] == [application.pk]
    actions.declare_conflict(world["reviewer"], assignment, True, "Søster er kommunalsjef i Seljord")
    for url in _urls(application, attachment):
        assert reviewer.get(url).status_code == 404, url
    assert reviewer.get("/api/scheme/applications").json() == []
    assert "Seljord" not in reviewer.get("/scheme/soknader/").content.decode()
    # The review page still answers (the declaration stands) but no longer links to the application.
    page = reviewer.get(f"/scheme/vurderinger/{assignment.pk}/").content.decode()
    assert f"/scheme/soknader/{application.pk}/" not in page


def test_reviewer_without_a_conflict_keeps_access(
    world: dict[str, Any], full_data: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    application, attachment = _submitted_with_attachment(world, full_data)
    assignment = actions.assign_reviewer(world["officer"], application, world["reviewer"])
    actions.declare_conflict(world["reviewer"], assignment, False)
    reviewer = _client(world["reviewer"])
    for url in _urls(application, attachment):
        assert reviewer.get(url).status_code == 200, url
    # Another reviewer, not assigned, never sees it.
    other = _client(world["reviewer2"])
    for url in _urls(application, attachment):
        assert other.get(url).status_code == 404, url


def test_administrator_role_sees_applications(
    world: dict[str, Any], full_data: Any, settings: Any, tmp_path: Any
) -> None:
    from pht.apps.accounts.models import User

    settings.MEDIA_ROOT = tmp_path
    application, attachment = _submitted_with_attachment(world, full_data)
    admin = User.objects.create(
        username="ada", roles=["administrator"], organisation=world["officer"].organisation
    )
    client = _client(admin)
    for url in _urls(application, attachment):
        assert client.get(url).status_code == 200, url
    assert [a["id"] for a in client.get("/api/scheme/applications").json()] == [application.pk]
