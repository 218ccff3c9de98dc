"""The start page's to-dos of every Directorate role and the project lead, from the scheme demo: each count
equals the rows of the list its link opens (``?todo=<key>``), that list is really filtered, says so in
bokmål and English, and an unknown to-do key is a 404, never a 500."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

# The list page's context entry holding its rows, per URL path prefix of the to-do's link.
ROWS = {
    "/scheme/soknader/": "applications",
    "/scheme/vurderinger/": "assignments",
    "/scheme/utbetalinger/": "instalments",
    "/scheme/rapporter/": "reports",
    "/scheme/utlysninger/": "calls",
    "/evaluation/": None,  # two tables: plans or runs, by the to-do
    "/finance/runs/": "unsettled",
    "/care/reviews/": "plans",
    "/registry/municipalities/": "practices",
    "/care/": None,  # the worklist: its tasks or its patients, by the to-do (in pages)
}


@pytest.fixture
def demo(settings, tmp_path) -> dict[str, Any]:
    from pht.apps.accounts.models import User
    from pht.apps.registry.loading import load_demo_registry, load_municipalities
    from pht.apps.registry.models import Municipality
    from pht.apps.scheme import actions
    from pht.apps.scheme import models as m
    from pht.apps.scheme.demo import APPLICANTS, OPEN_CALL_CODE, _application_data, _lead_for, build_demo
    from pht.site.demo import create_demo_users

    settings.PHT_FINANCE_LAKE = str(tmp_path / "lake")
    load_municipalities(2017)
    load_demo_registry(seed=2017, only=tuple(APPLICANTS))
    create_demo_users()
    build_demo(lambda line: None)
    users = {u.username: u for u in User.objects.all()}
    # The reviewer's work: an application to the open call (the demo leaves that call to the
    # project leads), assigned to both reviewers; the second has declared no conflict.
    call = m.Call.objects.get(code=OPEN_CALL_CODE)
    ha = Municipality.objects.get(kommunenummer="1119")
    lead = _lead_for(ha)
    application = actions.create_application(lead, call, _application_data(ha, ("fee",)))
    actions.submit_application(lead, application)
    for name in ("fagvurderer", "fagvurderer2"):
        actions.assign_reviewer(users["saksbehandler"], application, users[name])
    second = m.ReviewAssignment.objects.get(application=application, reviewer=users["fagvurderer2"])
    actions.declare_conflict(users["fagvurderer2"], second, False)
    return users


def _rows(client: Client, url: str, key: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    path = url.split("?")[0]
    entry = next(entry for prefix, entry in ROWS.items() if path.startswith(prefix))
    if path == "/care/":
        pages = response.context["tasks" if key.startswith("care.tasks.") else "page"]
        return int(pages.paginator.count)
    if entry is None:
        entry = "plans" if ".plans." in key else "runs"
    return len(list(response.context[entry]))


def _check_every_todo(user: Any) -> dict[str, int]:
    """Every to-do of ``user``: its count equals its filtered list's rows, and the list says it is filtered."""
    from pht.apps.accounts.todos import todos_for

    client = Client()
    client.force_login(user)
    found = {}
    for todo in todos_for(user):
        if todo.key == "registry.nurse_norm" and "?todo=" not in todo.url:
            continue  # practice staff's own roster: the practice page, one practice, not a list
        assert f"?todo={todo.key}" in todo.url
        assert _rows(client, todo.url, todo.key) == todo.count, todo.key
        page = client.get(todo.url).content.decode()
        assert f'data-todo-key="{todo.key}"' in page and "Viser bare: " in page and "Vis alle" in page
        found[todo.key] = todo.count
    return found


def test_case_officer_todos_match_their_filtered_lists(demo: dict[str, Any]) -> None:
    from pht.apps.scheme import models as m

    found = _check_every_todo(demo["saksbehandler"])
    assert set(found) == {
        "scheme.applications.check",
        "scheme.applications.reviews_outstanding",
        "scheme.applications.decisions_unaccepted",
        "scheme.reports.overdue",
        "scheme.reports.to_approve",
    }
    today = datetime.date.today()
    overdue = m.Report.objects.filter(status="due", due_date__lt=today)
    assert found["scheme.reports.overdue"] == overdue.count() > 0
    assert found["scheme.reports.to_approve"] == 3  # the demo's three submitted 2018 reports
    # the open call's two submitted applications (one of them Flora's): neither checked by the officer yet, and
    # each waits for fagvurderer's review (Flora's is scored by fagvurderer2 only)
    assert found["scheme.applications.check"] == 2
    assert found["scheme.applications.reviews_outstanding"] == 2
    client = Client()
    client.force_login(demo["saksbehandler"])
    # the filter filters: the whole report list is longer, and every filtered row is overdue
    whole = client.get(reverse("scheme:reports")).context["reports"]
    only = client.get(reverse("scheme:reports") + "?todo=scheme.reports.overdue").context["reports"]
    assert len(whole) > len(only)
    assert all(item["overdue"] for item in only)
    checked = client.get(reverse("scheme:applications") + "?todo=scheme.applications.check")
    assert [a.call.code for a in checked.context["applications"]] == ["utlysning-nye-legekontor"] * 2


def test_reviewer_todos_and_the_filtered_review_list(demo: dict[str, Any]) -> None:
    first = _check_every_todo(demo["fagvurderer"])
    # assigned both open-call applications, conflict not yet declared on either
    assert first == {"scheme.reviews.declare": 2, "scheme.reviews.score": 0}
    second = _check_every_todo(demo["fagvurderer2"])
    assert second == {"scheme.reviews.declare": 0, "scheme.reviews.score": 1}
    client = Client()
    client.force_login(demo["fagvurderer"])
    whole = client.get(reverse("scheme:reviews")).context["assignments"]
    only = client.get(reverse("scheme:reviews") + "?todo=scheme.reviews.declare").context["assignments"]
    assert len(whole) == 19 and [a.status for a in only] == ["assigned", "assigned"]


def test_finance_officers_approve_only_what_another_prepared(demo: dict[str, Any]) -> None:
    from pht.apps.scheme import models as m

    prepared = m.Instalment.objects.get(status="prepared")
    assert prepared.prepared_by == demo["okonomi2"]
    first = _check_every_todo(demo["okonomi"])
    assert first["scheme.instalments.approve"] == 1
    assert first["scheme.instalments.prepare"] > 0
    assert first["finance.months.unsettled"] == 0  # no finance lake in this test: nothing to settle
    # four eyes: the officer who prepared it has nothing to approve
    assert _check_every_todo(demo["okonomi2"])["scheme.instalments.approve"] == 0
    client = Client()
    client.force_login(demo["okonomi"])
    only = client.get(reverse("scheme:payments") + "?todo=scheme.instalments.prepare").context["instalments"]
    assert {i.status for i, _case in only} == {"planned"}
    assert all(i.due <= datetime.date.today() for i, _case in only)
    assert len(client.get(reverse("scheme:payments")).context["instalments"]) > len(only)


def test_project_lead_todos(demo: dict[str, Any]) -> None:
    found = _check_every_todo(demo["prosjektleder"])
    assert found["scheme.calls.open"] == 1  # Seljord has not applied to the open call
    assert found["scheme.reports.due"] > 0
    assert found["scheme.applications.drafts"] == 0
    assert found["scheme.applications.to_accept"] == 0
    assert found["registry.nurse_norm"] > 0
    client = Client()
    client.force_login(demo["prosjektleder"])
    calls = client.get(reverse("scheme:calls") + "?todo=scheme.calls.open").context["calls"]
    assert [c.code for c in calls] == ["utlysning-nye-legekontor"]
    practices = client.get("/registry/municipalities/0828/?todo=registry.nurse_norm").context["practices"]
    whole = client.get("/registry/municipalities/0828/").context["practices"]
    # both of Seljord's demo practices are below the norm: the filter keeps exactly those
    from pht.apps.registry.roster import nurse_norm

    assert len(practices) == found["registry.nurse_norm"] <= len(whole)
    assert not any(nurse_norm(p, datetime.date.today()).met for p in practices)
    reports = client.get(reverse("scheme:reports") + "?todo=scheme.reports.due").context["reports"]
    assert {item["report"].decision.application.municipality.kommunenummer for item in reports} == {"0828"}


def test_months_not_yet_settled_are_listed_for_the_finance_officer(demo: dict[str, Any], settings) -> None:
    from pathlib import Path

    from pht.apps.finance.todos import unsettled_months

    lake = Path(settings.PHT_FINANCE_LAKE)
    (lake / "claims" / "year=2018").mkdir(parents=True)
    months = unsettled_months(today=datetime.date(2019, 2, 10))
    # the first accepted grants start in April 2018; no statement is stored in this test
    assert months == [f"2018-{month:02d}" for month in range(4, 13)]
    found = _check_every_todo(demo["okonomi"])
    assert found["finance.months.unsettled"] == len(unsettled_months())


def test_the_filter_banner_in_english_and_bad_keys(demo: dict[str, Any]) -> None:
    client = Client()
    client.force_login(demo["saksbehandler"])
    url = reverse("scheme:reports") + "?todo=scheme.reports.overdue"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Showing only: Reports past their deadline" in page and "Show all" in page
    for bad in ("nope", "scheme.instalments.approve", "'><script>", ""):
        assert client.get(reverse("scheme:reports"), {"todo": bad}).status_code == 404
    assert client.get(reverse("evaluation:index"), {"todo": "scheme.reports.overdue"}).status_code == 404


def test_evaluator_todos_draft_plans_and_runs_to_look_at(make_user, orgs) -> None:  # type: ignore[no-untyped-def]
    """Without the (slow) evaluation demo: a locked plan, a draft, a failed, a running and a finished run."""
    from pht.apps.evaluation import actions
    from pht.apps.evaluation.models import AnalysisPlan, Extract, Run
    from pht.apps.jobs.models import Job

    evaluator = make_user("eva", roles=["evaluator"])
    officer = make_user("sara", roles=["case_officer"], organisation=orgs["directorate"])
    draft = actions.create_plan(evaluator, "sensitivity")
    locked = actions.create_plan(evaluator, "main")
    AnalysisPlan.objects.filter(pk=locked.pk).update(status="locked")
    extract = Extract.objects.create(path="/nowhere", snapshot_hash="0" * 64, purpose="test")
    for status in ("failed", "running", "queued", "done"):
        job = Job.objects.create(kind="evaluation.run", status=status, created_by=evaluator)
        Run.objects.create(plan=locked, extract=extract, job=job, result={} if status == "done" else None)
    found = _check_every_todo(evaluator)
    assert found == {
        "evaluation.plans.draft": 1,
        "evaluation.runs.failed": 1,
        "evaluation.runs.unfinished": 2,
    }
    client = Client()
    client.force_login(evaluator)
    page = client.get(reverse("evaluation:index") + "?todo=evaluation.plans.draft")
    assert [p.pk for p in page.context["plans"]] == [draft.pk]
    assert 'id="runs-heading"' not in page.content.decode()  # only the table the to-do is about
    failed = client.get(reverse("evaluation:index") + "?todo=evaluation.runs.failed").context["runs"]
    assert [run.status for run in failed] == ["failed"]
    assert len(client.get(reverse("evaluation:index")).context["runs"]) == 4
    # the Directorate reads the workspace but has no evaluation work of its own
    from pht.apps.accounts.todos import todos_for

    assert not [t for t in todos_for(officer) if t.key.startswith("evaluation.")]


def test_practice_staff_todos_match_the_worklist_and_reviews(registry, settings) -> None:  # type: ignore[no-untyped-def]
    from pht.apps.accounts.models import User
    from pht.apps.care import demo as care_demo
    from pht.apps.care.models import CareTask
    from pht.site.demo import create_demo_users

    settings.PHT_ALLOW_SYNTHETIC_IDS = True
    create_demo_users()
    care_demo.build_demo(lambda line: None)
    nurse = _check_every_todo(User.objects.get(username="sykepleier"))
    assert nurse["care.tasks.nurse"] == 1 and nurse["care.reviews"] == 1
    assert nurse["care.without_plan"] > 0
    # the demo list's date is 31 Dec 2019: patients whose group began in December are new
    assert 0 < nurse["care.new_in_group"] < nurse["care.without_plan"], nurse
    gp = _check_every_todo(User.objects.get(username="fastlege"))
    assert gp["care.tasks.gp"] == 3 and "care.tasks.nurse" not in gp
    secretary = _check_every_todo(User.objects.get(username="helsesekretaer"))
    assert "care.tasks.secretary" in secretary and "care.reviews" not in secretary
    client = Client()
    client.force_login(User.objects.get(username="fastlege"))
    tasks = client.get(reverse("care:worklist") + "?todo=care.tasks.nurse").context["tasks"]
    assert [t.role for t in tasks] == ["nurse"]
    assert CareTask.objects.filter(status__in=("open", "in_progress")).count() > len(tasks)
    assert client.get(reverse("care:worklist") + "?todo=scheme.reports.overdue").status_code == 404
    page = client.get(reverse("care:reviews") + "?todo=care.reviews", HTTP_ACCEPT_LANGUAGE="en")
    assert "Showing only: Care plans due for review" in page.content.decode()
