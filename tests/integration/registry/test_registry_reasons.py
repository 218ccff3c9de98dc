"""A municipality's size-class reason is stored with its message and shown in the page's language: bokmål on
nb pages, English on en (the registry's msgids are the rule's English templates, with an nb catalogue)."""

from __future__ import annotations

import html

import pytest
from django.utils import translation

from message_checks import check_templates_translated
from pht.apps.accounts.models import Role
from pht.apps.registry import reasons
from pht.apps.registry.loading import load_municipalities
from pht.apps.registry.models import MunicipalityPopulation
from pht.rules import size_class

NBSP = "\xa0"  # bokmål groups digits with a no-break space


def test_the_registry_templates_are_the_rules_templates_and_all_are_translated() -> None:
    check_templates_translated(reasons.TEMPLATES, size_class.TEMPLATES)


@pytest.mark.django_db
def test_loading_stores_each_reason_with_its_message(registry) -> None:  # type: ignore[no-untyped-def]
    rows = list(MunicipalityPopulation.objects.filter(year=2017))
    assert len(rows) == 426
    for row in rows:
        assert row.size_class_message["key"] == f"size_class.{row.size_class}", row
        with translation.override("en"):  # English reads as the stored sentence (the API's reason)
            assert row.get_size_class_reason_display() == row.size_class_reason, row
        with translation.override("nb"):
            assert row.get_size_class_reason_display().startswith("innbyggertall "), row
    # A row loaded before messages were stored gets its message when the reference data is loaded again.
    MunicipalityPopulation.objects.filter(municipality__kommunenummer="0828").update(size_class_message={})
    load_municipalities(2017)
    seljord = MunicipalityPopulation.objects.get(municipality__kommunenummer="0828", year=2017)
    assert seljord.size_class_message == {
        "key": "size_class.small",
        "params": {"population": 2979, "small_below": 5000},
    }


@pytest.mark.django_db
def test_municipality_pages_show_the_reason_in_the_page_language(client, make_user, orgs) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user("officer", roles=[Role.CASE_OFFICER], organisation=orgs["directorate"]))

    nb = client.get("/registry/municipalities/0828/").content.decode()
    assert "<td>liten</td>" in nb
    assert f'<td data-testid="size-class-reason">innbyggertall 2{NBSP}979 er under 5{NBSP}000</td>' in nb
    assert "population" not in nb and "<td>small</td>" not in nb
    en = client.get("/registry/municipalities/0828/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<td>small</td>" in en
    assert '<td data-testid="size-class-reason">population 2,979 is under 5,000</td>' in en
    assert "innbyggertall" not in en

    # The list gives each size class its reason as the cell's title.
    nb = client.get(
        "/registry/municipalities/", {"county": "Sogn og Fjordane", "q": "Flora"}
    ).content.decode()
    flora = f"innbyggertall 11{NBSP}999 er mellom 5{NBSP}000 og 20{NBSP}000 (grensene medregnet)"
    assert f'<td title="{flora}">mellomstor</td>' in nb
    en = client.get(
        "/registry/municipalities/", {"county": "Sogn og Fjordane", "q": "Flora"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert '<td title="population 11,999 is between 5,000 and 20,000 (bounds included)">medium</td>' in en
    assert "innbyggertall" not in en

    # The API keeps the English reason and gives the message.
    api = client.get("/api/municipalities/0828").json()
    assert api["size_class_reason"] == "population 2,979 is under 5,000"
    assert api["size_class_message"]["key"] == "size_class.small"


@pytest.mark.django_db
def test_a_reason_stored_without_a_message_shows_its_stored_text(client, make_user, orgs) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user("officer", roles=[Role.CASE_OFFICER], organisation=orgs["directorate"]))
    MunicipalityPopulation.objects.filter(municipality__kommunenummer="0828").update(
        size_class_message={}, size_class_reason="stored before messages"
    )
    MunicipalityPopulation.objects.filter(municipality__kommunenummer="1401").update(
        size_class_message={"key": "size_class.renamed", "params": {}}
    )
    page = client.get("/registry/municipalities/0828/").content.decode()
    assert '<td data-testid="size-class-reason">stored before messages</td>' in page
    flora = MunicipalityPopulation.objects.get(municipality__kommunenummer="1401")
    page = client.get("/registry/municipalities/1401/").content.decode()
    assert f'<td data-testid="size-class-reason">{html.escape(flora.size_class_reason)}</td>' in page
