"""Settlement runs started from the finance pages: a ``finance.settle`` background job stores the
engine's settlements as versions; a re-run supersedes (never overwrites) with its own audit row; the
statement page shows the versions and the difference from the previous one."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.models import AuditEvent, Organisation, OrganisationKind, Role
from pht.rules.financing import COMPONENTS, Period

MUNICIPALITIES = ("0828", "1244")  # Seljord: a fee-model pilot practice; Austevoll: a capitation one
FEE_PRACTICE, CAPITATION_PRACTICE = "108280018", "112440011"
PERIOD = "2018-05"


@pytest.fixture(scope="module")
def run_lake(pilot_lake):  # type: ignore[no-untyped-def]
    return pilot_lake(*MUNICIPALITIES)


@pytest.fixture
def officer(db, run_lake, settings, make_user):
    from pht.apps.registry.loading import load_demo_registry, load_municipalities

    settings.PHT_FINANCE_LAKE = run_lake
    load_municipalities(2017)
    load_demo_registry(seed=2017, only=MUNICIPALITIES)
    directorate = Organisation.objects.create(kind=OrganisationKind.DIRECTORATE, name="Helsedirektoratet")
    return make_user("okonomi1", roles=[Role.FINANCE_OFFICER], organisation=directorate)


def _settle(user, **params):
    from pht.apps.jobs.actions import run_pending_jobs, start_job

    job = start_job(user, "finance.settle", params)
    assert run_pending_jobs() == 1
    job.refresh_from_db()
    assert job.status == "done", job.error
    return job


def test_a_month_run_stores_the_engines_statements_for_every_pilot_practice(officer, run_lake) -> None:
    from pht.apps.finance.models import SettlementRun, Statement
    from pht.engine.finance import FinanceLake

    job = _settle(officer, period=PERIOD)
    assert job.progress == 100
    assert job.result["practices"] == sorted([FEE_PRACTICE, CAPITATION_PRACTICE])
    assert job.result["statements"] == 4 and job.result["superseded"] == 0
    run = SettlementRun.objects.get(pk=job.result["run"])
    assert run.job == job and run.started_by == officer and run.periods == [PERIOD]
    lake = FinanceLake(run_lake)
    expected = lake.settle([Period.parse(PERIOD)], lake.practice_ids([FEE_PRACTICE, CAPITATION_PRACTICE]))
    for item in expected:
        for settlement in (item.fee, item.capitation):
            stored = Statement.objects.get(
                practice__orgnr=item.month.practice, period=PERIOD, model=settlement.model
            )
            assert stored.components() == {n: settlement.components[n] for n in COMPONENTS}
            assert (stored.version, stored.is_current, stored.run_id) == (1, True, run.pk)
            assert stored.lines.count() == len(settlement.lines)
    own = {s.practice.orgnr: s.model for s in Statement.objects.filter(own_model=True)}
    assert own == {FEE_PRACTICE: "fee", CAPITATION_PRACTICE: "capitation"}


def test_a_rerun_supersedes_with_its_own_audit_row_and_never_overwrites(officer, client) -> None:
    from pht.apps.finance.models import Statement

    _settle(officer, period=PERIOD)
    first = {s.pk: s.total for s in Statement.objects.all()}
    AuditEvent.objects.filter(verb="finance.supersede_statements").delete()
    job = _settle(officer, period=PERIOD)
    assert job.result["superseded"] == 4
    assert Statement.objects.count() == 4  # the current versions
    assert Statement.versions.count() == 8
    old = Statement.versions.filter(pk__in=first)
    assert all(not s.is_current and s.version == 1 for s in old)
    assert {s.pk: s.total for s in old} == first  # kept as they were
    assert all(s.version == 2 for s in Statement.objects.all())
    (event,) = AuditEvent.objects.filter(verb="finance.supersede_statements")
    assert sorted(item["id"] for item in event.before["statements"]) == sorted(first)
    assert event.actor == officer

    client.force_login(officer)
    url = f"/finance/statements/{CAPITATION_PRACTICE}/{PERIOD}/capitation/"
    page = client.get(url).content.decode()
    assert 'data-testid="version-diff"' in page
    current = Statement.objects.get(practice__orgnr=CAPITATION_PRACTICE, period=PERIOD, model="capitation")
    assert f'data-after="{current.total}"' in page and 'data-difference="0.00"' in page
    assert 'data-testid="superseded-notice"' not in page
    old_page = client.get(url, {"version": "1"})
    assert old_page.status_code == 200 and 'data-testid="superseded-notice"' in old_page.content.decode()
    assert 'data-testid="version-diff"' not in old_page.content.decode()  # nothing before version 1
    for bad in ("3", "abc", "1;drop", "\u00e6"):
        assert client.get(url, {"version": bad}).status_code == 404


def test_the_page_shows_a_changed_amount_between_versions(officer, client) -> None:
    from pht.apps.finance.models import Statement

    _settle(officer, period=PERIOD)
    # An earlier version that differed (as if tariffs had been corrected since): lower the stored v1.
    Statement.objects.filter(practice__orgnr=FEE_PRACTICE, model="fee").update(
        base_grant=Decimal("100.00"), total=Decimal("1000.00")
    )
    _settle(officer, period=PERIOD)
    current = Statement.objects.get(practice__orgnr=FEE_PRACTICE, period=PERIOD, model="fee")
    client.force_login(officer)
    page = client.get(f"/finance/statements/{FEE_PRACTICE}/{PERIOD}/fee/").content.decode()
    assert 'data-before="1000.00"' in page
    assert f'data-difference="{current.total - Decimal("1000.00")}"' in page


def test_a_year_run_settles_every_month_by_quarters_as_the_engine_settles_the_year(
    officer, run_lake, monkeypatch
) -> None:
    from pht.apps.finance.models import Statement
    from pht.apps.jobs import runner
    from pht.engine.finance import FinanceLake, periods_of_year

    reports: list[tuple[int, str]] = []
    real = runner.make_progress

    def recording(job_id):  # type: ignore[no-untyped-def]
        report = real(job_id)

        def progress(pct: int, message: str = "") -> None:
            reports.append((pct, message))
            report(pct, message)

        return progress

    monkeypatch.setattr(runner, "make_progress", recording)
    job = _settle(officer, year=2018)
    assert job.result["periods"] == [f"2018-{m:02d}" for m in range(1, 13)]
    assert [pct for pct, _ in reports] == [2, 5, 26, 47, 68, 92]
    assert "2018-01–2018-03" in reports[1][1] and "2018-10–2018-12" in reports[4][1]
    assert Statement.objects.filter(period__startswith="2018-").count() == 2 * 2 * 12
    lake = FinanceLake(run_lake)
    year = lake.settle(list(periods_of_year(2018)), lake.practice_ids([FEE_PRACTICE, CAPITATION_PRACTICE]))
    for item in year:
        for settlement in (item.fee, item.capitation):
            stored = Statement.objects.get(
                practice__orgnr=item.month.practice, period=str(item.month.period), model=settlement.model
            )
            assert stored.total == settlement.total, (item.month.practice, item.month.period)


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"period": "2018-13"}, "2018-13"),
        ({"period": "2018-05", "year": 2018}, "not both"),
        ({}, "not both or neither"),
        ({"year": 2016}, "no data for 2016"),
        ({"year": "next"}, "year next"),
        ({"period": "2018-05", "practices": "108280018"}, "practices"),
    ],
)
def test_bad_parameters_are_refused_before_anything_is_queued(officer, params, says) -> None:
    from pht.apps.jobs.actions import start_job
    from pht.apps.jobs.models import Job

    with pytest.raises(ActionRefused, match=says):
        start_job(officer, "finance.settle", params)
    assert not Job.objects.exists()


def test_no_lake_is_a_clear_refusal(officer, settings, tmp_path) -> None:
    from pht.apps.jobs.actions import start_job

    settings.PHT_FINANCE_LAKE = tmp_path / "missing"
    with pytest.raises(ActionRefused, match="no data lake"):
        start_job(officer, "finance.settle", {"period": PERIOD})


def test_only_officers_run_settlements(officer, make_user, client) -> None:
    from pht.apps.jobs.actions import start_job

    gp = make_user("gp_runs", roles=[Role.GP])
    with pytest.raises(ActionRefused):
        start_job(gp, "finance.settle", {"period": PERIOD})
    client.force_login(gp)
    assert client.get("/finance/runs/").status_code == 403
    assert client.post("/finance/runs/", {"scope": "month", "month": "5", "year": "2018"}).status_code == 403
    assert "/finance/runs/" not in client.get("/finance/").content.decode()
    client.force_login(officer)
    assert "/finance/runs/" in client.get("/finance/").content.decode()


def test_the_form_starts_a_job_and_shows_its_progress(officer, client) -> None:
    from pht.apps.jobs.models import Job

    client.force_login(officer)
    response = client.post("/finance/runs/", {"scope": "month", "month": "5", "year": "2018"})
    job = Job.objects.get()
    assert job.params == {"period": PERIOD}  # the job is given the month as before: YYYY-MM
    assert response.status_code == 302 and response["Location"] == f"/finance/runs/?job={job.pk}"
    page = client.get(response["Location"]).content.decode()
    assert f'hx-get="/jobs/{job.pk}/progress/"' in page and 'data-testid="new-run"' in page
    bad = client.post("/finance/runs/", {"scope": "month", "month": "mai", "year": "2018"})
    assert bad.status_code == 400 and Job.objects.count() == 1
    refused = client.post("/finance/runs/", {"scope": "month", "month": "13", "year": "2018"})
    assert refused.status_code == 400 and "Velg en måned fra listen." in refused.content.decode()
    for hostile in (
        {"scope": "decade", "month": "5", "year": "2018"},
        {"scope": "year", "year": "1e9"},
        {"scope": "year", "year": "99999999999999999999"},
        {"scope": "month", "month": "5' OR 1=1", "year": "2018"},
        {"scope": "month", "month": "5", "year": "2018' OR 1=1"},
        {"scope": "month", "period": PERIOD},  # the old free-text field is no longer read
        {"scope": "year", "year": "1999"},
    ):
        assert client.post("/finance/runs/", hostile).status_code == 400, hostile
    assert Job.objects.count() == 1


def test_a_year_out_of_range_is_written_as_a_year_not_a_grouped_number(officer, client) -> None:
    """«året 2099 er utenfor gyldig område», never «2 099»: the refusal formatted the year as an amount."""
    client.force_login(officer)
    response = client.post("/finance/runs/", {"scope": "year", "month": "5", "year": "2099"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "2099" in page
    assert not re.search(r"2(\s|&nbsp;|\u00a0|\u202f|&#160;)099", page)


def test_a_runs_source_is_shown_in_the_pages_language(officer, client) -> None:
    """«datasjøen «lake», jobb 3» on a bokmål page, not the English sentence stored with the run."""
    from pht.apps.finance.models import SettlementRun

    for source in (
        "lake lake, job 3",
        "synthetic lake, seed 2017 (demo)",
        "lake /srv/lake",
        "imported by hand",
    ):
        SettlementRun.objects.create(periods=["2018-05"], source=source)
    client.force_login(officer)
    page = client.get("/finance/runs/").content.decode()
    for shown in ("datasjøen «lake», jobb 3", "syntetisk datasjø, frø 2017 (demo)", "datasjøen «/srv/lake»"):
        assert f"<td>{shown}</td>" in page, shown
    assert "<td>imported by hand</td>" in page  # text of another shape: as it was stored
    assert "lake lake" not in page and "synthetic lake" not in page
    english = client.get("/finance/runs/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<td>data lake «lake», job 3</td>" in english


def test_a_second_start_of_the_same_run_is_refused_while_the_first_waits(officer, client) -> None:
    """A double click on «Start» queued the same year twice, storing every statement twice as two versions
    with the same numbers; now the second is refused (400, not 500), naming the job that already does it."""
    from pht.apps.jobs.actions import run_pending_jobs, start_job
    from pht.apps.jobs.models import Job

    client.force_login(officer)
    form = {"scope": "month", "month": "5", "year": "2018"}
    first = client.post("/finance/runs/", form)
    assert first.status_code == 302
    job = Job.objects.get()
    assert job.scope_key == "2018"
    second = client.post("/finance/runs/", form)
    assert second.status_code == 400
    assert f"Jobb {job.pk} for 2018 venter eller går allerede" in second.content.decode()
    assert Job.objects.count() == 1
    other = start_job(officer, "finance.settle", {"period": "2017-06"})  # another year is another run
    assert other.scope_key == "2017"
    assert run_pending_jobs() == 2
    assert client.post("/finance/runs/", form).status_code == 302  # done: it may be run again
    assert Job.objects.exclude(pk__in=[job.pk, other.pk]).count() == 1


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"period": "2018-05"}, {"year": 2018}),
        ({"year": 2018}, {"period": "2018-11"}),
        ({"period": "2018-05"}, {"period": "2018-06", "practices": [FEE_PRACTICE]}),
    ],
)
def test_runs_touching_the_same_year_exclude_each_other(officer, first, second) -> None:
    """A month run and a year run of one year both write new versions of the same statements: whichever
    finished last would decide the current version, so the second waits until the first has finished."""
    from pht.apps.jobs.actions import cancel_job, start_job
    from pht.apps.jobs.models import Job

    job = start_job(officer, "finance.settle", first)
    with pytest.raises(ActionRefused, match=f"Job {job.pk} for 2018 is already waiting or running"):
        start_job(officer, "finance.settle", second)
    assert list(Job.objects.values_list("pk", flat=True)) == [job.pk]
    cancel_job(officer, job)
    assert start_job(officer, "finance.settle", second).scope_key == "2018"


def test_the_migration_fills_the_year_of_waiting_and_running_settlement_jobs(officer) -> None:
    """Jobs queued before the constraint: the oldest waiting or running one of each year gets the year,
    a second of the same year (the race the constraint closes) stays unscoped so the migration can't fail."""
    import importlib

    from django.apps import apps

    from pht.apps.jobs.models import Job

    migration = importlib.import_module("pht.apps.finance.migrations.0005_settle_job_scope")
    rows: list[tuple[dict[str, object], str]] = [
        ({"period": "2018-05"}, "queued"),
        ({"year": 2018}, "running"),
        ({"year": 2017}, "queued"),
        ({"year": 2016}, "done"),
        ({"period": "bad"}, "queued"),
    ]
    made = [
        Job.objects.create(kind="finance.settle", params=params, status=status, created_by=officer)
        for params, status in rows
    ]
    unrelated = Job.objects.create(kind="jobs.selftest", params={"year": 2018}, created_by=officer)
    migration.fill_scope(apps, None)
    keys = [Job.objects.get(pk=job.pk).scope_key for job in [*made, unrelated]]
    assert keys == ["2018", "", "2017", "", "", ""]


def _postgres_only() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")


@pytest.mark.django_db(transaction=True)
def test_simultaneous_starts_of_one_year_queue_one_settlement_run(officer, make_user, monkeypatch) -> None:
    """Officers start a month and the year at the same instant, all past the friendly check (a barrier
    holds each start just before its insert until all are there): one run is queued, the rest refused."""
    _postgres_only()
    import threading

    from django.db import connection

    from pht.apps.jobs import actions
    from pht.apps.jobs.models import Job

    officers = [officer, *(make_user(f"okonomi{i}", roles=[Role.FINANCE_OFFICER]) for i in range(2, 7))]
    params: list[dict[str, object]] = [{"period": PERIOD}, {"year": 2018}] * (len(officers) // 2)
    barrier = threading.Barrier(len(officers), timeout=60)
    insert = actions._create

    def held(**fields: Any) -> Job:
        barrier.wait()
        return insert(**fields)

    monkeypatch.setattr(actions, "_create", held)
    results: list[object] = [None] * len(officers)

    def start(index: int) -> None:
        try:
            results[index] = actions.start_job(officers[index], "finance.settle", params[index])
        except BaseException as exc:  # noqa: BLE001 - the test inspects what each caller got
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=start, args=(i,)) for i in range(len(officers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (job,) = Job.objects.all()
    assert job.status == Job.Status.QUEUED and job.scope_key == "2018"
    assert [r.pk for r in results if isinstance(r, Job)] == [job.pk], results
    refused = [r for r in results if isinstance(r, ActionRefused)]
    assert len(refused) == len(officers) - 1, results
    assert all(f"Job {job.pk} for 2018 is already waiting or running" in r.reason for r in refused)
