"""The roster in a browser: the nurse-norm warning, refused HPR numbers and duplicates, confirmed removal."""

import re

import pytest

from pht.apps.accounts.models import Role
from pht.apps.registry.models import TeamMember

pytestmark = pytest.mark.django_db(transaction=True)


def _add(page, name: str, role: str, hpr: str, fte: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Navn", exact=True).fill(name)
    page.get_by_label("Rolle", exact=True).select_option(role)
    page.get_by_label("HPR-nummer", exact=True).fill(hpr)
    page.get_by_label("Årsverk", exact=True).fill(fte)
    page.get_by_role("button", name="Lagre", exact=True).click()
    page.wait_for_load_state()


def test_roster_warns_below_the_nurse_norm_and_refuses_bad_input(page, live_server, login, make_user, orgs):  # type: ignore[no-untyped-def]
    practice = orgs["practice_a"].practice
    for gp in list(practice.gps.order_by("hpr"))[2:]:  # two GP lists
        gp.delete()
    make_user("sekretaer_a", roles=[Role.SECRETARY], organisation=orgs["practice_a"])
    login(page, "sekretaer_a")
    page.goto(f"{live_server.url}/registry/practices/{practice.orgnr}/")

    _add(page, "Kari Sykepleier", "nurse", "1234567", "0.5")
    norm = page.get_by_test_id("nurse-norm")
    assert "Under sykepleiernormen: 0,50 sykepleierårsverk for 2 fastlegelister" in norm.inner_text()

    _add(page, "Ola Sekretær", "secretary", "12345", "1")
    assert page.get_by_text("HPR-nummer 12345 er ikke gyldig").count() == 1
    # the refused form keeps what was typed
    assert page.get_by_label("Navn", exact=True).input_value() == "Ola Sekretær"
    assert page.get_by_label("Rolle", exact=True).input_value() == "secretary"
    assert page.get_by_label("Årsverk", exact=True).input_value() == "1"
    _add(page, "kari sykepleier", "nurse", "7654321", "0.5")
    assert page.get_by_text("Et teammedlem med dette navnet står allerede").count() == 1
    assert TeamMember.objects.filter(practice=practice).count() == 1

    # Removal asks first; dismissing keeps the member, accepting removes it.
    rows = page.get_by_test_id("member-table").locator("tbody tr")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Fjern Kari Sykepleier").click()
    assert rows.first.inner_text().startswith("Kari Sykepleier")
    assert TeamMember.objects.filter(practice=practice).count() == 1
    messages: list[str] = []

    def accept(dialog) -> None:  # type: ignore[no-untyped-def]
        messages.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="Fjern Kari Sykepleier").click()
    page.wait_for_url(re.compile(rf".*/registry/practices/{practice.orgnr}/$"))
    page.get_by_text("Teammedlemmet er fjernet.").wait_for()
    assert messages == ["Fjerne Kari Sykepleier fra teamoversikten?"]
    assert TeamMember.objects.filter(practice=practice).count() == 0
