"""Demo data of the finance app, built by `pht demo` after the registry.

A synthetic lake of the pilot municipalities (generated with the demo seed, so its practices are the
registry's) is written to ``settings.PHT_FINANCE_LAKE`` and kept, so finance officers can start
settlement runs from the finance pages; then a year (2018) of statements for every pilot practice,
under its own model and the shadow, is stored as one settlement run. Pilot municipalities without
practices in the registry (a test registry) are left out. Running it again keeps what is there.

Timing on the development machine (two cores): the lake of all nine pilot municipalities takes about
40 s to write when the cores are idle (134 s measured while they were shared), the year's settlement
and storing of the 408 statements of the 17 pilot practices 12–21 s (37 s with the capitation
frame, on shared cores).
"""

from __future__ import annotations

import time
from collections.abc import Callable

DEMO_YEAR = 2018
DEMO_PERIODS = tuple(f"{DEMO_YEAR}-{month:02d}" for month in range(1, 13))


def build_demo(say: Callable[[str], None]) -> None:
    """Create this app's demo data (idempotent)."""
    from pht.apps.finance.actions import store_settlements
    from pht.apps.finance.job_kinds import lake_dir
    from pht.apps.finance.models import Statement
    from pht.apps.registry.models import Practice
    from pht.engine.finance import FinanceLake, lake_has_year
    from pht.rules.financing import Period
    from pht.synth.demo import DEMO_SEED
    from pht.synth.lake import run, select_municipalities
    from pht.synth.pilot import default_pilot

    pilot = default_pilot(DEMO_SEED)
    known = set(
        Practice.objects.filter(orgnr__in=[p.practice_orgnr for p in pilot.practices]).values_list(
            "orgnr", flat=True
        )
    )
    practices = sorted(p.practice_orgnr for p in pilot.practices if p.practice_orgnr in known)
    if not practices:
        say("Finance: no pilot practices in the registry; no demo statements.")
        return
    if Statement.objects.filter(practice__orgnr__in=practices, period__startswith=f"{DEMO_YEAR}-").exists():
        say("Finance: demo statements already present.")
        return
    lake = lake_dir()
    started = time.monotonic()
    if not lake_has_year(lake, DEMO_YEAR):
        municipalities = sorted({p.kommunenummer for p in pilot.practices if p.practice_orgnr in known})
        lake.mkdir(parents=True, exist_ok=True)
        run(lake, select_municipalities(municipalities), seed=DEMO_SEED, first_year=DEMO_YEAR - 1, last_year=DEMO_YEAR,
            pilot=pilot, jobs=1, progress=False)  # fmt: skip
        say(
            f"Finance: synthetic lake of {', '.join(municipalities)} written to {lake} ({time.monotonic() - started:.0f} s)."
        )
    finance_lake = FinanceLake(lake)
    in_lake = set(finance_lake.practices.column("practice_orgnr").to_pylist())
    practices = [p for p in practices if p in in_lake]
    started = time.monotonic()
    settled = finance_lake.settle(
        [Period.parse(p) for p in DEMO_PERIODS], finance_lake.practice_ids(practices)
    )
    stored = store_settlements(None, settled, source=f"synthetic lake, seed {DEMO_SEED} (demo)")
    say(
        f"Finance: {len(stored)} statements stored for {len(practices)} pilot practices, {DEMO_YEAR} "
        f"({time.monotonic() - started:.0f} s)."
    )
