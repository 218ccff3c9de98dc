"""``pht demo``: reference data, the seeded registry, one demo user per role, then each app's demo data.

Running it again keeps what is there: nothing is deleted and passwords are printed only
for users it creates.
"""

from __future__ import annotations

import importlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from pht.apps.accounts.models import Organisation, OrganisationKind, Role, User
from pht.apps.registry.loading import load_demo_registry, load_municipalities
from pht.apps.registry.models import Municipality, Practice
from pht.synth.demo import DEMO_MUNICIPALITY, DEMO_SEED
from pht.synth.pilot import default_pilot

APP_DEMOS = (
    "pht.apps.scheme.demo",
    "pht.apps.finance.demo",
    "pht.apps.care.demo",
    "pht.apps.evaluation.demo",
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    roles: tuple[str, ...]
    organisation: str  # directorate, evaluation, municipality, practice


DEMO_USERS = (
    DemoUser("saksbehandler", "Sara Saksbehandler", (Role.CASE_OFFICER,), "directorate"),
    DemoUser("fagvurderer", "Frode Fagvurderer", (Role.REVIEWER,), "directorate"),
    DemoUser("okonomi", "Øyvind Økonomi", (Role.FINANCE_OFFICER,), "directorate"),
    # A second reviewer and finance officer: review with conflicts, and four eyes on disbursements.
    DemoUser("fagvurderer2", "Grete Fagvurderer", (Role.REVIEWER,), "directorate"),
    DemoUser("okonomi2", "Åse Økonomi", (Role.FINANCE_OFFICER,), "directorate"),
    DemoUser("admin", "Ada Administrator", (Role.ADMINISTRATOR,), "directorate"),
    DemoUser("evaluator", "Eva Evaluator", (Role.EVALUATOR,), "evaluation"),
    DemoUser("prosjektleder", "Per Prosjektleder", (Role.PROJECT_LEAD,), "municipality"),
    DemoUser("fastlege", "Frida Fastlege", (Role.GP,), "practice"),
    DemoUser("sykepleier", "Siri Sykepleier", (Role.NURSE,), "practice"),
    DemoUser("helsesekretaer", "Hanne Helsesekretær", (Role.SECRETARY, Role.PRACTICE_ADMIN), "practice"),
)


def demo_practice() -> Practice:
    """The first pilot practice in Seljord, from the same seeded pilot the synthetic lake uses."""
    orgnrs = [
        p.practice_orgnr for p in default_pilot(DEMO_SEED).practices if p.kommunenummer == DEMO_MUNICIPALITY
    ]
    return Practice.objects.get(orgnr=sorted(orgnrs)[0])


def _organisations() -> dict[str, Organisation]:
    municipality = Municipality.objects.get(kommunenummer=DEMO_MUNICIPALITY)
    practice = demo_practice()
    directorate, _ = Organisation.objects.get_or_create(
        kind=OrganisationKind.DIRECTORATE, name="Helsedirektoratet"
    )
    evaluation, _ = Organisation.objects.get_or_create(
        kind=OrganisationKind.EVALUATION, name="Evalueringsteamet"
    )
    own_municipality, _ = Organisation.objects.get_or_create(
        kind=OrganisationKind.MUNICIPALITY,
        municipality=municipality,
        defaults={"name": f"{municipality.name} kommune"},
    )
    own_practice, _ = Organisation.objects.get_or_create(
        kind=OrganisationKind.PRACTICE, practice=practice, defaults={"name": practice.name}
    )
    return {
        "directorate": directorate,
        "evaluation": evaluation,
        "municipality": own_municipality,
        "practice": own_practice,
    }


@transaction.atomic
def create_demo_users() -> list[tuple[str, str]]:
    """Create missing demo users; returns (username, password) for those created now."""
    organisations = _organisations()
    created = []
    for spec in DEMO_USERS:
        if User.objects.filter(username=spec.username).exists():
            continue
        first, _, last = spec.name.partition(" ")
        password = secrets.token_urlsafe(12)
        is_admin = Role.ADMINISTRATOR in spec.roles
        User.objects.create_user(
            username=spec.username,
            password=password,
            first_name=first,
            last_name=last,
            email=f"{spec.username}@demo.pht.invalid",
            organisation=organisations[spec.organisation],
            roles=list(spec.roles),
            is_staff=is_admin,
            is_superuser=is_admin,
        )
        created.append((spec.username, password))
    return created


def build_demo(say: Callable[[str], None]) -> list[tuple[str, str]]:
    result = load_municipalities(2017)
    say(f"Reference data: {result.created} municipalities created, {result.updated} updated (2017).")
    registry = load_demo_registry(seed=DEMO_SEED)
    say(f"Registry: {registry.created} synthetic practices created (seed {DEMO_SEED}).")
    users = create_demo_users()
    for module in APP_DEMOS:
        importlib.import_module(module).build_demo(say)
    return users
