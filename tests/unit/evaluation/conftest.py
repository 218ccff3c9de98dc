from __future__ import annotations

from pathlib import Path

import pytest

from pht.synth.lake import run, select_municipalities
from pht.synth.pilot import DEFAULT_EFFECTS, default_pilot

SEED = 11


@pytest.fixture(scope="session")
def small_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seljord and Hå (a pilot practice from 2018-04 each, and others), 2016-2019, default effects."""
    out = tmp_path_factory.mktemp("evaluation") / "lake"
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
