"""Bad input on the roster form: refused with the field named, never a 500 (issue 10)."""

from __future__ import annotations

import pytest

from pht.apps.accounts.models import Role
from pht.apps.registry.models import TeamMember


@pytest.mark.parametrize(
    ("field", "value"),
    [("hpr", "9²0000001"), ("hpr", "٩٠٠٠٠٠٠٠١"), ("fte", "1e400"), ("fte", "NaN"), ("name", "x" * 201)],
)
def test_bad_roster_values_are_refused_not_a_crash(client, make_user, orgs, field, value):  # type: ignore[no-untyped-def]
    own = orgs["practice_a"].practice
    client.force_login(make_user("nurse_a", roles=[Role.NURSE], organisation=orgs["practice_a"]))
    data = {"name": "Nina", "role": "nurse", "fte": "0.5", "hpr": "", field: value}
    response = client.post(f"/registry/practices/{own.orgnr}/members/", data, follow=True)
    assert response.status_code == 200
    assert not TeamMember.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"), [("0,5", "0.50"), ("0.5", "0.50"), (" 0,25 ", "0.25"), ("1", "1.00")]
)
def test_roster_fte_takes_a_decimal_comma(client, make_user, orgs, typed, stored):  # type: ignore[no-untyped-def]
    """The FTE is a text input read in the page's language: a number input dropped the comma of «0,5»."""
    own = orgs["practice_a"].practice
    client.force_login(make_user("nurse_a", roles=[Role.NURSE], organisation=orgs["practice_a"]))
    page = client.get(f"/registry/practices/{own.orgnr}/").content.decode()
    assert 'type="number"' not in page
    assert 'inputmode="decimal"' in page
    data = {"name": "Nina", "role": "nurse", "fte": typed, "hpr": ""}
    client.post(f"/registry/practices/{own.orgnr}/members/", data, HTTP_ACCEPT_LANGUAGE="nb")
    assert str(TeamMember.objects.get().fte) == stored


@pytest.mark.parametrize(
    ("lang", "message"), [("nb", "fra og med 0,01 til og med 1,00"), ("en", "from 0.01 to 1.00")]
)
def test_roster_fte_out_of_range_names_its_bounds_in_the_page_language(
    client, make_user, orgs, lang, message
):  # type: ignore[no-untyped-def]
    own = orgs["practice_a"].practice
    client.force_login(make_user("nurse_a", roles=[Role.NURSE], organisation=orgs["practice_a"]))
    data = {"name": "Nina", "role": "nurse", "fte": "1,5", "hpr": ""}
    page = client.post(
        f"/registry/practices/{own.orgnr}/members/", data, follow=True, HTTP_ACCEPT_LANGUAGE=lang
    ).content.decode()
    assert message in page
    assert not TeamMember.objects.exists()


def test_the_roster_fte_column_heading_is_capitalised_in_bokmal(client, make_user, orgs):  # type: ignore[no-untyped-def]
    """The roster's column read «årsverk» (the running-text translation of "FTE") beside «Navn» and «Rolle»."""
    own = orgs["practice_a"].practice
    client.force_login(make_user("nurse_a", roles=[Role.NURSE], organisation=orgs["practice_a"]))
    page = client.get(f"/registry/practices/{own.orgnr}/", HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert '<th scope="col" class="pht-num">Årsverk</th>' in page
    english = client.get(f"/registry/practices/{own.orgnr}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<th scope="col" class="pht-num">FTE</th>' in english
