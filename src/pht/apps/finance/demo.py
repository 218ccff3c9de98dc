"""Demo data of the finance app, built by `pht demo` after the registry.

Statements for the pilot practices of the demo municipality (Seljord), settled from a small
synthetic lake generated on the fly with the demo seed (so its practices are the registry's),
for the first months of the pilot. Running it again keeps what is there.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

DEMO_PERIODS = ("2018-04", "2018-05", "2018-06")


def build_demo(say: Callable[[str], None]) -> None:
    """Create this app's demo data (idempotent)."""
    from pht.apps.finance.actions import store_settlements
    from pht.apps.finance.models import Statement
    from pht.engine.finance import FinanceLake
    from pht.rules.financing import Period
    from pht.synth.demo import DEMO_MUNICIPALITY, DEMO_SEED
    from pht.synth.lake import run, select_municipalities
    from pht.synth.pilot import default_pilot

    if Statement.objects.filter(practice__municipality__kommunenummer=DEMO_MUNICIPALITY).exists():
        say("Finance: demo statements already present.")
        return
    pilot = default_pilot(DEMO_SEED)
    with tempfile.TemporaryDirectory(prefix="pht-demo-lake-") as scratch:
        lake_dir = Path(scratch)
        run(lake_dir, select_municipalities([DEMO_MUNICIPALITY]), seed=DEMO_SEED, first_year=2017, last_year=2018,
            pilot=pilot, jobs=1, progress=False)  # fmt: skip
        lake = FinanceLake(lake_dir)
        pilot_practices = [p.practice_orgnr for p in pilot.practices if p.kommunenummer == DEMO_MUNICIPALITY]
        settled = lake.settle([Period.parse(p) for p in DEMO_PERIODS], lake.practice_ids(pilot_practices))
        stored = store_settlements(
            None, settled, source=f"synthetic lake, seed {DEMO_SEED}, {DEMO_MUNICIPALITY}"
        )
    say(
        f"Finance: {len(stored)} statements stored for {len(pilot_practices)} pilot practices ({', '.join(DEMO_PERIODS)})."
    )
