"""A case officer creates a call in the browser and publishes it; a project lead opens it and starts an
application; anyone reads the public page, without the internal note."""

import datetime
import re

import pytest

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
    page.get_by_label("Søknadsfrist (utgangen av dagen)").fill(
        (today + datetime.timedelta(days=20)).isoformat()
    )
    page.get_by_label("Pilotens start").fill((today + datetime.timedelta(days=60)).isoformat())
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
