"""Fixtures of the evaluation workspace's tests: people per role, a small lake and its extract."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pht.apps.accounts.models import Role

SEED = 11


@pytest.fixture(scope="session")
def small_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seljord and Hå, 2016-2019 (a pilot practice from 2018-04 in each), default effects."""
    from pht.synth.lake import run, select_municipalities
    from pht.synth.pilot import DEFAULT_EFFECTS, default_pilot

    out = tmp_path_factory.mktemp("evaluation_app") / "lake"
    run(
        out,
        select_municipalities(["0828", "1119"], None),
        seed=SEED,
        first_year=2016,
        last_year=2019,
        pilot=default_pilot(SEED, DEFAULT_EFFECTS),
        jobs=1,
        progress=False,
    )
    return out


@pytest.fixture
def people(orgs, make_user) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {
        "evaluator": make_user("eva", roles=[Role.EVALUATOR], organisation=orgs["evaluation"]),
        "directorate": make_user("case1", roles=[Role.CASE_OFFICER], organisation=orgs["directorate"]),
        "gp": make_user("gp1", roles=[Role.GP], organisation=orgs["practice_a"]),
        "lead": make_user("lead1", roles=[Role.PROJECT_LEAD], organisation=orgs["seljord"]),
        "admin": make_user(
            "root",
            roles=[Role.ADMINISTRATOR],
            organisation=orgs["directorate"],
            is_staff=True,
            is_superuser=True,
        ),
    }


@pytest.fixture
def extract(small_lake: Path, tmp_path: Path, people: dict[str, Any]) -> Any:
    from pht.apps.evaluation.actions import record_extract

    return record_extract(None, small_lake, tmp_path / "extract", "evaluation of the pilot (test)")
