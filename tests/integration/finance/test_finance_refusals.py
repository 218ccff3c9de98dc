"""Refusals of storing settlements: the permission verdict as a message (finance.actions.TEMPLATES,
translated in reasons.REFUSALS) and the other refusals through gettext at their raise site; the command line
shows the English reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from message_checks import check_gettext_literals_translated, check_message, check_templates_translated
from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.models import Role
from pht.apps.finance import actions, reasons

CATALOGUE = Path(reasons.__file__).parent / "locale" / "nb" / "LC_MESSAGES" / "django.mo"


def test_the_refusal_templates_are_the_actions_templates_and_all_are_translated() -> None:
    check_templates_translated(reasons.REFUSAL_TEMPLATES, actions.TEMPLATES)
    assert check_gettext_literals_translated(Path(actions.__file__), CATALOGUE)


@pytest.mark.django_db
def test_the_permission_verdict_is_a_complete_message_and_refuses_in_the_pages_language(
    make_user: Any, orgs: Any
) -> None:
    officer = make_user("finance", roles=[Role.FINANCE_OFFICER], organisation=orgs["directorate"])
    nurse = make_user("nurse_a", roles=[Role.NURSE], organisation=orgs["practice_a"])
    used: set[str] = set()
    for user in (None, officer, nurse):
        verdict = actions.can_store_settlements(user)
        used |= check_message(actions.TEMPLATES, (), verdict.reason, verdict.message)
    for user in (officer, nurse):  # the Directorate's officer may run the national what-if, a nurse not
        verdict = actions.can_run_nation_whatif(user)
        used |= check_message(actions.TEMPLATES, (), verdict.reason, verdict.message)
    assert used == set(actions.TEMPLATES)
    with pytest.raises(ActionRefused, match="Only finance officers") as refused:
        actions.store_settlements(nurse, [])
    with translation.override("nb"):
        assert refused.value.display(reasons.REFUSALS) == (
            "Bare økonomi, saksbehandlere og administratorer kan lagre oppgjør."
        )
