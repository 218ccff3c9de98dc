"""Eligibility verdicts, grant computations and selection explanations are shown in the page's language:
bokmål on nb pages, English on en (the scheme app's msgids are bokmål, with an en catalogue)."""

from __future__ import annotations

import datetime
import gettext
import html
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import translation

from message_checks import check_templates_translated
from pht.apps.scheme import actions, reasons
from pht.apps.scheme import models as m
from pht.rules import eligibility, grants, selection

BEFORE = datetime.datetime(2017, 10, 10, 12, 0, tzinfo=ZoneInfo("Europe/Oslo"))
ALL_FOURS = {"anchoring": 4, "readiness": 4, "target_groups": 4, "cooperation": 4, "evaluation_data": 4}
RULES_TEMPLATES = {**eligibility.TEMPLATES, **grants.TEMPLATES, **selection.TEMPLATES}
# Templates with nothing to translate but placeholders and punctuation.
NO_WORDS = {"eligibility.problems"}
CATALOGUE = Path(reasons.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.mo"
NBSP = "\xa0"  # bokmål groups digits with a no-break space


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(user: Any, url: str, language: str | None = None) -> str:
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    return _client(user).get(url, **headers).content.decode()  # type: ignore[arg-type]


def test_the_scheme_templates_are_the_rules_templates_and_all_are_translated() -> None:
    check_templates_translated(reasons.TEMPLATES, RULES_TEMPLATES, NO_WORDS)
    with CATALOGUE.open("rb") as file:
        en = gettext.GNUTranslations(file)
    for term in eligibility.vocabulary():
        assert (term.kind, term.key) in reasons.TERMS, term
        lazy = reasons.TERMS[(term.kind, term.key)]
        with translation.override("en"):
            assert str(lazy) == term.text, term
        with translation.override("nb"):
            bokmal = str(lazy)
        assert f"{term.kind.replace('_', ' ')}\x04{bokmal}" in en._catalog, (
            term
        )  # an msgstr in the en catalogue
    context = eligibility.EligibilityContext(
        datetime.date(2017, 10, 15),
        "Europe/Oslo",
        {},
        frozenset(),
        eligibility.SizeClassThresholds(5000, 20000),
    )
    empty = eligibility.ApplicationInput("municipality", "0828", "Seljord", 1, None, None, ())
    for verdict in eligibility.check_all(empty, context).verdicts:
        assert verdict.rule in reasons.RULE_LABELS, verdict.rule


@pytest.mark.django_db
def test_application_page_shows_verdicts_in_bokmal_in_nb_and_english_in_en(
    world: dict[str, Any], full_data: Any
) -> None:
    seljord = world["seljord_practices"][0]
    data = full_data([seljord])
    data.practices[0].nurse_fte = 0  # no nurse planned
    data.practices[0].gp_ids = [g.pk for g in seljord.gps.all()[:2]]  # leaves out a GP of the registry
    application = actions.create_application(world["lead_seljord"], world["call"], data)
    left_out = next(v for v in application.verdicts if v["rule"] == "eligibility.all_gps_included")
    missing = left_out["inputs"]["missing"][seljord.orgnr]
    url = f"/scheme/soknader/{application.pk}/"

    nb = _get(world["lead_seljord"], url)
    assert "<td>Søkeren er en kommune</td>" in nb
    assert "Seljord (0828) er en kommune" in nb
    assert "søknaden er ikke sendt inn" in nb
    assert f"legekontor {seljord.orgnr}: ingen sykepleier planlagt" in nb
    assert f"størrelse liten: innbyggertall 2{NBSP}984 er under 5{NBSP}000" in nb
    assert "hvert legekontor har en finansieringsmodell (honorarmodell)" in nb
    for english in ("is a municipality", "has not been submitted", "no nurse planned", "population 2"):
        assert english not in nb, english

    en = _get(world["lead_seljord"], url, "en")
    assert "<td>The applicant is a municipality</td>" in en
    application.refresh_from_db()
    for verdict in application.verdicts:  # the English page reads as the rule's sentence (the API's reason)
        assert html.escape(verdict["reason"]) in en, verdict["rule"]
    assert "size class small: population 2,984 is under 5,000" in en
    assert "every practice has a financing model (fee)" in en
    assert "søknaden er ikke sendt inn" not in en and "legekontor " not in en
    # The API keeps the English reason and gives the message.
    api = _client(world["lead_seljord"]).get(f"/api/scheme/applications/{application.pk}").json()
    nurse = next(v for v in api["verdicts"] if v["rule"] == "eligibility.team_composition")
    assert nurse["reason"] == f"practice {seljord.orgnr}: no nurse planned"
    assert nurse["message"]["key"] == "eligibility.problems"
    assert missing  # the left-out GP is named in both languages
    assert f"legekontor {seljord.orgnr} utelater fastlegene {missing[0]}" in nb


@pytest.mark.django_db
def test_verdicts_stored_without_messages_show_their_stored_text(
    world: dict[str, Any], full_data: Any
) -> None:
    application = actions.create_application(
        world["lead_seljord"], world["call"], full_data(world["seljord_practices"])
    )
    stored = [dict(v) for v in application.verdicts]
    stored[0].pop("message")
    stored[0]["reason"] = "stored before messages"
    stored[1]["message"] = {"key": "eligibility.renamed"}
    m.Application.objects.filter(pk=application.pk).update(verdicts=stored)
    nb = _get(world["lead_seljord"], f"/scheme/soknader/{application.pk}/")
    assert "stored before messages" in nb
    assert html.escape(stored[1]["reason"]) in nb  # "the application has not been submitted"
    assert "hvert legekontor har en finansieringsmodell" in nb


def _submitted(world: dict[str, Any], full_data: Any, who: str, model: str) -> m.Application:
    lead = world[f"lead_{who}"]
    application = actions.create_application(lead, world["call"], full_data(world[f"{who}_practices"], model))
    application = actions.submit_application(lead, application, now=BEFORE)
    assignment = actions.assign_reviewer(world["officer"], application, world["reviewer"])
    actions.declare_conflict(world["reviewer"], assignment, False)
    actions.submit_review(world["reviewer"], assignment, ALL_FOURS, {})
    return application


@pytest.mark.django_db
def test_selection_and_decision_pages_explain_in_the_page_language(
    world: dict[str, Any], full_data: Any
) -> None:
    officer = world["officer"]
    _submitted(world, full_data, "seljord", "fee")
    actions.run_selection(officer, world["call"])  # 2/2/2 with one candidate: infeasible
    nb = _get(officer, "/scheme/utvelgelse/")
    # the explanation names the status itself: it is shown once
    assert (
        '<p id="selection-status" data-status="infeasible">ikke mulig: disse betingelsene kan ikke alle holde'
        in nb
    )
    assert "ikke mulig: ikke mulig" not in nb
    assert "<li>minst 1 valgt som tilbyr driftstilskuddsmodell (min_per_model[capitation])</li>" in nb
    en = _get(officer, "/scheme/utvelgelse/", "en")
    assert (
        '<p id="selection-status" data-status="infeasible">infeasible: these constraints cannot all hold'
        in en
    )
    assert "<li>at least 1 chosen offering the capitation model (min_per_model[capitation])</li>" in en
    assert "ikke mulig" not in en and "driftstilskuddsmodell" not in en

    constraints = {"per_size_class": {"small": 1}, "gps_min": 1, "gps_max": 20, "min_per_model": {"fee": 1}}
    run = actions.run_selection(officer, world["call"], constraints)
    nb = _get(officer, "/scheme/utvelgelse/")
    assert "optimal: 1 valgt, samlet poengsum 4,00, 4 fastleger." in nb
    assert "minst 1 valgt som tilbyr honorarmodell" in nb  # a binding group, described
    en = _get(officer, "/scheme/utvelgelse/", "en")
    assert html.escape(run.result["explanation"]) in en
    assert "at least 1 chosen offering the fee model" in en

    actions.decide_selection(officer, run, "Best score among small municipalities.")
    decision = m.GrantDecision.objects.get(application__municipality__kommunenummer="0828")
    url = f"/scheme/tilsagn/{decision.pk}/"
    nb = _get(world["lead_seljord"], url)
    assert (
        "2018: 275/365 dager; legekontorene 4 fastleger × 300 000,00 × 275/365 = 904 109,59; "
        "kommunen (400 000,00 + 4 × 10 000,00) × 275/365 = 331 506,85"
    ) in nb.replace("\u00a0", " ")  # thousands grouped with non-breaking spaces
    en = _get(world["lead_seljord"], url, "en")
    # the stored sentence, its numbers in the page language's format
    assert "2018: 275/365 days; practices 4 GPs × 300,000.00 × 275/365 = 904,109.59" in en
    assert "dager;" not in en


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "typed", "label"),
    [
        ("size_small", "-1", "Mål: små kommuner"),
        ("size_medium", "1,5", "Mål: mellomstore kommuner"),
        ("gps_min", "1e400", "Fastleger minst"),
        ("gps_max", "1.500", "Fastleger høyst"),
        ("max_per_county", "abc", "Høyst per fylke"),
        ("model_fee", "NaN", "Valgte kommuner som tilbyr honorarmodell, minst"),
    ],
)
def test_a_selection_target_that_is_no_count_is_refused_naming_it_not_run_as_no_limit(
    world: dict[str, Any], full_data: Any, field: str, typed: str, label: str
) -> None:
    # The form read «-1», «1e400», «abc», «1,5» as 0 or «no limit» and ran the selection on targets the
    # officer had not set.
    _submitted(world, full_data, "seljord", "fee")
    form = {
        "step": "run", "size_small": "1", "size_medium": "0", "size_large": "0", "gps_min": "",
        "gps_max": "", "model_fee": "0", "model_capitation": "0", "max_per_county": "", "note": "",
    }  # fmt: skip
    form[field] = typed
    page = _client(world["officer"]).post("/scheme/utvelgelse/", form, follow=True).content.decode()
    assert not m.SelectionRun.objects.exists()
    assert f"{label}" in html.unescape(page) and f"skriv et helt tall, 0 eller mer (ikke «{typed}»)" in (
        html.unescape(page)
    )
    form[field] = "1 0" if field != "model_fee" else "1"  # a space as thousands separator is a number
    _client(world["officer"]).post("/scheme/utvelgelse/", form)
    assert m.SelectionRun.objects.count() == 1


@pytest.mark.django_db
def test_a_municipality_both_locked_in_and_out_is_refused_in_the_page_language(
    world: dict[str, Any], full_data: Any
) -> None:
    application = _submitted(world, full_data, "seljord", "fee")
    number = application.municipality.kommunenummer
    form = {"step": "run", "locked_in": number, "locked_out": number, "size_small": "1"}
    nb = html.unescape(
        _client(world["officer"]).post("/scheme/utvelgelse/", form, follow=True).content.decode()
    )
    assert "Seljord: en kommune kan ikke både låses inn og låses ut" in nb
    assert "are both locked in" not in nb
    en = _client(world["officer"]).post("/scheme/utvelgelse/", form, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "a municipality cannot be both locked in and locked out" in html.unescape(en.content.decode())
    assert not m.SelectionRun.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("answer", [None, "", "maybe"])
def test_a_conflict_of_interest_declaration_needs_an_active_answer(
    world: dict[str, Any], full_data: Any, answer: str | None
) -> None:
    # «No conflict» was pre-chosen and a missing answer was recorded as «not conflicted»: a reviewer who
    # clicked «Erklær» past the question had declared no conflict of interest.
    lead = world["lead_seljord"]
    application = actions.create_application(
        lead, world["call"], full_data(world["seljord_practices"], "fee")
    )
    application = actions.submit_application(lead, application, now=BEFORE)
    assignment = actions.assign_reviewer(world["officer"], application, world["reviewer"])
    client = _client(world["reviewer"])
    form = {"step": "declare", "note": ""} | ({"conflict": answer} if answer is not None else {})
    page = html.unescape(
        client.post(f"/scheme/vurderinger/{assignment.pk}/", form, follow=True).content.decode()
    )
    assignment.refresh_from_db()
    assert assignment.status == "assigned" and assignment.declared_at is None
    assert "Er du inhabil i denne saken?: velg ja eller nei" in page
    assert 'value="no" checked' not in page and 'name="conflict" value="no" required' in page
    client.post(f"/scheme/vurderinger/{assignment.pk}/", {"step": "declare", "conflict": "no"})
    assignment.refresh_from_db()
    assert assignment.status == "cleared"
