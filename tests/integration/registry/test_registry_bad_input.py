"""Bad input on the roster form: refused with the field named, never a 500 (issue 10)."""

from __future__ import annotations

import html
import re
from decimal import Decimal

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
    response = client.post(f"/registry/practices/{own.orgnr}/members/", data)
    assert response.status_code == 400  # the page again, with the form as typed
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


def _value_of(page: str, input_id: str) -> str | None:
    """The ``value`` of the input with id ``input_id`` in ``page`` (None when it has none)."""
    tag = re.search(rf"<input[^>]*\bid=\"{input_id}\"[^>]*>", page)
    assert tag, input_id
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else None


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("fte", "NaN", "Årsverk: Skriv et tall, for eksempel 0,5."),
        ("fte", "1,5", "Årsverk: Skriv et tall fra og med 0,01 til og med 1,00."),
        ("hpr", "12345", "HPR-nummer 12345 er ikke gyldig"),
    ],
)
def test_a_refused_roster_member_is_shown_again_as_typed(client, make_user, orgs, field, value, error):  # type: ignore[no-untyped-def]
    """The form came back empty after a refusal: the name, role and HPR number had to be typed again."""
    own = orgs["practice_a"].practice
    client.force_login(make_user("nurse_a", roles=[Role.NURSE], organisation=orgs["practice_a"]))
    data = {"name": "Nina Ødegård", "role": "secretary", "hpr": "1234567", "fte": "0,75", field: value}
    response = client.post(f"/registry/practices/{own.orgnr}/members/", data, HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 400
    page = response.content.decode()
    assert _value_of(page, "member_name") == "Nina Ødegård"
    assert _value_of(page, "member_hpr") == data["hpr"]
    assert _value_of(page, "member_fte") == data["fte"]
    assert '<option value="secretary" selected>' in page
    # the error beside its field, named, and the field pointing at it
    shown = html.unescape(page.split(f'id="member_{field}_error">', 1)[1].split("</p>", 1)[0])
    assert error in shown
    assert f'aria-describedby="member_{field}_error"' in page
    focused = re.findall(r"<input[^>]*\bautofocus\b[^>]*>", page)  # the page opens at the error
    assert len(focused) == 1 and f'id="member_{field}"' in focused[0], focused
    assert not TeamMember.objects.exists()


@pytest.mark.parametrize("typed", ["NaN", "nan", "inf", "-inf", "Infinity", "-Infinity"])
@pytest.mark.parametrize(
    ("language", "shown"),
    [("nb", "Årsverk: Skriv et tall, for eksempel 0,5."), ("en", "FTE: Enter a number such as 0.5.")],
)
def test_nan_and_infinity_as_an_fte_are_no_number_named_in_the_pages_language(  # type: ignore[no-untyped-def]
    client, make_user, orgs, typed, language, shown
):
    own = orgs["practice_a"].practice
    client.force_login(make_user("nurse_a", roles=[Role.NURSE], organisation=orgs["practice_a"]))
    data = {"name": "Nina", "role": "nurse", "fte": typed, "hpr": ""}
    response = client.post(f"/registry/practices/{own.orgnr}/members/", data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert shown in page.split('id="member_fte_error">', 1)[1].split("</p>", 1)[0]
    assert _value_of(response.content.decode(), "member_fte") == typed
    assert not TeamMember.objects.exists()


def test_a_refused_team_is_shown_again_as_typed(client, make_user, orgs):  # type: ignore[no-untyped-def]
    """A team refused (a lead GP not of this practice) keeps its name and chosen members, its form open."""
    from pht.apps.registry.models import GP, Team

    own = orgs["practice_a"].practice
    client.force_login(make_user("nurse_a", roles=[Role.NURSE], organisation=orgs["practice_a"]))
    nina = TeamMember.objects.create(practice=own, name="Nina", role="nurse", fte=Decimal("1"))
    hege = TeamMember.objects.create(practice=own, name="Hege", role="secretary", fte=Decimal("0.5"))
    foreign = GP.objects.exclude(practice=own).first()
    data = {"name": "Team Nord", "lead_gp": foreign.pk, "members": [nina.pk]}
    response = client.post(f"/registry/practices/{own.orgnr}/teams/", data, HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 400
    page = response.content.decode()
    assert _value_of(page, "id_name") == "Team Nord"
    assert '<details class="ds-details" open>' in page
    checked = {box for box in page.split('type="checkbox"')[1:] if "checked" in box.split(">", 1)[0]}
    assert len(checked) == 1 and f'value="{nina.pk}"' in next(iter(checked)).split(">", 1)[0]
    assert f'value="{hege.pk}"' in page
    assert 'id="id_lead_gp_error"' in page
    assert not Team.objects.exists()
