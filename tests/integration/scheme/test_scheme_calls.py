"""Calls managed by case officers (issue 11): create, copy, edit a draft, publish, extend, close, each an
action with an audit row and a clear refusal; who reads which call; the public page without internal
fields; the officer's own eligibility verdict beside the rules', flagged before review."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.models import AuditEvent
from pht.apps.scheme import actions
from pht.apps.scheme import models as m

pytestmark = pytest.mark.django_db

BEFORE_DEADLINE = datetime.datetime(
    2017, 10, 10, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
)

TODAY = datetime.date.today()
INTERNAL = "INTERNT-NOTAT-9Z"


def _input(**overrides: Any) -> actions.CallInput:
    values: dict[str, Any] = {
        "code": "utlysning-2020",
        "title": "Utlysning 2020: nye legekontor",
        "description": "Legekontor i deltakende kommuner kan søke.",
        "internal_note": INTERNAL,
        "announcement_date": TODAY,
        "deadline_date": TODAY + datetime.timedelta(days=30),
        "pilot_start": TODAY + datetime.timedelta(days=90),
        "pilot_end": TODAY + datetime.timedelta(days=900),
        "population_year": 2017,
        "budget": Decimal("12000000"),
    }
    values.update(overrides)
    return actions.CallInput(**values)


def _verbs(call: m.Call) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="scheme.Call", target_id=str(call.pk))
        .order_by("pk")
        .values_list("verb", flat=True)
    )


@pytest.fixture
def draft(world: dict[str, Any]) -> m.Call:
    return actions.create_call(world["officer"], world["call"].scheme, _input())


@pytest.fixture
def published(world: dict[str, Any], draft: m.Call) -> m.Call:
    return actions.publish_call(world["officer"], draft)


# --- actions ---------------------------------------------------------------------------------


def test_officer_creates_a_draft_from_the_parameter_set_with_an_audit_row(
    world: dict[str, Any], draft: m.Call
) -> None:
    assert draft.status == "draft" and draft.published_at is None
    assert draft.criteria == world["call"].criteria and draft.criteria  # from call_2017's parameter set
    assert draft.grant_parameters["grant_per_gp_per_year"] == "300000.00"
    assert draft.is_assumption("grant_per_gp_per_year")  # still the shipped default, labelled
    assert _verbs(draft) == ["scheme.call.create"]


def test_setting_a_grant_amount_drops_its_assumption_label(world: dict[str, Any]) -> None:
    call = actions.create_call(
        world["officer"],
        world["call"].scheme,
        _input(grant_amounts={"grant_per_gp_per_year": Decimal("250000")}),
    )
    assert call.grant_parameters["grant_per_gp_per_year"] == "250000.00"
    assert not call.is_assumption("grant_per_gp_per_year")
    assert call.is_assumption("municipality_base_per_year")


def test_only_a_case_officer_creates_calls(world: dict[str, Any]) -> None:
    for user in (world["lead_seljord"], world["reviewer"], world["finance1"]):
        with pytest.raises(ActionRefused, match="case_officer"):
            actions.create_call(user, world["call"].scheme, _input())
    assert not m.Call.objects.filter(code="utlysning-2020").exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"deadline_date": TODAY - datetime.timedelta(days=1)}, "deadline (end of day)"),
        ({"pilot_start": TODAY + datetime.timedelta(days=30)}, "pilot start"),
        ({"pilot_end": TODAY + datetime.timedelta(days=10)}, "pilot end"),
        ({"budget": Decimal("1e400")}, "budget frame (NOK)"),
        ({"budget": "1e400"}, "budget frame (NOK)"),
        ({"budget": Decimal(10**15)}, "budget frame (NOK)"),
        ({"budget": Decimal("NaN")}, "budget frame (NOK)"),
        ({"grant_amounts": {"grant_per_gp_per_year": Decimal("Infinity")}}, "grant per GP per year"),
        ({"code": "Ikke en kode!"}, "code"),
        ({"code": "call-2017"}, "call-2017"),
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"internal_note": "a\x00b"}, "internal note"),
        ({"population_year": None}, "population year"),  # no population data for this year
        ({"population_year": 2019}, "population year"),
    ],
)
def test_bad_call_input_is_refused_naming_the_field_and_nothing_is_written(
    world: dict[str, Any], overrides: dict[str, Any], field: str
) -> None:
    before = m.Call.objects.count()
    with pytest.raises(ActionRefused) as refused:
        actions.create_call(world["officer"], world["call"].scheme, _input(**overrides))
    assert field in refused.value.reason
    assert m.Call.objects.count() == before


def test_a_draft_can_be_edited_and_a_published_call_cannot(world: dict[str, Any], draft: m.Call) -> None:
    officer = world["officer"]
    edited = actions.update_call(officer, draft, _input(title="Ny tittel", budget=Decimal("5000000")))
    assert edited.title == "Ny tittel" and edited.budget == Decimal("5000000")
    actions.publish_call(officer, draft)
    with pytest.raises(ActionRefused, match="only a draft can be edited"):
        actions.update_call(officer, draft, _input(title="Etter publisering"))
    draft.refresh_from_db()
    assert draft.title == "Ny tittel"
    assert _verbs(draft) == ["scheme.call.create", "scheme.call.update", "scheme.call.publish"]


def test_publishing_with_the_deadline_passed_is_refused(world: dict[str, Any], draft: m.Call) -> None:
    after_deadline = timezone.now() + datetime.timedelta(days=40)
    with pytest.raises(ActionRefused, match="has already passed"):
        actions.publish_call(world["officer"], draft, now=after_deadline)
    draft.refresh_from_db()
    assert draft.status == "draft"
    # Until the end of the deadline day it publishes.
    actions.publish_call(
        world["officer"], draft, now=actions.deadline_of(draft) - datetime.timedelta(seconds=1)
    )
    draft.refresh_from_db()
    assert draft.status == "published"


def test_publishing_twice_and_closing_twice_are_refused(world: dict[str, Any], published: m.Call) -> None:
    officer = world["officer"]
    with pytest.raises(ActionRefused, match="already published"):
        actions.publish_call(officer, published)
    actions.close_call(officer, published)
    assert published.status == "closed" and published.closed_at is not None
    with pytest.raises(ActionRefused, match="already closed"):
        actions.close_call(officer, published)
    with pytest.raises(ActionRefused, match="call: no step from 'closed' to 'published'"):
        actions.publish_call(officer, published)
    assert _verbs(published) == ["scheme.call.create", "scheme.call.publish", "scheme.call.close"]


def test_a_draft_cannot_be_closed_and_others_cannot_publish(world: dict[str, Any], draft: m.Call) -> None:
    with pytest.raises(ActionRefused, match="publish it before it can be closed"):
        actions.close_call(world["officer"], draft)
    with pytest.raises(ActionRefused, match="case_officer"):
        actions.publish_call(world["lead_seljord"], draft)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_extending_the_deadline(world: dict[str, Any], published: m.Call, draft: m.Call) -> None:
    officer = world["officer"]
    old = published.deadline_date
    with pytest.raises(ActionRefused, match="must be after the current deadline"):
        actions.extend_deadline(officer, published, old - datetime.timedelta(days=1), "Tidligere")
    with pytest.raises(ActionRefused, match="give the reason"):
        actions.extend_deadline(officer, published, old + datetime.timedelta(days=7), "  ")
    with pytest.raises(ActionRefused, match="before the pilot starts"):
        actions.extend_deadline(officer, published, published.pilot_start, "For sent")
    actions.extend_deadline(officer, published, old + datetime.timedelta(days=7), "Ønske fra KS")
    assert published.deadline_date == old + datetime.timedelta(days=7)
    event = AuditEvent.objects.filter(verb="scheme.call.extend_deadline").get()
    assert event.before == {"deadline_date": old.isoformat()}
    actions.close_call(officer, published)
    with pytest.raises(ActionRefused, match="only a published call"):
        actions.extend_deadline(officer, published, old + datetime.timedelta(days=14), "Etter lukking")


def test_copy_keeps_criteria_and_amounts_and_starts_as_a_draft(
    world: dict[str, Any], published: m.Call
) -> None:
    copy = actions.copy_call(world["officer"], published, "utlysning-2021", "Utlysning 2021")
    assert copy.status == "draft" and copy.copied_from == published
    assert copy.criteria == published.criteria and copy.grant_parameters == published.grant_parameters
    assert copy.budget == published.budget and copy.internal_note == ""
    with pytest.raises(ActionRefused, match="already used"):
        actions.copy_call(world["officer"], published, "utlysning-2021", "Igjen")
    assert _verbs(copy) == ["scheme.call.copy"]


def test_applications_only_to_a_published_open_call(
    world: dict[str, Any], draft: m.Call, full_data: Any
) -> None:
    lead = world["lead_seljord"]
    with pytest.raises(ActionRefused, match="does not take applications"):
        actions.create_application(lead, draft, full_data(world["seljord_practices"]))
    actions.publish_call(world["officer"], draft)
    application = actions.create_application(lead, draft, full_data(world["seljord_practices"]))
    actions.close_call(world["officer"], draft)
    application.call.refresh_from_db()
    with pytest.raises(ActionRefused, match="does not take applications"):
        actions.submit_application(lead, application)
    application.refresh_from_db()
    assert application.status == "draft"


def test_the_population_year_decides_the_size_class_data(world: dict[str, Any], full_data: Any) -> None:
    # A 2026 call has no 2026 population data: it names 2017, and eligibility uses 2017's figures.
    call = actions.create_call(world["officer"], world["call"].scheme, _input(population_year=2017))
    assert actions.call_year(call) == 2017
    assert actions.population_of(world["seljord"], call) == 2984


# --- the officer's eligibility verdict -------------------------------------------------------------


def _submitted(world: dict[str, Any], full_data: Any) -> m.Application:
    application = actions.create_application(
        world["lead_seljord"], world["call"], full_data(world["seljord_practices"])
    )
    return actions.submit_application(world["lead_seljord"], application, now=BEFORE_DEADLINE)


def test_officer_verdict_beside_the_rules_and_flagged_before_review(
    world: dict[str, Any], full_data: Any
) -> None:
    application = _submitted(world, full_data)
    assert application.rules_eligible is True and not application.fails_eligibility
    actions.record_eligibility_verdict(
        world["officer"], application, False, "Legekontoret er allerede med i piloten."
    )
    assert application.officer_eligible is False
    assert application.rules_eligible is True  # the rules' verdicts stay as they were
    assert application.fails_eligibility
    assert application.officer_eligibility_by == world["officer"]
    event = AuditEvent.objects.filter(verb="scheme.application.eligibility_verdict").get()
    assert event.after["officer_eligible"] is False and event.after["rules_eligible"] is True

    client = Client()
    client.force_login(world["officer"])
    listing = client.get("/scheme/soknader/").content.decode()
    assert 'data-eligibility-flag="fails"' in listing
    detail = client.get(f"/scheme/soknader/{application.pk}/").content.decode()
    assert 'id="review-flag"' in detail and "Legekontoret er allerede med i piloten." in detail
    assert 'data-officer-verdict="no"' in detail
    # The reviewer sees the flag in their list too.
    actions.assign_reviewer(world["officer"], application, world["reviewer"])
    assert 'data-eligibility-flag="fails"' in _get(world["reviewer"], "/scheme/vurderinger/").content.decode()


def test_a_rules_failure_is_flagged_until_the_officer_overrules(
    world: dict[str, Any], full_data: Any
) -> None:
    data = full_data(world["seljord_practices"])
    for practice in data.practices:
        practice.nurse_fte = Decimal("0.1")  # below the nurse norm
    application = actions.create_application(world["lead_seljord"], world["call"], data)
    actions.submit_application(world["lead_seljord"], application, now=BEFORE_DEADLINE)
    application.refresh_from_db()
    assert application.rules_eligible is False and application.fails_eligibility
    client = Client()
    client.force_login(world["officer"])
    assert 'id="review-flag"' in client.get(f"/scheme/soknader/{application.pk}/").content.decode()
    response = client.post(
        f"/scheme/soknader/{application.pk}/vilkar/", {"eligible": "yes", "reason": "Sykepleier ansatt 1.1."}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.officer_eligible is True and not application.fails_eligibility
    assert 'id="review-flag"' not in client.get(f"/scheme/soknader/{application.pk}/").content.decode()


def test_officer_verdict_refusals(world: dict[str, Any], full_data: Any) -> None:
    application = _submitted(world, full_data)
    with pytest.raises(ActionRefused, match="give the reason"):
        actions.record_eligibility_verdict(world["officer"], application, False, " ")
    with pytest.raises(ActionRefused, match="case_officer"):
        actions.record_eligibility_verdict(world["lead_seljord"], application, True, "Egen vurdering")
    actions.withdraw_application(world["lead_seljord"], application)
    with pytest.raises(ActionRefused, match="only a submitted application"):
        actions.record_eligibility_verdict(world["officer"], application, True, "For sent")
    application.refresh_from_db()
    assert application.officer_eligible is None
    client = Client()
    client.force_login(world["officer"])
    response = client.post(
        f"/scheme/soknader/{application.pk}/vilkar/", {"eligible": "kanskje", "reason": "x"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.officer_eligible is None


# --- pages and who may read them -------------------------------------------------------------------


def _get(user: Any, url: str) -> Any:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def test_lead_and_reviewer_read_a_published_call_not_a_draft(
    world: dict[str, Any], draft: m.Call, make_user: Any
) -> None:
    url = f"/scheme/utlysninger/{draft.code}/"
    for user in (world["lead_seljord"], world["reviewer"]):
        assert _get(user, url).status_code == 404
        assert draft.code not in _get(user, "/scheme/utlysninger/").content.decode()
    officer_page = _get(world["officer"], url)
    assert officer_page.status_code == 200 and INTERNAL in officer_page.content.decode()
    actions.publish_call(world["officer"], draft)
    for user in (world["lead_seljord"], world["reviewer"]):
        page = _get(user, url)
        assert page.status_code == 200
        body = page.content.decode()
        assert draft.title in body and INTERNAL not in body
        assert draft.code in _get(user, "/scheme/utlysninger/").content.decode()
    # The lead may apply from the call's page; the reviewer may not.
    assert f"/scheme/soknader/ny/?call={draft.code}" in _get(world["lead_seljord"], url).content.decode()
    assert "/scheme/soknader/ny/" not in _get(world["reviewer"], url).content.decode()
    # Roles that neither apply nor review get a 404.
    gp = make_user("gp_x", roles=["gp"])
    evaluator = make_user("eval_x", roles=["evaluator"])
    for user in (gp, evaluator):
        assert _get(user, url).status_code == 404
        assert _get(user, "/scheme/utlysninger/").status_code == 404


def test_a_lead_cannot_start_an_application_to_a_draft(world: dict[str, Any], draft: m.Call) -> None:
    lead = world["lead_seljord"]
    assert _get(lead, f"/scheme/soknader/ny/?call={draft.code}").status_code == 404
    page = _get(lead, "/scheme/soknader/ny/")  # the open call by default, never the draft
    assert page.status_code == 200 and draft.title not in page.content.decode()
    # The officers' call overview sends leads and reviewers to the calls they may read.
    for user in (lead, world["reviewer"]):
        response = _get(user, "/scheme/utlysning/")
        assert response.status_code == 302 and response["Location"] == "/scheme/utlysninger/"


def test_call_pages_read_in_english(world: dict[str, Any], published: m.Call) -> None:
    client = Client()
    client.force_login(world["lead_seljord"])
    body = client.get(f"/scheme/utlysninger/{published.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Apply to this call" in body and "Søk på denne utlysningen" not in body
    client.force_login(world["officer"])
    refused = client.post(
        f"/scheme/utlysninger/{published.code}/publiser/", HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert "the call is already published" in refused.content.decode()


def test_public_page_without_internal_fields_and_no_login(world: dict[str, Any], draft: m.Call) -> None:
    public = f"/scheme/offentlig/utlysninger/{draft.code}/"
    assert _get(None, public).status_code == 404  # a draft is not public
    actions.publish_call(world["officer"], draft)
    page = _get(None, public)
    assert page.status_code == 200
    body = page.content.decode()
    assert draft.title in body and "Legekontor i deltakende kommuner kan søke." in body
    assert INTERNAL not in body and "call_2017" not in body  # internal note, parameter set
    assert 'data-parameter="grant_per_gp_per_year"' in body and "Antakelse" in body
    # The logged-in page needs a login.
    assert _get(None, f"/scheme/utlysninger/{draft.code}/").status_code == 302
    assert _get(None, "/scheme/offentlig/utlysninger/finnes-ikke/").status_code == 404


def test_only_officers_manage_calls_through_pages(world: dict[str, Any], draft: m.Call) -> None:
    for user in (world["lead_seljord"], world["reviewer"], world["finance1"]):
        client = Client()
        client.force_login(user)
        assert client.get("/scheme/utlysninger/ny/").status_code == 404
        for step in ("publiser", "lukk", "kopier", "forleng"):
            assert client.post(f"/scheme/utlysninger/{draft.code}/{step}/").status_code == 404
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_the_new_call_form_starts_at_the_registry_population_year(world: dict[str, Any]) -> None:
    page = _get(world["officer"], "/scheme/utlysninger/ny/").content.decode()
    assert re.search(r'name="population_year" value="2017"', page)


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "code": "ny-utlysning",
        "title": "Ny utlysning",
        "description": "Offentlig tekst",
        "internal_note": "",
        "announcement_date": TODAY.isoformat(),
        "deadline_date": (TODAY + datetime.timedelta(days=30)).isoformat(),
        "pilot_start": (TODAY + datetime.timedelta(days=60)).isoformat(),
        "pilot_end": (TODAY + datetime.timedelta(days=800)).isoformat(),
        "population_year": "2017",
        "budget": "1 500 000,00",
        "grant_per_gp_per_year": "300000",
        "municipality_base_per_year": "",
        "municipality_per_gp_per_year": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "shown"),
    [
        ({"budget": "1e400"}, "Budsjettramme (kr): høyst 12 sifre"),
        ({"budget": "1000000000000000"}, "Budsjettramme (kr)"),
        ({"grant_per_gp_per_year": "inf"}, "Tilskudd per fastlege per år: ikke et tall"),
        ({"grant_per_gp_per_year": "NaN"}, "Tilskudd per fastlege per år: ikke et tall"),
        ({"deadline_date": (TODAY - datetime.timedelta(days=1)).isoformat()}, "Søknadsfrist"),
        ({"pilot_end": TODAY.isoformat()}, "Pilotens slutt"),
        ({"code": "call-2017"}, "call-2017"),
        ({"announcement_date": "15.10.2017x"}, "Kunngjort"),
    ],
)
def test_the_form_refuses_bad_input_naming_the_field(
    world: dict[str, Any], overrides: dict[str, str], shown: str
) -> None:
    client = Client()
    client.force_login(world["officer"])
    response = client.post("/scheme/utlysninger/ny/", _form(**overrides), HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 422
    errors = re.findall(r'role="alert"[^>]*>(.*?)</(?:p|div)>', response.content.decode(), re.S)
    assert any(shown in e for e in errors), errors
    assert not any(e.count(shown.split(":")[0] + ":") > 1 for e in errors), errors  # the label once
    # Each input with an error is described by it (screen readers read the reason with the field).
    body = response.content.decode()
    field_errors = re.findall(r'<p class="pht-field-error" id="([\w-]+)"', body)
    assert field_errors or shown == "call-2017"  # a taken code is the action's refusal, above the form
    for error_id in field_errors:  # a date input is described by its format hint too
        assert re.search(rf'aria-describedby="(?:[\w-]+ )*{error_id}"', body), error_id


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("nb", "Pilotens slutt: 1. april 2018 må være etter Pilotens start (1. april 2018)"),
        ("en", "Pilot end: April 1, 2018 must be after Pilot start (April 1, 2018)"),
    ],
)
def test_dates_out_of_order_are_refused_with_the_dates_in_the_pages_language(
    world: dict[str, Any], language: str, shown: str
) -> None:
    client = Client()
    client.force_login(world["officer"])
    start = datetime.date(2018, 4, 1)
    form = _form(pilot_start=start.isoformat(), pilot_end=start.isoformat())
    form.update(announcement_date="2017-08-22", deadline_date="2017-10-15")
    response = client.post("/scheme/utlysninger/ny/", form, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 422
    body = response.content.decode()
    errors = [" ".join(e.split()) for e in re.findall(r'role="alert"[^>]*>(.*?)</(?:p|div)>', body, re.S)]
    assert shown in errors, errors  # the dates as the page writes them; the field's label once
    assert not m.Call.objects.filter(code="ny-utlysning").exists()


def test_officer_creates_publishes_and_closes_through_pages(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["officer"])
    response = client.post("/scheme/utlysninger/ny/", _form())
    assert response.status_code == 302 and response["Location"] == "/scheme/utlysninger/ny-utlysning/"
    call = m.Call.objects.get(code="ny-utlysning")
    assert call.status == "draft" and call.budget == Decimal("1500000.00")
    edit = client.post("/scheme/utlysninger/ny-utlysning/endre/", _form(title="Endret tittel"))
    assert edit.status_code == 302
    client.post("/scheme/utlysninger/ny-utlysning/publiser/")
    call.refresh_from_db()
    assert call.status == "published" and call.title == "Endret tittel"
    refused = client.post("/scheme/utlysninger/ny-utlysning/endre/", _form(title="Igjen"), follow=True)
    assert "bare et utkast kan endres" in refused.content.decode()
    later = call.deadline_date + datetime.timedelta(days=5)
    extended = client.post(
        "/scheme/utlysninger/ny-utlysning/forleng/",
        {"deadline-deadline_date": later.isoformat(), "deadline-note": "Ønske fra kommunene"},
    )
    assert extended.status_code == 302
    call.refresh_from_db()
    assert call.deadline_date == later
    bad = client.post(
        "/scheme/utlysninger/ny-utlysning/forleng/",
        {"deadline-deadline_date": "31.02.2027", "deadline-note": "x"},
        follow=True,
    )
    assert "Ny søknadsfrist" in bad.content.decode()
    copied = client.post(
        "/scheme/utlysninger/ny-utlysning/kopier/", {"copy-code": "kopi", "copy-title": "Kopi av utlysningen"}
    )
    assert copied.status_code == 302 and copied["Location"] == "/scheme/utlysninger/kopi/"
    assert m.Call.objects.get(code="kopi").copied_from == call
    client.post("/scheme/utlysninger/ny-utlysning/lukk/")
    twice = client.post("/scheme/utlysninger/ny-utlysning/lukk/", follow=True)
    assert "allerede lukket" in twice.content.decode()
    call.refresh_from_db()
    assert call.status == "closed" and call.title == "Endret tittel"


def _value_of(body: str, name: str) -> str:
    match = re.search(rf'<input [^>]*name="{name}"[^>]*>', body)
    assert match is not None, name
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


@pytest.mark.parametrize(
    ("language", "shown", "typed", "hint", "refused"),
    [
        (
            "nb",
            "{:%d.%m.%Y}",
            "31.03.2023",
            "Format: dd.mm.åååå (for eksempel 31.03.2023)",
            "Kunngjort: Skriv en gyldig dato som dd.mm.åååå (for eksempel 31.03.2023).",
        ),
        (
            "en",
            "{:%m/%d/%Y}",
            "03/31/2023",
            "Format: mm/dd/yyyy (for example 03/31/2023)",
            "Announced: Enter a real date as mm/dd/yyyy (for example 03/31/2023).",
        ),
    ],
)
def test_call_dates_are_shown_and_typed_in_the_pages_language(
    world: dict[str, Any], draft: m.Call, language: str, shown: str, typed: str, hint: str, refused: str
) -> None:
    client = Client()
    client.force_login(world["officer"])
    url = f"/scheme/utlysninger/{draft.code}/endre/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for name in ("announcement_date", "deadline_date", "pilot_start", "pilot_end"):
        assert _value_of(page, name) == shown.format(getattr(draft, name))
    assert 'type="date"' not in page and hint in page
    assert 'aria-describedby="id_announcement_date_hint"' in page
    # The page's format and ISO are both accepted; the form shows the saved date back in the page's format.
    for text in (typed, "2023-03-31"):
        data = _form(
            code=draft.code,
            announcement_date=text,
            deadline_date=(TODAY + datetime.timedelta(days=40)).isoformat(),
        )
        response = client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 302, response.content.decode()[:2000]
        draft.refresh_from_db()
        assert draft.announcement_date == datetime.date(2023, 3, 31)
    # No such day (and no date at all) is the field's error, not a 500.
    for text in ("31.02.2023", "02/31/2023", "abc", "31.12.99999"):
        response = client.post(
            url, _form(code=draft.code, announcement_date=text), HTTP_ACCEPT_LANGUAGE=language
        )
        body = response.content.decode()
        assert response.status_code == 422
        assert refused in body
        assert _value_of(body, "announcement_date") == text  # what was typed stays to be corrected


@pytest.mark.parametrize(
    ("language", "typed_and_stored"),
    [
        # on a bokmål page a point groups thousands (Norwegian usage); a lone «1.5» is a decimal point
        (
            "nb",
            (
                ("1.500", "1500.00"),
                ("1500", "1500.00"),
                ("1,5", "1.50"),
                ("1 500,50", "1500.50"),
                ("1.5", "1.50"),
            ),
        ),
        ("en", (("1.500", "1.50"), ("1,500", "1500.00"), ("1,500.50", "1500.50"))),
    ],
)
def test_an_amount_with_a_thousands_sign_is_read_as_the_pages_language_writes_it(
    world: dict[str, Any], language: str, typed_and_stored: tuple[tuple[str, str], ...]
) -> None:
    # «1.500» typed for a grant per GP was stored as 1,50 kr: many Norwegians write a thousands point.
    client = Client()
    client.force_login(world["officer"])
    for typed, stored in typed_and_stored:
        m.Call.objects.filter(code="ny-utlysning").delete()
        ok = client.post(
            "/scheme/utlysninger/ny/", _form(grant_per_gp_per_year=typed), HTTP_ACCEPT_LANGUAGE=language
        )
        assert ok.status_code == 302, typed
        assert m.Call.objects.get(code="ny-utlysning").grant_parameters["grant_per_gp_per_year"] == stored
