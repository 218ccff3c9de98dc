"""The pseudonymised extract, and runs as background jobs: power before the lock, a run with its
progress and results, a failing run shown without a 500, a cancelled run; and no page or API output
carries a fødselsnummer or a name."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.conf import settings
from django.test import Client
from evaluation_app_data import small_lake_document

from pht.apps.accounts.models import AuditEvent
from pht.apps.care.pseudonym import pseudonymise
from pht.apps.evaluation import actions
from pht.apps.evaluation.models import AnalysisPlan, Extract
from pht.apps.jobs.actions import cancel_job, run_pending_jobs

pytestmark = pytest.mark.django_db
ELEVEN_DIGITS = re.compile(rb"(?<!\d)\d{11}(?!\d)")
HASHES = re.compile(rb"[0-9a-f]{12,}")  # plan and snapshot hashes: hex, not identifiers


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def identities(lake: Path) -> tuple[set[str], set[str]]:
    """The lake's fødselsnummer and the GPs' names (what no output may contain)."""
    fnrs = set(pq.read_table(lake / "residents", columns=["fnr"]).column("fnr").to_pylist())
    gps = pq.read_table(lake / "gps", columns=["first_name", "last_name"]).to_pylist()
    names = {f"{g['first_name']} {g['last_name']}" for g in gps} | {g["last_name"] for g in gps}
    return fnrs, {n for n in names if len(n) > 3}


def test_the_extract_is_pseudonymised_and_logged_with_its_purpose(small_lake: Path, extract: Extract) -> None:
    out = Path(extract.path)
    carried = {p.name for p in out.iterdir() if p.is_dir()}
    assert carried == {"practices", "residents", "conditions", "contacts", "hospital_stays", "municipal_care",
                       "survey_responses"}  # fmt: skip
    source = pq.read_table(small_lake / "residents").to_pylist()
    rows = pq.read_table(out / "residents").to_pylist()
    assert len(rows) == len(source)
    key = settings.PHT_PSEUDONYM_KEY.encode()
    assert {r["fnr"] for r in rows} == {pseudonymise(s["fnr"], key) for s in source}
    assert not {r["resident_id"] for r in rows} & {s["resident_id"] for s in source}
    assert {(r["birth_date"].month, r["birth_date"].day) for r in rows} == {(7, 1)}
    assert sorted(r["birth_date"].year for r in rows) == sorted(s["birth_date"].year for s in source)
    practices = pq.read_table(out / "practices").to_pylist()
    assert all(p["address"] is None and p["name"] == p["practice_orgnr"] for p in practices)
    fnrs, names = identities(small_lake)
    for path in out.rglob("*.parquet"):
        table = pq.read_table(path)
        for column in table.column_names:
            values = {str(v) for v in table.column(column).unique().to_pylist()}
            assert not values & fnrs and not values & names, (path, column)
    event = AuditEvent.objects.get(verb="evaluation.extract", target_id=str(extract.pk))
    assert event.after["purpose"] == "evaluation of the pilot (test)"
    assert event.after["snapshot_hash"] == extract.snapshot_hash


def test_an_extract_needs_a_purpose_and_a_lake_and_leaves_nothing_behind(
    small_lake, tmp_path, people
) -> None:
    with pytest.raises(actions.ActionRefused, match="purpose"):
        actions.record_extract(None, small_lake, tmp_path / "a", " ")
    with pytest.raises(actions.ActionRefused, match="does not exist"):
        actions.record_extract(None, tmp_path / "nowhere", tmp_path / "b", "test")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    assert not list(tmp_path.glob("*.partial")) and not Extract.objects.exists()


def prepared_plan(people: dict[str, Any]) -> AnalysisPlan:
    plan = actions.create_plan(people["evaluator"], "small", "Small lake")
    return actions.update_plan(people["evaluator"], plan, small_lake_document(plan.document))


def test_power_then_lock_then_a_run_with_its_results_and_no_identifiers(
    small_lake: Path, extract: Extract, people: dict[str, Any]
) -> None:
    evaluator = client_for(people["evaluator"])
    plan = prepared_plan(people)
    assert evaluator.post(f"/evaluation/plans/{plan.pk}/power/", {"extract": extract.pk}).status_code == 302
    assert run_pending_jobs() == 1
    plan.refresh_from_db()
    mdes = [row for row in plan.mde["rows"] if row["mde"] is not None]
    assert plan.mde["snapshot_hash"] == extract.snapshot_hash and mdes
    page = evaluator.get(f"/evaluation/plans/{plan.pk}/").content.decode()
    shown = f"{mdes[0]['mde']:.4f}"
    assert shown in page or shown.replace(".", ",") in page

    evaluator.post(f"/evaluation/plans/{plan.pk}/lock/")
    plan.refresh_from_db()
    started = evaluator.post(f"/evaluation/plans/{plan.pk}/run/", {"extract": extract.pk})
    run = plan.runs.get()
    assert started["Location"] == f"/evaluation/runs/{run.pk}/"
    queued = evaluator.get(f"/evaluation/runs/{run.pk}/")
    assert b'data-job-status="queued"' in queued.content
    assert run_pending_jobs() == 1
    run.refresh_from_db()
    assert run.status == "done" and run.result["plan_hash"] == plan.plan_hash
    assert run.started_at and run.finished_at

    outputs = {}
    for who in ("evaluator", "directorate"):
        client = client_for(people[who])
        outputs[f"{who} run page"] = client.get(f"/evaluation/runs/{run.pk}/").content
        outputs[f"{who} plan page"] = client.get(f"/evaluation/plans/{plan.pk}/").content
        outputs[f"{who} index"] = client.get("/evaluation/").content
        for url in ("plans", f"plans/{plan.pk}", "runs", f"runs/{run.pk}", f"runs/{run.pk}/estimates"):
            response = client.get(f"/api/evaluation/{url}")
            assert response.status_code == 200, url
            outputs[f"{who} api {url}"] = response.content
        for fmt in ("html", "csv", "pdf"):
            response = client.get(f"/evaluation/runs/{run.pk}/report.{fmt}")
            assert response.status_code == 200, (who, fmt)
            outputs[f"{who} report.{fmt}"] = response.content
        pdf = outputs.pop(f"{who} report.pdf")
        assert pdf.startswith(b"%PDF")
        # The PDF is scanned for identifiers as its text.
        outputs[f"{who} report.pdf text"] = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout
    page = outputs["evaluator run page"].decode()
    assert plan.plan_hash in page and extract.snapshot_hash in page and 'data-testid="estimates"' in page
    # The results are presented: charts with text alternatives, one table row per estimate.
    assert page.count('<figure class="pht-chart">') >= len({e["outcome"] for e in run.result["estimates"]})
    table = page[page.index('data-testid="estimates"') :]
    assert table[: table.index("</table>")].count("<tr>") == len(run.result["estimates"]) + 1
    assert plan.plan_hash[:12] in outputs["evaluator report.pdf text"].decode()
    # the pilot's costs (none paid or settled in this test) beside its effects
    report_html = outputs["evaluator report.html"].decode()
    assert 'data-item="total_cost">0,00</td>' in report_html and 'data-testid="key-effects"' in report_html
    assert plan.plan_hash in outputs["evaluator report.csv"].decode()
    estimates = client_for(people["evaluator"]).get(f"/api/evaluation/runs/{run.pk}/estimates").json()
    assert len(estimates) == len(run.result["estimates"])
    first = run.result["estimates"][0]
    assert estimates[0]["estimate"] == first["estimate"] and estimates[0]["ci_low"] == first["ci_low"]
    fnrs, names = identities(small_lake)
    for what, content in outputs.items():
        assert not ELEVEN_DIGITS.search(HASHES.sub(b"", content)), what
        assert not any(fnr.encode() in content for fnr in fnrs), what
        text = content.decode()
        assert not any(name in text for name in names), what
    assert AuditEvent.objects.filter(verb="evaluation.run.done", target_id=str(run.pk)).exists()


def test_a_failing_run_shows_its_error_without_a_500(extract: Extract, people: dict[str, Any]) -> None:
    plan = actions.lock_plan(people["evaluator"], prepared_plan(people))
    run = actions.start_run(people["evaluator"], plan, extract)
    shutil.rmtree(extract.path)  # the extract went missing
    run_pending_jobs()
    run.refresh_from_db()
    assert run.status == "failed" and run.result is None
    page = client_for(people["evaluator"]).get(f"/evaluation/runs/{run.pk}/")
    assert page.status_code == 200 and b'data-testid="job-error"' in page.content
    assert b"does not exist" in page.content
    assert client_for(people["evaluator"]).get(f"/api/evaluation/runs/{run.pk}").json()["status"] == "failed"


def test_a_run_can_be_cancelled_and_a_draft_cannot_run(extract: Extract, people: dict[str, Any]) -> None:
    draft = prepared_plan(people)
    with pytest.raises(actions.ActionRefused, match="not locked"):
        actions.start_run(people["evaluator"], draft, extract)
    plan = actions.lock_plan(people["evaluator"], draft)
    with pytest.raises(actions.ActionRefused):
        actions.start_run(people["directorate"], plan, extract)
    run = actions.start_run(people["evaluator"], plan, extract)
    cancel_job(people["evaluator"], run.job)
    assert run_pending_jobs() == 0
    run.refresh_from_db()
    assert run.status == "cancelled" and run.result is None


def test_the_command_writes_and_records_an_extract(small_lake: Path, tmp_path: Path, people, capsys) -> None:
    from pht.cli import main

    out = tmp_path / "by-command"
    args = ["evaluate", "extract", "--lake", str(small_lake), "--out", str(out), "--purpose", "annual report"]
    assert main([*args, "--user", "eva"]) == 0
    made = Extract.objects.get()
    assert made.path == str(out.resolve()) and made.created_by == people["evaluator"]
    assert f"snapshot hash {made.snapshot_hash}" in capsys.readouterr().out
    assert AuditEvent.objects.get(verb="evaluation.extract").after["purpose"] == "annual report"
    assert main(args) == 2  # the directory exists already: refused, nothing recorded
    assert main([*args[:-4], "--out", str(tmp_path / "x"), "--purpose", "p", "--user", "nobody"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert Extract.objects.count() == 1
