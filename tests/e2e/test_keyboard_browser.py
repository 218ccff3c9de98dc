"""The nurse's daily flow by keyboard alone (Tab, Enter, Space): log in, worklist, a patient's care plan,
mark her task done. Every stop on the way shows where the focus is."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

TASK = "Ring pasienten før evalueringen"  # the demo nurse's task due today (pht.apps.care.demo)


@pytest.fixture
def demo(registry, settings):  # type: ignore[no-untyped-def]
    from pht.apps.accounts.models import User
    from pht.apps.care import demo as care_demo
    from pht.site.demo import create_demo_users

    settings.PHT_ALLOW_SYNTHETIC_IDS = True
    create_demo_users()
    care_demo.build_demo(lambda line: None)
    for user in User.objects.all():
        user.set_password("test-password-123")
        user.save()


# The focused element and whether it shows it: an outline or a ring (box-shadow) that is not nothing.
FOCUS = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
    const ring = style.boxShadow && style.boxShadow !== "none";
    return {visible: Boolean(outline || ring), html: element.outerHTML.slice(0, 160)};
}"""


def _tab_to(page, target, limit: int = 80) -> int:  # type: ignore[no-untyped-def]
    """Press Tab until ``target`` has the focus; every element on the way must show its focus."""
    handle = target.element_handle()
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        assert focus["visible"], f"focus not visible on {focus['html']}"
        if page.evaluate("(element) => document.activeElement === element", handle):
            return presses
    raise AssertionError(f"{target} not reached in {limit} presses of Tab")


def test_nurse_marks_her_task_done_by_keyboard_alone(page, live_server, demo):  # type: ignore[no-untyped-def]
    from pht.apps.care.models import CareTask

    task = CareTask.objects.get(description=TASK)
    assert task.status != "done"

    page.goto(f"{live_server.url}/login/")
    assert page.evaluate("() => document.activeElement.id") == "id_username"  # autofocus
    page.keyboard.type("sykepleier")
    _tab_to(page, page.get_by_label("Passord"), limit=1)
    page.keyboard.type("test-password-123")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")

    # the first stop on a page is the skip link to the main content
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == "#main"
    assert page.evaluate(FOCUS)["visible"]
    _tab_to(page, page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Arbeidsliste"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/care/$"))

    row = page.get_by_test_id("task-table").locator("tbody tr", has_text=TASK)
    _tab_to(page, row.get_by_role("link"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/care/patients/{task.plan.resident_id}/$"))

    plan = page.get_by_test_id("care-plan")
    assert TASK in plan.get_by_test_id("plan-tasks").inner_text()
    # the button says which task it marks (its visible text first, WCAG 2.5.3)
    done = plan.get_by_role("button", name=re.compile(rf"^Merk utført\W+{re.escape(TASK)}$"))
    _tab_to(page, done)
    page.keyboard.press("Space")
    page.get_by_role("status").get_by_text("Oppgaven er oppdatert.").wait_for()

    task.refresh_from_db()
    assert task.status == "done"
    row = page.get_by_test_id("plan-tasks").locator("tbody tr", has_text=TASK)
    assert "utført" in row.inner_text().lower()
    assert row.get_by_role("button").count() == 0
