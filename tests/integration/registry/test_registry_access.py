"""Scoping of pages and API by organisation, the roster action with its audit row, and lockout."""

import re

import pytest

from pht.apps.accounts.models import ApiToken, AuditEvent, Role
from pht.apps.registry.models import TeamMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice_user(make_user, orgs):
    return make_user("nurse_a", roles=[Role.NURSE], organisation=orgs["practice_a"])


def test_directorate_sees_all_municipalities_filtered_and_counted(client, make_user, orgs):
    client.force_login(make_user("officer", roles=[Role.CASE_OFFICER], organisation=orgs["directorate"]))
    page = client.get("/registry/municipalities/", {"size_class": "small"}).content.decode()
    assert re.search(r'data-testid="total">225<', page)
    assert re.search(r'data-testid="count-medium">144<', page)
    assert re.search(r'data-testid="count-large">57<', page)
    telemark = client.get(
        "/registry/municipalities/", {"county": "Telemark", "q": "Seljord"}
    ).content.decode()
    assert re.search(r'data-testid="total">1<', telemark) and "Seljord" in telemark


def test_practice_user_cannot_open_another_practice_page_or_api(client, practice_user, orgs):
    own = orgs["practice_a"].practice
    other = orgs["practice_b"].practice
    client.force_login(practice_user)
    assert client.get(f"/registry/practices/{own.orgnr}/").status_code == 200
    assert client.get(f"/registry/practices/{other.orgnr}/").status_code == 404
    assert client.get(f"/api/practices/{other.orgnr}").status_code == 404
    listed = {p["orgnr"] for p in client.get("/api/practices").json()}
    assert listed == {own.orgnr}
    gp_hprs = {g["hpr"] for g in client.get("/api/gps").json()}
    assert gp_hprs == set(own.gps.values_list("hpr", flat=True))
    municipality_page = client.get("/registry/municipalities/0828/").content.decode()
    assert own.name in municipality_page and other.name not in municipality_page


def test_municipality_user_sees_own_practices_only(client, make_user, orgs):
    client.force_login(make_user("lead", roles=[Role.PROJECT_LEAD], organisation=orgs["flora"]))
    listed = client.get("/api/practices").json()
    assert listed and {p["kommunenummer"] for p in listed} == {"1401"}
    assert client.get(f"/registry/practices/{orgs['practice_a'].practice.orgnr}/").status_code == 404


def test_api_requires_authentication_and_accepts_tokens(client, practice_user, orgs):
    assert client.get("/api/practices").status_code == 401
    _, raw = ApiToken.issue(practice_user, "EPJ export")
    response = client.get("/api/practices", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert [p["orgnr"] for p in response.json()] == [orgs["practice_a"].practice.orgnr]
    assert client.get("/api/practices", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/api/openapi.json").status_code == 200


def test_roster_edit_goes_through_action_with_audit(client, practice_user, make_user, orgs):
    own = orgs["practice_a"].practice
    client.force_login(practice_user)
    response = client.post(
        f"/registry/practices/{own.orgnr}/members/",
        {"name": "Nina Sykepleier", "role": "nurse", "fte": "0.80"},
    )
    assert response.status_code == 302
    member = TeamMember.objects.get(practice=own)
    assert (member.name, str(member.fte)) == ("Nina Sykepleier", "0.80")
    event = AuditEvent.objects.get(verb="registry.save_team_member")
    assert event.actor == practice_user and event.after["name"] == "Nina Sykepleier" and event.before is None

    # An FTE over 1 is refused with the field named and nothing stored.
    client.post(
        f"/registry/practices/{own.orgnr}/members/", {"name": "Too Much", "role": "nurse", "fte": "1.5"}
    )
    assert not TeamMember.objects.filter(name="Too Much").exists()

    # Another practice's staff cannot edit this roster, even by posting directly.
    other = make_user("gp_b", roles=[Role.GP], organisation=orgs["practice_b"])
    client.force_login(other)
    client.post(
        f"/registry/practices/{own.orgnr}/members/", {"name": "Intruder", "role": "nurse", "fte": "0.5"}
    )
    assert not TeamMember.objects.filter(name="Intruder").exists()

    # A municipality user sees the practice but may not edit its roster.
    client.force_login(make_user("lead", roles=[Role.PROJECT_LEAD], organisation=orgs["seljord"]))
    client.post(
        f"/registry/practices/{own.orgnr}/members/", {"name": "Lead's pick", "role": "nurse", "fte": "0.5"}
    )
    assert not TeamMember.objects.filter(name="Lead's pick").exists()
    assert AuditEvent.objects.filter(verb="registry.save_team_member").count() == 1


def test_login_locks_after_repeated_failures(client, practice_user, settings):
    settings.PHT_LOCKOUT_ATTEMPTS = 3
    for _ in range(3):
        client.post("/login/", {"username": "nurse_a", "password": "wrong"})
    response = client.post("/login/", {"username": "nurse_a", "password": "test-password-123"})
    assert response.status_code == 200  # form shown again: the account is locked
    assert "_auth_user_id" not in client.session


def test_pages_are_norwegian_by_default_and_english_on_request(client, practice_user):
    client.force_login(practice_user)
    page = client.get("/registry/municipalities/").content.decode()
    assert '<html lang="nb"' in page and "Kommuner" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/registry/municipalities/").content.decode()
    assert '<html lang="en"' in page and "Municipalities" in page


def test_team_is_led_by_a_gp_of_the_practice(client, practice_user, orgs):
    from pht.apps.registry.models import GP, Team

    own = orgs["practice_a"].practice
    client.force_login(practice_user)
    client.post(f"/registry/practices/{own.orgnr}/members/", {"name": "Nina", "role": "nurse", "fte": "1.00"})
    client.post(
        f"/registry/practices/{own.orgnr}/members/", {"name": "Hege", "role": "secretary", "fte": "0.50"}
    )
    lead = own.gps.first()
    members = list(TeamMember.objects.filter(practice=own).values_list("id", flat=True))
    client.post(
        f"/registry/practices/{own.orgnr}/teams/", {"name": "Team 1", "lead_gp": lead.id, "members": members}
    )
    team = Team.objects.get(practice=own)
    assert team.lead_gp == lead and team.members.count() == 2
    assert AuditEvent.objects.filter(verb="registry.save_team").count() == 1

    # A GP of another practice cannot lead this team: the form offers only this practice's GPs.
    foreign = GP.objects.exclude(practice=own).first()
    client.post(f"/registry/practices/{own.orgnr}/teams/", {"name": "Team 1", "lead_gp": foreign.id})
    team.refresh_from_db()
    assert team.lead_gp == lead
