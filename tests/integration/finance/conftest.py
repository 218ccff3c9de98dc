"""Fixtures for the finance pages: May 2018 of practice A settled from a hand-made month and stored by a
finance officer, and its statement pages as that officer sees them.

A test file with a month of its own overrides ``records``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from pht.apps.accounts.models import Role
from pht.rules.financing import (
    FEE,
    CapitationRate,
    ClaimRecord,
    Condition,
    ListSpell,
    Period,
    aggregate_practice_month,
    settle_capitation_model,
    settle_fee_model,
)

PERIOD = Period(2018, 5)

Records = tuple[tuple[ListSpell, ...], tuple[Condition, ...], tuple[ClaimRecord, ...]]


@pytest.fixture
def orgnr(orgs: dict[str, Any]) -> str:
    """Practice A, whose month is settled."""
    orgnr: str = orgs["practice_a"].practice.orgnr
    return orgnr


@pytest.fixture
def records(orgnr: str) -> Records:
    """The month's list spells, conditions and claims: one man of 38 with a consultation on 20 May."""
    spells = (ListSpell("C", orgnr, "M", dt.date(1980, 1, 1), "0828", dt.date(2000, 1, 1)),)
    claims = (ClaimRecord(1, "C", orgnr, dt.date(2018, 5, 20), "2ad", "A03"),)
    return spells, (), claims


@pytest.fixture
def finance_officer(orgs: dict[str, Any], make_user: Any) -> Any:
    return make_user("finance", roles=[Role.FINANCE_OFFICER], organisation=orgs["directorate"])


@pytest.fixture
def store_month(finance_officer: Any, orgnr: str, records: Records) -> Callable[[str], list[Any]]:
    """Settles the month by both models, with the parameters' provenance as the lake's settlement does, and
    stores both statements with the practice paid under ``model``; every call after the first is a re-run."""
    from pht.apps.finance.actions import store_settlements
    from pht.engine.finance import SettledMonth
    from pht.engine.finance_params import month_parameters

    def store(model: str) -> list[Any]:
        params = month_parameters(PERIOD)
        provenance = params.provenance()
        spells, conditions, claims = records
        month = aggregate_practice_month(
            orgnr,
            PERIOD,
            spells,
            conditions,
            claims,
            params.schedules,
            params.ceilings,
            params.capitation,
            params.quality,
        )
        fee = settle_fee_model(month, params.base_grant, params.schedule, provenance)
        rate = CapitationRate(params.capitation.rate_per_year, Decimal(1), False)
        cap = settle_capitation_model(
            month, params.capitation, rate, params.quality, params.schedule, provenance
        )
        return store_settlements(finance_officer, [SettledMonth(month, fee, cap, model)], source="test")

    return store


@pytest.fixture
def statement_page(
    store_month: Callable[[str], list[Any]], finance_officer: Any, orgnr: str
) -> Callable[..., str]:
    """Both statements of the month stored, the practice paid under the fee model, and
    ``statement_page(model, language=None)``: the statement page of ``model`` as the officer who stored them
    sees it, in ``language`` (without one, the page's default: bokmål); it must answer 200."""
    store_month(FEE)
    client = Client()
    client.force_login(finance_officer)

    def get(model: str, language: str | None = None) -> str:
        url = reverse("finance:statement", args=[orgnr, str(PERIOD), model])
        headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
        response = client.get(url, **headers)  # type: ignore[arg-type]
        assert response.status_code == 200
        return response.content.decode()

    return get
