"""Demo data of the care app, built by `pht demo` after the registry and the demo users.

The demo practice (and the other pilot practices in the demo municipality) get a synthetic list from a
small generated lake (the same seeded registry), imported through the ordinary validated import, stratified,
and a few care plans with tasks, so the demo nurse can log in and work.
"""

from __future__ import annotations

import datetime
import io
import tempfile
from collections.abc import Callable
from pathlib import Path

DEMO_ON = datetime.date(2019, 12, 31)
DEMO_PLANS = 3


def build_demo(say: Callable[[str], None]) -> None:
    """Create this app's demo data (idempotent: practices that already have a list are left alone)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pht.apps.accounts.models import User
    from pht.apps.care import actions
    from pht.apps.care.models import ListResident
    from pht.apps.registry.models import Practice
    from pht.engine.care import practice_extract
    from pht.rules.identifiers import InvalidIdentifier, check_person_id
    from pht.synth import lake
    from pht.synth.demo import DEMO_MUNICIPALITY, DEMO_SEED
    from pht.synth.pilot import default_pilot

    pilot = default_pilot(DEMO_SEED)
    orgnrs = sorted(p.practice_orgnr for p in pilot.practices if p.kommunenummer == DEMO_MUNICIPALITY)
    practices = [
        p
        for p in Practice.objects.filter(orgnr__in=orgnrs)
        if not ListResident.objects.filter(practice=p).exists()
    ]
    if not practices:
        say("Care: demo lists already imported.")
        return
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch) / "lake"
        lake.run(
            directory,
            lake.select_municipalities([DEMO_MUNICIPALITY]),
            seed=DEMO_SEED,
            first_year=2017,
            last_year=DEMO_ON.year,
            pilot=pilot,
            progress=False,
        )
        for practice in practices:
            extract = practice_extract(directory, [practice.orgnr], DEMO_ON)
            valid = set()
            for fnr in extract["residents"].column("fnr").to_pylist():
                try:
                    check_person_id(fnr, allow_synthetic=True)
                    valid.add(fnr)
                except InvalidIdentifier:
                    continue
            skipped = extract["residents"].num_rows - len(valid)
            for kind in ("residents", "contacts", "diagnoses"):
                table = extract[kind]
                table = table.filter(pa.array([fnr in valid for fnr in table.column("fnr").to_pylist()]))
                buffer = io.BytesIO()
                pq.write_table(table, buffer)
                actions.import_bytes(None, practice, buffer.getvalue(), f"demo-lake/{kind}.parquet", kind)
            listed = ListResident.objects.filter(practice=practice)
            members = listed.filter(memberships__isnull=False).distinct().count()
            say(
                f"Care: {practice.name}: {listed.count()} list residents imported and stratified, "
                f"{members} in a target group"
                + (f" ({skipped} skipped: the generator gave an invalid fødselsnummer)" if skipped else "")
                + "."
            )
    nurse = User.objects.filter(username="sykepleier").first()
    if nurse is None or nurse.organisation is None or nurse.organisation.practice_id is None:
        return
    top = ListResident.objects.filter(practice_id=nurse.organisation.practice_id, care_plans__isnull=True)
    today = datetime.date.today()
    for index, resident in enumerate(top.order_by("-need_score", "id")[:DEMO_PLANS]):
        plan = actions.create_care_plan(
            nurse,
            resident,
            title="Oppfølging av sammensatte behov",
            goals="Stabil helse hjemme\nFærre legevaktbesøk",
            activities="Legemiddelgjennomgang\nKontroll hver tredje måned",
            responsible_role="nurse",
            # the first plan is due for review today: the nurse's start page has something to do
            next_review=today if index == 0 else today + datetime.timedelta(days=90),
        )
        actions.add_task(
            nurse,
            plan,
            description="Legemiddelgjennomgang",
            role="gp",
            due=today + datetime.timedelta(days=14),
        )
        if index == 0:
            actions.add_task(
                nurse, plan, description="Ring pasienten før evalueringen", role="nurse", due=today
            )
    say(
        f"Care: {DEMO_PLANS} care plans with a task for the GP created for the demo nurse "
        "(one due for review today, with a nurse task due today)."
    )
