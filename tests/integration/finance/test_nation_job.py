"""The national what-if started from the nation page: a ``finance.nation_whatif`` background job on the
lake at ``PHT_NATION_LAKE`` writes the result file the page shows; one at a time; Directorate only."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.utils import translation

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.models import Role
from pht.apps.jobs.models import Job

URL = "/finance/nation/"
KIND = "finance.nation_whatif"


@pytest.fixture(scope="module")
def nation_lake(pilot_lake):  # type: ignore[no-untyped-def]
    return pilot_lake("0828")  # Seljord, 2017-2018


@pytest.fixture
def lake_settings(settings, tmp_path, nation_lake):  # type: ignore[no-untyped-def]
    settings.VAR_DIR = tmp_path
    settings.PHT_NATION_LAKE = nation_lake
    return settings


@pytest.fixture
def directorate(orgs, make_user):  # type: ignore[no-untyped-def]
    return make_user("dir", roles=[Role.CASE_OFFICER], organisation=orgs["directorate"])


def _run_pending() -> None:
    from pht.apps.jobs.actions import run_pending_jobs

    assert run_pending_jobs() == 1


def _evaluation_run(user):  # type: ignore[no-untyped-def]
    """A finished evaluation run with a stored result, as the evaluation job stores it."""
    from django.utils import timezone

    from pht.apps.evaluation.models import AnalysisPlan, Extract, Run

    plan = AnalysisPlan.objects.create(name="pilot", title="Pilot", document={}, plan_hash="abc123")
    extract = Extract.objects.create(path="/nowhere", snapshot_hash="s", purpose="test")
    estimates = [
        {"outcome": "acute_admissions", "population": "all", "scale": "ratio", "estimate": 0.9, "ci_low": 0.8, "ci_high": 1.0},
        {"outcome": "out_of_hours_contacts", "population": "all", "scale": "ratio", "estimate": 0.95, "ci_low": 0.9, "ci_high": 1.0},
    ]  # fmt: skip
    return Run.objects.create(
        plan=plan,
        extract=extract,
        result={"plan_hash": "abc123", "estimates": estimates},
        finished_at=timezone.now(),
        created_by=user,
    )


def test_start_queues_a_job_with_the_year(lake_settings, directorate, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(directorate)
    page = client.get(URL).content.decode()
    assert 'data-testid="nation-run-form"' in page and 'value="2018"' in page  # the lake's latest year
    response = client.post(URL, {"year": "2018"})
    assert response.status_code == 302
    job = Job.objects.get(kind=KIND)
    assert response["Location"].endswith(f"?job={job.pk}")
    assert job.status == Job.Status.QUEUED and job.created_by == directorate
    assert job.params == {"year": 2018, "evaluation_run": None}
    # the page follows the job and offers no second start meanwhile
    page = client.get(response["Location"]).content.decode()
    assert f'id="job-{job.pk}"' in page and 'data-job-status="queued"' in page
    assert 'data-testid="nation-run-form"' not in page


def test_the_job_writes_the_result_file_and_the_page_shows_its_totals(
    lake_settings, directorate, client, nation_lake
) -> None:  # type: ignore[no-untyped-def]
    from pht.apps.jobs.actions import start_job
    from pht.engine.nation import whatif

    run = _evaluation_run(directorate)
    job = start_job(directorate, KIND, {"year": "2018"})
    assert job.params == {"year": 2018, "evaluation_run": run.pk}
    _run_pending()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.progress == 100
    path = lake_settings.VAR_DIR / "nation_whatif.json"
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert job.result == {"file": str(path), "year": 2018, "practices": 2, "evaluation_run": run.pk}
    assert stored["totals"]["practices"] == 2 == len(stored["practices"])
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []  # no temporary left
    # the same figures as the engine's (the CLI's) what-if with the same estimates
    expected = whatif(nation_lake, 2018, evaluation={"estimates": run.result["estimates"]})
    assert stored["totals"] == expected["totals"]
    assert stored["evaluation"]["models"] == json.loads(
        json.dumps(expected["evaluation"]["models"], default=str)
    )
    assert stored["evaluation"]["source"]["run"] == run.pk
    client.force_login(directorate)
    page = client.get(URL).content.decode()
    assert 'data-testid="nation-totals"' in page
    income = Decimal(stored["totals"]["capitation"]["income"]).quantize(Decimal(1))
    assert f"{income:,}".replace(",", "\xa0") in page  # whole kroner, Norwegian grouping
    assert "År 2018, 2 legekontor." in page
    assert 'data-testid="nation-net-cost"' in page and 'data-testid="nation-evaluation-source"' in page
    assert 'data-job-status="done"' in page and 'data-testid="nation-run-form"' in page
    # the net cost per avoided admission: a row per model under its name, numbers written in bokmål
    net_cost = page[page.index('data-testid="nation-net-cost"') :]
    net_cost = net_cost[: net_cost.index("</table>")]
    assert re.findall(r'<th scope="row">([^<]+)</th>', net_cost) == [
        "Honorarmodell",
        "Driftstilskuddsmodell",
        "Beste modell",
    ]
    per = Decimal(stored["evaluation"]["models"]["fee"]["estimate"]["net_cost_per_avoided_admission"])
    assert f"{abs(per).quantize(Decimal(1)):,}".replace(",", "\xa0") in net_cost  # whole kroner, grouped
    # the pilot's costs are weighed against the same run's key effects, linked to the run
    effects = page[page.index('data-testid="pilot-effects"') :]
    assert (
        'data-item="acute_admissions">0,900 (95 % KI 0,800 til 1,00)</td>' in effects
    )  # as the run's own page writes it
    assert f'href="/evaluation/runs/{run.pk}/"' in page and 'data-testid="pilot-cost-chart"' in page


def test_the_job_reports_the_engines_stages(lake_settings, directorate, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from pht.apps.jobs import runner
    from pht.apps.jobs.actions import start_job

    seen: list[tuple[int, str]] = []
    make = runner.make_progress

    def recording(job_id):  # type: ignore[no-untyped-def]
        progress = make(job_id)

        def report(pct, message=""):  # type: ignore[no-untyped-def]
            seen.append((pct, str(message)))
            progress(pct, message)

        return report

    monkeypatch.setattr(runner, "make_progress", recording)
    start_job(directorate, KIND, {"year": 2018})
    with translation.override("nb"):
        _run_pending()
    # the engine's stages (settlement 5, through its own stages' ends to 57, per practice 70 and
    # half-way 81, evaluation 92), then the file; during the settlement the stage that runs is named
    assert [pct for pct, _message in seen] == [5, 23, 45, 58, 60, 70, 81, 92, 96]
    assert [message for _pct, message in seen] == [
        "Gjør opp året: listeinnbyggere og celler for listeinnbyggertilskuddet",
        "Gjør opp året: regninger og egenandelstaket",
        "Gjør opp året: kvalitetsindikatorer",
        "Gjør opp året: referanseårets summer",
        "Gjør opp året: beløp etter reglene",
        "Hvert legekontors inntekt i hver modell",
        "Hvert legekontors inntekt i hver modell",
        "Nettokostnad per unngått innleggelse",
        "Skriver resultatet",
    ]


def test_a_second_start_while_one_waits_is_refused_with_409(lake_settings, directorate, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(directorate)
    assert client.post(URL, {"year": "2018"}).status_code == 302
    first = Job.objects.get(kind=KIND)
    response = client.post(URL, {"year": "2017"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert f"already waiting or running (job {first.pk})" in response.content.decode()
    assert Job.objects.filter(kind=KIND).count() == 1
    # a running one too
    Job.objects.filter(pk=first.pk).update(status=Job.Status.RUNNING)
    assert client.post(URL, {"year": "2018"}).status_code == 409


def test_a_start_past_the_pages_check_is_held_by_the_job_scope(
    lake_settings, directorate, client, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Two starts at the same instant both pass validate's look at the active jobs; the jobs' scope
    (one national what-if at a time, any year) refuses the second, and the page answers 409."""
    from pht.apps.finance import nation_job

    client.force_login(directorate)
    assert client.post(URL, {"year": "2018"}).status_code == 302
    first = Job.objects.get(kind=KIND)
    assert first.scope_key == "nation"
    monkeypatch.setattr(nation_job, "active_job", lambda: None)  # the check saw nothing yet
    response = client.post(URL, {"year": "2017"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert f"Job {first.pk} for nation is already waiting or running" in response.content.decode()
    assert Job.objects.filter(kind=KIND).count() == 1


@pytest.mark.parametrize(
    ("year", "shown"),
    [
        ("1999", "Year: the data lake holds no data for 1999 (it holds 2017, 2018)."),
        ("2016", "Year: the data lake holds no data for 2016 (it holds 2017, 2018)."),
        ("soon", "Enter a whole number."),
        ("", "This field is required."),
    ],
)
def test_a_bad_year_is_400_with_a_message_naming_the_field(
    lake_settings, directorate, client, year, shown
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(directorate)
    response = client.post(URL, {"year": year}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert shown in response.content.decode()
    assert not Job.objects.filter(kind=KIND).exists()


def test_a_bad_year_reads_in_bokmal(lake_settings, directorate, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(directorate)
    response = client.post(URL, {"year": "2016"})
    assert response.status_code == 400
    assert "År: datasjøen har ingen data for 2016 (den har 2017, 2018)." in response.content.decode()


def test_the_action_refuses_a_year_it_cannot_read(lake_settings, directorate) -> None:  # type: ignore[no-untyped-def]
    from pht.apps.jobs.actions import start_job

    with pytest.raises(ActionRefused) as refused:
        start_job(directorate, KIND, {"year": "20x8"})
    assert refused.value.reason == "Year: 20x8 is not a year."
    with pytest.raises(ActionRefused) as refused:
        start_job(directorate, KIND, {})
    assert refused.value.reason == "Year: give the year to compute."


def test_only_the_directorate_and_administrators_start_it(lake_settings, orgs, make_user, client) -> None:  # type: ignore[no-untyped-def]
    from pht.apps.jobs.actions import start_job

    gp = make_user("gp", roles=[Role.GP], organisation=orgs["practice_a"])
    client.force_login(gp)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"year": "2018"}).status_code == 403
    # the evaluation team reads the page but does not start the job
    evaluator = make_user("ev", roles=[Role.EVALUATOR], organisation=orgs["evaluation"])
    client.force_login(evaluator)
    page = client.get(URL)
    assert page.status_code == 200 and 'data-testid="nation-run-form"' not in page.content.decode()
    assert client.post(URL, {"year": "2018"}).status_code == 403
    with pytest.raises(ActionRefused) as refused:
        start_job(evaluator, KIND, {"year": 2018})
    assert "Only the Directorate and administrators" in refused.value.reason
    assert not Job.objects.filter(kind=KIND).exists()
    admin = make_user("admin", roles=[Role.ADMINISTRATOR], organisation=orgs["evaluation"])
    assert start_job(admin, KIND, {"year": 2018}).kind == KIND


def test_without_a_lake_the_page_says_where_and_offers_no_start(
    settings, tmp_path, directorate, client
) -> None:  # type: ignore[no-untyped-def]
    settings.VAR_DIR = tmp_path
    settings.PHT_NATION_LAKE = tmp_path / "nation-lake"
    client.force_login(directorate)
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="nation-no-lake"' in page
    assert f"There is no nation-scale data lake at {tmp_path / 'nation-lake'}" in page
    assert "pht synth --scale nation" in page
    assert 'data-testid="nation-run-form"' not in page
    response = client.post(URL, {"year": "2018"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "there is no nation-scale data lake at" in response.content.decode()
    assert not Job.objects.exists()
