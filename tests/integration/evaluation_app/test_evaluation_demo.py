"""The evaluation demo: an extract, a locked plan with its power, one finished run; idempotent; and no
page or API output of the demo run carries an 11-digit number (a fødselsnummer) or a person's name."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db(transaction=False)
ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")
HASHES = re.compile(r"[0-9a-f]{12,}")  # plan and snapshot hashes: hex, not identifiers


def test_the_demo_gives_a_finished_run_and_no_output_identifies_anyone(registry, settings, tmp_path) -> None:
    from pht.apps.accounts.models import User
    from pht.apps.evaluation.demo import DEMO_PLAN, build_demo
    from pht.apps.evaluation.models import AnalysisPlan, Run
    from pht.site.demo import create_demo_users

    settings.VAR_DIR = tmp_path
    create_demo_users()
    said: list[str] = []
    build_demo(said.append)
    plan = AnalysisPlan.objects.get(name=DEMO_PLAN, status="locked")
    run = Run.objects.get(plan=plan)
    assert run.status == "done" and run.result["plan_hash"] == plan.plan_hash
    assert plan.mde and any(row["mde"] is not None for row in plan.mde["rows"])
    assert str(tmp_path) in run.extract.path
    build_demo(said.append)
    assert Run.objects.count() == 1 and "already present" in said[-1]

    people = list(User.objects.exclude(first_name="")) + list(User.objects.exclude(last_name=""))
    names = {u.get_full_name() for u in people if u.username != "evaluator"}
    client = Client()
    client.force_login(User.objects.get(username="evaluator"))
    urls = [
        "/evaluation/",
        f"/evaluation/plans/{plan.pk}/",
        f"/evaluation/runs/{run.pk}/",
        "/api/evaluation/plans",
        f"/api/evaluation/plans/{plan.pk}",
        "/api/evaluation/runs",
        f"/api/evaluation/runs/{run.pk}",
        f"/api/evaluation/runs/{run.pk}/estimates",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        # the page header names the signed-in user; nothing else may name a person
        text = text.replace("Eva Evaluator", "")
        assert not ELEVEN_DIGITS.search(HASHES.sub("", text)), url
        assert not any(name and name in text for name in names), url
