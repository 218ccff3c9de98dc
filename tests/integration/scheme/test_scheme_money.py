"""Grants per recipient, amendments within a frame, letters people can rely on, and money that cannot go
wrong (locks, limits, four eyes, bounded amounts), on the scheme's test world (Seljord: a practice of 3 GPs
and one of 1 GP; the 2017 call, 1 Apr 2018 - 31 Mar 2021)."""

from __future__ import annotations

import datetime
import subprocess
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from test_scheme_permissions_and_flow import _decided

from pht.apps.accounts.actions import ActionRefused
from pht.apps.scheme import actions
from pht.apps.scheme import models as m

NBSP = "\u00a0"


def _client(user: Any, language: str = "nb") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _accepted(world: dict[str, Any], full_data: Any) -> m.GrantDecision:
    decision = _decided(world, full_data)
    actions.accept_decision(world["lead_seljord"], decision, on=datetime.date(2018, 2, 1))
    decision.refresh_from_db()
    return decision


def _pay(world: dict[str, Any], instalments: Any) -> None:
    for instalment in instalments:
        actions.prepare_disbursement(world["finance1"], instalment)
        actions.approve_disbursement(world["finance2"], instalment)


def _pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)
    return " ".join(done.stdout.decode().split())  # words as read, whatever the line breaks


# --- grants to practices as well as the municipality -------------------------------------------------


def test_a_decision_has_a_line_per_recipient_that_add_up_to_the_total(
    world: dict[str, Any], full_data: Any
) -> None:
    decision = _decided(world, full_data)
    lines = {(line.kind, line.orgnr): line for line in decision.lines.all()}
    # By hand, 1 Apr 2018 - 31 Mar 2021 (275/365 + 1 + 1 + 90/365 = 3 years, each year rounded):
    # Seljord legesenter, 3 GPs: 678,082.19 + 900,000 + 900,000 + 221,917.81 = 2,700,000.00
    # Flatdal legekontor, 1 GP: 226,027.40 + 300,000 + 300,000 + 73,972.60 = 900,000.00
    # municipality 400,000 + 4 x 10,000: 331,506.85 + 440,000 + 440,000 + 108,493.15 = 1,320,000.00
    assert {key: line.total for key, line in lines.items()} == {
        ("municipality", ""): Decimal("1320000.00"),
        ("practice", "100000011"): Decimal("2700000.00"),
        ("practice", "100000012"): Decimal("900000.00"),
    }
    assert lines[("practice", "100000011")].gps == 3 and lines[("practice", "100000012")].gps == 1
    assert decision.total == Decimal("4920000.00")
    actions.accept_decision(world["lead_seljord"], decision, on=datetime.date(2018, 2, 1))
    for line in decision.lines.all():
        planned = list(line.instalments.all())
        assert sum(i.amount for i in planned) == line.total
        assert all(i.due >= line.start for i in planned)
        assert [i.number for i in planned] == list(range(1, len(planned) + 1))


def test_payments_page_and_export_have_one_row_per_recipient_and_instalment(
    world: dict[str, Any], full_data: Any
) -> None:
    decision = _accepted(world, full_data)
    page = _client(world["finance1"]).get("/scheme/utbetalinger/").content.decode()
    for recipient in ("kommune", "100000011", "100000012"):
        assert f'data-recipient="{recipient}"' in page
    assert f"339{NBSP}041,10{NBSP}kr" in page  # Seljord legesenter's first half of 2018
    _pay(world, decision.instalments.filter(due=datetime.date(2018, 4, 1)))
    rows = _client(world["finance1"]).get("/scheme/utbetalinger.csv").content.decode().strip().splitlines()
    assert rows[1:] == [
        f"0828,Seljord,{name},{orgnr},1,2018-04-01,2018,{amount},call-2017/0828,finance1,finance2,{rest}"
        for (name, orgnr, amount), rest in zip(
            [
                ("Seljord kommune", "", "165753.43"),
                ("Flatdal legekontor", "100000012", "113013.70"),
                ("Seljord legesenter", "100000011", "339041.10"),
            ],
            [row.rsplit(",", 1)[1] for row in rows[1:]],
            strict=True,
        )
    ]


def test_a_case_officer_cannot_prepare_a_disbursement(world: dict[str, Any], full_data: Any) -> None:
    decision = _accepted(world, full_data)
    instalment = decision.instalments.first()
    with pytest.raises(ActionRefused, match="finance_officer"):
        actions.prepare_disbursement(world["officer"], instalment)
    officer = _client(world["officer"], "en")
    page = officer.get("/scheme/utbetalinger/").content.decode()
    assert 'value="prepare"' not in page  # no button for the case officer
    response = officer.post(
        "/scheme/utbetalinger/", {"instalment": instalment.pk, "step": "prepare"}, follow=True
    )
    assert response.status_code == 200 and "finance officer" in response.content.decode()
    instalment.refresh_from_db()
    assert instalment.status == "planned" and instalment.prepared_by is None


# --- reports and clawbacks -----------------------------------------------------------------------


def test_a_report_cannot_claim_more_than_was_paid_without_the_officers_decision(
    world: dict[str, Any], full_data: Any
) -> None:
    decision = _accepted(world, full_data)
    report = decision.reports.get(year=2018, line__orgnr="100000012")
    _pay(world, decision.instalments.filter(line=report.line, due=datetime.date(2018, 4, 1)))
    # paid to Flatdal for 2018: the April half, 113,013.70
    lead = _client(world["lead_seljord"], "en")
    response = lead.post(
        "/scheme/rapporter/",
        {"report": report.pk, "progress": "Team i drift", "spent": "120000"},
        follow=True,
    )
    assert response.status_code == 200
    assert "more than was paid for 2018 (NOK 113,013.70)" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "due" and report.spent is None
    with pytest.raises(ActionRefused, match="reason"):
        actions.allow_overspending(world["officer"], report, Decimal("10000"), " ")
    with pytest.raises(ActionRefused, match="case_officer"):
        actions.allow_overspending(world["lead_seljord"], report, Decimal("10000"), "x")
    actions.allow_overspending(world["officer"], report, Decimal("10000"), "Forskuttert lønn")
    with pytest.raises(ActionRefused, match="more than was paid"):
        actions.submit_report(world["lead_seljord"], report, "x", Decimal("123013.71"))
    actions.submit_report(world["lead_seljord"], report, "Team i drift", Decimal("123013.70"))
    # the officer sees the report's text and figures where it is approved
    page = _client(world["officer"]).get("/scheme/rapporter/").content.decode()
    row = page.split(f'data-report="{report.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "Team i drift" in row and f"123{NBSP}013,70{NBSP}kr" in row and f"113{NBSP}013,70{NBSP}kr" in row
    assert 'value="approve"' in row


def test_clawbacks_never_exceed_what_is_unspent_and_unclaimed(world: dict[str, Any], full_data: Any) -> None:
    decision = _accepted(world, full_data)
    report = decision.reports.get(year=2018, line__orgnr="100000011")
    with pytest.raises(ActionRefused, match="not been submitted"):
        actions.record_clawback(world["officer"], report, Decimal("1"), "x")
    _pay(world, decision.instalments.filter(line=report.line, year=2018))  # 678,082.19
    actions.submit_report(world["lead_seljord"], report, "OK", Decimal("600000.00"))
    assert actions.unspent(report) == Decimal("78082.19")
    with pytest.raises(ActionRefused, match="more than is unspent"):
        actions.record_clawback(world["officer"], report, Decimal("78082.20"), "for mye")
    actions.record_clawback(world["officer"], report, Decimal("50000.00"), "del 1")
    with pytest.raises(ActionRefused, match=r"not yet claimed \(NOK 28,082.19\)"):
        actions.record_clawback(world["officer"], report, Decimal("50000.00"), "del 2")
    response = _client(world["officer"], "en").post(
        "/scheme/rapporter/",
        {"report": report.pk, "step": "clawback", "amount": "28082.20", "reason": "x"},
        follow=True,
    )
    assert response.status_code == 200 and "more than is unspent" in response.content.decode()
    actions.record_clawback(world["officer"], report, Decimal("28082.19"), "del 2")
    assert actions.claimable(report) == Decimal("0.00")
    assert sum(c.amount for c in report.clawbacks.all()) == Decimal("78082.19")


# --- amendments: extension and late joiners -------------------------------------------------------


def test_extension_and_a_late_practice_are_amendments_within_the_frame(
    world: dict[str, Any], full_data: Any, make_practice: Any
) -> None:
    decision = _accepted(world, full_data)
    frame = decision.total
    _pay(world, decision.instalments.filter(year__in=[2018, 2019]))
    paid = sum(i.amount for i in decision.instalments.filter(status="approved"))
    # paid by hand: practices 678,082.19 + 226,027.40 + 900,000 + 300,000; municipality 331,506.85 + 440,000
    assert paid == Decimal("2875616.44")
    world["call"].extended_end = datetime.date(2023, 3, 31)
    world["call"].save()
    officer = _client(world["officer"])
    response = officer.post(
        f"/scheme/tilsagn/{decision.pk}/endring/",
        {
            "as_of": "2019-12-01",
            "new_end": "2023-03-31",
            "frame": str(frame),
            "note": "Forlenget i 2019 innen samme budsjett.",
        },
    )
    amendment = m.Amendment.objects.get(decision=decision, number=1)
    assert response.status_code == 302 and response["Location"].endswith(f"/endringsvedtak/{amendment.pk}/")
    decision.refresh_from_db()
    # open entitlement 2020 - 31 Mar 2023 is 3 years and 90/365 at full rates, far more than the
    # 2,044,383.56 left of the frame, so everyone is scaled and the amended total is the frame
    assert amendment.paid == paid and amendment.total == frame == decision.total
    assert decision.period_end == datetime.date(2023, 3, 31)
    open_instalments = decision.instalments.filter(status="planned")
    assert sum(i.amount for i in open_instalments) == frame - paid
    assert all(i.due >= datetime.date(2019, 12, 1) for i in open_instalments)
    assert max(i.due for i in open_instalments) == datetime.date(2023, 1, 1)
    assert decision.instalments.filter(status="replaced").count() == 3 * 3  # 2020 x2 and 2021 x1 per line
    assert decision.instalments.filter(status="approved").count() == 3 * 4  # untouched
    page = officer.get(f"/scheme/endringsvedtak/{amendment.pk}/").content.decode()
    assert f"{frame:,.2f}".replace(",", NBSP).replace(".", ",") in page

    # A practice joins on 1 January 2020, with a frame the officer states
    late = make_practice(world["seljord"], "100000013", "Brunkeberg legekontor", 2)
    bigger = frame + Decimal("1000000.00")
    second = actions.amend_decision(
        world["officer"],
        decision,
        as_of=datetime.date(2019, 12, 15),
        new_end=datetime.date(2023, 3, 31),
        frame=bigger,
        note="Fire nye legekontor fra 2020.",
        joiners=[actions.Joiner(late.pk, datetime.date(2020, 1, 1))],
    )
    decision.refresh_from_db()
    assert second.total == bigger == decision.total  # still scaled: the frame binds
    new_line = decision.lines.get(orgnr="100000013")
    assert new_line.start == datetime.date(2020, 1, 1) and new_line.amendment == second
    assert min(i.due for i in new_line.instalments.all()) == datetime.date(2020, 1, 1)
    assert new_line.reports.order_by("year").first().year == 2020
    with pytest.raises(ActionRefused, match="already part of the grant"):
        actions.amend_decision(
            world["officer"], decision, as_of=datetime.date(2019, 12, 15), new_end=datetime.date(2023, 3, 31),
            frame=bigger, note="x", joiners=[actions.Joiner(late.pk, datetime.date(2020, 1, 1))],
        )  # fmt: skip
    with pytest.raises(ActionRefused, match="less than what is already paid"):
        actions.amend_decision(
            world["officer"], decision, as_of=datetime.date(2019, 12, 15), new_end=datetime.date(2023, 3, 31),
            frame=Decimal("100"), note="x",
        )  # fmt: skip
    letter = _pdf_text(
        _client(world["lead_seljord"]).get(f"/scheme/endringsvedtak/{second.pk}/brev.pdf").content
    )
    assert "Endringsvedtak 2" in letter and "call-2017/0828" in letter
    assert f"{bigger:,.2f}".replace(",", " ").replace(".", ",") + " kr" in letter
    assert "Brunkeberg legekontor" in letter and "forvaltningsloven §§ 27–29" in letter


# --- letters -------------------------------------------------------------------------------------


def test_letters_carry_case_number_decision_date_amounts_legal_basis_and_appeal(
    world: dict[str, Any], full_data: Any
) -> None:
    decision = _decided(world, full_data)
    decided = datetime.datetime(2017, 12, 1, 10, 0, tzinfo=datetime.UTC)
    m.GrantDecision.objects.filter(pk=decision.pk).update(decided_at=decided)
    text = _pdf_text(
        _client(world["lead_seljord"], "en").get(f"/scheme/tilsagn/{decision.pk}/brev.pdf").content
    )
    assert "Vår referanse (saksnummer): call-2017/0828" in text
    assert "Vedtaksdato: 01.12.2017" in text  # the decision's date, not today's
    assert "til sammen 4 920 000,00 kr" in text
    assert "100000011 3 01.04.2018 2 700 000,00 kr" in text
    assert "100000012 1 01.04.2018 900 000,00 kr" in text
    assert "Hjemmel" in text and "Stortingets vedtak om statsbudsjettet" in text
    assert "forvaltningsloven §§ 27–29" in text and "tre uker" in text
    assert "_" not in text  # no internal parameter key (grant_per_gp_per_year, instalment_months ...)

    flora = m.Application.objects.get(municipality=world["flora"])
    assert flora.status == "rejected"
    assert _client(world["lead_seljord"]).get(f"/scheme/soknader/{flora.pk}/avslag.pdf").status_code == 404
    page = _client(world["lead_flora"]).get(f"/scheme/soknader/{flora.pk}/").content.decode()
    assert f"/scheme/soknader/{flora.pk}/avslag.pdf" in page
    text = _pdf_text(_client(world["lead_flora"]).get(f"/scheme/soknader/{flora.pk}/avslag.pdf").content)
    assert "Avslag på søknad" in text and "call-2017/1401" in text and "tre uker" in text
    selection_day = flora.call.selection_decisions.get().decided_at
    assert f"Vedtaksdato: {selection_day:%d.%m.%Y}" in text and "_" not in text


# --- amounts at the boundary ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1e400", "1000000000000000", "NaN", "-5"])
def test_hostile_frames_and_budgets_are_refused_naming_the_field(
    world: dict[str, Any], full_data: Any, value: str
) -> None:
    decision = _accepted(world, full_data)
    officer = _client(world["officer"], "en")
    response = officer.post(
        f"/scheme/tilsagn/{decision.pk}/endring/",
        {"as_of": "2019-12-01", "new_end": "2023-03-31", "frame": value, "note": "x"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200 and "budget frame" in response.content.decode()
    assert not m.Amendment.objects.exists()
    lead = _client(world["lead_seljord"], "en")
    for url in (
        "/scheme/utbetalinger/", "/scheme/rapporter/", f"/scheme/tilsagn/{decision.pk}/",
        f"/scheme/tilsagn/{decision.pk}/endring/", "/scheme/utbetalinger.csv",
    ):  # fmt: skip
        assert officer.get(url).status_code == 200, url
    assert lead.get("/scheme/rapporter/").status_code == 200


def test_a_budget_of_ten_to_the_fifteen_is_refused(world: dict[str, Any]) -> None:
    from test_scheme_bad_input import _form

    lead = _client(world["lead_seljord"], "en")
    application = actions.create_application(world["lead_seljord"], world["call"])
    for value in ("1000000000000000", "1e400"):
        response = lead.post(
            f"/scheme/soknader/{application.pk}/endre/", _form(world, budget=value), HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 200 and "budget" in response.content.decode().lower()
        application.refresh_from_db()
        assert application.budget is None
    assert lead.get(f"/scheme/soknader/{application.pk}/").status_code == 200
    assert _client(world["officer"]).get("/scheme/soknader/").status_code == 200


# --- concurrency (PostgreSQL) --------------------------------------------------------------------


def _race(*calls: Any) -> list[Any]:
    """Run the calls at once in threads, each with its own connection; their results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Any) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the refusal is the result
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")


@pytest.mark.django_db(transaction=True)
def test_two_approvals_of_one_instalment_have_one_effect(world: dict[str, Any], full_data: Any) -> None:
    _postgres_only()
    from pht.apps.accounts.models import AuditEvent, User

    decision = _accepted(world, full_data)
    instalment = decision.instalments.first()
    actions.prepare_disbursement(world["finance1"], instalment)
    third = User.objects.create(
        username="finance3", roles=["finance_officer"], organisation=world["finance1"].organisation
    )
    copies = [m.Instalment.objects.get(pk=instalment.pk) for _ in range(2)]
    results = _race(
        lambda: actions.approve_disbursement(world["finance2"], copies[0]),
        lambda: actions.approve_disbursement(third, copies[1]),
    )
    assert sum(isinstance(r, ActionRefused) for r in results) == 1, results
    assert AuditEvent.objects.filter(verb="scheme.disbursement.approve").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_clawbacks_against_one_report_have_one_effect(world: dict[str, Any], full_data: Any) -> None:
    _postgres_only()
    decision = _accepted(world, full_data)
    report = decision.reports.get(year=2018, line__orgnr="100000012")
    _pay(world, decision.instalments.filter(line=report.line, year=2018))  # 226,027.40
    actions.submit_report(world["lead_seljord"], report, "OK", Decimal("200000.00"))
    copies = [m.Report.objects.get(pk=report.pk) for _ in range(2)]
    results = _race(
        *(
            lambda c=c: actions.record_clawback(world["officer"], c, Decimal("26027.40"), "ubrukt")
            for c in copies
        )
    )
    assert sum(isinstance(r, ActionRefused) for r in results) == 1, results
    assert m.Clawback.objects.filter(report=report).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_submissions_of_one_application_have_one_effect(world: dict[str, Any], full_data: Any) -> None:
    _postgres_only()
    from pht.apps.accounts.models import AuditEvent

    application = actions.create_application(
        world["lead_seljord"], world["call"], full_data(world["seljord_practices"])
    )
    before = datetime.datetime(2017, 10, 10, 12, 0, tzinfo=datetime.UTC)
    copies = [m.Application.objects.get(pk=application.pk) for _ in range(2)]
    results = _race(
        *(lambda c=c: actions.submit_application(world["lead_seljord"], c, now=before) for c in copies)
    )
    assert sum(isinstance(r, ActionRefused) for r in results) == 1, results
    assert AuditEvent.objects.filter(verb="scheme.application.submit").count() == 1
    assert m.ApplicationRevision.objects.filter(application=application).count() == 1


def test_extending_the_call_amends_every_accepted_decision_within_its_total(
    world: dict[str, Any], full_data: Any
) -> None:
    decision = _accepted(world, full_data)
    total = decision.total
    _pay(world, decision.instalments.filter(year=2018))
    officer = _client(world["officer"])
    assert 'id="extend-decisions"' not in officer.get(f"/scheme/tilsagn/{decision.pk}/").content.decode()
    actions.extend_call(world["officer"], world["call"], datetime.date(2023, 3, 31), "Forlenget i 2019.")
    assert 'id="extend-decisions"' in officer.get(f"/scheme/tilsagn/{decision.pk}/").content.decode()
    url = f"/scheme/utlysning/{world['call'].pk}/forleng-tilsagn/"
    bad = officer.post(url, {"as_of": "31.02.2019", "note": "x", "decision": decision.pk}, follow=True)
    assert bad.status_code == 200 and not m.Amendment.objects.exists()
    assert "Endringsdato: 31.02.2019 er ikke en dato; skriv den som dd.mm.åååå" in bad.content.decode()
    assert _client(world["lead_seljord"]).post(url, {"as_of": "2019-01-01", "note": "x"}).status_code == 404
    # typed as a bokmål page writes it (the amendment tests above post ISO)
    response = officer.post(
        url, {"as_of": "01.01.2019", "note": "Forlenget i 2019.", "decision": decision.pk}
    )
    assert response.status_code == 302
    amendment = m.Amendment.objects.get()
    decision.refresh_from_db()
    assert decision.period_end == datetime.date(2023, 3, 31)
    assert amendment.frame == total == amendment.total == decision.total  # the same budget
    planned = decision.instalments.filter(status="planned")
    assert max(i.due for i in planned) == datetime.date(2023, 1, 1)
    assert sum(i.amount for i in planned) + amendment.paid == total
    # a second extension of the same call has nothing to amend
    officer.post(url, {"as_of": "2019-01-01", "note": "igjen", "decision": decision.pk})
    assert m.Amendment.objects.count() == 1


def test_each_line_explains_itself_in_the_page_language(world: dict[str, Any], full_data: Any) -> None:
    decision = _decided(world, full_data)
    page = _client(world["lead_seljord"]).get(f"/scheme/tilsagn/{decision.pk}/").content.decode()
    lines = page.split('id="grant-lines"', 1)[1].split("</table>", 1)[0]
    # Seljord legesenter, 2018: 3 GPs x 300,000 x 275/365 = 678,082.19
    # (numbers in the page language's format: pht_format)
    assert f"2018: 3 fastleger × 300{NBSP}000,00 × 275/365 dager = 678{NBSP}082,19" in lines
    # the municipality, 2018: 400,000 x 275/365 + 10,000 x (4 GPs x 275 days) / 365 = 331,506.85
    assert (
        f"2018: 400{NBSP}000,00 × 275/365 dager + 10{NBSP}000,00 × 1{NBSP}100 fastlegedager / 365 = 331{NBSP}506,85"
        in lines
    )
    english = _client(world["lead_seljord"], "en").get(
        f"/scheme/tilsagn/{decision.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "2018: 3 GPs × 300,000.00 × 275/365 days = 678,082.19" in english.content.decode()


def test_one_instalment_number_per_line_and_one_report_per_recipient_and_year(
    world: dict[str, Any], full_data: Any
) -> None:
    from django.db import IntegrityError, transaction

    decision = _accepted(world, full_data)
    instalment = decision.instalments.first()
    report = decision.reports.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Instalment.objects.create(
            decision=decision, line=instalment.line, number=instalment.number, due=instalment.due,
            year=instalment.year, practice_amount=Decimal("1"), municipality_amount=Decimal("0"),
        )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Report.objects.create(
            decision=decision, line=report.line, year=report.year, due_date=report.due_date
        )
    # the same number on another recipient's line is another instalment
    other = decision.lines.exclude(pk=instalment.line_id).first()
    assert other.instalments.filter(number=instalment.number).exists()


@pytest.mark.parametrize(
    ("language", "written", "typed", "bad", "refused"),
    [
        ("nb", "%d.%m.%Y", "01.12.2019", "31.02.2023", "Ny sluttdato: 31.02.2023 er ikke en dato"),
        ("en", "%m/%d/%Y", "12/01/2019", "02/31/2023", "New end date: 02/31/2023 is not a date"),
    ],
)
def test_amendment_dates_are_shown_and_typed_in_the_pages_language(
    world: dict[str, Any], full_data: Any, language: str, written: str, typed: str, bad: str, refused: str
) -> None:
    decision = _accepted(world, full_data)
    call = world["call"]
    officer = _client(world["officer"], language)
    url = f"/scheme/tilsagn/{decision.pk}/endring/"
    page = officer.get(url).content.decode()
    today = datetime.date.today()
    assert f'name="as_of" value="{today.strftime(written)}"' in page
    assert f'name="new_end" value="{call.end_date.strftime(written)}"' in page
    assert 'aria-describedby="as_of_hint"' in page and 'id="as_of_hint"' in page
    form = {"as_of": typed, "new_end": bad, "frame": str(decision.total), "note": "x"}
    response = officer.post(url, form)
    body = response.content.decode()
    assert response.status_code == 200 and refused in body and not m.Amendment.objects.exists()
    assert f'name="new_end" value="{bad}"' in body  # shown back as typed, to be corrected
    # the call's extended end: in the page's format, or ISO
    overview = f"/scheme/utlysning/?call={call.code}"
    officer.post(
        overview, {"extended_end": datetime.date(2021, 9, 30).strftime(written), "extension_note": "x"}
    )
    call.refresh_from_db()
    assert call.extended_end == datetime.date(2021, 9, 30)
    assert (
        f'name="extended_end" value="{call.extended_end.strftime(written)}"'
        in officer.get(overview).content.decode()
    )
    officer.post(overview, {"extended_end": "2021-10-31", "extension_note": "x"})
    call.refresh_from_db()
    assert call.extended_end == datetime.date(2021, 10, 31)
    new_end = datetime.date(2021, 10, 31).strftime(written)
    response = officer.post(url, {**form, "new_end": new_end})
    assert response.status_code == 302 and m.Amendment.objects.get().new_end == datetime.date(2021, 10, 31)
    assert m.Amendment.objects.get().as_of == datetime.date(2019, 12, 1)
