"""A finance officer links a payment to a settled month on the statement page in a real browser, in
bokmål: the payment is listed with the paid total against the current total; the same reference again
and a date in the future are refused at the field they concern, and nothing stored changes; the shadow
statement offers no payment form."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from pht.apps.accounts.models import Organisation, OrganisationKind, Role

MUNICIPALITIES = ("0828",)  # Seljord and its pilot practices
PERIOD = "2018-05"
REFERENCE = "UTB-2018-06-0042"
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def payment_lake(pilot_lake):  # type: ignore[no-untyped-def]
    return pilot_lake(*MUNICIPALITIES)


def _nb(value: Decimal) -> str:
    """Kroner as bokmål writes them: 131 784,54 (a no-break space between the thousands)."""
    whole, _, ore = f"{value:,.2f}".partition(".")
    return whole.replace(",", NBSP) + "," + ore


def _submit(page, reference: str, paid_on: str, amount: str) -> int:  # type: ignore[no-untyped-def]
    """Fill the payment form as a person types it and send it; the response's status."""
    form = page.get_by_test_id("payment-form")
    form.get_by_label("Betalingsreferanse").fill(reference)
    form.get_by_label("Betalt dato").fill(paid_on)
    form.get_by_label("Beløp betalt (kr)").fill(amount)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        form.get_by_role("button", name="Knytt utbetaling").click()
    page.wait_for_load_state()
    return posted.value.status


def test_officer_links_a_payment_to_a_settled_month_and_is_refused_a_duplicate_and_a_future_date(
    payment_lake, settings, make_user, page, login, live_server, transactional_db
):
    from pht.apps.finance.job_kinds import KIND
    from pht.apps.finance.models import Statement, StatementPayment
    from pht.apps.jobs.actions import run_pending_jobs, start_job
    from pht.apps.registry.loading import load_demo_registry, load_municipalities

    settings.PHT_FINANCE_LAKE = payment_lake
    load_municipalities(2017)
    load_demo_registry(seed=2017, only=MUNICIPALITIES)
    directorate = Organisation.objects.create(kind=OrganisationKind.DIRECTORATE, name="Helsedirektoratet")
    officer = make_user("okonomi_betaling", roles=[Role.FINANCE_OFFICER], organisation=directorate)
    # The month is settled as the runs page does it: a settlement job, run by the worker's function.
    start_job(officer, KIND, {"period": PERIOD})
    run_pending_jobs()
    own = Statement.objects.filter(period=PERIOD, own_model=True).order_by("practice__orgnr").first()
    assert own is not None and own.total > Decimal("10000.00")
    orgnr = own.practice.orgnr
    # A part payment with øre and thousands, so the decimal comma and the grouping both count, and the
    # paid total differs from what is left to pay.
    amount = Decimal(int(own.total * 3 / 4)) + Decimal("0.54")

    login(page, "okonomi_betaling")
    page.goto(f"{live_server.url}/finance/statements/{orgnr}/{PERIOD}/{own.model}/")
    expect(page.get_by_test_id("no-payments")).to_be_visible()
    # the page's one payment button and its many «Detaljer» say what they concern (WCAG 2.4.6)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r" · mai 2018$"))
    expect(page.get_by_test_id("payment-form").get_by_role("button")).to_have_accessible_name(
        "Knytt utbetaling til mai 2018"
    )
    details = page.locator("summary")
    assert details.count() > 3
    names = {details.nth(i).text_content() for i in range(details.count())}
    assert len(names) == details.count()
    expect(details.first).to_have_accessible_name(re.compile(r"^Detaljer – \S"))
    typed = _nb(amount).replace(NBSP, " ")  # as typed: 131 784,54
    assert _submit(page, REFERENCE, "20.06.2018", typed) == 302  # linked, and back to the statement
    assert re.search(rf"/finance/statements/{orgnr}/{PERIOD}/{own.model}/#payments$", page.url)
    expect(page.get_by_role("status")).to_contain_text("Betalingen er knyttet til måneden.")

    stored = StatementPayment.objects.get()
    assert (stored.statement_id, stored.reference, stored.paid_on, stored.amount, stored.recorded_by) == (
        own.pk,
        REFERENCE,
        dt.date(2018, 6, 20),
        amount,
        officer,
    )
    table = page.get_by_test_id("payment-table")
    expect(table.get_by_test_id("payment")).to_have_count(1)
    expect(table.get_by_test_id("payment").locator("td")).to_have_text(
        [REFERENCE, "20. juni 2018", "1", "okonomi_betaling", _nb(amount)]
    )
    expect(table.get_by_role("row", name="Betalt i alt")).to_have_text(re.compile(rf"{_nb(amount)}$"))
    expect(table.get_by_role("row", name="Gjeldende sum minus betalt")).to_have_text(
        re.compile(rf"{_nb(own.total - amount)}$")
    )
    expect(page.get_by_test_id("statement-total")).to_have_text(f"{_nb(own.total)}{NBSP}kr")
    expect(page.get_by_test_id("no-payments")).to_have_count(0)

    # The same reference again (another date and amount): refused at the reference, naming it.
    assert _submit(page, REFERENCE, "21.06.2018", "5,00") == 400
    reference = page.get_by_label("Betalingsreferanse")
    expect(reference).to_have_attribute("aria-invalid", "true")
    expect(reference).to_have_accessible_description(
        f"Betalingsreferanse: Utbetaling {REFERENCE} er allerede knyttet til denne måneden."
    )
    expect(page.get_by_label("Betalt dato")).not_to_have_attribute("aria-invalid", "true")

    # A date in the future: refused at the date, naming it.
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).strftime("%d.%m.%Y")
    assert _submit(page, "UTB-2018-06-0043", tomorrow, "5,00") == 400
    paid_on = page.get_by_label("Betalt dato")
    expect(paid_on).to_have_attribute("aria-invalid", "true")
    expect(paid_on).to_have_accessible_description(
        re.compile(r"Betalt dato: En betalingsdato kan ikke ligge i fremtiden\.")
    )
    expect(page.get_by_label("Betalingsreferanse")).not_to_have_attribute("aria-invalid", "true")
    _assert_error_icon_inside_its_message(page, page.locator(".ds-validation-message").first)

    # Nothing stored changed: still the one payment, as it was, and the page still says so.
    assert list(StatementPayment.objects.values_list("statement_id", "reference", "paid_on", "amount")) == [
        (own.pk, REFERENCE, dt.date(2018, 6, 20), amount)
    ]
    expect(page.get_by_test_id("payment-table").get_by_test_id("payment")).to_have_count(1)
    expect(page.get_by_test_id("paid-total")).to_have_text(_nb(amount))

    # The shadow statement of the month is not paid: no form to link a payment.
    page.get_by_role("link", name=re.compile("Se den andre modellen")).click()
    page.wait_for_url(re.compile(rf".*/finance/statements/{orgnr}/{PERIOD}/(?!{own.model}/)\w+/$"))
    payments = page.get_by_role("region", name="Utbetalinger")
    expect(payments).to_contain_text("Et skyggeoppgjør utbetales ikke.")
    expect(page.get_by_test_id("payment-form")).to_have_count(0)
    expect(page.get_by_role("button", name="Knytt utbetaling")).to_have_count(0)
    expect(page.get_by_label("Betalingsreferanse")).to_have_count(0)
    assert StatementPayment.objects.count() == 1


def _assert_error_icon_inside_its_message(page, message) -> None:  # type: ignore[no-untyped-def]
    """The message's icon is drawn in the message's own start padding, not out past the page's edge:
    that strip of the screenshot holds the icon's red."""
    import io

    from PIL import Image

    message.scroll_into_view_if_needed()
    box = message.bounding_box()
    start = float(message.evaluate("e => parseFloat(getComputedStyle(e).paddingInlineStart)"))
    assert box is not None and start > 8
    strip = Image.open(
        io.BytesIO(
            page.screenshot(clip={"x": box["x"], "y": box["y"], "width": start, "height": box["height"]})
        )
    ).convert("RGB")
    red = [p for p in strip.get_flattened_data() if p[0] > 140 and p[1] < 90 and p[2] < 90]
    assert len(red) > 20, "the validation icon is not inside its message"
