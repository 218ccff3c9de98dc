"""The roster follows the rules: the nurse norm on the actual roster (the application's pure rule), HPR
numbers validated, no member twice (refused with a message, and by the database), confirmed removal;
and one list size per practice and date, the same on the worklist and the practice page."""

from __future__ import annotations

import datetime
import html
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from pht.apps.accounts.models import Role
from pht.apps.registry.models import TeamMember
from pht.rules.eligibility import required_nurse_fte


@given(st.integers(min_value=0, max_value=500), st.integers(min_value=1, max_value=10))
def test_required_nurse_fte_is_lists_over_norm_rounded_half_up_to_hundredths(lists: int, per: int) -> None:
    required = required_nurse_fte(lists, per)
    assert required == required.quantize(Decimal("0.01"))
    # within half a hundredth of the exact fraction, and never below it by more
    exact = Decimal(lists) / Decimal(per)
    assert abs(required - exact) <= Decimal("0.005")


def test_required_nurse_fte_examples() -> None:
    assert required_nurse_fte(2, 3) == Decimal("0.67")
    assert required_nurse_fte(3, 3) == Decimal("1.00")
    assert required_nurse_fte(4, 3) == Decimal("1.33")
    with pytest.raises(ValueError, match="gp_lists_per_nurse_fte"):
        required_nurse_fte(3, 0)


@pytest.fixture
def staff(make_user: Any, orgs: Any) -> tuple[Client, Any]:
    practice = orgs["practice_a"].practice
    client = Client()
    client.force_login(make_user("sekretaer_a", roles=[Role.SECRETARY], organisation=orgs["practice_a"]))
    return client, practice


def _add(client: Client, practice: Any, language: str = "nb", status: int = 200, **data: str) -> str:
    """Add a member through the form; ``status`` 400 when it is refused (the page again, as typed)."""
    url = f"/registry/practices/{practice.orgnr}/members/"
    response = client.post(url, data, follow=True, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == status
    return html.unescape(response.content.decode())


def _keep_two_gps(practice: Any) -> None:
    gps = list(practice.gps.order_by("hpr"))
    assert len(gps) >= 2, "the seeded practice needs two GPs for the norm example"
    for gp in gps[2:]:
        gp.led_teams.all().delete()
        gp.delete()


@pytest.mark.django_db
def test_half_a_nurse_for_two_lists_shows_the_norm_warning(staff: tuple[Client, Any]) -> None:
    client, practice = staff
    _keep_two_gps(practice)
    _add(client, practice, name="Kari Sykepleier", role="nurse", hpr="1234567", fte="0.5")
    page = html.unescape(
        client.get(f"/registry/practices/{practice.orgnr}/", HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    )
    assert "Under sykepleiernormen: 0,50 sykepleierårsverk for 2 fastlegelister." in page
    assert "krever 0,67 årsverk; 0,17 årsverk mangler" in page
    english = html.unescape(
        client.get(f"/registry/practices/{practice.orgnr}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert "Below the nurse norm: 0.50 nurse FTE for 2 GP lists." in english
    # a second nurse brings the roster to the norm, and the warning goes
    _add(client, practice, name="Per Sykepleier", role="nurse", hpr="1234568", fte="0.2")
    page = html.unescape(
        client.get(f"/registry/practices/{practice.orgnr}/", HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    )
    assert "Under sykepleiernormen" not in page
    assert "Teamoversikten oppfyller sykepleiernormen: 0,70 sykepleierårsverk for 2 fastlegelister" in page


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["12345", "0123456", "12a4567"])
def test_a_bad_hpr_number_is_refused_with_a_message(staff: tuple[Client, Any], bad: str) -> None:
    client, practice = staff
    page = _add(client, practice, status=400, name="Ola Nordmann", role="secretary", hpr=bad, fte="1")
    assert f"HPR-nummer {bad} er ikke gyldig: et HPR-nummer har 7 til 9 sifre" in page
    assert not TeamMember.objects.filter(practice=practice).exists()
    page = _add(client, practice, "en", 400, name="Ola Nordmann", role="secretary", hpr=bad, fte="1")
    assert f"HPR number {bad} is not valid" in page


@pytest.mark.django_db
def test_the_same_person_twice_is_refused_with_a_message(staff: tuple[Client, Any]) -> None:
    client, practice = staff
    _add(client, practice, name="Kari Nordmann", role="nurse", hpr="1234567", fte="0.5")
    page = _add(client, practice, status=400, name="Kari N.", role="nurse", hpr="1234567", fte="0.5")
    assert "Dette HPR-nummeret står allerede i legekontorets teamoversikt." in page
    page = _add(client, practice, status=400, name="kari nordmann", role="secretary", hpr="", fte="0.5")
    assert "Et teammedlem med dette navnet står allerede i legekontorets teamoversikt" in page
    assert TeamMember.objects.filter(practice=practice).count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_duplicate_member_too(orgs: Any) -> None:
    practice = orgs["practice_a"].practice
    TeamMember.objects.create(practice=practice, name="A", role="nurse", hpr="1234567", fte=Decimal("1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamMember.objects.create(practice=practice, name="B", role="nurse", hpr="1234567", fte=Decimal("1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamMember.objects.create(practice=practice, name="a", role="other", hpr="", fte=Decimal("1"))
    # members without an HPR number are not duplicates of each other by the empty number
    TeamMember.objects.create(practice=practice, name="C", role="other", hpr="", fte=Decimal("1"))
    TeamMember.objects.create(practice=practice, name="D", role="other", hpr="", fte=Decimal("1"))


@pytest.mark.django_db
def test_removal_asks_for_confirmation(staff: tuple[Client, Any]) -> None:
    client, practice = staff
    _add(client, practice, name="Kari Nordmann", role="nurse", hpr="1234567", fte="0.5")
    page = html.unescape(client.get(f"/registry/practices/{practice.orgnr}/").content.decode())
    assert 'data-confirm="Fjerne Kari Nordmann fra teamoversikten?"' in page


@pytest.mark.django_db
def test_one_list_size_for_the_worklist_and_the_practice_page(
    staff: tuple[Client, Any], make_user: Any, orgs: Any
) -> None:
    from pht.apps.care.lists import SOURCE_LIST, SOURCE_REGISTRY, list_size
    from pht.apps.care.models import ListResident

    client, practice = staff
    today = datetime.date.today()
    before = list_size(practice.pk, today)
    assert before.source == SOURCE_REGISTRY
    assert before.residents == sum(gp.list_size for gp in practice.gps.all())
    gp = practice.gps.first()
    day = datetime.timedelta(days=1)
    episodes = [
        (today - 400 * day, None),  # open
        (today - 400 * day, today + 10 * day),  # ends later: still on the list
        (today - 400 * day, today - day),  # left yesterday
        (today + day, None),  # joins tomorrow
    ]
    for i, (start, end) in enumerate(episodes):
        ListResident.objects.create(
            practice=practice,
            gp=gp,
            gp_hpr=gp.hpr,
            fnr=f"0101018{i:04d}",
            pseudonym=f"p{i}",
            birth_date=datetime.date(1950, 1, 1),
            sex="F",
            list_from=start,
            list_to=end,
        )
    size = list_size(practice.pk, today)
    assert (size.source, size.residents, size.by_gp) == (SOURCE_LIST, 2, {gp.pk: 2})
    page = client.get(f"/registry/practices/{practice.orgnr}/").content.decode()
    assert 'data-testid="list-total">2<' in page
    client.force_login(make_user("nurse_a", roles=[Role.NURSE], organisation=orgs["practice_a"]))
    worklist = html.unescape(client.get("/care/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "(2 on the list)" in worklist
