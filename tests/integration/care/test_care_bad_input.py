"""Bad input in the care app: a clean refusal naming row and field, or a 400, never a 500 (issue 10)."""

from __future__ import annotations

from typing import Any

import pytest
from care_data import PEOPLE, make_fnr
from django.test import Client

from pht.apps.accounts.actions import ActionRefused
from pht.apps.care import actions
from pht.apps.care.importing import ImportRefused, parse_file
from pht.apps.care.models import AccessLogEntry, CarePlan, ListResident

FNR = make_fnr(*PEOPLE["frail"])
HEADER = "fnr,gp_hpr,practice_orgnr,list_from,list_to"


def _superscripted(text: str, position: int) -> str:
    return text[:position] + "²" + text[position + 1 :]


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (f"{_superscripted(FNR, 3)},900000000,100000000,2015-01-01,", "fnr"),
        (f"{FNR},9²0000000,100000000,2015-01-01,", "gp_hpr"),
        (f"{FNR},900000000,1000²0000,2015-01-01,", "practice_orgnr"),
        (f"{FNR},900000000,100000000,2015-01-0²,", "list_from"),
    ],
)
def test_a_superscript_digit_in_a_residents_file_is_refused_naming_row_and_field(
    row: str, field: str
) -> None:
    with pytest.raises(ImportRefused) as refused:
        parse_file(f"{HEADER}\n{row}\n".encode(), "r.csv", "residents", allow_synthetic=True)
    assert [(p.line, p.field) for p in refused.value.problems] == [(2, field)]


@pytest.mark.parametrize("kind", ["contacts", "diagnoses"])
def test_a_superscript_digit_in_a_contact_or_diagnosis_fnr_is_refused(kind: str) -> None:
    header, rest = {
        "contacts": ("fnr,contact_date,kind", "2019-01-01,gp"),
        "diagnoses": ("fnr,icpc2,diagnosed_on", "T90,2019-01-01"),
    }[kind]
    data = f"{header}\n{FNR},{rest}\n{_superscripted(FNR, 0)},{rest}\n".encode()
    with pytest.raises(ImportRefused) as refused:
        parse_file(data, "c.csv", kind, allow_synthetic=True)
    assert [(p.line, p.field) for p in refused.value.problems] == [(3, "fnr")]


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_nul_in_the_purpose_or_a_form_is_400_and_logs_nothing(care: dict[str, Any]) -> None:
    resident = ListResident.objects.get(fnr=FNR)
    nurse = _client(care["users"]["nurse_a"])
    before = AccessLogEntry.objects.count()
    assert nurse.get(f"/care/patients/{resident.pk}/?purpose=a%00b").status_code == 400
    assert nurse.get(f"/api/care/residents/{resident.pk}?purpose=%00").status_code == 400
    assert AccessLogEntry.objects.count() == before
    response = nurse.post(
        f"/care/patients/{resident.pk}/plans/",
        {"title": "Plan", "goals": "Mål\x00", "responsible_role": "nurse"},
    )
    assert response.status_code == 400
    assert not CarePlan.objects.exists()


@pytest.mark.django_db
def test_free_text_is_bounded(care: dict[str, Any]) -> None:
    resident = ListResident.objects.get(fnr=FNR)
    nurse = care["users"]["nurse_a"]
    with pytest.raises(ActionRefused, match="goals: at most 10,000 characters"):
        actions.create_care_plan(nurse, resident, title="Plan", goals="x" * 100_000, responsible_role="nurse")
    with pytest.raises(ActionRefused, match="title: at most 200"):
        actions.create_care_plan(nurse, resident, title="x" * 201, goals="Mål", responsible_role="nurse")
    plan = actions.create_care_plan(
        nurse, resident, title="Plan", goals="x" * 10_000, responsible_role="nurse"
    )
    with pytest.raises(ActionRefused, match="task: at most 300"):
        actions.add_task(nurse, plan, description="x" * 301, role="gp", due=None)
    # Through the page: the refusal is shown, nothing more is stored.
    response = _client(nurse).post(
        f"/care/patients/{resident.pk}/plans/",
        {"title": "Plan", "goals": "x" * 100_000, "responsible_role": "nurse"},
        follow=True,
    )
    assert response.status_code == 200
    assert CarePlan.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_care_plan_keeps_what_was_typed(care: dict[str, Any]) -> None:
    """A refused plan (here its review date) shows the form again as typed: a redirect had emptied it, so a
    wrong date cost the nurse the title, goals and activities she had written."""
    resident = ListResident.objects.get(fnr=FNR)
    client = Client()
    client.force_login(care["users"]["nurse_a"])
    typed = {
        "title": "Oppfølging <script>x</script>",
        "goals": "Færre fall\nBedre søvn",
        "activities": "Hjemmebesøk",
        "responsible_role": "gp",
        "next_review": "31.02.2030",
        "status": "draft",
        "task_description": "Ring pårørende",
        "task_role": "secretary",
        "task_due": "01.03.2030",
    }
    response = client.post(f"/care/patients/{resident.pk}/plans/", typed, HTTP_ACCEPT_LANGUAGE="nb")
    page = response.content.decode()
    assert response.status_code == 200
    assert not CarePlan.objects.filter(resident=resident).exists()
    assert "Neste evaluering: 31.02.2030 er ikke en dato" in page
    assert 'value="Oppfølging &lt;script&gt;x&lt;/script&gt;"' in page
    assert ">Færre fall\nBedre søvn</textarea>" in page
    assert ">Hjemmebesøk</textarea>" in page
    assert 'value="31.02.2030"' in page and 'value="01.03.2030"' in page
    assert 'value="Ring pårørende"' in page
    assert '<option value="gp" selected>' in page
    assert '<option value="secretary" selected>' in page
    assert '<option value="draft" selected>' in page


@pytest.mark.django_db
def test_a_refused_follow_up_and_task_keep_what_was_typed(care: dict[str, Any]) -> None:
    resident = ListResident.objects.get(fnr=FNR)
    plan = actions.create_care_plan(
        care["users"]["nurse_a"], resident, title="Plan", goals="Mål", responsible_role="nurse"
    )
    client = Client()
    client.force_login(care["users"]["nurse_a"])
    follow = {"on": "2018-13-01", "kind": "home_visit", "note": "Besøkt hjemme"}
    page = client.post(f"/care/patients/{resident.pk}/follow-up/", follow, HTTP_ACCEPT_LANGUAGE="nb")
    text = page.content.decode()
    assert 'value="2018-13-01"' in text and 'value="Besøkt hjemme"' in text
    assert '<option value="home_visit" selected>' in text
    task = {"description": "Legemiddelgjennomgang", "role": "gp", "due": "32.01.2030"}
    page = client.post(f"/care/plans/{plan.pk}/tasks/", task, HTTP_ACCEPT_LANGUAGE="nb")
    text = page.content.decode()
    assert 'value="Legemiddelgjennomgang"' in text and 'value="32.01.2030"' in text
    assert not plan.tasks.exists()
    # The page a refusal was shown at, asked for again (the header's language menu returns to it): the patient.
    for url in (f"/care/patients/{resident.pk}/follow-up/", f"/care/plans/{plan.pk}/tasks/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == f"/care/patients/{resident.pk}/"


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["q=%00", "q=12%0034", "group=%00", "page=1%00", "purpose=%00"])
def test_a_nul_in_a_care_address_is_refused_in_the_pages_language(care: dict[str, Any], query: str) -> None:
    nurse = _client(care["users"]["nurse_a"])
    response = nurse.get(f"/care/?{query}")  # no Accept-Language: bokmål, the default
    page = response.content.decode()
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="nb"' in page and "inneholder et NUL-tegn" in page
    assert "not accepted" not in page
    english = nurse.get(f"/care/?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400 and "holds a NUL character" in english.content.decode()
    # The API keeps its English answer, in its JSON error body ({"detail": ...}, as the OpenAPI says),
    # whatever language the page would have had.
    for language in ("nb", "en"):
        api = nurse.get(f"/api/care/worklist?{query}", HTTP_ACCEPT_LANGUAGE=language)
        assert api.status_code == 400
        assert api["Content-Type"].startswith("application/json")
        assert api.json() == {"detail": "NUL characters are not accepted."}


@pytest.mark.django_db
def test_a_nul_in_an_api_path_or_body_is_refused_with_the_apis_json_error(care: dict[str, Any]) -> None:
    resident = ListResident.objects.get(fnr=FNR)
    nurse = _client(care["users"]["nurse_a"])
    refusals = [
        nurse.get("/api/care/worklist%00"),
        nurse.get(f"/api/care/residents/{resident.pk}%00"),
        nurse.post("/api/care/worklist", '{"q": "a\\u0000b"}', content_type="application/json"),
        nurse.post("/api/care/worklist", {"q": "a\x00b"}),  # a form body
    ]
    for response in refusals:
        assert response.status_code == 400, response.content
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {"detail": "NUL characters are not accepted."}
    # A page address with a NUL keeps its page, in bokmål.
    page = nurse.get("/care/%00")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")
    assert "inneholder et NUL-tegn" in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=-1",
        "page=1e400",
        "page=99999999999999999999999",
        "tasks_page=%FF",
        "group=nobody",
        "gp=" + "9" * 300,
        "gp=123456789",
        "role=administrator",
        "q=%ED%A0%80",
        "q=%C2%B2",
        "q=" + "9" * 5000,
    ],
)
def test_bad_worklist_parameters_are_ignored(care: dict[str, Any], query: str) -> None:
    """A page number that is none, or a filter value the menus do not offer, gives the unfiltered list (or
    its first or last page), with every menu on «Alle»: never a 500, never a list emptied by a typo."""
    nurse = _client(care["users"]["nurse_a"])
    plain = nurse.get("/care/", {"role": ""})
    response = nurse.get(f"/care/?{query}")
    assert response.status_code == 200
    if not query.startswith("q="):
        assert list(response.context["rows"]) == list(plain.context["rows"]) != []
        assert list(response.context["tasks"]) == list(plain.context["tasks"])
    assert response.context["group"] == "" and response.context["gp"] == ""
    assert response.context["role"] in ("", "nurse")


@pytest.mark.django_db
def test_a_filter_the_menu_offers_still_filters(care: dict[str, Any]) -> None:
    nurse = _client(care["users"]["nurse_a"])
    everyone = list(nurse.get("/care/").context["rows"])
    gp = everyone[0].gp_hpr
    response = nurse.get("/care/", {"gp": gp, "role": "gp"})
    assert response.context["gp"] == gp and response.context["role"] == "gp"
    assert list(response.context["rows"]) == [r for r in everyone if r.gp_hpr == gp]
