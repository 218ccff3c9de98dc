"""The Directorate's, the project lead's and the evaluator's start pages show their to-dos from the demo
data; following one lands on the list filtered to exactly those rows («Viser bare … — Vis alle»)."""

import re

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scheme_demo(settings, tmp_path):  # type: ignore[no-untyped-def]
    from pht.apps.accounts.models import User
    from pht.apps.registry.loading import load_demo_registry, load_municipalities
    from pht.apps.registry.models import Municipality
    from pht.apps.scheme import actions
    from pht.apps.scheme import models as m
    from pht.apps.scheme.demo import APPLICANTS, OPEN_CALL_CODE, _application_data, _lead_for, build_demo
    from pht.site.demo import create_demo_users

    settings.PHT_ALLOW_SYNTHETIC_IDS = True
    settings.PHT_FINANCE_LAKE = str(tmp_path / "lake")
    load_municipalities(2017)
    load_demo_registry(seed=2017, only=tuple(APPLICANTS))
    create_demo_users()
    build_demo(lambda line: None)
    for user in User.objects.all():
        user.set_password("test-password-123")
        user.save()
    # The reviewer's work: an application to the open call, assigned to the demo reviewer (the demo
    # itself leaves the open call to the project leads).
    ha = Municipality.objects.get(kommunenummer="1119")
    lead = _lead_for(ha)
    application = actions.create_application(
        lead, m.Call.objects.get(code=OPEN_CALL_CODE), _application_data(ha, ("fee",))
    )
    actions.submit_application(lead, application)
    actions.assign_reviewer(
        User.objects.get(username="saksbehandler"), application, User.objects.get(username="fagvurderer")
    )


def _todo(page, key: str):  # type: ignore[no-untyped-def]
    return page.locator(f'[data-todo="{key}"] a')


def _count(link) -> int:  # type: ignore[no-untyped-def]
    return int(link.locator("strong").inner_text().replace("\u00a0", "").replace(" ", ""))


def _banner(page) -> str:  # type: ignore[no-untyped-def]
    return page.get_by_test_id("todo-filter").inner_text()


def test_case_officer_follows_overdue_reports_to_the_filtered_list(page, live_server, login, scheme_demo):  # type: ignore[no-untyped-def]
    login(page, "saksbehandler")
    overdue = _todo(page, "scheme.reports.overdue")
    assert re.fullmatch(r"[\d\s\u00a0]+ Rapporter over fristen", overdue.inner_text())
    count = _count(overdue)
    assert count > 0
    assert _todo(page, "scheme.reports.to_approve").inner_text() == "3 Innsendte rapporter å godkjenne"
    assert _todo(page, "scheme.applications.check").inner_text().startswith("2 Søknader der vilkårene")
    overdue.click()
    page.wait_for_url(re.compile(r".*/scheme/rapporter/\?todo=scheme\.reports\.overdue$"))
    assert _banner(page) == "Viser bare: Rapporter over fristen — Vis alle"
    rows = page.locator("tr[data-report]")
    assert rows.count() == count
    assert page.locator("tr[data-report] .overdue").count() == count  # every row is past its deadline
    page.get_by_role("link", name="Vis alle").click()
    page.wait_for_url(re.compile(r".*/scheme/rapporter/$"))
    assert page.get_by_test_id("todo-filter").count() == 0
    assert page.locator("tr[data-report]").count() > count
    page.goto(f"{live_server.url}/")
    _todo(page, "scheme.applications.check").click()
    page.wait_for_url(re.compile(r".*/scheme/soknader/\?todo=scheme\.applications\.check$"))
    rows = page.locator("tr[data-application]")
    assert rows.count() == 2  # the open call's applications from Hå and Flora
    assert all("Utlysning: nye legekontor" in row.inner_text() for row in rows.all())


def test_reviewer_follows_conflict_declaration_to_the_filtered_list(page, live_server, login, scheme_demo):  # type: ignore[no-untyped-def]
    login(page, "fagvurderer")
    declare = _todo(page, "scheme.reviews.declare")
    assert declare.inner_text() == "2 Tildelte søknader der du skal erklære inhabilitet eller ikke"
    assert _todo(page, "scheme.reviews.score").inner_text() == "0 Fagvurderinger å gjøre ferdig"
    # urgent to-dos with something to do come first
    assert page.locator("[data-todo]").first.get_attribute("data-todo") == "scheme.reviews.declare"
    declare.click()
    page.wait_for_url(re.compile(r".*/scheme/vurderinger/\?todo=scheme\.reviews\.declare$"))
    assert _banner(page).startswith("Viser bare: Tildelte søknader")
    rows = page.locator("tr[data-assignment]")
    assert rows.count() == 2  # Hå's and Flora's applications to the open call
    assert {row.locator("td").first.inner_text() for row in rows.all()} == {"Hå", "Flora"}
    assert all("Tildelt" in row.inner_text() for row in rows.all())
    page.get_by_role("link", name="Vis alle").click()
    page.wait_for_url(re.compile(r".*/scheme/vurderinger/$"))
    assert page.locator("tr[data-assignment]").count() == 19  # 17 reviews of 2017 and the open call's two


def test_finance_officer_follows_approval_todo_under_four_eyes(page, live_server, login, scheme_demo):  # type: ignore[no-untyped-def]
    login(page, "okonomi")
    approve = _todo(page, "scheme.instalments.approve")
    assert approve.inner_text() == "1 Forberedte utbetalinger å godkjenne (forberedt av en annen)"
    prepare = _todo(page, "scheme.instalments.prepare")
    due = _count(prepare)
    assert due > 0
    assert _todo(page, "finance.months.unsettled").inner_text() == ("0 Måneder med krav som ikke er avregnet")
    approve.click()
    page.wait_for_url(re.compile(r".*/scheme/utbetalinger/\?todo=scheme\.instalments\.approve$"))
    rows = page.locator("tr[data-recipient]")
    assert rows.count() == 1
    assert "Åse Økonomi" in rows.inner_text() or "okonomi2" in rows.inner_text()
    assert rows.get_by_role("button", name="Godkjenn").count() == 1
    page.goto(f"{live_server.url}/")
    _todo(page, "scheme.instalments.prepare").click()
    page.wait_for_url(re.compile(r".*/scheme/utbetalinger/\?todo=scheme\.instalments\.prepare$"))
    assert page.locator("tr[data-recipient]").count() == due
    assert page.get_by_role("button", name="Forbered").count() == due

    # four eyes: the officer who prepared it sees nothing to approve
    page.context.clear_cookies()
    login(page, "okonomi2")
    assert _todo(page, "scheme.instalments.approve").inner_text().startswith("0 ")


def test_project_lead_follows_the_open_call_todo(page, live_server, login, scheme_demo):  # type: ignore[no-untyped-def]
    login(page, "prosjektleder")
    calls = _todo(page, "scheme.calls.open")
    assert calls.inner_text() == "1 Åpne utlysninger kommunen ikke har søkt på ennå"
    assert _count(_todo(page, "scheme.reports.due")) > 0
    calls.click()
    page.wait_for_url(re.compile(r".*/scheme/utlysninger/\?todo=scheme\.calls\.open$"))
    assert page.locator("tr[data-call]").count() == 1
    assert page.locator('tr[data-call="utlysning-nye-legekontor"]').count() == 1


def test_evaluator_follows_the_draft_plan_todo(page, live_server, login, registry, settings, tmp_path):  # type: ignore[no-untyped-def]
    from pht.apps.accounts.models import User
    from pht.apps.evaluation import demo as evaluation_demo
    from pht.site.demo import create_demo_users

    settings.VAR_DIR = tmp_path
    create_demo_users()
    evaluation_demo.build_demo(lambda line: None)
    evaluator = User.objects.get(username="evaluator")
    evaluator.set_password("test-password-123")
    evaluator.save()
    login(page, "evaluator")
    drafts = _todo(page, "evaluation.plans.draft")
    assert drafts.inner_text() == "1 Utkast til analyseplaner som skal låses"
    assert _todo(page, "evaluation.runs.failed").inner_text() == "0 Kjøringer som feilet"
    drafts.click()
    page.wait_for_url(re.compile(r".*/evaluation/\?todo=evaluation\.plans\.draft#plans-heading$"))
    assert _banner(page) == "Viser bare: Utkast til analyseplaner som skal låses — Vis alle"
    rows = page.get_by_test_id("plans").locator("tbody tr")
    assert rows.count() == 1 and "demo v2" in rows.inner_text()
    assert page.get_by_test_id("runs").count() == 0
    page.get_by_role("link", name="Vis alle").click()
    page.wait_for_url(re.compile(r".*/evaluation/$"))
    assert page.get_by_test_id("plans").locator("tbody tr").count() == 2
