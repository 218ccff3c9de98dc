"""Bad input gives a 4xx or a clear refusal naming the field, never a 500 nor a stored value the
database cannot read back (issue 10, item 3)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from test_scheme_permissions_and_flow import _decided

from pht.apps.accounts.actions import ActionRefused
from pht.apps.scheme import actions
from pht.apps.scheme import models as m


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(world: dict[str, Any], **overrides: str) -> dict[str, str]:
    practice = world["seljord_practices"][0]
    data = {
        "contact_name": "Kari Nordmann",
        "contact_email": "kari@example.test",
        "leadership_plan": "Kommunalsjef",
        "project_plan": "Oppstart",
        "budget": "1500000",
        f"include_{practice.pk}": "on",
        f"model_{practice.pk}": "fee",
        f"lead_{practice.pk}": str(practice.gps.first().pk),
        f"nurse_{practice.pk}": "1.1",
        f"secretary_{practice.pk}": "0.5",
        "action": "save",
    }
    data.update({key.replace("P", str(practice.pk)): value for key, value in overrides.items()})
    return data


def _officer_pages_answer(world: dict[str, Any]) -> None:
    officer = _client(world["officer"])
    for url in ("/scheme/utlysning/", "/scheme/soknader/", "/scheme/utvelgelse/", "/api/scheme/applications"):
        assert officer.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("budget", "1e400", "budget"),
        ("budget", "1000000000000", "budget"),  # 10^12: 13 digits before the point, the field holds 12
        ("budget", "NaN", "budget"),
        ("budget", "inf", "budget"),
        ("budget", "-Infinity", "budget"),
        ("nurse_P", "100000", "nurse"),
        ("secretary_P", "1e5", "secretary"),
        ("contact_email", "a" * 250 + "@example.test", "e-mail"),
        ("contact_email", "not an address", "e-mail"),
        ("contact_name", "x" * 201, "contact"),
        ("project_plan", "x" * 10_001, "project plan"),
    ],
)
def test_bad_values_in_the_application_form_are_refused_naming_the_field(
    world: dict[str, Any], field: str, value: str, named: str
) -> None:
    lead = _client(world["lead_seljord"])
    lead.cookies["django_language"] = "en"
    application = actions.create_application(world["lead_seljord"], world["call"])
    url = f"/scheme/soknader/{application.pk}/endre/"
    response = lead.post(url, _form(world, **{field: value}), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200  # the form again, with the refusal
    page = response.content.decode().lower()
    assert named in page, page[:2000]
    application.refresh_from_db()
    assert application.budget is None and application.project_plan == ""
    assert not application.practices.exists()
    # Autosave is refused the same way (422), and nothing is stored.
    autosave = lead.post(url, _form(world, **{field: value}, action="autosave"), HTTP_ACCEPT_LANGUAGE="en")
    assert autosave.status_code == 422 and named in autosave.content.decode().lower()
    application.refresh_from_db()
    assert application.budget is None
    _officer_pages_answer(world)


def test_largest_values_that_fit_are_stored_and_read_back(world: dict[str, Any]) -> None:
    lead = _client(world["lead_seljord"])
    application = actions.create_application(world["lead_seljord"], world["call"])
    data = _form(world, budget="999999999999.99", nurse_P="999.99", project_plan="x" * 10_000)
    assert lead.post(f"/scheme/soknader/{application.pk}/endre/", data).status_code == 302
    application.refresh_from_db()
    assert application.budget == Decimal("999999999999.99")
    assert application.practices.get().nurse_fte == Decimal("999.99")
    _officer_pages_answer(world)


def test_non_numeric_ids_in_posts_are_bad_requests(world: dict[str, Any], full_data: Any) -> None:
    lead = _client(world["lead_seljord"])
    application = actions.create_application(world["lead_seljord"], world["call"])
    edit = f"/scheme/soknader/{application.pk}/endre/"
    assert lead.post(edit, _form(world, lead_P="abc")).status_code == 400
    assert lead.post(edit, _form(world, lead_P="1²")).status_code == 400
    officer, finance = _client(world["officer"]), _client(world["finance1"])
    assert finance.post("/scheme/utbetalinger/", {"instalment": "abc", "step": "prepare"}).status_code == 400
    assert officer.post("/scheme/rapporter/", {"report": "abc", "step": "approve"}).status_code == 400
    assert officer.post("/scheme/utvelgelse/", {"run": "abc", "step": "decide"}).status_code == 400
    assert officer.post("/scheme/utvelgelse/", {"run": "99999", "step": "decide"}).status_code == 404
    submitted = actions.submit_application(
        world["lead_flora"],
        actions.create_application(world["lead_flora"], world["call"], full_data(world["flora_practices"])),
        now=datetime.datetime(2017, 10, 10, 12, 0, tzinfo=datetime.UTC),
    )
    url = f"/scheme/soknader/{submitted.pk}/fagvurderer/"
    assert officer.post(url, {"reviewer": "abc"}).status_code == 400


def test_scores_with_unicode_digits_are_ignored_not_a_crash(world: dict[str, Any], full_data: Any) -> None:
    submitted = actions.submit_application(
        world["lead_seljord"],
        actions.create_application(
            world["lead_seljord"], world["call"], full_data(world["seljord_practices"])
        ),
        now=datetime.datetime(2017, 10, 10, 12, 0, tzinfo=datetime.UTC),
    )
    assignment = actions.assign_reviewer(world["officer"], submitted, world["reviewer"])
    actions.declare_conflict(world["reviewer"], assignment, False)
    response = _client(world["reviewer"]).post(
        f"/scheme/vurderinger/{assignment.pk}/", {"step": "score", "score_anchoring": "²"}
    )
    assert response.status_code == 200
    assignment.refresh_from_db()
    assert assignment.scores == {}


def test_spent_and_clawback_amounts_are_bounded(world: dict[str, Any], full_data: Any) -> None:
    decision = _decided(world, full_data)
    actions.accept_decision(world["lead_seljord"], decision, on=datetime.date(2018, 2, 1))
    report = decision.reports.get(year=2018, line__kind="municipality")
    for instalment in decision.instalments.filter(year=2018, line=report.line):
        actions.prepare_disbursement(world["finance1"], instalment)
        actions.approve_disbursement(world["finance2"], instalment)
    lead = _client(world["lead_seljord"])
    for spent in ("1e999", "NaN", "1e12"):
        response = lead.post(
            "/scheme/rapporter/", {"report": report.pk, "spent": spent, "progress": "ok"}, follow=True
        )
        assert response.status_code == 200
        report.refresh_from_db()
        assert report.status == "due" and report.spent is None
    with pytest.raises(ActionRefused, match="spent"):
        actions.submit_report(world["lead_seljord"], report, "ok", Decimal("1e999"))
    with pytest.raises(ActionRefused, match="(?i)progress"):
        actions.submit_report(world["lead_seljord"], report, "x" * 10_001, Decimal("1"))
    actions.submit_report(world["lead_seljord"], report, "ok", Decimal("1000"))
    with pytest.raises(ActionRefused, match="amount"):
        actions.record_clawback(world["officer"], report, Decimal("Infinity"), "x")
    with pytest.raises(ActionRefused, match="amount"):
        actions.record_clawback(world["officer"], report, Decimal("1e15"), "x")
    assert _client(world["officer"]).get("/scheme/rapporter/").status_code == 200
    assert _client(world["officer"]).get("/api/scheme/decisions").status_code == 200


def test_nul_bytes_are_refused_with_400(world: dict[str, Any]) -> None:
    lead = _client(world["lead_seljord"])
    application = actions.create_application(world["lead_seljord"], world["call"])
    url = f"/scheme/soknader/{application.pk}/endre/"
    assert lead.post(url, _form(world, project_plan="plan\x00")).status_code == 400
    assert lead.get("/scheme/soknader/?call=%00").status_code == 400
    assert lead.get(f"/scheme/soknader/{application.pk}/?from=a%00b").status_code == 400
    application.refresh_from_db()
    assert application.project_plan == ""
    # The API: a JSON body with an escaped NUL, too.
    response = lead.post(
        f"/api/scheme/applications/{application.pk}/submit",
        '{"note": "a\\u0000b"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "NUL characters are not accepted."}
    with pytest.raises(ActionRefused, match="NUL"):
        actions.declare_conflict(
            world["reviewer"], m.ReviewAssignment(reviewer=world["reviewer"]), True, "x\x00"
        )


def test_the_payments_csv_neutralises_formula_cells(world: dict[str, Any], full_data: Any) -> None:
    import csv
    import io

    from pht.apps.registry.models import Municipality

    decision = _decided(world, full_data)
    actions.accept_decision(world["lead_seljord"], decision, on=datetime.date(2018, 2, 1))
    Municipality.objects.filter(pk=world["seljord"].pk).update(name="=1+2")
    world["finance1"].username = "@SUM(A1)"
    world["finance1"].save()
    instalment = decision.instalments.order_by("number").first()
    actions.prepare_disbursement(world["finance1"], instalment)
    actions.approve_disbursement(world["finance2"], instalment)
    text = _client(world["finance2"]).get("/scheme/utbetalinger.csv").content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:8] == [
        "kommunenummer",
        "municipality",
        "recipient",
        "recipient_orgnr",
        "instalment",
        "due",
        "year",
        "amount",
    ]
    assert rows[1][1] == "'=1+2"
    assert rows[1][9] == "'@SUM(A1)"
    assert rows[1][7] == f"{instalment.amount:.2f}"


def test_an_over_long_attachment_title_is_refused(
    world: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    application = actions.create_application(world["lead_seljord"], world["call"])
    with pytest.raises(ActionRefused, match="title: at most 200"):
        actions.add_attachment(
            world["lead_seljord"], application, "x" * 201, SimpleUploadedFile("plan.pdf", b"%PDF-1.4 ok")
        )
    long_name = "p" * 300 + ".pdf"
    attachment = actions.add_attachment(
        world["lead_seljord"], application, "", SimpleUploadedFile(long_name, b"%PDF-1.4 ok")
    )
    assert len(attachment.title) == 200


@pytest.mark.parametrize("stored", [False, True])
def test_a_refused_application_form_shows_what_was_typed(world: dict[str, Any], stored: bool) -> None:
    """A refusal (here a secretary FTE of «NaN») shows the form as typed: it had shown the stored draft (or an
    empty form), so the lead lost every field typed since, and a second «Lagre utkast» stored that instead."""
    lead = _client(world["lead_seljord"])
    practice = world["seljord_practices"][0]
    url = "/scheme/soknader/ny/"
    if stored:
        application = actions.create_application(world["lead_seljord"], world["call"])
        url = f"/scheme/soknader/{application.pk}/endre/"
    typed = _form(
        world,
        contact_name="Per <Prosjektleder>",
        leadership_plan="L" * 5000,
        budget="1 500 000,50",
        nurse_P="0,5",
        secretary_P="NaN",
    )
    response = lead.post(url, typed, HTTP_ACCEPT_LANGUAGE="nb")
    page = response.content.decode()
    assert response.status_code == 200
    assert not m.ApplicationPractice.objects.exists()
    assert 'value="Per &lt;Prosjektleder&gt;"' in page
    assert ">" + "L" * 5000 + "</textarea>" in page
    assert 'value="1 500 000,50"' in page
    assert f'name="nurse_{practice.pk}" inputmode="decimal" value="0,5"' in page
    assert f'name="secretary_{practice.pk}" inputmode="decimal" value="NaN"' in page
    assert f'id="include_{practice.pk}" name="include_{practice.pk}" value="1" checked' in page
    assert '<option value="fee" selected>' in page
    assert f'<option value="{practice.gps.first().pk}" selected>' in page


@pytest.mark.parametrize(
    ("language", "budget", "nurse"), [("nb", "1500000,50", "0,50"), ("en", "1500000.50", "0.50")]
)
def test_a_stored_draft_is_shown_for_typing_in_the_page_language(
    world: dict[str, Any], language: str, budget: str, nurse: str
) -> None:
    """The budget as the application page writes it (no-break spaces, decimal comma) is read; the draft's
    numbers come back in the edit form as the page's language writes them (not «0.50» on a bokmål page)."""
    lead = _client(world["lead_seljord"])
    practice = world["seljord_practices"][0]
    application = actions.create_application(world["lead_seljord"], world["call"])
    url = f"/scheme/soknader/{application.pk}/endre/"
    copied = "1\u00a0500\u00a0000,50"  # as pht_format's amount writes it on the page
    response = lead.post(url, _form(world, budget=copied, nurse_P="0,5"), HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.budget == Decimal("1500000.50")
    page = lead.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'name="budget" inputmode="decimal" value="{budget}"' in page
    assert f'name="nurse_{practice.pk}" inputmode="decimal" value="{nurse}"' in page


@pytest.mark.parametrize(
    ("language", "typed", "stored"),
    [
        ("nb", "1.500", "1500"),
        ("nb", "1.500.000,50", "1500000.50"),
        ("nb", "1500,5", "1500.5"),
        ("nb", "1 500 000", "1500000"),
        ("en", "1,500", "1500"),
        ("en", "1,500,000.50", "1500000.50"),
        ("en", "1500.5", "1500.5"),
    ],
)
def test_a_budget_grouped_by_thousands_is_read_as_the_page_language_writes_it(
    world: dict[str, Any], language: str, typed: str, stored: str
) -> None:
    """«1.500» kr on a bokmål page is fifteen hundred kroner; it was stored as 1,50 kr without a word."""
    lead = _client(world["lead_seljord"])
    application = actions.create_application(world["lead_seljord"], world["call"])
    url = f"/scheme/soknader/{application.pk}/endre/"
    assert lead.post(url, _form(world, budget=typed), HTTP_ACCEPT_LANGUAGE=language).status_code == 302
    application.refresh_from_db()
    assert application.budget == Decimal(stored)


@pytest.mark.parametrize(
    ("language", "typed", "stored"),
    [
        ("nb", "1.500", "1500"),
        ("nb", "120\u00a0000,50", "120000.50"),
        ("en", "1,500", "1500"),
        ("en", "1500.5", "1500.5"),
    ],
)
def test_a_reports_spending_grouped_by_thousands_is_read_as_the_page_language_writes_it(
    world: dict[str, Any], full_data: Any, language: str, typed: str, stored: str
) -> None:
    """The report's «Brukt (kr)» reads kroner as the application's budget does: «1.500» had been 1,50 kr."""
    decision = _decided(world, full_data)
    actions.accept_decision(world["lead_seljord"], decision, on=datetime.date(2018, 2, 1))
    report = decision.reports.get(year=2018, line__kind="municipality")
    for instalment in decision.instalments.filter(year=2018, line=report.line):
        actions.prepare_disbursement(world["finance1"], instalment)
        actions.approve_disbursement(world["finance2"], instalment)
    lead = _client(world["lead_seljord"])
    data = {"report": report.pk, "spent": typed, "progress": "ok", "step": "submit"}
    page = lead.post("/scheme/rapporter/", data, HTTP_ACCEPT_LANGUAGE=language, follow=True).content.decode()
    report.refresh_from_db()
    assert report.spent == Decimal(stored), re.findall(r'class="ds-alert[^>]*>(.*?)</', page, re.S)


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("nb", "brukt 1\u00a0500\u00a0000,00 kr er mer enn utbetalt for 2018 (0,00 kr)"),
        ("en", "spent NOK 1,500,000.00"),
    ],
)
def test_a_refused_reports_amounts_are_written_in_the_page_language(
    world: dict[str, Any], full_data: Any, language: str, written: str
) -> None:
    """The refusal had written «brukt 1500000.00 kr … (0.00 kr)» on a bokmål page."""
    decision = _decided(world, full_data)
    actions.accept_decision(world["lead_seljord"], decision, on=datetime.date(2018, 2, 1))
    report = decision.reports.get(year=2018, line__kind="municipality")
    lead = _client(world["lead_seljord"])
    data = {"report": report.pk, "spent": "1500000", "progress": "ok", "step": "submit"}
    page = lead.post("/scheme/rapporter/", data, HTTP_ACCEPT_LANGUAGE=language, follow=True).content.decode()
    assert written in page
    assert "1500000.00" not in page


@pytest.mark.parametrize("typed", ["NaN", "nan", "inf", "-inf", "Infinity", "-Infinity", "sNaN"])
@pytest.mark.parametrize(
    ("field", "language", "shown"),
    [
        ("nurse_P", "nb", "Seljord legesenter: sykepleierårsverk: ikke et tall"),
        ("secretary_P", "nb", "Seljord legesenter: helsesekretærårsverk: ikke et tall"),
        ("nurse_P", "en", "Seljord legesenter: nurse FTE: not a number"),
        ("secretary_P", "en", "Seljord legesenter: health secretary FTE: not a number"),
    ],
)
def test_nan_and_infinity_in_an_fte_field_are_not_a_number_naming_the_field(
    world: dict[str, Any], typed: str, field: str, language: str, shown: str
) -> None:
    """«NaN» read as «must be zero or more» (and «inf» too): Decimal takes them, but they are no numbers."""
    lead = _client(world["lead_seljord"])
    application = actions.create_application(world["lead_seljord"], world["call"])
    url = f"/scheme/soknader/{application.pk}/endre/"
    response = lead.post(url, _form(world, **{field: typed}), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200  # the form again, with the refusal
    page = response.content.decode()
    assert shown in page
    assert "null eller mer" not in page and "zero or more" not in page
    assert not application.practices.exists()
    # the htmx autosave answers with the same words
    saved = lead.post(url, _form(world, **{field: typed}, action="autosave"), HTTP_ACCEPT_LANGUAGE=language)
    assert saved.status_code == 422 and saved.content.decode() == shown
