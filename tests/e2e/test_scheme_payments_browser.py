"""After a grant decision on demo-like data (Seljord's seeded practices), the project lead accepts it in the
browser; the payments page shows separate instalments for the municipality and each practice, and two
finance officers prepare and approve one (four eyes)."""

import datetime
import re
from decimal import Decimal

import pytest

from pht.apps.accounts.models import Role

pytestmark = pytest.mark.django_db(transaction=True)

SCORES = {"anchoring": 4, "readiness": 4, "target_groups": 4, "cooperation": 4, "evaluation_data": 4}


def test_payments_per_recipient_prepared_and_approved_by_two_finance_officers(
    logged_in,
    browser,
    live_server,
    make_user,
    orgs,
):  # type: ignore[no-untyped-def]
    from pht.apps.scheme import actions
    from pht.apps.scheme import models as m
    from pht.apps.scheme.calls import load_call

    call = load_call("call_2017")
    lead = make_user("prosjektleder", roles=[Role.PROJECT_LEAD], organisation=orgs["seljord"])
    officer = make_user("saksbehandler", roles=[Role.CASE_OFFICER], organisation=orgs["directorate"])
    reviewer = make_user("fagvurderer", roles=[Role.REVIEWER], organisation=orgs["directorate"])
    make_user("okonomi", roles=[Role.FINANCE_OFFICER], organisation=orgs["directorate"])
    make_user("okonomi2", roles=[Role.FINANCE_OFFICER], organisation=orgs["directorate"])
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
    actions.declare_conflict(reviewer, assignment, False)
    actions.submit_review(reviewer, assignment, SCORES, {})
    constraints = {"per_size_class": {"small": 1}, "gps_min": 1, "gps_max": 50, "max_per_county": None}
    run = actions.run_selection(officer, call, constraints)
    actions.decide_selection(officer, run, "Seljord valgt.")
    decision = m.GrantDecision.objects.get()

    # The project lead accepts the decision in the browser.
    context, page = logged_in("prosjektleder")
    page.goto(f"{live_server.url}/scheme/tilsagn/{decision.pk}/")
    recipients = page.locator("#grant-lines tbody tr")
    assert recipients.count() == 1 + len(practices)
    page.get_by_role("button", name="Aksepter tilsagnet").click()
    page.wait_for_url(re.compile(rf".*/scheme/tilsagn/{decision.pk}/$"))
    assert "Tilsagnet er akseptert." in page.locator(".pht-messages").inner_text()
    context.close()

    # The payments page: separate instalments for the municipality and each practice.
    context, page = logged_in("okonomi")
    page.goto(f"{live_server.url}/scheme/utbetalinger/")
    rows = page.locator("#instalments tbody tr")
    assert rows.count() == decision.instalments.count()
    assert page.locator('tr[data-recipient="kommune"]').count() > 0
    for practice in practices:
        first = page.locator(f'tr[data-recipient="{practice.orgnr}"]').first
        assert practice.name in first.inner_text() and practice.orgnr in first.inner_text()
    first_row = page.locator(f'tr[data-recipient="{practices[0].orgnr}"]').first
    first_row.get_by_role("button", name="Forbered").click()
    page.wait_for_url(re.compile(rf"{live_server.url}/scheme/utbetalinger/#termin-\d+$"))
    assert "Utbetalingen er forberedt." in page.locator(".pht-messages").inner_text()
    first_row = page.locator(f'tr[data-recipient="{practices[0].orgnr}"]').first
    assert "Venter på godkjenning av en annen økonomimedarbeider" in first_row.inner_text()
    assert first_row.get_by_role("button", name="Godkjenn").count() == 0
    context.close()

    context, page = logged_in("okonomi2")
    page.goto(f"{live_server.url}/scheme/utbetalinger/")
    first_row = page.locator(f'tr[data-recipient="{practices[0].orgnr}"]').first
    first_row.get_by_role("button", name="Godkjenn").click()
    page.wait_for_url(re.compile(rf"{live_server.url}/scheme/utbetalinger/#termin-\d+$"))
    assert "Utbetalingen er godkjent." in page.locator(".pht-messages").inner_text()
    context.close()

    approved = m.Instalment.objects.get(status="approved")
    assert approved.line.orgnr == practices[0].orgnr
    assert approved.prepared_by.username == "okonomi" and approved.approved_by.username == "okonomi2"
