import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.models import AuditEvent
from pht.apps.scheme import actions
from pht.apps.scheme import models as m

OSLO = ZoneInfo("Europe/Oslo")
BEFORE_DEADLINE = datetime.datetime(2017, 10, 10, 12, 0, tzinfo=OSLO)


def _apply(world: dict[str, Any], full_data: Any, now: datetime.datetime = BEFORE_DEADLINE) -> m.Application:
    application = actions.create_application(
        world["lead_seljord"], world["call"], full_data(world["seljord_practices"])
    )
    return actions.submit_application(world["lead_seljord"], application, now=now)


def test_draft_includes_all_registry_gps_and_passes_eligibility(
    world: dict[str, Any], full_data: Any
) -> None:
    application = actions.create_application(
        world["lead_seljord"], world["call"], full_data(world["seljord_practices"])
    )
    assert application.status == "draft"
    assert application.gp_count == 4
    failed = [v["rule"] for v in application.verdicts if not v["passed"]]
    assert failed == ["eligibility.submitted_in_time"]  # only because it is still a draft


def test_submission_at_last_second_and_refusal_at_midnight(world: dict[str, Any], full_data: Any) -> None:
    application = actions.create_application(
        world["lead_seljord"], world["call"], full_data(world["seljord_practices"])
    )
    with pytest.raises(
        ActionRefused, match=r"deadline has passed: it was the end of Oct\. 15, 2017"
    ) as refused:
        actions.submit_application(
            world["lead_seljord"], application, now=datetime.datetime(2017, 10, 16, 0, 0, tzinfo=OSLO)
        )
    with translation.override("nb"):
        # dates and times in the page's language, the submission in the call's time zone
        assert refused.value.display() == (
            "søknadsfristen gikk ut ved utgangen av 15. oktober 2017 (Europe/Oslo); "
            "innsending 16. oktober 2017 00:00 er for sent"
        )
    application.refresh_from_db()
    assert application.status == "draft" and application.submitted_at is None
    actions.submit_application(
        world["lead_seljord"], application, now=datetime.datetime(2017, 10, 15, 23, 59, 59, tzinfo=OSLO)
    )
    application.refresh_from_db()
    assert application.status == "submitted"
    assert all(v["passed"] for v in application.verdicts), application.verdicts
    assert application.revisions.count() == 1
    assert AuditEvent.objects.filter(verb="scheme.application.submit", target_id=str(application.pk)).exists()


def test_change_before_deadline_makes_revision_and_after_is_refused(
    world: dict[str, Any], full_data: Any
) -> None:
    application = _apply(world, full_data)
    data = full_data(world["seljord_practices"][:1])
    data.project_plan = "Ny plan"
    actions.save_application(world["lead_seljord"], application, data, now=BEFORE_DEADLINE)
    application.refresh_from_db()
    assert application.revision == 2
    first, second = application.revisions.all()
    changes = dict((k, (a, b)) for k, a, b in actions.compare(first.snapshot, second.snapshot))
    assert changes["project_plan"] == ("Oppstart april 2018.", "Ny plan")
    assert len(changes["practices"][1]) == 1
    with pytest.raises(ActionRefused, match="deadline has passed"):
        actions.save_application(
            world["lead_seljord"],
            application,
            data,
            now=datetime.datetime(2017, 10, 16, 0, 0, 1, tzinfo=OSLO),
        )


def test_partial_practice_fails_the_all_gps_rule(world: dict[str, Any], full_data: Any) -> None:
    data = full_data(world["seljord_practices"])
    practice = world["seljord_practices"][0]
    data.practices[0].gp_ids = [g.pk for g in practice.gps.all()[:2]]
    application = actions.create_application(world["lead_seljord"], world["call"], data)
    verdict = next(v for v in application.verdicts if v["rule"] == "eligibility.all_gps_included")
    assert not verdict["passed"] and "leaves out" in verdict["reason"]


def test_other_municipality_cannot_change_or_submit(world: dict[str, Any], full_data: Any) -> None:
    application = actions.create_application(
        world["lead_seljord"], world["call"], full_data(world["seljord_practices"])
    )
    with pytest.raises(ActionRefused, match="own municipality"):
        actions.submit_application(world["lead_flora"], application, now=BEFORE_DEADLINE)
    with pytest.raises(ActionRefused):
        actions.create_application(world["officer"], world["call"])


def test_withdrawal_until_decision(world: dict[str, Any], full_data: Any) -> None:
    application = _apply(world, full_data)
    actions.withdraw_application(world["lead_seljord"], application)
    assert application.status == "withdrawn"
    with pytest.raises(ActionRefused, match="no step"):
        actions.withdraw_application(world["lead_seljord"], application)


def test_attachments_pdf_only_and_size_limit(
    world: dict[str, Any], full_data: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path  # uploaded files go to a throw-away folder
    application = actions.create_application(
        world["lead_seljord"], world["call"], full_data(world["seljord_practices"])
    )
    lead = world["lead_seljord"]
    with pytest.raises(ActionRefused, match="only PDF"):
        actions.add_attachment(lead, application, "plan", SimpleUploadedFile("plan.docx", b"PK..."))
    with pytest.raises(ActionRefused, match="not a PDF"):
        actions.add_attachment(lead, application, "plan", SimpleUploadedFile("plan.pdf", b"<html>"))
    world["call"].attachment_max_bytes = 10
    world["call"].save()
    application.call.refresh_from_db()
    with pytest.raises(ActionRefused, match="over the limit"):
        actions.add_attachment(
            lead, application, "plan", SimpleUploadedFile("plan.pdf", b"%PDF-1.4 " + b"x" * 20)
        )
    world["call"].attachment_max_bytes = 10_000
    world["call"].save()
    application.call.refresh_from_db()
    attachment = actions.add_attachment(
        lead, application, "Prosjektplan", SimpleUploadedFile("plan.pdf", b"%PDF-1.4 ok")
    )
    assert attachment.size == 11
    assert application.attachments.count() == 1
    from django.test import Client

    url = f"/scheme/soknader/{application.pk}/vedlegg/{attachment.pk}/"
    own, other = Client(), Client()
    own.force_login(lead)
    other.force_login(world["lead_flora"])
    response = own.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 ok"
    assert other.get(url).status_code == 404


def test_call_loaded_from_parameters_marks_assumptions(world: dict[str, Any]) -> None:
    call = world["call"]
    assert call.deadline_date == datetime.date(2017, 10, 15)
    assert call.pilot_start == datetime.date(2018, 4, 1)
    assert call.grant_parameters["grant_per_gp_per_year"] == "300000.00"
    assert call.is_assumption("grant_per_gp_per_year") and not call.is_assumption("deadline_date")
    assert sum(c["weight"] for c in call.criteria) == 100
    assert Decimal(call.grant_parameters["municipality_base_per_year"]) == Decimal("400000")


def test_attachment_limit_is_labelled_an_assumption_where_shown(world: dict[str, Any]) -> None:
    from django.test import Client

    label = 'data-assumption="attachment_max_bytes"'
    officer, lead = Client(), Client()
    officer.force_login(world["officer"])
    lead.force_login(world["lead_seljord"])
    # The officer's call page: the limit, and the report due date among the grant parameters.
    call_page = officer.get("/scheme/utlysning/").content.decode()
    row = call_page.split('id="attachment-limit"', 1)[1].split("</tr>", 1)[0]
    assert "10,0" in row and "MB" in row and label in row and "Antakelse" in row
    assert 'data-assumption="report_due_month_day"' in call_page
    assert 'data-assumption="deadline_date"' not in call_page  # a published date is not labelled
    # The application form (new and draft) and the upload form on the draft's page.
    new_form = lead.get("/scheme/soknader/ny/").content.decode()
    assert label in new_form and "10,0" in new_form and "«Antakelse» betyr" in new_form
    application = actions.create_application(world["lead_seljord"], world["call"])
    for url in (f"/scheme/soknader/{application.pk}/endre/", f"/scheme/soknader/{application.pk}/"):
        page = lead.get(url).content.decode()
        limit = page.split('id="attachment-limit"', 1)[1].split("</p>", 1)[0]
        assert label in limit and "Antakelse" in limit and "10,0" in limit, url
    english = lead.get(f"/scheme/soknader/{application.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "At most 10.0" in english and "Assumption" in english
    # The label's title says why, in the page's language (call_2017.toml has both texts).
    assert 'title="Standardverdi: 10 MB per vedlegg; ingen grense er publisert."' in page
    assert 'title="Default: 10 MB per attachment; no limit was published."' in english
    assert "Standardverdi: 10 MB" not in english and "Default: 10 MB" not in page
    # A call stored before the texts were bilingual: its English text, as it is.
    call = world["call"]
    call.assumptions = {**call.assumptions, "attachment_max_bytes": "Default: stored in English."}
    call.save(update_fields=["assumptions"])
    assert (
        'title="Default: stored in English."'
        in lead.get(f"/scheme/soknader/{application.pk}/").content.decode()
    )
    # A published limit (not under the call's assumptions) carries no label.
    call = world["call"]
    call.assumptions = {k: v for k, v in call.assumptions.items() if k != "attachment_max_bytes"}
    call.save(update_fields=["assumptions"])
    assert label not in lead.get(f"/scheme/soknader/{application.pk}/").content.decode()
    assert label not in officer.get("/scheme/utlysning/").content.decode()


def test_call_extension_is_editable_by_officer_only(world: dict[str, Any]) -> None:
    call = world["call"]
    with pytest.raises(ActionRefused, match="case_officer"):
        actions.extend_call(world["lead_seljord"], call, datetime.date(2023, 3, 31), "x")
    with pytest.raises(ActionRefused, match="after the pilot end"):
        actions.extend_call(world["officer"], call, datetime.date(2020, 1, 1), "x")
    actions.extend_call(
        world["officer"], call, datetime.date(2023, 3, 31), "Forlenget i 2019 innenfor samme budsjett"
    )
    call.refresh_from_db()
    assert call.end_date == datetime.date(2023, 3, 31) and call.pilot_end == datetime.date(2021, 3, 31)
    assert AuditEvent.objects.filter(verb="scheme.call.extend").count() == 1


def test_pages_are_bokmal_by_default_and_english_on_request(world: dict[str, Any], full_data: Any) -> None:
    from django.test import Client

    application = actions.create_application(
        world["lead_seljord"], world["call"], full_data(world["seljord_practices"])
    )
    client = Client()
    client.force_login(world["lead_seljord"])
    url = f"/scheme/soknader/{application.pk}/"
    norwegian = client.get(url).content.decode()
    assert "Vilkår" in norwegian and "Utkast" in norwegian
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Eligibility" in english and "Draft" in english and "Vilkår" not in english


def test_draft_autosaves_through_the_form(world: dict[str, Any]) -> None:
    from django.test import Client

    application = actions.create_application(world["lead_seljord"], world["call"])
    client = Client()
    client.force_login(world["lead_seljord"])
    practice = world["seljord_practices"][0]
    response = client.post(
        f"/scheme/soknader/{application.pk}/endre/",
        {
            "action": "autosave",
            "contact_name": "Kari",
            f"include_{practice.pk}": "1",
            f"nurse_{practice.pk}": "1,5",
        },
    )
    assert response.status_code == 200 and "automatisk" in response.content.decode()
    application.refresh_from_db()
    assert application.contact_name == "Kari"
    assert application.practices.get().nurse_fte == Decimal("1.5")
    bad = client.post(f"/scheme/soknader/{application.pk}/endre/", {"action": "autosave", "budget": "mye"})
    assert bad.status_code == 422 and "ikke et tall" in bad.content.decode()


def test_api_export_runs_through_pht_eligibility_check(
    world: dict[str, Any], full_data: Any, tmp_path: Any, capsys: Any
) -> None:
    import argparse
    import json

    from django.test import Client

    from pht.apps.scheme.commands import register

    application = _apply(world, full_data)
    client = Client()
    client.force_login(world["lead_seljord"])
    export = client.get(f"/api/scheme/applications/{application.pk}/export").json()
    assert export["format"] == "pht.application/1" and export["population"] == 2984
    path = tmp_path / "application.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["eligibility", "check", str(path), "--format", "json"])
    assert args.handler(args) == 0
    report = json.loads(capsys.readouterr().out)
    stored = {v["rule"]: v["passed"] for v in application.verdicts}
    assert {v["rule"]: v["passed"] for v in report["verdicts"]} == stored
