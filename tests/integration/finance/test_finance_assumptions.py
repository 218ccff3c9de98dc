"""The finance pages list the defaults they used in the page's language, by the parameter's name (not its key),
and statements stored before the texts were bilingual still show theirs."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from pht.apps.accounts.models import Role
from pht.rules.financing import CAPITATION, FEE, Period

PERIOD = Period(2018, 5)
KEY = "base_grant.rate_per_year"
# Why the 2017/18 base grant is a default (base_grant.toml), as the page escapes it.
EN = "2017/18 basistilskudd not found in any source; NOK 450 is a default (RULES.md §3)."
NB = "Basistilskuddet for 2017/18 er ikke funnet i noen kilde; 450 kr er en standardverdi (RULES.md §3)."
LABEL_EN = "Base grant (basistilskudd) per list resident per year"
LABEL_NB = "Basistilskudd per listeinnbygger per år"


def _assumptions(page: str) -> str:
    """The statement page's list of assumptions."""
    start = page.index('data-testid="assumptions"')
    return page[start : page.index("</ul>", start)]


@pytest.mark.django_db
def test_statement_assumptions_are_in_the_page_language_under_the_parameter_name(
    orgnr: str, statement_page: Callable[..., str]
) -> None:
    from pht.apps.finance.models import Statement

    stored = Statement.objects.get(practice__orgnr=orgnr, period=str(PERIOD), model=FEE).assumptions
    assert stored[KEY] == {"nb": NB, "en": EN}  # new statements store both languages

    nb = _assumptions(statement_page(FEE))  # bokmål by default
    assert html.escape(NB) in nb and LABEL_NB in nb and "Antakelse" in nb
    assert html.escape(EN) not in nb and LABEL_EN not in nb
    assert "Listeinnbyggertilskudd: vekter etter alder og kjønn" in nb  # the capitation's defaults too
    assert "<code>" not in nb  # no raw keys as text ...
    assert f'data-assumption="{KEY}"' in nb  # ... but kept for experts

    en = _assumptions(statement_page(FEE, "en"))
    assert html.escape(EN) in en and LABEL_EN in en and "Assumption" in en
    assert html.escape(NB) not in en and LABEL_NB not in en
    assert "Capitation: weights by age and sex" in en

    # Every assumption the page lists has its text in the page's language.
    for model in (FEE, CAPITATION):
        nb_page, en_page = (
            _assumptions(statement_page(model)),
            _assumptions(statement_page(model, "en")),
        )
        assert "Standardverdi" in nb_page and "Default" not in nb_page, model
        assert "Default" in en_page and "Standardverdi" not in en_page, model


@pytest.mark.django_db
def test_a_statement_stored_with_english_assumptions_shows_them_as_they_are(
    orgnr: str, statement_page: Callable[..., str]
) -> None:
    from pht.apps.finance.models import Statement

    statement = Statement.objects.get(practice__orgnr=orgnr, period=str(PERIOD), model=FEE)
    statement.assumptions = {
        KEY: "Stored before the texts were bilingual.",
        "old_set.key": "Another stored text.",
    }
    statement.save(update_fields=["assumptions"])
    for language in (None, "en"):
        page = _assumptions(statement_page(FEE, language))
        assert "Stored before the texts were bilingual." in page and "Another stored text." in page
        assert (LABEL_EN if language else LABEL_NB) in page
        assert 'data-assumption="old_set.key"' in page  # a key without a name: the text alone, key kept


@pytest.mark.django_db
def test_what_if_assumptions_are_in_the_page_language(orgs: dict[str, Any], make_user: Any) -> None:
    from pht.apps.finance.views import WhatIfForm

    client = Client()
    client.force_login(make_user("officer", roles=[Role.CASE_OFFICER], organisation=orgs["directorate"]))
    params = {name: field.initial for name, field in WhatIfForm().fields.items()}
    nb = client.get("/finance/what-if/", params).content.decode()
    en = client.get("/finance/what-if/", params, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="what-if-assumptions"' in nb
    assert LABEL_NB in nb and "Sats og normalisering av listeinnbyggertilskuddet" in nb
    # the what-if's own note, translated, names the rate by its value in the page's format, not a key
    assert "standardsats på 900 kr per vektet listeinnbygger" in nb
    assert "default rate of 900 kr per weighted list resident" in en
    assert "parameteren rate_per_year" not in nb and "parameter rate_per_year" not in en
    assert LABEL_EN in en and "Capitation rate and normalisation in the what-if" in en
    assert "<code>base_grant" not in nb and "Default:" not in nb.split('data-testid="what-if-assumptions"')[1]
    assert "Standardverdi:" not in en.split('data-testid="what-if-assumptions"')[1]
