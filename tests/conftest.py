"""Shared fixtures: reference data, a small seeded registry, organisations and users per role."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

# Tests run on the embedded default unless DATABASE_URL says otherwise; never touch ./var.
os.environ.setdefault("PHT_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "test"))
os.environ.setdefault("PHT_ALLOW_SYNTHETIC_IDS", "1")

TEST_MUNICIPALITIES = ("0828", "1401")  # Seljord (small), Flora (medium)


@pytest.fixture
def registry(db):  # type: ignore[no-untyped-def]
    """Municipalities of 2017 and the seeded practices and GPs of Seljord and Flora."""
    from pht.apps.registry.loading import load_demo_registry, load_municipalities

    load_municipalities(2017)
    load_demo_registry(seed=2017, only=TEST_MUNICIPALITIES)
    from pht.apps.registry.models import Practice

    return Practice.objects.filter(municipality__kommunenummer__in=TEST_MUNICIPALITIES)


@pytest.fixture
def make_user(db) -> Callable[..., object]:  # type: ignore[no-untyped-def]
    """``make_user("name", roles=[...], organisation=org)`` → a user whose password is 'test-password-123'."""
    from pht.apps.accounts.models import User

    def make(username: str, *, roles: list[str], organisation: object | None = None, **extra: object) -> User:
        return User.objects.create_user(
            username=username,
            password="test-password-123",
            roles=roles,
            organisation=organisation,
            email=f"{username}@test.invalid",
            **extra,
        )

    return make


@pytest.fixture
def orgs(registry):  # type: ignore[no-untyped-def]
    """Organisations: the Directorate, Seljord municipality, two Seljord practices (A, B) and Flora municipality."""
    from pht.apps.accounts.models import Organisation, OrganisationKind
    from pht.apps.registry.models import Municipality

    seljord = Municipality.objects.get(kommunenummer="0828")
    flora = Municipality.objects.get(kommunenummer="1401")
    practice_a, practice_b = list(seljord.practices.order_by("orgnr"))[:2]
    return {
        "directorate": Organisation.objects.create(
            kind=OrganisationKind.DIRECTORATE, name="Helsedirektoratet"
        ),
        "evaluation": Organisation.objects.create(kind=OrganisationKind.EVALUATION, name="Evaluering"),
        "seljord": Organisation.objects.create(
            kind=OrganisationKind.MUNICIPALITY, name="Seljord", municipality=seljord
        ),
        "flora": Organisation.objects.create(
            kind=OrganisationKind.MUNICIPALITY, name="Flora", municipality=flora
        ),
        "practice_a": Organisation.objects.create(
            kind=OrganisationKind.PRACTICE, name=practice_a.name, practice=practice_a
        ),
        "practice_b": Organisation.objects.create(
            kind=OrganisationKind.PRACTICE, name=practice_b.name, practice=practice_b
        ),
    }


@pytest.fixture(scope="session")
def pilot_lake(tmp_path_factory):  # type: ignore[no-untyped-def]
    """``pilot_lake(*municipalities)``: a seeded lake of those municipalities, 2017-2018 with the default
    pilot (seed 2017), written once per test process and shared read-only."""
    made: dict[tuple[str, ...], object] = {}

    def make(*municipalities: str):  # type: ignore[no-untyped-def]
        key = tuple(sorted(municipalities))
        if key not in made:
            from pht.synth.lake import run, select_municipalities
            from pht.synth.pilot import default_pilot

            out = tmp_path_factory.mktemp("pilot_lake_" + "_".join(key))
            run(out, select_municipalities(list(key)), seed=2017, first_year=2017, last_year=2018,
                pilot=default_pilot(2017), jobs=1, progress=False)  # fmt: skip
            made[key] = out
        return made[key]

    return make
