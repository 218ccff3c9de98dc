"""A settled month is linked to the payments that paid it: a finance officer links a payment to the
current own-model statement (audited); the statement page shows the month's payments, of every
version, against the current total; shadow statements, superseded versions, duplicates, other roles
and hostile input are refused with 4xx."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.models import AuditEvent, Role
from pht.rules.financing import CAPITATION, FEE, Period

PERIOD = Period(2018, 5)


@pytest.fixture
def month(
    store_month: Callable[[str], list[Any]], finance_officer: Any, orgs: dict[str, Any], orgnr: str
) -> tuple[Any, Any, str]:
    """May 2018 of practice A stored, the practice paid under the capitation model."""
    store_month(CAPITATION)
    return finance_officer, orgs, orgnr


def _url(name: str, orgnr: str, model: str = CAPITATION) -> str:
    return reverse(f"finance:{name}", args=[orgnr, str(PERIOD), model])


@pytest.mark.django_db
def test_an_officer_links_a_payment_and_the_page_shows_it_against_the_current_total(
    month, store_month
) -> None:
    from pht.apps.finance.models import Statement, StatementPayment

    officer, _, orgnr = month
    client = Client()
    client.force_login(officer)
    statement = Statement.objects.get(practice__orgnr=orgnr, period=str(PERIOD), model=CAPITATION)
    page = client.get(_url("statement", orgnr)).content.decode()
    assert 'data-testid="no-payments"' in page and 'data-testid="payment-form"' in page
    response = client.post(
        _url("link_payment", orgnr),
        {"reference": "UTB-2018-06-0042", "paid_on": "2018-06-20", "amount": "100.00"},
    )
    assert response.status_code == 302
    payment = StatementPayment.objects.get()
    assert (payment.statement, payment.reference, payment.amount) == (
        statement,
        "UTB-2018-06-0042",
        Decimal("100.00"),
    )
    assert payment.recorded_by == officer and payment.paid_on == dt.date(2018, 6, 20)
    event = AuditEvent.objects.get(verb="finance.link_payment")
    assert event.after["reference"] == "UTB-2018-06-0042" and event.after["version"] == 1
    page = client.get(_url("statement", orgnr)).content.decode()
    assert "UTB-2018-06-0042" in page
    assert 'data-testid="paid-total" data-value="100.00"' in page
    assert f'data-testid="unpaid" data-value="{statement.total - Decimal("100.00")}"' in page
    # the same reference twice for the month is refused (400, nothing stored)
    again = client.post(
        _url("link_payment", orgnr),
        {"reference": "UTB-2018-06-0042", "paid_on": "2018-06-21", "amount": "5.00"},
    )
    assert again.status_code == 400 and StatementPayment.objects.count() == 1
    # a re-run supersedes the statement: the payment stays with the version it paid and is still shown
    store_month(CAPITATION)
    current = Statement.objects.get(practice__orgnr=orgnr, period=str(PERIOD), model=CAPITATION)
    assert current.version == 2
    page = client.get(_url("statement", orgnr)).content.decode()
    assert "UTB-2018-06-0042" in page and 'data-testid="paid-total" data-value="100.00"' in page
    from pht.apps.finance.actions import link_payment

    with pytest.raises(ActionRefused, match="superseded"):
        link_payment(officer, statement, "UTB-2", dt.date(2018, 6, 1), Decimal("1.00"))
    with pytest.raises(ActionRefused, match="already linked"):
        link_payment(officer, current, " UTB-2018-06-0042 ", dt.date(2018, 6, 1), Decimal("1.00"))
    assert link_payment(officer, current, "UTB-3", dt.date(2018, 7, 1), Decimal("2.50")).statement == current


@pytest.mark.django_db
def test_shadow_statements_bad_amounts_and_other_roles_are_refused(month, make_user) -> None:
    from pht.apps.finance.actions import link_payment
    from pht.apps.finance.models import Statement, StatementPayment

    officer, orgs, orgnr = month
    shadow = Statement.objects.get(practice__orgnr=orgnr, period=str(PERIOD), model=FEE)
    with pytest.raises(ActionRefused, match="shadow"):
        link_payment(officer, shadow, "UTB-1", dt.date(2018, 6, 1), Decimal("1.00"))
    own = Statement.objects.get(practice__orgnr=orgnr, period=str(PERIOD), model=CAPITATION)
    for amount in (Decimal("0.00"), Decimal("-1.00"), Decimal("0.001")):
        with pytest.raises(ActionRefused, match="positive"):
            link_payment(officer, own, "UTB-1", dt.date(2018, 6, 1), amount)
    with pytest.raises(ActionRefused, match="future"):
        link_payment(officer, own, "UTB-1", dt.date.today() + dt.timedelta(days=1), Decimal("1.00"))
    client = Client()
    client.force_login(officer)
    for data in (
        {"reference": "", "paid_on": "2018-06-01", "amount": "1"},
        {"reference": "X", "paid_on": "not a date", "amount": "1"},
        {"reference": "X", "paid_on": "2018-06-01", "amount": "1e400"},
        {"reference": "X" * 61, "paid_on": "2018-06-01", "amount": "1"},
        {"reference": "X", "paid_on": "2018-06-01", "amount": "-5"},
    ):
        assert client.post(_url("link_payment", orgnr), data).status_code == 400, data
    assert (
        client.post(
            _url("link_payment", orgnr, FEE), {"reference": "X", "paid_on": "2018-06-01", "amount": "1"}
        ).status_code
        == 400
    )
    assert client.post(_url("link_payment", orgnr, "nonsense"), {}).status_code == 404
    assert client.post(_url("link_payment", "999999999"), {}).status_code == 404
    assert client.get(_url("link_payment", orgnr)).status_code == 405
    # the practice's own staff see the statement but link no payment
    gp = make_user("gp1", roles=[Role.GP], organisation=orgs["practice_a"])
    client.force_login(gp)
    assert 'data-testid="payment-form"' not in client.get(_url("statement", orgnr)).content.decode()
    data = {"reference": "X", "paid_on": "2018-06-01", "amount": "1"}
    assert client.post(_url("link_payment", orgnr), data).status_code == 403
    assert StatementPayment.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "typed", "shown", "refused"),
    [
        (
            "nb",
            "20.06.2018",
            "20. juni 2018",
            "Betalt dato: Skriv en gyldig dato som dd.mm.åååå (for eksempel 31.03.2023).",
        ),
        (
            "en",
            "06/20/2018",
            "June 20, 2018",
            "Paid on: Enter a real date as mm/dd/yyyy (for example 03/31/2023).",
        ),
    ],
)
def test_the_payment_date_is_typed_in_the_pages_language(
    month: Any, language: str, typed: str, shown: str, refused: str
) -> None:
    from pht.apps.finance.models import StatementPayment

    officer, _, orgnr = month
    client = Client()
    client.force_login(officer)
    client.cookies["django_language"] = language
    page = client.get(_url("statement", orgnr)).content.decode()
    assert 'aria-describedby="id_paid_on_hint"' in page
    bad = client.post(_url("link_payment", orgnr), {"reference": "X", "paid_on": "31.02.2018", "amount": "1"})
    body = bad.content.decode()
    assert bad.status_code == 400 and refused in body and StatementPayment.objects.count() == 0
    assert 'aria-describedby="id_paid_on_hint id_paid_on_error"' in body and 'id="id_paid_on_error"' in body
    data = {"reference": "UTB-1", "paid_on": typed, "amount": "1"}
    assert client.post(_url("link_payment", orgnr), data).status_code == 302
    assert StatementPayment.objects.get().paid_on == dt.date(2018, 6, 20)
    assert f"<td>{shown}</td>" in client.get(_url("statement", orgnr)).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "bound"), [("nb", "0,01"), ("en", "0.01")])
def test_an_amount_below_the_bound_names_the_bound_in_the_pages_language(
    month: Any, language: str, bound: str
) -> None:
    """«Skriv et tall på minst 0,01», not «0.01», on a bokmål page."""
    officer, _, orgnr = month
    client = Client()
    client.force_login(officer)
    client.cookies["django_language"] = language
    bad = client.post(
        _url("link_payment", orgnr), {"reference": "X", "paid_on": "2018-06-20", "amount": "-5"}
    )
    body = bad.content.decode()
    assert bad.status_code == 400
    error = body[body.index('id="id_amount_error"') :][:300]
    assert bound in error, error
