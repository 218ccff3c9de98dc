"""Analysis plans: who may do what, editing with clear errors, locking (page, API, admin and model all
refuse a change), and a deviation as a new version with its reason."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.models import AuditEvent
from pht.apps.evaluation import actions
from pht.apps.evaluation.models import AnalysisPlan, PlanLocked
from pht.engine.evaluation.plan import plan_hash

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(plan: AnalysisPlan, **changes: Any) -> dict[str, Any]:
    doc = plan.document
    data: dict[str, Any] = {
        "title": plan.title,
        "populations": doc["design"]["populations"],
        "estimator": doc["design"]["estimator"],
        "control": doc["design"]["control"],
        "neighbours": doc["matching"]["neighbours"],
        "min_control_practices": doc["design"]["min_control_practices"],
        "covariates": "\n".join(doc["matching"]["covariates"]),
        "study_start": doc["design"]["study_start"],
        "baseline_date": doc["design"]["baseline_date"],
        "study_end": doc["design"]["study_end"],
        "period": doc["design"]["period"],
        "alpha": doc["inference"]["alpha"],
        "power": doc["inference"]["power"],
        "bootstrap_draws": doc["inference"]["bootstrap_draws"],
        "randomisation_permutations": doc["inference"]["randomisation_permutations"],
        "seed": doc["inference"]["seed"],
    }
    for dimension, keys in doc["outcomes"].items():
        data[f"outcomes_{dimension}"] = keys
    data.update(changes)
    return data


def test_a_plan_from_the_template_carries_the_four_hod_dimensions(people) -> None:
    plan = actions.create_plan(people["evaluator"], "main", "")
    assert {"health_and_coping", "satisfaction", "coordinated_services", "extensive_care"} <= set(
        plan.document["outcomes"]
    )
    assert plan.status == "draft" and plan.version == 1 and plan.plan_hash == ""
    assert AuditEvent.objects.filter(verb="evaluation.plan.create", target_id=str(plan.pk)).exists()


def test_an_untitled_plan_takes_the_template_title_in_the_creators_language(people) -> None:
    client = client_for(people["evaluator"])
    assert client.post("/evaluation/plans/new/", {"name": "norsk", "title": ""}).status_code == 302
    client.cookies["django_language"] = "en"
    assert client.post("/evaluation/plans/new/", {"name": "english", "title": ""}).status_code == 302
    norsk, english = AnalysisPlan.objects.get(name="norsk"), AnalysisPlan.objects.get(name="english")
    assert norsk.title == "Gir primærhelseteamet pasientene et bedre tilbud? (HODs fire dimensjoner)"
    assert english.title.startswith("Does the primary health team give patients a better service?")
    assert norsk.document["plan"]["title"] == norsk.title  # the hashed document says the same


def test_evaluator_works_directorate_reads_practice_and_municipality_are_refused(people) -> None:
    plan = actions.create_plan(people["evaluator"], "main", "")
    evaluator, directorate = client_for(people["evaluator"]), client_for(people["directorate"])
    assert evaluator.get("/evaluation/").status_code == 200
    created = evaluator.post("/evaluation/plans/new/", {"name": "second", "title": "Second"})
    assert created.status_code == 302 and AnalysisPlan.objects.filter(name="second").exists()

    assert directorate.get("/evaluation/").status_code == 200
    page = directorate.get(f"/evaluation/plans/{plan.pk}/")
    assert (
        page.status_code == 200 and b"Lock the plan" not in page.content and b"plan-form" not in page.content
    )
    assert directorate.post("/evaluation/plans/new/", {"name": "third"}).status_code == 403
    assert directorate.post(f"/evaluation/plans/{plan.pk}/lock/").status_code == 403
    assert not AnalysisPlan.objects.filter(name="third").exists()
    assert AnalysisPlan.objects.get(pk=plan.pk).status == "draft"
    assert directorate.get("/api/evaluation/plans").status_code == 200

    for who in ("gp", "lead"):
        client = client_for(people[who])
        for url in ("/evaluation/", f"/evaluation/plans/{plan.pk}/", "/api/evaluation/plans"):
            response = client.get(url)
            assert response.status_code == 403, (who, url)
        assert client.post("/evaluation/plans/new/", {"name": "x"}).status_code == 403
    refused = client_for(people["gp"]).get("/evaluation/")
    assert b"Ingen tilgang" in refused.content or b"No access" in refused.content
    assert Client().get("/evaluation/").status_code == 302  # to the login page


def test_editing_saves_and_bad_input_names_the_field_without_a_500(people) -> None:
    plan = actions.create_plan(people["evaluator"], "main", "")
    client = client_for(people["evaluator"])
    ok = client.post(f"/evaluation/plans/{plan.pk}/edit/", form_data(plan, alpha="0.1", outcomes_team_use=[]))
    assert ok.status_code == 302
    plan.refresh_from_db()
    assert plan.document["inference"]["alpha"] == 0.1 and "team_use" not in plan.document["outcomes"]
    assert {"field": "inference.alpha", "default": 0.05, "plan": 0.1} in plan.deviations

    wrong_order = client.post(
        f"/evaluation/plans/{plan.pk}/edit/", form_data(plan, baseline_date="2015-01-01")
    )
    assert wrong_order.status_code == 400 and b"design.baseline_date" in wrong_order.content
    unknown = client.post(
        f"/evaluation/plans/{plan.pk}/edit/", form_data(plan, covariates="favourite_colour")
    )
    assert unknown.status_code == 400 and b"favourite_colour" in unknown.content
    twice = client.post(
        f"/evaluation/plans/{plan.pk}/edit/",
        form_data(plan, outcomes_satisfaction=["prem_overall", "mortality"]),
    )
    assert twice.status_code == 400 and b"mortality" in twice.content
    hostile = client.post(
        f"/evaluation/plans/{plan.pk}/edit/",
        form_data(plan, title="a\x00b", alpha="1e400", seed="-1", populations=["everyone"]),
    )
    assert hostile.status_code == 400
    plan.refresh_from_db()
    assert plan.document["inference"]["alpha"] == 0.1  # nothing half-written


def test_a_locked_plan_cannot_change_via_page_api_admin_or_model(people) -> None:
    plan = actions.create_plan(people["evaluator"], "main", "")
    client = client_for(people["evaluator"])
    assert client.post(f"/evaluation/plans/{plan.pk}/lock/").status_code == 302
    plan.refresh_from_db()
    assert plan.status == "locked" and plan.locked_at is not None
    assert plan.plan_hash == plan_hash(plan.document)
    frozen = (plan.document, plan.title, plan.plan_hash)

    page = client.post(f"/evaluation/plans/{plan.pk}/edit/", form_data(plan, alpha="0.1"), follow=True)
    assert b"kan ikke lenger endres" in page.content  # bokmål, the default
    with pytest.raises(ActionRefused):
        actions.update_plan(people["evaluator"], plan, plan.document, "other")
    with pytest.raises(ActionRefused):
        actions.lock_plan(people["evaluator"], plan)

    for method in ("put", "patch", "post", "delete"):
        response = getattr(client, method)(
            f"/api/evaluation/plans/{plan.pk}", data={"title": "x"}, content_type="application/json"
        )
        assert response.status_code == 405, method

    admin = client_for(people["admin"])
    assert admin.get(f"/admin/evaluation/analysisplan/{plan.pk}/change/").status_code == 200  # view only
    posted = admin.post(
        f"/admin/evaluation/analysisplan/{plan.pk}/change/", {"title": "changed", "name": "x"}
    )
    assert posted.status_code == 403
    assert admin.post(f"/admin/evaluation/analysisplan/{plan.pk}/delete/", {"post": "yes"}).status_code == 403

    plan.title = "changed behind the app's back"
    with pytest.raises(PlanLocked):
        plan.save()
    with pytest.raises(PlanLocked):
        AnalysisPlan.objects.get(pk=plan.pk).delete()
    plan = AnalysisPlan.objects.get(pk=plan.pk)
    assert (plan.document, plan.title, plan.plan_hash) == frozen


def test_a_deviation_is_a_new_version_with_its_reason(people) -> None:
    plan = actions.lock_plan(people["evaluator"], actions.create_plan(people["evaluator"], "main", ""))
    client = client_for(people["evaluator"])
    empty = client.post(f"/evaluation/plans/{plan.pk}/version/", {"reason": "  "}, follow=True)
    assert AnalysisPlan.objects.filter(name="main").count() == 1 and b"begrunnelse" in empty.content.lower()

    reason = "The KPR extract for 2021 arrived late; the window ends in 2020."
    response = client.post(f"/evaluation/plans/{plan.pk}/version/", {"reason": reason})
    successor = AnalysisPlan.objects.get(name="main", version=2)
    assert response.status_code == 302 and response["Location"] == f"/evaluation/plans/{successor.pk}/"
    assert successor.previous_id == plan.pk and successor.deviation_reason == reason
    assert successor.status == "draft" and successor.document["plan"]["deviations"] == [f"v2: {reason}"]

    client.post(f"/evaluation/plans/{successor.pk}/edit/", form_data(successor, study_end="2020-12-31"))
    successor = actions.lock_plan(people["evaluator"], AnalysisPlan.objects.get(pk=successor.pk))
    assert successor.plan_hash != plan.plan_hash
    assert {
        "field": "design.study_end",
        "default": "2021-12-31",
        "plan": "2020-12-31",
    } in successor.deviations
    page = client.get(f"/evaluation/plans/{successor.pk}/")
    assert reason.encode() in page.content and b"design.study_end" in page.content
    api = client.get(f"/api/evaluation/plans/{successor.pk}").json()
    assert api["deviation_reason"] == reason and api["previous"] == plan.pk
    plan.refresh_from_db()
    assert plan.status == "locked" and plan.version == 1  # the old version stands as it was


@pytest.mark.parametrize(
    ("language", "written", "refused"),
    [
        ("nb", "%d.%m.%Y", "Studievinduet slutter: Skriv en gyldig dato som dd.mm.åååå"),
        ("en", "%m/%d/%Y", "Study window ends: Enter a real date as mm/dd/yyyy"),
    ],
)
def test_the_study_window_is_shown_and_typed_in_the_pages_language(
    people: Any, language: str, written: str, refused: str
) -> None:
    import datetime
    import re

    plan = actions.create_plan(people["evaluator"], "main", "")
    client = client_for(people["evaluator"])
    client.cookies["django_language"] = language
    end = datetime.date.fromisoformat(plan.document["design"]["study_end"])
    page = client.get(f"/evaluation/plans/{plan.pk}/").content.decode()
    tag = re.search(r'<input [^>]*name="study_end"[^>]*>', page)
    assert tag is not None and f'value="{end.strftime(written)}"' in tag.group(0)
    assert 'aria-describedby="id_study_end_hint"' in tag.group(0)
    bad = client.post(f"/evaluation/plans/{plan.pk}/edit/", form_data(plan, study_end="31.02.2019"))
    assert bad.status_code == 400 and refused in bad.content.decode()
    new_end = datetime.date(2019, 6, 30)
    ok = client.post(
        f"/evaluation/plans/{plan.pk}/edit/", form_data(plan, study_end=new_end.strftime(written))
    )
    assert ok.status_code == 302
    plan.refresh_from_db()
    assert plan.document["design"]["study_end"] == "2019-06-30"  # the plan keeps ISO


@pytest.mark.parametrize(("typed", "stored"), [("0,05", 0.05), ("0.1", 0.1), (" 0,025 ", 0.025)])
def test_alpha_is_typed_with_a_decimal_comma_in_a_text_input_and_shown_in_the_page_language(
    people, typed: str, stored: float
) -> None:
    # An <input type=number> in a Norwegian Chromium made a typed «0,05» into «005» (5): a text input
    # takes the comma (or a point), and the page shows the value as bokmål writes it.
    plan = actions.create_plan(people["evaluator"], "main", "")
    client = client_for(people["evaluator"])
    page = client.get(f"/evaluation/plans/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    alpha_input = re.search(r"<input[^>]*name=\"alpha\"[^>]*>", page)
    assert alpha_input is not None
    assert 'type="text"' in alpha_input.group(0) and 'value="0,05"' in alpha_input.group(0)
    assert 'inputmode="decimal"' in alpha_input.group(0)
    saved = client.post(
        f"/evaluation/plans/{plan.pk}/edit/", form_data(plan, alpha=typed), HTTP_ACCEPT_LANGUAGE="nb"
    )
    assert saved.status_code == 302
    plan.refresh_from_db()
    assert plan.document["inference"]["alpha"] == stored


@pytest.mark.parametrize("typed", ["5", "NaN", "1e400", "-1", "abc"])
def test_a_bad_alpha_is_refused_naming_the_field_with_its_range_in_bokmal(people, typed: str) -> None:
    plan = actions.create_plan(people["evaluator"], "main", "")
    client = client_for(people["evaluator"])
    refused = client.post(
        f"/evaluation/plans/{plan.pk}/edit/", form_data(plan, alpha=typed), HTTP_ACCEPT_LANGUAGE="nb"
    )
    assert refused.status_code == 400
    body = html.unescape(refused.content.decode())
    assert "Signifikansnivå (alfa)" in body
    assert (
        "Skriv et tall fra og med 0,001 til og med 0,499." in body
        or "Skriv et tall, for eksempel 0,05." in body
    )
    plan.refresh_from_db()
    assert plan.document["inference"]["alpha"] == 0.05


def test_the_plan_page_names_dimensions_outcomes_scales_populations_and_period_in_bokmal(people) -> None:
    # The outcome table and the form's dimension legends showed the catalogue's English («Health status
    # and coping», «Self-rated health», «ratio», «target, all», «quarter») on a bokmål page.
    plan = actions.create_plan(people["evaluator"], "main", "")
    client = client_for(people["evaluator"])
    body = html.unescape(
        client.get(f"/evaluation/plans/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    )
    table = body[body.index("<table") : body.index("</table>")]
    for english in ("Health status and coping", "Self-rated health", ">ratio<", ">difference<", "(target)"):
        assert english not in table, english
    for bokmal in ("Helsetilstand og mestring", "Egenvurdert helse (PROM, 0–100)", "rateratio", "Målgrupper"):
        assert bokmal in table, bokmal
    form = body[body.index('data-testid="plan-form"') :]
    assert "Health status and coping" not in form and "Helsetilstand og mestring" in form
    assert re.search(r'<option value="quarter"[^>]*>kvartal</option>', form)
    design = body[body.index("Estimator") : body.index("</dl>", body.index("Estimator"))]
    assert "kvartal" in design and "Målgrupper" in design and "target, all" not in design
