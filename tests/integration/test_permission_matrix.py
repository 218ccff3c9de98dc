"""Every URL pattern of the site and the API × every role, read from the URL conf (so a new page is
covered without anyone remembering to add it): no server error, and no leak of another organisation's
data. Each user belongs to "our" side (practice A, Seljord); path parameters are filled with the ids of
the *other* side's objects (practice B's patient, plan and task, Flora's application) or, where the
other side has none, an id that does not exist. Identifiable markers of the other side (its patients'
fødselsnummer, a marker in Flora's application) must never appear in an answer; practice and municipal
roles must not get a 200 for the other side's objects; and every menu entry of every role opens.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from pht.apps.accounts.models import Role

FOREIGN_MARKER = "FLORA-MARKER-7Q2"
MISSING = "987654321"
# Pages anyone may open without signing in.
PUBLIC = {
    "login",
    "admin:login",
    "set_language",
    "api:openapi-json",
    "api:openapi-view",
    "api:api-root",
    "scheme:call_public",
}
# Path parameters and where their values come from (a new parameter name fails the test: add it here).
PARAMETERS = {
    "resident_id": "resident",
    "plan_id": "plan",
    "task_id": "task",
    "pk": "application",
    "application_id": "application",
    "attachment_id": MISSING,
    "decision_id": MISSING,
    "member_id": MISSING,
    "token_id": MISSING,
    "job_id": MISSING,
    "run_id": MISSING,
    "orgnr": "orgnr",
    "kommunenummer": "kommunenummer",
    "hpr": "hpr",
    "period": "2018-04",
    "model": "fee",
    "kind": "csv",
    "fmt": "html",
    "code": "call-2017",
    # Django admin
    "app_label": "accounts",
    "object_id": MISSING,
    "content_type_id": MISSING,
    "uidb64": "MQ",
    "token": "set-password",
    "id": MISSING,
}
# Practice and municipal roles see only their own organisation's records.
LOCAL_ROLES = {Role.GP, Role.NURSE, Role.SECRETARY, Role.PRACTICE_ADMIN, Role.PROJECT_LEAD}


def _patterns(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, list[str]]]:
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _patterns(p, ns)
        elif isinstance(p, URLPattern):
            params = list(p.pattern.regex.groupindex)
            yield (f"{namespace}{p.name}" if p.name else ""), params


def _fnr(birth: datetime.date, individual: int) -> str:
    """A valid synthetic fødselsnummer (month + 80)."""
    from stdnum.no import fodselsnummer

    while True:
        head = f"{birth.day:02d}{birth.month + 80:02d}{birth.year % 100:02d}{individual:03d}"
        k1 = fodselsnummer.calc_check_digit1(head)
        k2 = fodselsnummer.calc_check_digit2(head + k1) if k1 != "10" else "10"
        if "10" not in (k1, k2):
            return head + k1 + k2
        individual += 1


def _side(practice: Any, uploader: Any, individuals: range) -> dict[str, Any]:
    """Residents imported at ``practice`` (old enough for a target group), one with a plan and a task."""
    from pht.apps.care import actions
    from pht.apps.care.models import CarePlan, CareTask, ListResident

    gp = practice.gps.order_by("hpr").first()
    fnrs = [_fnr(datetime.date(1932, 3, 3), i) for i in individuals]
    lines = ["fnr,gp_hpr,practice_orgnr,list_from,list_to"] + [
        f"{f},{gp.hpr},{practice.orgnr},2015-01-01," for f in fnrs
    ]
    actions.import_bytes(uploader, practice, ("\n".join(lines) + "\n").encode(), "r.csv", "residents")
    resident = ListResident.objects.get(fnr=fnrs[0], practice=practice)
    plan = CarePlan.objects.create(
        resident=resident, title="Plan", goals="Goal", responsible_role="nurse", created_by=uploader
    )
    task = CareTask.objects.create(plan=plan, description="Task", role="nurse", created_by=uploader)
    return {"fnrs": fnrs, "resident": resident.pk, "plan": plan.pk, "task": task.pk, "hpr": gp.hpr}


@pytest.fixture
def matrix(orgs: Any, make_user: Any, settings: Any) -> dict[str, Any]:
    from pht.apps.scheme import actions as scheme
    from pht.apps.scheme.calls import load_call

    settings.PHT_ALLOW_SYNTHETIC_IDS = True
    practice_a, practice_b = orgs["practice_a"].practice, orgs["practice_b"].practice
    uploader_a = make_user("upload_a", roles=["practice_admin"], organisation=orgs["practice_a"])
    uploader_b = make_user("upload_b", roles=["practice_admin"], organisation=orgs["practice_b"])
    _side(practice_a, uploader_a, range(100, 103))
    foreign = _side(practice_b, uploader_b, range(300, 303))
    lead_flora = make_user("lead_flora", roles=["project_lead"], organisation=orgs["flora"])
    call = load_call("call_2017")
    application = scheme.create_application(lead_flora, call)
    application.contact_name = FOREIGN_MARKER
    application.save()
    scheme.create_application(
        make_user("lead_own", roles=["project_lead"], organisation=orgs["seljord"]), call
    )
    home = {
        Role.CASE_OFFICER: "directorate",
        Role.REVIEWER: "directorate",
        Role.FINANCE_OFFICER: "directorate",
        Role.ADMINISTRATOR: "directorate",
        Role.EVALUATOR: "evaluation",
        Role.PROJECT_LEAD: "seljord",
        Role.GP: "practice_a",
        Role.NURSE: "practice_a",
        Role.SECRETARY: "practice_a",
        Role.PRACTICE_ADMIN: "practice_a",
    }
    users: dict[str, Any] = {role.value: make_user(f"m_{role.value}", roles=[role.value], organisation=orgs[org])
                             for role, org in home.items()}  # fmt: skip
    users["superuser"] = make_user(
        "m_root", roles=["administrator"], organisation=orgs["directorate"], is_superuser=True, is_staff=True
    )
    values = {
        **{k: v for k, v in PARAMETERS.items()},
        "resident_id": foreign["resident"],
        "plan_id": foreign["plan"],
        "task_id": foreign["task"],
        "pk": application.pk,
        "application_id": application.pk,
        "orgnr": practice_b.orgnr,
        "kommunenummer": "1401",
        "hpr": foreign["hpr"],
    }
    return {"users": users, "values": values, "foreign_fnrs": foreign["fnrs"], "owner": uploader_b}


def _url(name: str, params: list[str], values: dict[str, Any]) -> str:
    missing = [p for p in params if p not in PARAMETERS]
    assert not missing, f"{name}: add a value for the new path parameter(s) {missing} to PARAMETERS"
    return reverse(name, kwargs={p: str(values[p]) for p in params})


def _all_urls(values: dict[str, Any]) -> list[tuple[str, str]]:
    urls = []
    unnamed = []
    for name, params in _patterns(get_resolver()):
        if not name:
            unnamed.append(params)
            continue
        urls.append((name, _url(name, params, values)))
    # Only Django admin's catch-all and its old object-id redirects have no name.
    assert all(set(p) <= {"url", "object_id"} for p in unnamed), unnamed
    return urls


def _leaks(body: str, fnrs: list[str]) -> list[str]:
    return [m for m in [*fnrs, FOREIGN_MARKER] if m in body]


@pytest.mark.django_db
def test_every_url_for_every_role_has_no_server_error_and_no_leak(matrix: dict[str, Any]) -> None:
    urls = _all_urls(matrix["values"])
    assert len(urls) > 60  # the site, the API and the admin
    problems: list[str] = []
    roles = {"anonymous": None, **matrix["users"]}
    for role, user in roles.items():
        client = Client(raise_request_exception=False)
        for name, url in urls:
            for method in ("get", "post"):
                if user is not None:
                    client.force_login(user)
                response = getattr(client, method)(url)
                status = response.status_code
                where = f"{role} {method.upper()} {url} ({name}) -> {status}"
                if status >= 500:
                    problems.append(f"server error: {where}")
                    continue
                body = b"" if getattr(response, "streaming", False) else response.content
                leaked = _leaks(body.decode("utf-8", "replace"), matrix["foreign_fnrs"])
                if role == Role.CASE_OFFICER or role in (
                    Role.FINANCE_OFFICER,
                    Role.ADMINISTRATOR,
                    "superuser",
                ):
                    # Directorate roles see every application, but never a patient's identity.
                    leaked = [m for m in leaked if m != FOREIGN_MARKER]
                if leaked:
                    problems.append(f"leak {leaked}: {where}")
                if user is None and name not in PUBLIC and status == 200:
                    problems.append(f"open to anonymous: {where}")
                if role in LOCAL_ROLES and method == "get" and status == 200 and _foreign_object(name):
                    problems.append(f"other organisation's record answered 200: {where}")
    assert problems == [], "\n".join(problems)
    # Control: the markers are there to be found by those who may see them (else the check proves nothing).
    owner = Client()
    owner.force_login(matrix["owner"])
    page = owner.get(reverse("care:patient", kwargs={"resident_id": matrix["values"]["resident_id"]}))
    assert page.status_code == 200
    assert _leaks(page.content.decode(), matrix["foreign_fnrs"])
    officer = Client()
    officer.force_login(matrix["users"][Role.CASE_OFFICER])
    application = officer.get(reverse("scheme:application", kwargs={"pk": matrix["values"]["pk"]}))
    assert FOREIGN_MARKER in application.content.decode()


def _foreign_object(name: str) -> bool:
    """Patterns whose parameter names another organisation's record (for local roles)."""
    params = dict(_patterns(get_resolver())).get(name, [])
    return any(p in {"resident_id", "plan_id", "task_id", "pk", "application_id"} for p in params) and not (
        name.startswith("admin:")
    )


@pytest.mark.django_db
def test_every_menu_entry_of_every_role_opens(matrix: dict[str, Any]) -> None:
    from django.test import RequestFactory

    from pht.site.context_processors import navigation

    problems = []
    for role, user in matrix["users"].items():
        request = RequestFactory().get("/")
        request.user = user
        client = Client(raise_request_exception=False)
        client.force_login(user)
        items = navigation(request)["nav_items"]
        for item in items:
            response = client.get(item["url"], follow=True)
            if response.status_code != 200:
                problems.append(f"{role}: menu entry {item['label']} {item['url']} -> {response.status_code}")
    assert problems == [], "\n".join(problems)


def test_every_path_parameter_has_a_value() -> None:
    names = {p for _, params in _patterns(get_resolver()) for p in params}
    assert names <= set(PARAMETERS) | {"url"}, names - set(PARAMETERS)
    assert re.match(r"^\d+$", MISSING)
