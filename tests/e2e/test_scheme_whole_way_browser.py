"""Issue 11, acceptance 1: the scheme the whole way through the UI on the demo's data. A project lead reads
the open call and applies with two practices; a reviewer declares a conflict on one application and scores
another; the officer runs the selection at the call's own targets and decides; the project lead accepts;
the payments page shows one instalment row per recipient (the municipality and each practice); two finance
officers prepare and approve one. Every step is a form or a button; the database is only read to check."""

import re

import pytest

from page_scan import bokmal_day

pytestmark = pytest.mark.django_db(transaction=True)

NBSP = "\xa0"
# Norwegian amounts: thousands separated by a (non-breaking) space, decimal comma, "kr".
NOK = re.compile(r"^−?\d{1,3}(?:[\s\xa0]\d{3})*,\d{2}[\s\xa0]kr$")


@pytest.fixture
def demo(settings):  # type: ignore[no-untyped-def]
    """The scheme part of `make demo`: 2017 reference data, the seeded registry of the applicants, the demo
    users and the scheme's demo (the decided 2017 call and the open call with Flora's application)."""
    from pht.apps.accounts.models import User
    from pht.apps.registry.loading import load_demo_registry, load_municipalities
    from pht.apps.scheme import demo as scheme_demo
    from pht.site.demo import create_demo_users
    from pht.synth.demo import DEMO_SEED

    load_municipalities(2017)
    load_demo_registry(seed=DEMO_SEED, only=tuple(scheme_demo.APPLICANTS))
    create_demo_users()
    scheme_demo.build_demo(lambda line: None)
    for user in User.objects.all():
        user.set_password("test-password-123")
        user.save()
    return scheme_demo


def _messages(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator(".pht-messages").inner_text()


def test_the_whole_way_from_open_call_to_an_approved_disbursement(logged_in, browser, live_server, demo):  # type: ignore[no-untyped-def]
    from pht.apps.scheme import models as m

    code = demo.OPEN_CALL_CODE
    call = m.Call.objects.get(code=code)
    title = call.title
    case = f"{code}/0828"

    # 1. The project lead reads the open call and applies with both of Seljord's practices.
    context, page = logged_in("prosjektleder")
    page.goto(f"{live_server.url}/scheme/utlysninger/")
    page.get_by_role("link", name=title).click()
    page.wait_for_url(re.compile(rf".*/scheme/utlysninger/{code}/$"))
    assert page.locator("#call-status").inner_text() == "Publisert"
    assert "kan søke om å ta med flere legekontor" in page.locator("#call-description").inner_text()
    assert page.locator("#call-deadline").inner_text().startswith(bokmal_day(call.deadline_date))
    page.get_by_role("link", name="Søk på denne utlysningen").click()
    page.wait_for_url(re.compile(rf".*/scheme/soknader/ny/\?call={code}$"))
    page.get_by_label("Navn").fill("Per Prosjektleder")
    page.get_by_label("Lokal ledelse og forankring").fill("Kommunalsjefen leder styringsgruppen.")
    page.get_by_label("Prosjektplan").fill("Begge legekontorene tar i bruk teammodellen.")
    page.get_by_label("Budsjett (kr)").fill("1 200 000")
    practices = page.locator("fieldset.practice")
    assert practices.count() == 2
    orgnrs = [practices.nth(i).get_attribute("data-orgnr") for i in range(2)]
    for i in range(2):
        practice = practices.nth(i)
        practice.get_by_label("Delta med dette legekontoret").check()
        practice.get_by_label("Finansieringsmodell").select_option("fee")
        practice.get_by_label("Teamleder (fastlege)").select_option(index=1)
        practice.get_by_label("Sykepleier (årsverk)").fill("1")
        practice.get_by_label("Helsesekretær (årsverk)").fill("0,5")
    page.get_by_role("button", name="Send inn").click()
    page.wait_for_url(re.compile(r".*/scheme/soknader/\d+/$"))
    application_url = page.url
    assert "Søknaden er sendt inn." in _messages(page)
    assert page.locator("#status").inner_text() == "Sendt inn"
    assert title in page.locator("main").inner_text()
    assert f"1{NBSP}200{NBSP}000,00{NBSP}kr" in page.locator("main").inner_text()
    context.close()

    # 2. The officer assigns the reviewer by name.
    context, page = logged_in("saksbehandler")
    page.goto(application_url)
    page.get_by_label("Tildel fagvurderer").select_option(label="Frode Fagvurderer")
    page.get_by_role("button", name="Tildel").click()
    assert "Fagvurdereren er tildelt." in _messages(page)
    context.close()

    # 3. The reviewer sees both applications to the open call, with the call named; declares a conflict on
    #    Flora's and scores Seljord's.
    context, page = logged_in("fagvurderer")
    page.goto(f"{live_server.url}/scheme/vurderinger/")
    open_rows = page.locator("tbody tr").filter(has_text=title)
    assert open_rows.count() == 2
    assert sorted(open_rows.nth(i).get_by_role("link").inner_text() for i in range(2)) == ["Flora", "Seljord"]
    open_rows.filter(has_text="Flora").get_by_role("link").click()
    assert title in page.locator("#review-call").inner_text()
    page.get_by_label("Ja, jeg er inhabil").check()
    page.get_by_label("Beskrivelse").fill("Gift med en fastlege ved et av legekontorene i Flora.")
    page.get_by_role("button", name="Erklær").click()
    assert "Erklæringen er registrert." in _messages(page)
    assert page.locator("#status").inner_text() == "Inhabil"
    assert page.get_by_role("button", name="Send vurdering").count() == 0
    page.goto(f"{live_server.url}/scheme/vurderinger/")
    page.locator("tbody tr").filter(has_text=title).filter(has_text="Seljord").get_by_role("link").click()
    page.get_by_label("Nei, jeg er ikke inhabil").check()
    page.get_by_role("button", name="Erklær").click()
    assert page.locator("#status").inner_text() == "Ikke inhabil"
    scores = page.locator("select[id^=score_]")
    assert scores.count() == 5
    for i in range(5):
        scores.nth(i).select_option("4")
    page.get_by_role("button", name="Send vurdering").click()
    assert "Vurderingen er sendt." in _messages(page)
    assert page.locator("#status").inner_text() == "Sendt inn"
    page.goto(f"{live_server.url}/scheme/vurderinger/")
    statuses = {
        row.get_by_role("link").inner_text(): row.locator("[data-review-status]").inner_text()
        for row in page.locator("tbody tr").filter(has_text=title).all()
    }
    assert statuses == {"Flora": "Inhabil", "Seljord": "Sendt inn"}
    context.close()

    # 4. The officer runs the selection at the open call's own targets (not the 2017 call's), and decides;
    #    every page stays on the open call.
    context, page = logged_in("saksbehandler")
    page.goto(f"{live_server.url}/scheme/utlysning/?call={code}")
    assert page.get_by_role("heading", level=1).inner_text() == title
    page.get_by_role("link", name="Til utvelgelsen").click()
    page.wait_for_url(re.compile(rf".*/scheme/utvelgelse/\?call={code}$"))
    assert title in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_label("Mål: små kommuner").input_value() == "1"
    assert page.get_by_label("Mål: mellomstore kommuner").input_value() == "1"
    assert page.get_by_label("Mål: store kommuner").input_value() == "0"
    page.get_by_role("button", name="Kjør utvelgelse").click()
    page.wait_for_url(re.compile(rf".*/scheme/utvelgelse/\?call={code}$"))
    assert "Utvelgelsen er kjørt." in _messages(page)
    assert page.locator("#selection-status").get_attribute("data-status") == "optimal"
    chosen = page.locator("#chosen").inner_text()
    assert "Seljord (0828)" in chosen and "Flora (1401)" in chosen
    page.get_by_label("Begrunnelse for vedtaket").fill("Begge søkerne passer målene for utvidelsen.")
    page.get_by_role("button", name="Fatt vedtak").click()
    page.wait_for_url(re.compile(rf".*/scheme/utvelgelse/\?call={code}$"))
    assert "Utvelgelsen er vedtatt og tilsagn er laget." in _messages(page)
    seljord = page.locator('#candidate-table tr[data-candidate="0828"]')
    assert "Valgt" in seljord.inner_text() and "Innvilget" in seljord.inner_text()
    context.close()
    # The 2017 call's decision is untouched.
    assert m.SelectionDecision.objects.filter(call__code="call-2017").count() == 1

    # 5. The project lead finds the decision from the application and accepts it.
    context, page = logged_in("prosjektleder")
    page.goto(f"{live_server.url}/scheme/soknader/")
    page.locator("tbody tr").filter(has_text=title).get_by_role("link").click()
    assert page.locator("#status").inner_text() == "Innvilget"
    page.get_by_role("link", name="Tilsagn").click()
    page.wait_for_url(re.compile(r".*/scheme/tilsagn/\d+/$"))
    decision = m.GrantDecision.objects.get(
        application__call=call, application__municipality__kommunenummer="0828"
    )
    assert case in page.locator("#decision-case").inner_text()
    lines = page.locator("#grant-lines tbody tr")
    assert lines.count() == 3  # the municipality and each of the two practices
    for orgnr in orgnrs:
        assert lines.filter(has_text=orgnr).count() == 1
    total = page.locator("#grant-lines tfoot td").inner_text()
    assert NOK.match(total), total
    assert total.replace(NBSP, " ") == f"{decision.total:,.2f} kr".replace(",", " ").replace(".", ",")
    for cell in page.locator("#grant-years td.num").all():
        assert NOK.match(cell.inner_text()), cell.inner_text()
    page.get_by_role("button", name="Aksepter tilsagnet").click()
    assert "Tilsagnet er akseptert." in _messages(page)
    assert "Akseptert" in page.locator("main").inner_text()
    context.close()

    # 6. The payments page, narrowed to the open call: one row per recipient and instalment, each naming its
    #    case; the first finance officer prepares the first practice's first instalment.
    context, page = logged_in("okonomi")
    page.goto(f"{live_server.url}/scheme/utbetalinger/")
    page.get_by_label("Utlysning").select_option(label=title)
    page.get_by_role("button", name="Vis").click()
    page.wait_for_url(re.compile(rf".*/scheme/utbetalinger/\?call={code}$"))
    rows = page.locator("#instalments tbody tr")
    instalments = decision.instalments.count()
    assert rows.count() == instalments and instalments >= 3
    assert page.locator(f'#instalments tr[data-case="{case}"]').count() == instalments
    recipients = {row.get_attribute("data-recipient") for row in rows.all()}
    assert recipients == {"kommune", *orgnrs}
    for recipient in recipients:
        first = page.locator(f'tr[data-recipient="{recipient}"]').first
        assert NOK.match(first.locator("td.num").inner_text())
        assert "Planlagt" in first.inner_text()
    target = page.locator(f'tr[data-recipient="{orgnrs[0]}"]').first
    due = target.locator("td[data-due]").inner_text()
    target.get_by_role("button", name="Forbered").click()
    # back at the row acted on
    page.wait_for_url(re.compile(rf".*/scheme/utbetalinger/\?call={code}#termin-\d+$"))
    assert "Utbetalingen er forberedt." in _messages(page)
    target = page.locator(f'tr[data-recipient="{orgnrs[0]}"]').first
    assert "Forberedt" in target.inner_text()
    # Four eyes: the one who prepared it is not offered the approval.
    assert "Venter på godkjenning av en annen økonomimedarbeider" in target.inner_text()
    assert target.get_by_role("button", name="Godkjenn").count() == 0
    context.close()

    # 7. The second finance officer approves it.
    context, page = logged_in("okonomi2")
    page.goto(f"{live_server.url}/scheme/utbetalinger/?call={code}")
    target = page.locator(f'tr[data-recipient="{orgnrs[0]}"]').first
    assert target.locator("td[data-due]").inner_text() == due
    target.get_by_role("button", name="Godkjenn").click()
    page.wait_for_url(re.compile(rf".*/scheme/utbetalinger/\?call={code}#termin-\d+$"))
    assert "Utbetalingen er godkjent." in _messages(page)
    target = page.locator(f'tr[data-recipient="{orgnrs[0]}"]').first
    assert "Godkjent" in target.inner_text()
    context.close()

    approved = m.Instalment.objects.get(decision=decision, status="approved")
    assert approved.line.orgnr == orgnrs[0]
    assert approved.prepared_by.username == "okonomi" and approved.approved_by.username == "okonomi2"
