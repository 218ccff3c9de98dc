"""Target-group and frailty reasons are shown in the page's language: bokmål on nb pages, English on en."""

from __future__ import annotations

import datetime
import gettext
import html
import re
from pathlib import Path
from typing import Any

import pytest
from care_data import PEOPLE, make_fnr
from django.test import Client
from django.urls import reverse
from django.utils import translation

from message_checks import check_templates_translated
from pht.apps.care import actions, reasons
from pht.apps.care.models import ListResident
from pht.refdata.params import load_parameters
from pht.rules import target_groups
from pht.rules.frailty import FrailtyIndexParameters, frailty_index
from pht.rules.target_groups import TargetGroupParameters, vocabulary

# Templates with nothing to translate but placeholders and punctuation.
NO_WORDS = {"target_group.complex_needs.member", "frailty.deficit"}
CATALOGUE = Path(reasons.__file__).parent / "locale" / "nb" / "LC_MESSAGES" / "django.mo"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _frail() -> ListResident:
    return ListResident.objects.get(fnr=make_fnr(*PEOPLE["frail"]))


def test_the_care_templates_are_the_rules_templates_and_all_are_translated() -> None:
    check_templates_translated(reasons.TEMPLATES, target_groups.TEMPLATES, NO_WORDS)


def test_every_term_of_the_current_parameters_is_translated() -> None:
    today = datetime.date.today()
    terms = vocabulary(
        TargetGroupParameters.from_mapping(load_parameters("target_groups", today).values),
        FrailtyIndexParameters.from_mapping(load_parameters("frailty_index", today).values),
    )
    with CATALOGUE.open("rb") as file:
        nb = gettext.GNUTranslations(file)
    for term in terms:
        assert (term.kind, term.key) in reasons.TERMS, term
        lazy = reasons.TERMS[(term.kind, term.key)]
        with translation.override("en"):
            assert str(lazy) == term.text, term
        context = term.kind.replace("_", " ")
        assert f"{context}\x04{term.text}" in nb._catalog, term  # a msgstr in the nb catalogue


@pytest.mark.django_db
def test_patient_page_and_worklist_show_bokmal_reasons_in_nb_and_english_in_en(care: dict[str, Any]) -> None:
    resident = _frail()
    frail = resident.memberships.get(group="frail_elderly")
    assert frail.reason.startswith("aged 82 (>= 65) and frailty 9 of 36 deficits (index 0.250, moderate)")
    client = _client(care["users"]["nurse_a"])
    patient = reverse("care:patient", args=[resident.pk])
    worklist = reverse("care:worklist")

    for page in (client.get(patient).content.decode(), client.get(worklist).content.decode()):
        assert (
            "82 år (&gt;= 65) og skrøpelighet 9 av 36 helsesvikter (indeks 0,250, moderat): " in page
        )  # decimals as bokmål writes them
        assert "Hjemmebundet (hjemmebesøk)" in page
        assert (
            "registrert: atrieflimmer (K78, først 3. oktober 2019); demens (P70, først 4. oktober 2019)"
            in page
        )
        assert "aged 82" not in page and "on record:" not in page
    nb_patient = client.get(patient).content.decode()
    assert "Skrøpelighet: 9 av 36 helsesvikter (indeks 0,250, moderat)" in nb_patient

    for url in (patient, worklist):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        # The English page reads as the rule's sentence (the API's reason), its ISO dates written as
        # English pages write dates.
        for membership in resident.memberships.all():
            for piece in re.split(r"\d{4}-\d{2}-\d{2}", membership.reason):
                assert html.escape(piece) in page, membership.group
        assert "atrial fibrillation (K78, first Oct. 3, 2019); dementia (P70, first Oct. 4, 2019)" in page
        assert "82 år" not in page and "registrert:" not in page
    en_patient = client.get(patient, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Frailty: {html.escape(resident.frailty_reason)}" in en_patient


@pytest.mark.django_db
def test_the_fhir_export_carries_the_reasons_in_the_request_language(care: dict[str, Any]) -> None:
    nurse = care["users"]["nurse_a"]
    resident = _frail()
    actions.create_care_plan(nurse, resident, title="Plan", goals="Færre fall", responsible_role="nurse")
    client = _client(nurse)
    url = reverse("care:fhir", args=[resident.pk])

    def description(**headers: str) -> str:
        document = client.get(url, **headers).json()  # type: ignore[arg-type]
        plan = next(e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == "CarePlan")
        return str(plan["description"])

    assert "Skrøpelige eldre: 82 år (>= 65) og skrøpelighet 9 av 36 helsesvikter" in description()
    english = description(HTTP_ACCEPT_LANGUAGE="en")
    assert "Frail elderly: aged 82 (>= 65) and frailty 9 of 36 deficits" in english


@pytest.mark.django_db
def test_the_api_keeps_the_english_reason_and_gives_the_message(care: dict[str, Any]) -> None:
    resident = _frail()
    body = _client(care["users"]["nurse_a"]).get(f"/api/care/residents/{resident.pk}").json()
    frail = next(m for m in body["memberships"] if m["group"] == "frail_elderly")
    assert frail["reason"].startswith("aged 82 (>= 65) and frailty")
    assert frail["message"]["key"] == "target_group.frail_elderly.member"
    assert frail["message"]["params"]["age"] == 82
    assert body["frailty"]["message"]["key"] == "frailty.deficits"


@pytest.mark.django_db
def test_a_reason_stored_without_a_message_is_shown_as_stored(care: dict[str, Any]) -> None:
    # Rows stratified before messages were stored, or whose message no longer fits the templates.
    resident = _frail()
    resident.memberships.filter(group="chronic_disease").update(message={}, reason="stored before messages")
    resident.memberships.filter(group="complex_needs").update(message={"key": "target_group.renamed"})
    page = _client(care["users"]["nurse_a"]).get(reverse("care:patient", args=[resident.pk])).content.decode()
    assert "stored before messages" in page
    assert html.escape(resident.memberships.get(group="complex_needs").reason) in page
    assert "82 år" in page


@pytest.mark.parametrize("language", ["nb", "en"])
def test_a_service_deficit_names_its_service_once(language: str) -> None:
    """A deficit found from a service reads «Pleiebehov (kommunale omsorgstjenester)», not the label's own
    parenthesis and then the evidence's: «Pleiebehov (kommunale omsorgstjenester) (kommunale omsorgstjenester)»."""
    frailty = FrailtyIndexParameters.from_mapping(
        load_parameters("frailty_index", datetime.date.today()).values
    )
    services = sorted({service for deficit in frailty.deficits for service in deficit.services})
    result = frailty_index(set(), set(services), frailty)
    assert result.message is not None
    with translation.override(language):
        shown = reasons.display(result.message.as_dict(), result.reason)
        for service in services:
            term = str(reasons.TERMS[("contact_kind", service)])
            assert shown.count(term) == 1, (term, shown)
