"""A case officer creates a call in the browser and publishes it; a project lead opens it and starts an
application; anyone reads the public page, without the internal note."""

import datetime
import re

import pytest
from test_a11y_browser import _axe_source, _run_axe

from page_scan import bokmal_day
from pht.apps.accounts.models import Role

pytestmark = pytest.mark.django_db(transaction=True)

INTERNAL = "Internt: budsjett avklares med HOD"


def test_officer_creates_and_publishes_a_call_lead_applies_public_reads(
    logged_in,
    browser,
    live_server,
    make_user,
    orgs,
):  # type: ignore[no-untyped-def]
    from pht.apps.scheme import models as m
    from pht.apps.scheme.calls import load_call

    load_call("call_2017")  # the scheme the new call belongs to
    make_user("saksbehandler", roles=[Role.CASE_OFFICER], organisation=orgs["directorate"])
    make_user("prosjektleder", roles=[Role.PROJECT_LEAD], organisation=orgs["seljord"])
    today = datetime.date.today()

    # The officer writes a draft; a bad budget is refused naming the field, then corrected.
    context, page = logged_in("saksbehandler")
    page.goto(f"{live_server.url}/scheme/utlysninger/")
    page.get_by_role("link", name="Ny utlysning").click()
    page.get_by_label("Kode (i adressen)").fill("nye-legekontor")
    page.get_by_label("Tittel", exact=True).fill("Utlysning: nye legekontor")
    page.get_by_label("Beskrivelse (offentlig)").fill("Kommuner i piloten kan søke om flere legekontor.")
    page.get_by_label("Internt notat (vises ikke offentlig)").fill(INTERNAL)
    # Dates read and are typed as bokmål writes them (dd.mm.åååå); ISO is taken too.
    assert page.get_by_label("Kunngjort").input_value() == f"{today:%d.%m.%Y}"
    page.get_by_label("Søknadsfrist (utgangen av dagen)").fill(
        f"{today + datetime.timedelta(days=20):%d.%m.%Y}"
    )
    page.get_by_label("Pilotens start").fill(f"{today + datetime.timedelta(days=60):%d.%m.%Y}")
    page.get_by_label("Pilotens slutt").fill((today + datetime.timedelta(days=760)).isoformat())
    page.get_by_label("Befolkningsår (størrelsesklasse)").fill("2017")
    page.get_by_label("Budsjettramme (kr)").fill("1e400")
    page.get_by_role("button", name="Lagre utkast").click()
    error = page.locator(".pht-field-error")
    assert "Budsjettramme (kr)" in error.inner_text()
    assert not m.Call.objects.filter(code="nye-legekontor").exists()
    page.get_by_label("Budsjettramme (kr)").fill("12 000 000")
    page.get_by_role("button", name="Lagre utkast").click()
    page.wait_for_url(re.compile(r".*/scheme/utlysninger/nye-legekontor/$"))
    assert page.locator("#call-status").inner_text() == "Utkast"
    call = m.Call.objects.get(code="nye-legekontor")
    assert call.deadline_date == today + datetime.timedelta(days=20)
    assert call.pilot_start == today + datetime.timedelta(days=60)
    assert call.pilot_end == today + datetime.timedelta(days=760)
    assert INTERNAL in page.locator("#call-internal-note").inner_text()
    page.get_by_role("button", name="Publiser").click()
    page.wait_for_url(re.compile(r".*/scheme/utlysninger/nye-legekontor/$"))
    assert "Utlysningen er publisert." in page.locator(".pht-messages").inner_text()
    assert page.locator("#call-status").inner_text() == "Publisert"
    # Publishing again is no longer offered; closing is.
    assert page.get_by_role("button", name="Publiser").count() == 0
    assert page.get_by_role("button", name="Lukk utlysningen").count() == 1
    context.close()

    # The project lead finds it among the calls, reads it, and starts an application to it.
    context, page = logged_in("prosjektleder")
    page.goto(f"{live_server.url}/scheme/utlysninger/")
    page.get_by_role("link", name="Utlysning: nye legekontor").click()
    page.wait_for_url(re.compile(r".*/scheme/utlysninger/nye-legekontor/$"))
    assert (
        "Kommuner i piloten kan søke om flere legekontor." in page.locator("#call-description").inner_text()
    )
    assert INTERNAL not in page.content()
    page.get_by_role("link", name="Søk på denne utlysningen").click()
    page.wait_for_url(re.compile(r".*/scheme/soknader/ny/\?call=nye-legekontor$"))
    assert "Utlysning: nye legekontor" in page.locator("main").inner_text()
    practice = orgs["seljord"].municipality.practices.order_by("orgnr").first()
    page.get_by_label("Navn").fill("Per Prosjektleder")
    page.locator(f"#include_{practice.pk}").check()
    page.get_by_role("button", name="Lagre utkast").click()
    page.wait_for_url(re.compile(r".*/scheme/soknader/\d+/$"))
    assert page.locator("#status").inner_text() == "Utkast"
    context.close()
    application = m.Application.objects.get()
    assert application.call.code == "nye-legekontor"
    assert application.municipality == orgs["seljord"].municipality

    # Anyone reads the public page: the call, without the internal note.
    context = browser.new_context(locale="nb-NO")
    page = context.new_page()
    page.goto(f"{live_server.url}/scheme/offentlig/utlysninger/nye-legekontor/")
    assert page.get_by_role("heading", name="Utlysning: nye legekontor").count() == 1
    assert (
        "Kommuner i piloten kan søke om flere legekontor." in page.locator("#call-description").inner_text()
    )
    assert INTERNAL not in page.content()
    assert (
        page.locator("#call-deadline")
        .inner_text()
        .startswith(bokmal_day(today + datetime.timedelta(days=20)))
    )
    context.close()


def test_a_norwegian_page_shows_a_date_as_dd_mm_yyyy_in_an_english_browser(
    browser, login, live_server, make_user, orgs
):  # type: ignore[no-untyped-def]
    """The bug of issue 14: ``<input type="date">`` showed mm/dd/yyyy on a bokmål page in an en-US browser."""
    from pht.apps.scheme.calls import load_call

    load_call("call_2017")
    make_user("saksbehandler", roles=[Role.CASE_OFFICER], organisation=orgs["directorate"])
    context = browser.new_context(locale="en-US")
    context.add_cookies([{"name": "django_language", "value": "nb", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    login(page, "saksbehandler")
    page.goto(f"{live_server.url}/scheme/utlysninger/ny/")
    assert page.locator("html").get_attribute("lang") == "nb"
    field = page.get_by_label("Kunngjort")
    today = datetime.date.today()
    assert field.evaluate("e => e.type") == "text"
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}", field.input_value())
    assert field.input_value() == f"{today:%d.%m.%Y}"
    hint = page.locator(f"#{field.get_attribute('aria-describedby').split()[0]}")
    assert hint.is_visible() and hint.inner_text() == "Format: dd.mm.åååå (for eksempel 31.03.2023)"
    # A day that does not exist is refused naming the field, and stays in the field as typed.
    field.fill("31.02.2030")
    page.get_by_label("Kode (i adressen)").fill("feil-dato")
    page.get_by_label("Tittel", exact=True).fill("Feil dato")
    page.get_by_role("button", name="Lagre utkast").click()
    error = page.locator("#id_announcement_date-error")
    assert error.inner_text().startswith("Kunngjort: Skriv en gyldig dato som dd.mm.åååå")
    assert error.get_attribute("id") in page.get_by_label("Kunngjort").get_attribute("aria-describedby")
    assert page.get_by_label("Kunngjort").input_value() == "31.02.2030"
    # The hints and errors beside the inputs keep the form within WCAG 2.1 AA (axe-core).
    assert _run_axe(page, _axe_source()) == []
    context.close()
