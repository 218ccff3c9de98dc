"""Each practice role's start page shows its to-dos from the demo data; following one lands on the list
filtered to exactly those things."""

import re

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(registry, settings):  # type: ignore[no-untyped-def]
    from pht.apps.accounts.models import User
    from pht.apps.care import demo as care_demo
    from pht.site.demo import create_demo_users, demo_practice

    settings.PHT_ALLOW_SYNTHETIC_IDS = True
    create_demo_users()
    care_demo.build_demo(lambda line: None)
    for user in User.objects.all():
        user.set_password("test-password-123")
        user.save()
    return demo_practice()


def _todo(page, key: str):  # type: ignore[no-untyped-def]
    return page.locator(f'[data-todo="{key}"] a')


def test_nurse_follows_review_and_task_todos_to_filtered_lists(page, live_server, login, demo):  # type: ignore[no-untyped-def]
    login(page, "sykepleier")
    review = _todo(page, "care.reviews")
    assert review.inner_text() == "1 Oppfølgingsplaner som skal evalueres"
    tasks = _todo(page, "care.tasks.nurse")
    assert tasks.inner_text() == "1 Åpne oppgaver for Sykepleier (1 med frist i dag eller tidligere)"
    # urgent to-dos with something to do come first, the plain count last
    keys = [item.get_attribute("data-todo") for item in page.locator("[data-todo]").all()]
    assert set(keys[:3]) == {"care.reviews", "care.tasks.nurse", "registry.nurse_norm"}
    assert keys[-1] == "care.without_plan"
    review.click()
    page.wait_for_url(re.compile(r".*/care/reviews/\?todo=care\.reviews$"))
    assert page.get_by_test_id("todo-filter").inner_text() == (
        "Viser bare: Oppfølgingsplaner som skal evalueres — Vis alle"
    )
    rows = page.get_by_test_id("review-table").locator("tbody tr")
    assert rows.count() == 1
    rows.first.get_by_role("link").click()
    page.wait_for_url(re.compile(r".*/care/patients/\d+/$"))
    assert page.get_by_test_id("synthetic-marker").inner_text() == "(syntetisk person)"
    page.goto(f"{live_server.url}/")
    _todo(page, "care.tasks.nurse").click()
    page.wait_for_url(re.compile(r".*/care/\?todo=care\.tasks\.nurse#tasks-heading$"))
    assert (
        page.get_by_test_id("todo-filter").inner_text().startswith("Viser bare: Åpne oppgaver for Sykepleier")
    )
    task_rows = page.get_by_test_id("task-table").locator("tbody tr")
    assert task_rows.count() == 1
    assert "Ring pasienten før evalueringen" in task_rows.first.inner_text()
    # patients new in a target group since a month before the list's date, each marked «ny»
    page.goto(f"{live_server.url}/")
    new = _todo(page, "care.new_in_group")
    count = int(new.inner_text().split()[0])
    assert new.inner_text().endswith("Pasienter nye i målgruppe, uten oppfølgingsplan") and count > 0
    new.click()
    page.wait_for_url(re.compile(r".*/care/\?todo=care\.new_in_group#patients-heading$"))
    patients = page.get_by_test_id("worklist-table").locator("tbody tr")
    assert patients.count() == min(count, 25)  # a page of the worklist
    for row in patients.all():
        assert re.search(r"ny \(ikke i målgruppen \d+\. \w+ \d{4}\)", row.inner_text()), row.inner_text()


def test_gp_and_project_lead_see_their_own_todos(page, live_server, login, demo):  # type: ignore[no-untyped-def]
    login(page, "fastlege")
    gp_tasks = _todo(page, "care.tasks.gp")
    assert gp_tasks.inner_text().startswith("3 Åpne oppgaver for Fastlege (0 med frist")
    assert _todo(page, "care.tasks.nurse").count() == 0
    gp_tasks.click()
    page.wait_for_url(re.compile(r".*/care/\?todo=care\.tasks\.gp#tasks-heading$"))
    assert page.get_by_test_id("task-table").locator("tbody tr").count() == 3
    # the demo practice has no nurse on its roster: below the norm, linked to the practice page
    page.goto(f"{live_server.url}/")
    norm = _todo(page, "registry.nurse_norm")
    assert norm.inner_text() == "1 Legekontorets teamoversikt er under sykepleiernormen"
    norm.click()
    page.wait_for_url(re.compile(rf".*/registry/practices/{demo.orgnr}/$"))
    assert "Under sykepleiernormen" in page.get_by_test_id("nurse-norm").inner_text()

    page.context.clear_cookies()
    login(page, "prosjektleder")
    lead = _todo(page, "registry.nurse_norm")
    assert re.fullmatch(r"\d+ Legekontorer under sykepleiernormen", lead.inner_text())
    assert _todo(page, "care.reviews").count() == 0
    short = int(lead.inner_text().split()[0])
    assert short > 0
    lead.click()
    page.wait_for_url(re.compile(r".*/registry/municipalities/0828/\?todo=registry\.nurse_norm$"))
    assert page.get_by_test_id("todo-filter").inner_text() == (
        "Viser bare: Legekontorer under sykepleiernormen — Vis alle"
    )
    assert page.get_by_test_id("practice-table").locator("tbody tr").count() == short
