import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import translation

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.models import AuditEvent
from pht.apps.scheme import actions
from pht.apps.scheme import models as m

OSLO = ZoneInfo("Europe/Oslo")
BEFORE = datetime.datetime(2017, 10, 10, 12, 0, tzinfo=OSLO)
ALL_FOURS = {"anchoring": 4, "readiness": 4, "target_groups": 4, "cooperation": 4, "evaluation_data": 4}


def _submitted(
    world: dict[str, Any], full_data: Any, who: str = "seljord", model: str = "fee"
) -> m.Application:
    lead = world[f"lead_{who}"]
    application = actions.create_application(lead, world["call"], full_data(world[f"{who}_practices"], model))
    return actions.submit_application(lead, application, now=BEFORE)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- a municipality's user cannot see another municipality's application -------------------


def test_other_municipality_cannot_see_application_page_or_api(world: dict[str, Any], full_data: Any) -> None:
    application = _submitted(world, full_data)
    own, other = _client(world["lead_seljord"]), _client(world["lead_flora"])
    assert own.get(f"/scheme/soknader/{application.pk}/").status_code == 200
    assert other.get(f"/scheme/soknader/{application.pk}/").status_code == 404
    assert "Seljord" not in other.get("/scheme/soknader/").content.decode()
    assert own.get(f"/api/scheme/applications/{application.pk}").status_code == 200
    assert other.get(f"/api/scheme/applications/{application.pk}").status_code == 404
    assert other.get(f"/api/scheme/applications/{application.pk}/export").status_code == 404
    assert other.get("/api/scheme/applications").json() == []
    assert [a["kommunenummer"] for a in own.get("/api/scheme/applications").json()] == ["0828"]
    # The officer sees it, with its verdicts.
    officer = _client(world["officer"])
    page = officer.get(f"/scheme/soknader/{application.pk}/").content.decode()
    assert "eligibility.submitted_in_time" in page
    assert len(officer.get("/api/scheme/applications").json()) == 1


def test_other_municipality_cannot_see_decision(world: dict[str, Any], full_data: Any) -> None:
    decision = _decided(world, full_data)
    assert _client(world["lead_flora"]).get(f"/scheme/tilsagn/{decision.pk}/").status_code == 404
    assert _client(world["lead_flora"]).get(f"/api/scheme/decisions/{decision.pk}").status_code == 404
    assert _client(world["lead_flora"]).get(f"/scheme/tilsagn/{decision.pk}/brev.pdf").status_code == 404
    assert _client(world["lead_seljord"]).get(f"/api/scheme/decisions/{decision.pk}").json()["gps"] == 4


# --- a reviewer with a declared conflict cannot score ---------------------------------------


def test_reviewer_with_conflict_cannot_score(world: dict[str, Any], full_data: Any) -> None:
    application = _submitted(world, full_data)
    assignment = actions.assign_reviewer(world["officer"], application, world["reviewer"])
    with pytest.raises(ActionRefused, match="declare whether you have a conflict"):
        actions.submit_review(world["reviewer"], assignment, ALL_FOURS, {})
    actions.declare_conflict(world["reviewer"], assignment, True, "Søster er kommunalsjef i Seljord")
    with pytest.raises(ActionRefused, match="declared a conflict of interest"):
        actions.submit_review(world["reviewer"], assignment, ALL_FOURS, {})
    assignment.refresh_from_db()
    assert assignment.scores == {} and assignment.total is None
    # Through the page too: the score form is refused and nothing is stored.
    response = _client(world["reviewer"]).post(
        f"/scheme/vurderinger/{assignment.pk}/",
        {"step": "score", **{f"score_{k}": v for k, v in ALL_FOURS.items()}},
    )
    # The refusal reads in the page's language (bokmål by default).
    assert "du har erklært deg inhabil for denne søknaden" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.status == "conflict" and assignment.scores == {}


def test_only_the_assigned_reviewer_scores(world: dict[str, Any], full_data: Any) -> None:
    application = _submitted(world, full_data)
    assignment = actions.assign_reviewer(world["officer"], application, world["reviewer"])
    with pytest.raises(ActionRefused, match="only the assigned reviewer"):
        actions.declare_conflict(world["reviewer2"], assignment, False)
    with pytest.raises(ActionRefused, match="case_officer"):
        actions.assign_reviewer(world["lead_seljord"], application, world["reviewer2"])


def test_weighted_totals_and_spread(world: dict[str, Any], full_data: Any) -> None:
    application = _submitted(world, full_data)
    for reviewer, scores in (
        (world["reviewer"], ALL_FOURS),
        (world["reviewer2"], {**ALL_FOURS, "cooperation": 1}),
    ):
        assignment = actions.assign_reviewer(world["officer"], application, reviewer)
        actions.declare_conflict(reviewer, assignment, False)
        actions.submit_review(reviewer, assignment, scores, {"cooperation": "Svak"})
    application.refresh_from_db()
    # Totals 4.00 and 4 - 3·15/100 = 3.55; mean 3.775 -> 3.78.
    assert application.score == Decimal("3.78")
    page = _client(world["officer"]).get(f"/scheme/soknader/{application.pk}/").content.decode()
    # Norwegian number format on the page; the disagreement on cooperation (4 vs 1) is flagged.
    assert "3,55" in page and "Uenighet om" in page and "cooperation" in page


# --- selection, decision, payments ----------------------------------------------------------


def _scored(world: dict[str, Any], application: m.Application, score: dict[str, int]) -> None:
    assignment = actions.assign_reviewer(world["officer"], application, world["reviewer"])
    actions.declare_conflict(world["reviewer"], assignment, False)
    actions.submit_review(world["reviewer"], assignment, score, {})


def _decided(world: dict[str, Any], full_data: Any) -> m.GrantDecision:
    seljord = _submitted(world, full_data, "seljord", "fee")
    flora = _submitted(world, full_data, "flora", "capitation")
    _scored(world, seljord, ALL_FOURS)
    _scored(world, flora, {**ALL_FOURS, "readiness": 2})
    constraints = {
        "per_size_class": {"small": 1, "medium": 0},
        "gps_min": 1,
        "gps_max": 20,
        "min_per_model": {"fee": 1},
        "max_per_county": None,
    }
    run = actions.run_selection(world["officer"], world["call"], constraints)
    assert run.result["status"] == "optimal"
    assert run.result["chosen"] == ["0828"]
    with pytest.raises(ActionRefused, match="rationale"):
        actions.decide_selection(world["officer"], run, "  ")
    actions.decide_selection(world["officer"], run, "Best score among small municipalities.")
    flora.refresh_from_db()
    assert flora.status == "rejected"
    return m.GrantDecision.objects.get(application__municipality__kommunenummer="0828")


def test_selection_infeasible_is_explained(world: dict[str, Any], full_data: Any) -> None:
    _scored(world, _submitted(world, full_data), ALL_FOURS)
    run = actions.run_selection(world["officer"], world["call"])  # 2/2/2 with one candidate
    assert run.result["status"] == "infeasible"
    assert run.result["conflict"]
    page = _client(world["officer"]).get("/scheme/utvelgelse/").content.decode()
    assert 'data-status="infeasible">ikke mulig: ' in page  # the status in the page's language (bokmål)


def _candidate_rows(page: str) -> dict[str, str]:
    """The workbench's candidate rows by kommunenummer (``data-candidate``)."""
    table = page.split('id="candidates"', 1)[1].split("</table>", 1)[0]
    rows = table.split("<tbody>", 1)[1].split("<tr")[1:]
    return {
        row.split('data-candidate="', 1)[1].split('"', 1)[0]: row for row in rows if "data-candidate" in row
    }


def test_workbench_lists_candidates_with_their_outcome_after_the_decision(
    world: dict[str, Any], full_data: Any
) -> None:
    _decided(world, full_data)  # Seljord (0828) chosen, Flora (1401) not
    page = _client(world["officer"]).get("/scheme/utvelgelse/").content.decode()
    assert "Ingen kandidater ennå." not in page
    rows = _candidate_rows(page)
    assert sorted(rows) == ["0828", "1401"]
    assert 'data-selected="true"' in rows["0828"] and "Valgt" in rows["0828"] and "Innvilget" in rows["0828"]
    assert (
        'data-selected="false"' in rows["1401"] and "Ikke valgt" in rows["1401"] and "Avslått" in rows["1401"]
    )
    assert "Seljord" in rows["0828"] and "Flora" in rows["1401"]
    # Decided: no new runs from the page, and the action refuses them too.
    assert "Kjør utvelgelse" not in page and 'name="locked_in"' not in page
    with pytest.raises(ActionRefused, match="already decided"):
        actions.run_selection(world["officer"], world["call"])
    english = _client(world["officer"]).get("/scheme/utvelgelse/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not chosen" in _candidate_rows(english)["1401"]


def test_workbench_shows_the_decision_not_the_run_when_they_differ(
    world: dict[str, Any], full_data: Any
) -> None:
    seljord = _submitted(world, full_data, "seljord", "fee")
    flora = _submitted(world, full_data, "flora", "capitation")
    _scored(world, seljord, ALL_FOURS)
    _scored(world, flora, ALL_FOURS)
    run = actions.run_selection(
        world["officer"], world["call"], {"per_size_class": {"small": 1, "medium": 0}}
    )
    assert run.result["chosen"] == ["0828"]
    actions.decide_selection(
        world["officer"], run, "Flora is closer to the evaluation partner.", chosen=["1401"]
    )
    rows = actions.decided_candidates(world["call"])
    assert rows is not None
    assert [(r["id"], r["selected"], r["status"]) for r in rows] == [
        ("1401", True, "granted"),
        ("0828", False, "rejected"),
    ]
    page_rows = _candidate_rows(_client(world["officer"]).get("/scheme/utvelgelse/").content.decode())
    assert 'data-selected="true"' in page_rows["1401"] and 'data-selected="false"' in page_rows["0828"]


def test_workbench_before_a_decision_lists_submitted_candidates(
    world: dict[str, Any], full_data: Any
) -> None:
    _scored(world, _submitted(world, full_data), ALL_FOURS)
    assert actions.decided_candidates(world["call"]) is None
    page = _client(world["officer"]).get("/scheme/utvelgelse/").content.decode()
    assert 'value="0828"' in page and "Kjør utvelgelse" in page and "Kandidater i vedtaket" not in page


def test_decision_amounts_acceptance_plan_and_four_eyes(world: dict[str, Any], full_data: Any) -> None:
    decision = _decided(world, full_data)
    assert decision.gps == 4
    first_year = decision.years[0]
    # 4 GPs: 1,200,000 × 275/365 = 904,109.589 -> 904,109.59; (400,000 + 40,000) × 275/365 = 331,506.85
    assert (first_year["year"], first_year["days"]) == (2018, 275)
    assert first_year["practice_grant"] == "904109.59"
    assert first_year["municipality_grant"] == "331506.85"
    with pytest.raises(ActionRefused, match="own municipality"):
        actions.accept_decision(world["lead_flora"], decision)
    actions.accept_decision(world["lead_seljord"], decision, on=datetime.date(2018, 2, 1))
    instalments = list(decision.instalments.all())
    # One plan per recipient (the municipality and each of the two practices); nothing is paid
    # before the pilot starts on 1 April 2018, even though the decision was accepted in February.
    assert [(i.line.name, i.due) for i in instalments][:3] == [
        ("Seljord kommune", datetime.date(2018, 4, 1)),
        ("Flatdal legekontor", datetime.date(2018, 4, 1)),
        ("Seljord legesenter", datetime.date(2018, 4, 1)),
    ]
    assert sum(i.total for i in instalments) == decision.total
    # 3 GPs: 900,000 x 275/365 = 678,082.19; 1 GP: 300,000 x 275/365 = 226,027.40; halves of each
    assert {i.line.orgnr: i.total for i in instalments[:3]} == {
        "": Decimal("165753.43"),  # 331,506.85 / 2 rounded; the July half is 165,753.42
        "100000011": Decimal("339041.10"),
        "100000012": Decimal("113013.70"),
    }
    assert decision.reports.count() == 3 * 4  # per recipient and year

    first = instalments[0]
    with pytest.raises(ActionRefused, match="no step"):
        actions.approve_disbursement(world["finance1"], first)  # not prepared yet
    actions.prepare_disbursement(world["finance1"], first)
    with pytest.raises(ActionRefused, match="another finance officer"):
        actions.approve_disbursement(world["finance1"], first)
    first.refresh_from_db()
    assert first.status == "prepared" and first.approved_by is None
    with pytest.raises(ActionRefused, match="finance_officer"):
        actions.approve_disbursement(world["officer"], first)
    # The page offers the preparer no approve button, only another finance officer ...
    approve = f'name="instalment" value="{first.pk}"><button class="ds-button" name="step" value="approve"'
    assert approve not in _client(world["finance1"]).get("/scheme/utbetalinger/").content.decode()
    assert approve in _client(world["finance2"]).get("/scheme/utbetalinger/").content.decode()
    # ... and a post from the preparer is refused as well.
    _client(world["finance1"]).post("/scheme/utbetalinger/", {"instalment": first.pk, "step": "approve"})
    first.refresh_from_db()
    assert first.status == "prepared"
    actions.approve_disbursement(world["finance2"], first)
    assert first.status == "approved"
    assert AuditEvent.objects.filter(verb="scheme.disbursement.approve", actor=world["finance2"]).exists()

    csv_text = _client(world["finance1"]).get("/scheme/utbetalinger.csv").content.decode()
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("kommunenummer,municipality,recipient,recipient_orgnr,instalment,due")
    assert len(lines) == 2 and lines[1].startswith("0828,Seljord,Seljord kommune,,1,2018-04-01")
    assert _client(world["lead_seljord"]).get("/scheme/utbetalinger.csv").status_code == 404


def test_decision_letter_is_a_norwegian_pdf(world: dict[str, Any], full_data: Any) -> None:
    from pht.apps.scheme.letters import decision_letter_html

    decision = _decided(world, full_data)
    html = decision_letter_html(decision)
    # amounts in Norwegian format, with non-breaking spaces; defaults named by label, never by key
    assert "Tilsagn om tilskudd" in html and "904\u00a0109,59\u00a0kr" in html and "Forutsetninger" in html
    assert "Tilskudd per fastlege" in html or "Utbetalingsmåneder" in html
    assert "instalment_months" not in html and "grant_per_gp_per_year" not in html
    assert "utbetales til hver mottaker i to terminer per år (januar og juli) (antakelse)" in html
    # the payment plan comes from the call; the letter stays bokmål from an English page
    call = decision.application.call
    call.grant_parameters = {**call.grant_parameters, "instalment_months": [3, 6, 9]}
    call.save()
    with translation.override("en"):
        html = decision_letter_html(decision)
    assert "utbetales til hver mottaker i tre terminer per år (mars, juni og september)" in html
    response = _client(world["lead_seljord"]).get(f"/scheme/tilsagn/{decision.pk}/brev.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_reports_overdue_and_clawback(world: dict[str, Any], full_data: Any) -> None:
    decision = _decided(world, full_data)
    actions.accept_decision(world["lead_seljord"], decision, on=datetime.date(2018, 2, 1))
    report = decision.reports.get(year=2018, line__kind="municipality")
    assert report.due_date == datetime.date(2019, 3, 1)
    page = _client(world["officer"]).get("/scheme/rapporter/").content.decode()
    assert "Forfalt" in page  # today is long after 1 March 2019
    for instalment in decision.instalments.filter(year=2018, line=report.line):
        actions.prepare_disbursement(world["finance1"], instalment)
        actions.approve_disbursement(world["finance2"], instalment)
    # paid to the municipality for 2018: 331,506.85 (both halves)
    actions.submit_report(world["lead_seljord"], report, "Team i drift", Decimal("300000.00"))
    assert actions.unspent(report) == Decimal("31506.85")
    clawback = actions.record_clawback(
        world["officer"], report, actions.unspent(report), "Ubrukte midler 2018"
    )
    assert clawback.amount == Decimal("31506.85")
    assert actions.claimable(report) == Decimal("0")
    with pytest.raises(ActionRefused, match="case_officer"):
        actions.record_clawback(world["lead_seljord"], report, Decimal("1"), "x")


def test_report_due_dates_are_labelled_assumptions(world: dict[str, Any], full_data: Any) -> None:
    from pht.apps.scheme.letters import decision_letter_html

    decision = _decided(world, full_data)
    actions.accept_decision(world["lead_seljord"], decision, on=datetime.date(2018, 2, 1))
    # The due date comes from the call's parameters, not from a code constant.
    assert world["call"].grant_parameters["report_due_month_day"] == [3, 1]
    for who in ("officer", "lead_seljord"):
        page = _client(world[who]).get("/scheme/rapporter/").content.decode()
        rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr")[1:]
        assert len(rows) == 3 * 4  # per recipient and year
        for row in rows:
            assert 'data-assumption="report_due_month_day"' in row and "Antakelse" in row
        assert "Rapportfristen er en standardverdi" in page
    assert "innen 1. mars året etter (antakelse)" in decision_letter_html(decision)
    decision_page = _client(world["lead_seljord"]).get(f"/scheme/tilsagn/{decision.pk}/").content.decode()
    assert 'data-assumption="instalment_months"' in decision_page
    # A published due date is shown without the label.
    call = world["call"]
    call.assumptions = {k: v for k, v in call.assumptions.items() if k != "report_due_month_day"}
    call.save(update_fields=["assumptions"])
    page = _client(world["officer"]).get("/scheme/rapporter/").content.decode()
    assert 'data-assumption="report_due_month_day"' not in page
    assert "Rapportfristen er en standardverdi" not in page
    assert "året etter (antakelse)" not in decision_letter_html(m.GrantDecision.objects.get(pk=decision.pk))


def test_report_reminders_go_to_the_project_lead(
    world: dict[str, Any], full_data: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core import mail

    decision = _decided(world, full_data)
    actions.accept_decision(world["lead_seljord"], decision, on=datetime.date(2018, 2, 1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        due = actions.send_report_reminders(datetime.date(2019, 2, 20), days_ahead=14)
    assert [r.year for r in due] == [2018]  # due 1 March 2019
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lead_seljord@example.test"]
    assert "Påminnelse: rapport for 2018 (Seljord)" in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_report_reminders(datetime.date(2019, 3, 2), days_ahead=0)
    assert mail.outbox[-1].subject.startswith("Forfalt")


def test_submission_notifies_after_commit(
    world: dict[str, Any], full_data: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        _submitted(world, full_data)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["lead_seljord@example.test", "officer@example.test"]


def test_decline_and_report_approval(world: dict[str, Any], full_data: Any) -> None:
    decision = _decided(world, full_data)
    with pytest.raises(ActionRefused, match="why"):
        actions.decline_decision(world["lead_seljord"], decision, " ")
    response = _client(world["lead_seljord"]).post(
        f"/scheme/tilsagn/{decision.pk}/", {"step": "decline", "reason": "Fastlegene trakk seg"}
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == "declined" and decision.instalments.count() == 0
    with pytest.raises(ActionRefused, match="no step"):
        actions.accept_decision(world["lead_seljord"], decision)


def test_officer_approves_a_submitted_report(world: dict[str, Any], full_data: Any) -> None:
    decision = _decided(world, full_data)
    actions.accept_decision(world["lead_seljord"], decision, on=datetime.date(2018, 2, 1))
    report = decision.reports.get(year=2018, line__kind="municipality")
    with pytest.raises(ActionRefused, match="no step"):
        actions.approve_report(world["officer"], report)  # not submitted yet
    actions.submit_report(world["lead_seljord"], report, "OK", Decimal("0"))
    with pytest.raises(ActionRefused, match="case_officer"):
        actions.approve_report(world["lead_seljord"], report)
    actions.approve_report(world["officer"], report)
    assert report.status == "approved"


def test_api_actions_keep_scoping_and_refusals(world: dict[str, Any], full_data: Any) -> None:
    from pht.apps.accounts.models import ApiToken

    application = actions.create_application(
        world["lead_seljord"], world["call"], full_data(world["seljord_practices"])
    )
    _, own_key = ApiToken.issue(world["lead_seljord"], "epj")
    _, other_key = ApiToken.issue(world["lead_flora"], "epj")
    client = Client()
    url = f"/api/scheme/applications/{application.pk}/submit"
    assert client.post(url, HTTP_AUTHORIZATION=f"Bearer {other_key}").status_code == 404
    refused = client.post(url, HTTP_AUTHORIZATION=f"Bearer {own_key}")  # the real 2017 deadline has passed
    # The API gives the English reason.
    assert refused.status_code == 403 and "the deadline has passed" in refused.json()["detail"]
    world["call"].deadline_date = datetime.date.today() + datetime.timedelta(days=1)
    world["call"].save()
    accepted = client.post(url, HTTP_AUTHORIZATION=f"Bearer {own_key}")
    assert accepted.status_code == 200 and accepted.json()["status"] == "submitted"


# --- people are named by their names, not their logins ---------------------------------------


def _named(user: Any, first: str, last: str) -> None:
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])


def test_scheme_pages_name_people_not_their_logins(world: dict[str, Any], full_data: Any) -> None:
    """The officer's pages say «Rita Vurderer», not the login «reviewer»; a user with no name recorded
    (reviewer2) still shows by the login rather than as an empty cell."""
    _named(world["officer"], "Siri", "Saksbehandler")
    _named(world["reviewer"], "Rita", "Vurderer")
    _named(world["lead_seljord"], "Lise", "Leder")
    application = _submitted(world, full_data)
    assignment = actions.assign_reviewer(world["officer"], application, world["reviewer"])
    actions.declare_conflict(world["reviewer"], assignment, False)
    actions.submit_review(world["reviewer"], assignment, ALL_FOURS, {"cooperation": "Svak"})
    conflicted = actions.assign_reviewer(world["officer"], application, world["reviewer2"])
    actions.declare_conflict(world["reviewer2"], conflicted, True, "Søster er kommunalsjef")
    actions.record_eligibility_verdict(world["officer"], application, True, "Alt på plass")

    page = _client(world["officer"]).get(f"/scheme/soknader/{application.pk}/").content.decode()
    assert "<tr><td>Rita Vurderer</td>" in page and "<tr><td>reviewer</td>" not in page
    assert "<tr><td>reviewer2</td>" in page  # no name recorded: the login
    assert "Kommentarer fra Rita Vurderer</summary>" in page
    assert "<p>reviewer2: inhabil – Søster er kommunalsjef</p>" in page
    assert "Alt på plass (Siri Saksbehandler, " in page and "(officer, " not in page
    assert "– Lise Leder</li>" in page and "– lead_seljord</li>" not in page

    # A refusal names the reviewer the same way.
    with pytest.raises(ActionRefused) as refused:
        actions.assign_reviewer(world["officer"], application, world["reviewer"])
    assert refused.value.params == {"user": "Rita Vurderer"}

    run = actions.run_selection(world["officer"], world["call"])
    actions.decide_selection(world["officer"], run, "Eneste søker.", chosen=["0828"])
    page = _client(world["officer"]).get("/scheme/utvelgelse/").content.decode()
    assert ", Siri Saksbehandler)</h2>" in page
    assert page.split('id="decision-text">', 1)[1].split("</p>", 1)[0].endswith(" · Siri Saksbehandler")
