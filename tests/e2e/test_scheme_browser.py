"""A project lead drafts and submits; an officer sees the verdicts, assigns a reviewer, runs
selection and records the decision."""

import datetime
import re

import pytest

from pht.apps.accounts.models import Role

pytestmark = pytest.mark.django_db(transaction=True)


def test_lead_submits_officer_reviews_selects_and_decides(logged_in, browser, live_server, make_user, orgs):  # type: ignore[no-untyped-def]
    from pht.apps.scheme import actions
    from pht.apps.scheme import models as m
    from pht.apps.scheme.calls import load_call

    call = load_call("call_2017")
    # The 2017 deadline has passed in real time; the call's editable deadline is moved ahead.
    call.deadline_date = datetime.date.today() + datetime.timedelta(days=30)
    call.save()
    make_user("prosjektleder", roles=[Role.PROJECT_LEAD], organisation=orgs["seljord"])
    make_user("saksbehandler", roles=[Role.CASE_OFFICER], organisation=orgs["directorate"])
    reviewer = make_user("fagvurderer", roles=[Role.REVIEWER], organisation=orgs["directorate"])
    practices = list(orgs["seljord"].municipality.practices.order_by("orgnr"))

    # The project lead drafts ...
    context, page = logged_in("prosjektleder")
    page.goto(f"{live_server.url}/scheme/soknader/")
    page.get_by_role("link", name=re.compile("Ny søknad")).click()
    page.get_by_label("Navn").fill("Per Prosjektleder")
    page.get_by_label("Prosjektplan").fill("Oppstart april 2018.")
    for practice in practices:
        gps = practice.gps.count()
        page.locator(f"#include_{practice.pk}").check()
        page.locator(f"#model_{practice.pk}").select_option("fee")
        page.locator(f"#lead_{practice.pk}").select_option(str(practice.gps.order_by("hpr").first().pk))
        page.locator(f"#nurse_{practice.pk}").fill(str(round(gps / 3 + 0.01, 2)))
        page.locator(f"#secretary_{practice.pk}").fill("0,5")
    page.get_by_role("button", name="Lagre utkast").click()
    page.wait_for_url(re.compile(r".*/scheme/soknader/\d+/$"))
    assert page.locator("#status").inner_text() == "Utkast"
    # ... and submits.
    page.get_by_role("button", name="Send inn").click()
    page.wait_for_url(re.compile(r".*/scheme/soknader/\d+/$"))
    assert page.locator("#status").inner_text() == "Sendt inn"
    assert "Søknaden er sendt inn." in page.locator(".pht-messages").inner_text()
    context.close()
    application = m.Application.objects.get()
    assert application.status == "submitted" and application.gp_count == sum(p.gps.count() for p in practices)

    # The officer sees it with its verdicts and assigns a reviewer.
    context, page = logged_in("saksbehandler")
    page.goto(f"{live_server.url}/scheme/utlysning/")
    # The call's parameters read as labels and values in bokmål, defaults labelled «Antakelse».
    due = page.locator('[data-parameter="report_due_month_day"]')
    assert due.locator("th").inner_text() == "Rapportfrist"
    assert due.locator("td").inner_text() == "1. mars året etter Antakelse"
    assert page.locator('[data-parameter="instalment_months"] td').inner_text() == "januar og juli Antakelse"
    page.get_by_role("link", name="Seljord").click()
    verdicts = page.locator("#verdict-table tbody tr")
    assert verdicts.count() == 8
    assert page.locator("#verdict-table").get_by_text("Ikke oppfylt").count() == 0
    # The reason in bokmål like the rest of the page (the browser asks for nb-NO).
    in_time = page.locator('[data-rule="eligibility.submitted_in_time"]').inner_text()
    assert "Sendt inn innen fristen" in in_time and "før fristen" in in_time and "submitted" not in in_time
    page.get_by_label("Tildel fagvurderer").select_option(label=str(reviewer))
    page.get_by_role("button", name="Tildel").click()
    page.wait_for_url(re.compile(r".*/scheme/soknader/\d+/$"))
    assert "Fagvurdereren er tildelt." in page.locator(".pht-messages").inner_text()
    assignment = m.ReviewAssignment.objects.get(application=application)
    assert assignment.reviewer == reviewer

    # The reviewer declares no conflict and scores (through the actions; the page has its own tests).
    actions.declare_conflict(reviewer, assignment, False)
    actions.submit_review(reviewer, assignment, {c["key"]: 4 for c in call.criteria}, {})

    # The officer runs selection with relaxed targets and records the decision with a rationale.
    page.goto(f"{live_server.url}/scheme/utvelgelse/")
    page.get_by_label("Mål: små kommuner").fill("1")
    page.get_by_label("Mål: mellomstore kommuner").fill("0")
    page.get_by_label("Mål: store kommuner").fill("0")
    page.get_by_label("Fastleger minst").fill("")
    page.get_by_label("Fastleger høyst").fill("")
    page.get_by_label("Valgte kommuner som tilbyr driftstilskuddsmodell, minst").fill("0")
    page.get_by_role("button", name="Kjør utvelgelse").click()
    page.wait_for_url(re.compile(r".*/scheme/utvelgelse/\?call=call-2017$"))  # the call is kept
    assert page.locator("#selection-status").inner_text().startswith("optimal")
    assert "0828" in page.locator("#chosen").inner_text()
    page.get_by_label("Begrunnelse for vedtaket").fill("Eneste søker i liten kommune; høy faglig vurdering.")
    page.get_by_role("button", name="Fatt vedtak").click()
    page.wait_for_url(re.compile(r".*/scheme/utvelgelse/\?call=call-2017$"))  # the call is kept
    assert "0828" in page.locator("#decision-text").inner_text()
    context.close()
    decision = m.SelectionDecision.objects.get()
    assert decision.chosen == ["0828"] and "liten kommune" in decision.rationale
    application.refresh_from_db()
    assert application.status == "granted" and application.grant.gps == application.gp_count


def test_eligibility_and_conflict_radios_sit_beside_their_labels_on_a_phone(
    logged_in, live_server, make_user, orgs
):  # type: ignore[no-untyped-def]
    """At 390 px the form grid put each radio button on a line of its own and its label on the next
    («Oppfyller vilkårene» under a lone circle): each radio now sits on its label's line, and the
    choices wrap within the page."""
    from decimal import Decimal

    from pht.apps.scheme import actions
    from pht.apps.scheme.calls import load_call

    call = load_call("call_2017")
    lead = make_user("prosjektleder", roles=[Role.PROJECT_LEAD], organisation=orgs["seljord"])
    officer = make_user("saksbehandler", roles=[Role.CASE_OFFICER], organisation=orgs["directorate"])
    reviewer = make_user("fagvurderer", roles=[Role.REVIEWER], organisation=orgs["directorate"])
    practices = list(orgs["seljord"].municipality.practices.order_by("orgnr"))
    data = actions.ApplicationInputData(
        contact_name="Per Prosjektleder",
        project_plan="Oppstart april 2018.",
        budget=Decimal("1500000"),
        practices=[
            actions.PracticeInput(
                practice_id=p.pk,
                financing_model="fee",
                team_lead_id=p.gps.order_by("hpr").first().pk,
                nurse_fte=Decimal(p.gps.count()) / 3 + Decimal("0.01"),
                secretary_fte=Decimal("0.5"),
            )
            for p in practices
        ],
    )
    application = actions.create_application(lead, call, data)
    actions.submit_application(
        lead, application, now=datetime.datetime(2017, 10, 10, 12, tzinfo=datetime.UTC)
    )
    assignment = actions.assign_reviewer(officer, application, reviewer)

    def assert_beside_their_labels(page, ids: list[str]) -> None:  # type: ignore[no-untyped-def]
        for radio_id in ids:
            radio = page.locator(f"#{radio_id}").bounding_box()
            label = page.locator(f'label[for="{radio_id}"]').bounding_box()
            # the radio's middle is within its label's line, and the label follows it on the right
            middle = radio["y"] + radio["height"] / 2
            assert label["y"] <= middle <= label["y"] + label["height"], (radio_id, radio, label)
            assert radio["x"] + radio["width"] <= label["x"], (radio_id, radio, label)
            assert label["x"] + label["width"] <= 390, (radio_id, label)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

    for username, url, ids in (
        (
            "saksbehandler",
            f"/scheme/soknader/{application.pk}/",
            ["eligible-yes", "eligible-no"],
        ),
        ("fagvurderer", f"/scheme/vurderinger/{assignment.pk}/", ["conflict-no", "conflict-yes"]),
    ):
        context, page = logged_in(username)
        page.set_viewport_size({"width": 390, "height": 800})
        page.goto(f"{live_server.url}{url}")
        assert_beside_their_labels(page, ids)
        context.close()
