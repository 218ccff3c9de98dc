"""Statement explanations, points reasons and rule-named lines are shown in the page's language."""

from __future__ import annotations

import datetime as dt
import gettext
import html
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import translation

from message_checks import check_templates_translated
from pht.apps.finance import reasons
from pht.rules.financing import (
    CAPITATION,
    FEE,
    ClaimRecord,
    Condition,
    ListSpell,
    Period,
    frame,
)
from pht.rules.financing import settle as rules

PERIOD = Period(2018, 5)
# Templates with nothing to translate but placeholders and punctuation.
NO_WORDS = {"financing.quality_indicator"}
CATALOGUE = Path(reasons.__file__).parent / "locale" / "nb" / "LC_MESSAGES" / "django.mo"


def test_the_finance_templates_are_the_rules_templates_and_all_are_translated() -> None:
    check_templates_translated(reasons.TEMPLATES, {**rules.TEMPLATES, **frame.TEMPLATES}, NO_WORDS)
    with CATALOGUE.open("rb") as file:
        nb = gettext.GNUTranslations(file)
    for term in rules.vocabulary():
        assert (term.kind, term.key) in reasons.TERMS, term
        with translation.override("en"):
            assert str(reasons.TERMS[(term.kind, term.key)]) == term.text, term
        assert f"{term.kind}\x04{term.text}" in nb._catalog, term  # a msgstr in the nb catalogue


@pytest.fixture
def records(orgnr: str) -> tuple[tuple[ListSpell, ...], tuple[Condition, ...], tuple[ClaimRecord, ...]]:
    """The month of practice A: one diabetic woman of 68 with a check (quality indicator 1/1), a man of 38 with
    a consultation."""
    spells = (
        ListSpell("A", orgnr, "F", dt.date(1950, 3, 10), "0828", dt.date(2010, 1, 1)),
        ListSpell("C", orgnr, "M", dt.date(1980, 1, 1), "0828", dt.date(2000, 1, 1)),
    )
    conditions = (Condition("A", "T90", dt.date(2010, 1, 1)),)
    claims = (
        ClaimRecord(1, "A", orgnr, dt.date(2018, 5, 3), "2ad", "T90"),
        ClaimRecord(2, "C", orgnr, dt.date(2018, 5, 20), "2ad", "A03"),
    )
    return spells, conditions, claims


@pytest.mark.django_db
def test_statement_page_is_bokmal_in_nb_and_english_in_en(statement_page: Callable[..., str]) -> None:
    nb = statement_page(CAPITATION)
    assert (
        "listeinnbyggertilskudd for 62 listeinnbyggerdager i 2 celler + kvalitetsbasert tilskudd "
        "for 4 indikatorer + egenandeler"
    ) in nb
    # the indicator by its name, decimals with a comma (pht_format)
    assert "årskontroll diabetes: 1/1; andelen 1,0000 er på eller over øvre terskel 0,90: alle poeng" in nb
    assert "oppfølging av hjertesvikt: 0/0; ingen pasienter i nevneren: ingen poeng" in nb
    assert "Listeinnbyggertilskudd, kvinner 67-79 år, 1 kroniske tilstander, kommune 0828" in nb
    assert "Egenandeler over egenandelstaket, betalt av staten" in nb
    assert "<dt>nevner</dt><dd>1</dd>" in nb and "<dt>begrunnelse</dt><dd>andelen 1,0000" in nb
    for english in (
        "resident-days",
        "share 1.0000",
        "no patients",
        "Capitation (",
        "paid by",
        "<dt>denominator",
    ):
        assert english not in nb, english
    assert "reason_message" not in nb

    en = statement_page(CAPITATION, "en")
    assert ("capitation for 62 resident-days in 2 cells + quality grant for 4 indicators + copayments") in en
    assert (
        "diabetes yearly check: 1/1; share 1.0000 is at or above the upper threshold 0.90: all points" in en
    )
    assert (
        "Capitation (listeinnbyggertilskudd), women 67-79 years, 1 chronic conditions, municipality 0828"
        in en
    )
    assert "<dt>denominator</dt><dd>1</dd>" in en
    assert "andelen" not in en and "listeinnbyggerdager" not in en and "kvinner" not in en

    fee_nb = statement_page(FEE)
    assert "basistilskudd for 62 listeinnbyggerdager + refusjon for 2 regningskrav + egenandeler" in fee_nb
    assert "Basistilskudd: 450 kr / 365 x listeinnbyggerdager" in fee_nb
    assert "Konsultasjon hos lege, dagtid" in fee_nb  # the tariff's name, as the fee schedule gives it
    fee_en = statement_page(FEE, "en")
    assert "Base grant (basistilskudd): NOK 450 / 365 x resident-days" in fee_en


@pytest.mark.django_db
def test_statements_stored_without_messages_show_their_stored_text(
    orgnr: str, statement_page: Callable[..., str]
) -> None:
    from pht.apps.finance.models import Statement

    statement = Statement.objects.get(practice__orgnr=orgnr, period=str(PERIOD), model=CAPITATION)
    statement.explanation = [{k: v for k, v in e.items() if k != "message"} for e in statement.explanation]
    statement.save()
    line = statement.lines.get(code="copayment_state")
    line.message = {}
    line.description = "Egenandeler over egenandelstaket (stored before messages)"
    line.save()
    quality = statement.lines.get(code="diabetes_yearly_check")
    quality.details = {k: v for k, v in quality.details.items() if k != "reason_message"}
    quality.save()
    nb = statement_page(CAPITATION)
    assert html.escape(statement.explanation[0]["reason"]) in nb  # the English sentence, as stored
    assert "Egenandeler over egenandelstaket (stored before messages)" in nb
    assert f"<dd>{html.escape(quality.details['reason'])}</dd>" in nb
    # The other lines still have their messages.
    assert "Listeinnbyggertilskudd, kvinner 67-79 år" in nb
