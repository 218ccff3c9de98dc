"""Fixtures for the scheme app: two municipalities with practices and GPs, users per role, the 2017 call."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

OSLO = ZoneInfo("Europe/Oslo")
BEFORE_DEADLINE = datetime.datetime(2017, 10, 10, 12, 0, tzinfo=OSLO)


def _municipality(number: str, name: str, county: str, population: int, size: str) -> Any:
    from pht.apps.registry.models import Municipality, MunicipalityPopulation

    municipality = Municipality.objects.create(
        kommunenummer=number, name=name, county=county, county_number=number[:2]
    )
    MunicipalityPopulation.objects.create(
        municipality=municipality, year=2017, population=population, size_class=size, size_class_reason="test"
    )
    return municipality


def _practice(municipality: Any, orgnr: str, name: str, gps: int) -> Any:
    from pht.apps.registry.models import GP, Practice

    practice = Practice.objects.create(orgnr=orgnr, name=name, municipality=municipality)
    for i in range(gps):
        GP.objects.create(
            hpr=f"9{municipality.kommunenummer}{orgnr[-2:]}{i:02d}",
            first_name=f"Lege{i}",
            last_name=name.split()[0],
            practice=practice,
            list_size=1000,
            list_cap=1200,
        )
    return practice


@pytest.fixture
def make_practice() -> Any:
    """A practice with ``gps`` GPs, for tests that add one to the world."""
    return _practice


def _user(username: str, roles: list[str], organisation: Any) -> Any:
    from pht.apps.accounts.models import User

    # Tests log in with force_login; no password hashing keeps the fixture fast.
    user = User(username=username, email=f"{username}@example.test", roles=roles, organisation=organisation)
    user.set_unusable_password()
    user.save()
    return user


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    from pht.apps.accounts.models import Organisation, OrganisationKind
    from pht.apps.scheme.calls import load_call

    seljord = _municipality("0828", "Seljord", "Telemark", 2984, "small")
    flora = _municipality("1401", "Flora", "Sogn og Fjordane", 11963, "medium")
    directorate = Organisation.objects.create(kind=OrganisationKind.DIRECTORATE, name="Helsedirektoratet")
    org_seljord = Organisation.objects.create(
        kind=OrganisationKind.MUNICIPALITY, name="Seljord kommune", municipality=seljord
    )
    org_flora = Organisation.objects.create(
        kind=OrganisationKind.MUNICIPALITY, name="Flora kommune", municipality=flora
    )
    return {
        "call": load_call("call_2017"),
        "seljord": seljord,
        "flora": flora,
        "seljord_practices": [_practice(seljord, "100000011", "Seljord legesenter", 3), _practice(seljord, "100000012", "Flatdal legekontor", 1)],
        "flora_practices": [_practice(flora, "100000021", "Florø legesenter", 6)],
        "lead_seljord": _user("lead_seljord", ["project_lead"], org_seljord),
        "lead_flora": _user("lead_flora", ["project_lead"], org_flora),
        "officer": _user("officer", ["case_officer"], directorate),
        "reviewer": _user("reviewer", ["reviewer"], directorate),
        "reviewer2": _user("reviewer2", ["reviewer"], directorate),
        "finance1": _user("finance1", ["finance_officer"], directorate),
        "finance2": _user("finance2", ["finance_officer"], directorate),
    }  # fmt: skip


@pytest.fixture
def full_data() -> Any:
    return _full_data


def _full_data(practices: list[Any], model: str = "fee") -> Any:
    """Application data that passes every eligibility rule: all GPs, a GP lead, the nurse norm met."""
    from decimal import Decimal

    from pht.apps.scheme import actions

    return actions.ApplicationInputData(
        contact_name="Kari Nordmann",
        contact_email="kari@example.test",
        leadership_plan="Kommunalsjef leder styringsgruppen.",
        project_plan="Oppstart april 2018.",
        budget=Decimal("1500000"),
        practices=[
            actions.PracticeInput(
                practice_id=p.pk,
                financing_model=model,
                team_lead_id=p.gps.first().pk,
                nurse_fte=Decimal(p.gps.count()) / 3 + Decimal("0.01"),
                secretary_fte=Decimal("0.5"),
            )
            for p in practices
        ],
    )
