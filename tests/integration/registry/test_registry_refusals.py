"""Refused roster changes read in the page's language: the roster verdicts (accounts.permissions) through
registry.reasons.REFUSALS, the actions' other refusals through gettext at their raise site."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from message_checks import check_gettext_literals_translated, check_message, check_templates_translated
from pht.apps.accounts import permissions
from pht.apps.accounts.models import Role
from pht.apps.registry import actions, reasons
from pht.apps.registry.models import TeamMember

CATALOGUE = Path(reasons.__file__).parent / "locale" / "nb" / "LC_MESSAGES" / "django.mo"
# "administrator" reads the same in bokmål.
SAME_IN_BOKMAL = {"access.edit_roster.administrator"}


def test_the_refusal_templates_are_the_roster_templates_and_all_are_translated() -> None:
    check_templates_translated(reasons.REFUSAL_TEMPLATES, permissions.TEMPLATES, SAME_IN_BOKMAL)
    assert check_gettext_literals_translated(Path(actions.__file__), CATALOGUE)


@pytest.mark.django_db
def test_every_roster_verdict_is_a_complete_message(make_user: Any, orgs: Any) -> None:
    practice = orgs["practice_a"].practice
    users = [
        make_user("root", roles=[Role.ADMINISTRATOR], organisation=orgs["directorate"]),
        make_user("lead", roles=[Role.PROJECT_LEAD], organisation=orgs["seljord"]),
        make_user("evaluator_a", roles=[Role.EVALUATOR], organisation=orgs["practice_a"]),
        make_user("nurse_a", roles=[Role.NURSE], organisation=orgs["practice_a"]),
    ]
    used: set[str] = set()
    for user in users:
        verdict = permissions.can_edit_roster(user, practice)
        used |= check_message(permissions.TEMPLATES, (), verdict.reason, verdict.message)
    assert used == set(permissions.TEMPLATES)


@pytest.mark.django_db
def test_a_refused_roster_change_reads_in_the_pages_language(make_user: Any, orgs: Any) -> None:
    practice = orgs["practice_a"].practice
    client = Client()
    client.force_login(make_user("lead", roles=[Role.PROJECT_LEAD], organisation=orgs["seljord"]))

    def refusal(language: str) -> str:
        url = f"/registry/practices/{practice.orgnr}/members/"
        data = {"name": "Lead's pick", "role": "nurse", "fte": "0.5"}
        page = client.post(url, data, follow=True, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        start = page.index('data-color="danger">') + len('data-color="danger">')
        return html.unescape(page[start : page.index("</div>", start)])

    assert refusal("nb") == "Bare legekontorets egne ansatte kan endre teamoversikten."
    assert refusal("en") == "Only the practice's own staff may edit its roster."
    assert not TeamMember.objects.filter(name="Lead's pick").exists()
