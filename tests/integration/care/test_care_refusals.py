"""Refused actions read in the page's language: the rules' refusals (care-plan and task steps, who may see and
work with patients) through reasons.REFUSALS, the actions' other refusals through gettext at their raise
site; bokmål on nb pages, English on en pages and in the API (English msgids, with an nb catalogue)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from care_data import PEOPLE, make_fnr
from django.test import Client
from django.urls import reverse
from django.utils import translation

from message_checks import check_gettext_literals_translated, check_message, check_templates_translated
from pht.apps.accounts.models import Role
from pht.apps.care import access, actions, reasons
from pht.apps.care.models import ListResident
from pht.apps.care.workflow import CARE_PLAN, TASK
from pht.rules import workflow
from pht.rules.workflow import role_term

CATALOGUE = Path(reasons.__file__).parent / "locale" / "nb" / "LC_MESSAGES" / "django.mo"
# Terms that read the same in bokmål.
SAME_IN_BOKMAL = {("role", "evaluator"), ("role", "administrator")}


def test_the_refusal_templates_are_the_rules_templates_and_all_are_translated() -> None:
    check_templates_translated(reasons.REFUSAL_TEMPLATES, {**workflow.TEMPLATES, **access.TEMPLATES})
    terms = CARE_PLAN.vocabulary() | TASK.vocabulary() | {role_term(role) for role in Role.values}
    for term in terms:
        key = (term.kind, term.key)
        assert key in reasons.REFUSAL_TERMS, term
        with translation.override("en"):
            assert str(reasons.REFUSAL_TERMS[key]) == term.text, term
        with translation.override("nb"):
            assert (str(reasons.REFUSAL_TERMS[key]) != term.text) == (key not in SAME_IN_BOKMAL), term
    # The actions' other refusals: every gettext text at a raise site has its bokmål.
    for module in (actions, access):
        assert check_gettext_literals_translated(Path(module.__file__ or ""), CATALOGUE)


@pytest.mark.django_db
def test_every_access_verdict_is_a_complete_message(care: dict[str, Any], make_user: Any, orgs: Any) -> None:
    users = care["users"]
    a, b = care["practice_a"].pk, care["practice_b"].pk
    manager = make_user("manager_a", roles=["practice_admin"], organisation=orgs["practice_a"])
    clerk = make_user("clerk_a", roles=["administrator"], organisation=orgs["practice_a"])
    verdicts = [
        access.can_see_patients(users["directorate"], a),
        access.can_see_patients(users["nurse_b"], a),
        access.can_see_patients(clerk, a),
        access.can_see_patients(users["nurse_a"], a),
        access.can_work_with_patients(manager, a),
        access.can_work_with_patients(users["nurse_a"], a),
        access.can_view_access_log(users["nurse_a"], a),
        access.can_view_access_log(users["admin_a"], a),
        access.can_see_patients(users["nurse_b"], b),
    ]
    used: set[str] = set()
    for verdict in verdicts:
        used |= check_message(access.TEMPLATES, (), verdict.reason, verdict.message)
    assert used == set(access.TEMPLATES)


def _message(user: Any, url: str, data: dict[str, Any], language: str) -> str:
    """The error message on the page the refused post leads to."""
    client = Client()
    client.force_login(user)
    page = client.post(url, data, follow=True, HTTP_ACCEPT_LANGUAGE=language).content.decode()  # type: ignore[arg-type]
    start = page.index('data-color="danger">') + len('data-color="danger">')
    return html.unescape(page[start : page.index("</div>", start)])


@pytest.mark.django_db
def test_refused_care_plan_steps_read_in_the_pages_language(care: dict[str, Any]) -> None:
    nurse = care["users"]["nurse_a"]
    resident = ListResident.objects.get(fnr=make_fnr(*PEOPLE["frail"]))
    plan = actions.create_care_plan(nurse, resident, title="Plan", goals="Mål", responsible_role="nurse")
    url = reverse("care:plan_status", args=[plan.pk])
    # Only the GP may revoke an active plan: the statuses and roles in the page's language.
    assert _message(nurse, url, {"status": "revoked"}, "nb") == (
        "oppfølgingsplan: «aktiv» → «avsluttet» krever en av rollene fastlege; du har sykepleier"
    )
    assert _message(nurse, url, {"status": "revoked"}, "en") == (
        "care_plan: 'active' -> 'revoked' needs one of the roles gp; you have nurse"
    )
    plan.refresh_from_db()
    assert plan.status == "active"
    # A refusal without a rule behind it: gettext at the raise site.
    create = reverse("care:plan_create", args=[resident.pk])
    empty = {"title": " ", "goals": "Mål", "responsible_role": "nurse"}
    assert _message(nurse, create, empty, "nb") == "En oppfølgingsplan må ha en tittel."
    assert _message(nurse, create, empty, "en") == "A care plan needs a title."
    assert resident.care_plans.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "written", "refused"),
    [
        (
            "nb",
            "%d.%m.%Y",
            "Oppgavefrist: 31.02.2030 er ikke en dato; skriv den som dd.mm.åååå (for eksempel 31.03.2023)",
        ),
        (
            "en",
            "%m/%d/%Y",
            "Task due: 31.02.2030 is not a date; write it as mm/dd/yyyy (for example 03/31/2023)",
        ),
    ],
)
def test_care_dates_are_shown_and_typed_in_the_pages_language(
    care: dict[str, Any], language: str, written: str, refused: str
) -> None:
    import datetime

    nurse = care["users"]["nurse_a"]
    resident = ListResident.objects.get(fnr=make_fnr(*PEOPLE["frail"]))
    client = Client()
    client.force_login(nurse)
    page = client.get(reverse("care:patient", args=[resident.pk]), HTTP_ACCEPT_LANGUAGE=language)
    body = page.content.decode()
    today = datetime.date.today()
    assert f'name="on" value="{today.strftime(written)}"' in body  # the follow-up's date: today
    assert 'type="date"' not in body and 'aria-describedby="p-review_hint"' in body
    create = reverse("care:plan_create", args=[resident.pk])
    plan = {
        "title": "Plan",
        "goals": "Mål",
        "responsible_role": "nurse",
        "task_description": "Ring",
        "task_role": "nurse",
    }
    # No such day: refused naming the field, nothing written.
    assert _message(nurse, create, {**plan, "task_due": "31.02.2030"}, language) == refused
    assert not resident.care_plans.exists()
    # The page's format and ISO are both taken.
    review, due = datetime.date(2030, 3, 31), datetime.date(2030, 4, 15)
    data = {**plan, "next_review": review.strftime(written), "task_due": due.isoformat()}
    client.post(create, data, HTTP_ACCEPT_LANGUAGE=language)
    created = resident.care_plans.get()
    assert created.next_review == review and created.tasks.get().due == due
