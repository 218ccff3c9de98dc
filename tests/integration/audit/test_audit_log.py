"""The audit log (issue 10): append-only in the admin, the actor kept, admin changes to users, roles and
organisations audited, no clinical text in the admin, and a hash chain that ``pht audit verify`` checks."""

from __future__ import annotations

import argparse
import html
from typing import Any

import pytest
from django.db.models import ProtectedError
from django.test import Client

from pht.apps.accounts.audit import record_event, verify_chain
from pht.apps.accounts.models import ApiToken, AuditEvent, Organisation, OrganisationKind, User

CLINICAL = "Hjertesvikt, KOLS; bor alene og glemmer medisiner"


@pytest.fixture
def directorate(db: Any) -> Organisation:
    return Organisation.objects.create(kind=OrganisationKind.DIRECTORATE, name="Helsedirektoratet")


@pytest.fixture
def admin_client(directorate: Organisation) -> tuple[Client, User]:
    root = User.objects.create_superuser(
        "root", "root@test.invalid", "pw-root-123456", organisation=directorate, roles=["administrator"]
    )
    client = Client()
    client.force_login(root)
    return client, root


def _user(name: str, organisation: Organisation, roles: list[str] | None = None, **extra: Any) -> User:
    return User.objects.create(username=name, organisation=organisation, roles=roles or [], **extra)


def _verify_cli(capsys: Any) -> tuple[int, str]:
    from pht.apps.accounts import commands

    parser = argparse.ArgumentParser()
    commands.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["audit", "verify"])
    capsys.readouterr()
    code = args.handler(args)
    return code, capsys.readouterr().out


def test_the_admin_cannot_add_change_or_delete_audit_rows(admin_client: tuple[Client, User]) -> None:
    client, root = admin_client
    event = record_event(root, "test.event", root, after={"x": 1})
    assert client.get("/admin/accounts/auditevent/add/").status_code == 403
    forged = {"verb": "scheme.grant.accept", "actor": root.pk, "target_type": "x", "target_id": "1"}
    assert client.post("/admin/accounts/auditevent/add/", forged).status_code == 403
    assert client.post(f"/admin/accounts/auditevent/{event.pk}/change/", forged).status_code == 403
    assert client.post(f"/admin/accounts/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    client.post("/admin/accounts/auditevent/", bulk)
    assert list(AuditEvent.objects.values_list("pk", "verb")) == [(event.pk, "test.event")]


def test_a_user_with_audit_rows_cannot_be_deleted_and_the_name_is_kept(directorate: Organisation) -> None:
    kari = _user("kari", directorate, first_name="Kari", last_name="Nordmann")
    event = record_event(kari, "test.event", directorate)
    assert event.actor_name == "Kari Nordmann (kari)"
    with pytest.raises(ProtectedError):
        kari.delete()
    event.refresh_from_db()
    assert event.actor_id == kari.pk and event.actor_name == "Kari Nordmann (kari)"


def test_admin_changes_to_users_roles_and_organisations_are_audited(
    admin_client: tuple[Client, User], directorate: Organisation
) -> None:
    client, root = admin_client
    response = client.post(
        "/admin/accounts/user/add/",
        {"username": "nyansatt", "password1": "Langt-passord-2026!", "password2": "Langt-passord-2026!",
         "usable_password": "true"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    new = User.objects.get(username="nyansatt")
    added = AuditEvent.objects.get(verb="admin.user.add")
    assert added.actor == root and added.target_id == str(new.pk)
    assert "password" not in (added.after or {})
    other = Organisation.objects.create(kind=OrganisationKind.EVALUATION, name="Evaluering")
    form = {
        "username": "nyansatt",
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "organisation": str(other.pk),
        "roles": ["case_officer", "finance_officer"],
        "date_joined_0": "2026-12-01",
        "date_joined_1": "10:00:00",
    }
    response = client.post(f"/admin/accounts/user/{new.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    new.refresh_from_db()
    assert new.roles == ["case_officer", "finance_officer"] and new.organisation == other
    changed = AuditEvent.objects.get(verb="admin.user.change")
    assert changed.before["roles"] == [] and changed.after["roles"] == ["case_officer", "finance_officer"]
    assert changed.before["organisation"] is None and changed.after["organisation"] == other.pk
    # The roles are offered as choices, not typed as JSON.
    page = client.get(f"/admin/accounts/user/{new.pk}/change/").content.decode()
    assert 'type="checkbox" name="roles" value="reviewer"' in page
    # Organisations: add and change.
    response = client.post(
        "/admin/accounts/organisation/add/", {"kind": "directorate", "name": "Nytt direktorat"}
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Nytt direktorat")
    response = client.post(
        f"/admin/accounts/organisation/{organisation.pk}/change/", {"kind": "directorate", "name": "Omdøpt"}
    )
    assert response.status_code == 302
    verbs = list(
        AuditEvent.objects.filter(target_type="accounts.Organisation")
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["admin.organisation.add", "admin.organisation.change"]
    assert AuditEvent.objects.get(verb="admin.organisation.change").after["name"] == "Omdøpt"
    assert verify_chain()[1] == []


def test_admin_audit_pages_show_no_clinical_text(admin_client: tuple[Client, User]) -> None:
    client, root = admin_client
    event = record_event(root, "care.plan.create", root, after={"title": "Plan", "goals": CLINICAL})
    listing = client.get("/admin/accounts/auditevent/").content.decode()
    detail = client.get(f"/admin/accounts/auditevent/{event.pk}/change/")
    assert detail.status_code == 200
    for page in (listing, detail.content.decode()):
        assert "KOLS" not in page and "Hjertesvikt" not in page
    assert "goals, title" in detail.content.decode()  # which fields, not what they hold
    assert "Hjertesvikt" not in client.get("/admin/accounts/auditevent/", {"q": "KOLS"}).content.decode()


def test_verify_detects_a_row_changed_deleted_or_added_in_the_database(
    directorate: Organisation, capsys: Any
) -> None:
    kari = _user("kari", directorate)
    events = [record_event(kari, f"test.event.{i}", directorate, after={"n": i}) for i in range(5)]
    assert verify_chain() == (5, [])
    assert _verify_cli(capsys) == (0, "5 audit rows, hash chain intact.\n")
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]

    # Changed: a forged actor or content on a stored row.
    other = _user("ola", directorate)
    AuditEvent.objects.filter(pk=events[2].pk).update(actor=other)
    code, out = _verify_cli(capsys)
    assert code == 1 and f"audit row {events[2].pk}: its content was changed" in out
    AuditEvent.objects.filter(pk=events[2].pk).update(actor=kari)
    assert verify_chain()[1] == []
    AuditEvent.objects.filter(pk=events[3].pk).update(after={"n": 99})
    assert [p.event_id for p in verify_chain()[1]] == [events[3].pk]
    AuditEvent.objects.filter(pk=events[3].pk).update(after={"n": 3})

    # Deleted in the middle: the next row no longer follows.
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    problems = verify_chain()[1]
    assert events[2].pk in [p.event_id for p in problems]


def test_verify_detects_the_newest_rows_deleted_or_a_row_inserted(directorate: Organisation) -> None:
    kari = _user("kari", directorate)
    events = [record_event(kari, "test.event", directorate) for _ in range(3)]
    AuditEvent.objects.filter(pk=events[-1].pk).delete()
    problems = verify_chain()[1]
    assert problems and problems[-1].event_id is None and "chain head records 3" in str(problems[-1])


def test_a_row_inserted_behind_the_application_breaks_the_chain(directorate: Organisation) -> None:
    kari = _user("kari", directorate)
    record_event(kari, "test.event", directorate)
    AuditEvent.objects.create(actor=kari, verb="forged", target_type="x", target_id="1", target_repr="x")
    problems = verify_chain()[1]
    assert problems


def test_the_admin_user_list_names_roles_and_the_audit_page_its_fields_in_bokmal(
    admin_client: tuple[Client, User], directorate: Organisation
) -> None:
    # The user list showed the stored JSON of role keys (["reviewer", "case_officer"]) and the audit
    # detail an English «changed fields» on a bokmål admin page.
    client, root = admin_client
    _user("frode", directorate, ["reviewer", "case_officer"])
    listing = html.unescape(client.get("/admin/accounts/user/", HTTP_ACCEPT_LANGUAGE="nb").content.decode())
    assert "Fagvurderer, Saksbehandler (Helsedirektoratet)" in listing
    assert '["reviewer"' not in listing and '"administrator"]' not in listing
    event = record_event(root, "care.plan.create", root, after={"title": "Plan"})
    detail = client.get(f"/admin/accounts/auditevent/{event.pk}/change/", HTTP_ACCEPT_LANGUAGE="nb")
    assert "Endrede felt" in detail.content.decode() and "Changed fields" not in detail.content.decode()


def test_the_admin_index_names_every_app_and_model_in_bokmal(admin_client: tuple[Client, User]) -> None:
    """The bokmål admin listed «Api tokens», «Municipality populations» and django-tasks' «Task Results»
    under «Tasks Database Backend»: every name the index shows is translated now."""
    from django.contrib import admin
    from django.utils import translation

    client, _ = admin_client
    index = html.unescape(client.get("/admin/", HTTP_ACCEPT_LANGUAGE="nb").content.decode())
    for english in ("Api tokens", "Municipality populations", "Task Results", "Tasks Database Backend"):
        assert english not in index
    for bokmal in ("API-nøkler", "Folketall i kommunene", "Oppgaveresultater", "Oppgavekø"):
        assert bokmal in index
    untranslated = []
    for model in admin.site._registry:
        names = {}
        for language in ("en", "nb"):
            with translation.override(language):
                names[language] = (
                    str(model._meta.verbose_name_plural),
                    str(model._meta.app_config.verbose_name),
                )
        untranslated += [
            f"{model._meta.label}: {en}" for en, nb in zip(names["en"], names["nb"], strict=True) if en == nb
        ]
    assert untranslated == []


# Column headers and field labels that read the same in bokmål: abbreviations and words bokmål spells alike.
SAME_IN_BOKMAL = {"ID", "id", "status"}


def _changelist_headers(model_admin: Any, root: User, language: str) -> list[str]:
    from django.contrib.admin.templatetags.admin_list import result_headers
    from django.test import RequestFactory
    from django.utils import translation

    with translation.override(language):
        request = RequestFactory().get("/admin/")
        request.user = root
        changelist = model_admin.get_changelist_instance(request)
        return [
            str(h["text"])
            for h in result_headers(changelist)
            if "action-checkbox" not in str(h.get("class_attrib", ""))
        ]


def test_every_admin_change_list_names_its_columns_in_bokmal(admin_client: tuple[Client, User]) -> None:
    """The bokmål admin listed API tokens under «Name», «User», «Created at», «Last used at», the audit log
    under «Actor name», «Verb», and task results under «Task name»: every column header is translated now."""
    from django.contrib import admin

    client, root = admin_client
    untranslated = []
    for model, model_admin in admin.site._registry.items():
        english = _changelist_headers(model_admin, root, "en")
        bokmal = _changelist_headers(model_admin, root, "nb")
        assert len(english) == len(bokmal) == len(model_admin.get_list_display(None)), model._meta.label
        untranslated += [
            f"{model._meta.label}: {en}"
            for en, nb in zip(english, bokmal, strict=True)
            if en == nb and en not in SAME_IN_BOKMAL
        ]
    assert untranslated == []
    # And the page shows them: the API token list in bokmål.
    ApiToken.issue(root, "ci")
    page = html.unescape(client.get("/admin/accounts/apitoken/", HTTP_ACCEPT_LANGUAGE="nb").content.decode())
    for bokmal in ("Navn", "Bruker", "Opprettet", "Sist brukt"):
        assert f">{bokmal}<" in page
    for english in ("Name", "User", "Created at", "Last used at"):
        assert f">{english}<" not in page


def test_every_admin_model_names_its_fields_in_bokmal(admin_client: tuple[Client, User]) -> None:
    """The labels of the change forms: every field of a model on the admin index has a bokmål name."""
    from django.contrib import admin
    from django.utils import translation

    client, root = admin_client
    untranslated = []
    for model in admin.site._registry:
        for field in model._meta.concrete_fields:
            with translation.override("en"):
                english = str(field.verbose_name)
            with translation.override("nb"):
                bokmal = str(field.verbose_name)
            if english == bokmal and english not in SAME_IN_BOKMAL:
                untranslated.append(f"{model._meta.label}.{field.name}: {english}")
    assert untranslated == []
    token, _raw = ApiToken.issue(root, "ci")
    form = client.get(
        f"/admin/accounts/apitoken/{token.pk}/change/", HTTP_ACCEPT_LANGUAGE="nb"
    ).content.decode()
    assert "Utløper" in form and "Tilbakekalt" in form and "Expires at" not in form
