"""Demo data of the evaluation app, built by ``pht demo`` after the demo users.

A small synthetic lake (Seljord and Hå, 2016-2019) is written to a scratch directory and turned into a
pseudonymised extract under ``var/evaluation/`` (the lake itself is not kept); the evaluator gets a plan
from the default template fitted to it (the deviations stated), its power, the plan locked, and one
finished run, so results can be seen at once; and a new draft version (a sensitivity analysis) not yet
locked, the evaluator's work in progress.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

DEMO_MUNICIPALITIES = ("0828", "1119")  # Seljord and Hå: a pilot practice each, and controls
DEMO_LAKE_SEED = 11
DEMO_PLAN = "demo"
# Texts an evaluator of the Norwegian pilot would write themselves: data, in bokmål, not UI strings.
DEMO_REASON = (
    "Demo: den syntetiske demodatasjøen dekker 2016–2019 og få legekontor, så vinduet slutter i 2019, "
    "med 2 matchede kontroller per pilotkontor, 199 bootstrap-trekk og uten randomiseringsinferens."
)


DEMO_SENSITIVITY = "Sensitivitetsanalyse: tre matchede kontroller per pilotkontor i stedet for to."


def build_demo(say: Callable[[str], None]) -> None:
    from django.conf import settings

    from pht.apps.accounts.models import User
    from pht.apps.evaluation import actions
    from pht.apps.evaluation.models import AnalysisPlan, Extract, Run
    from pht.apps.jobs.actions import run_pending_jobs
    from pht.synth.lake import run, select_municipalities
    from pht.synth.pilot import DEFAULT_EFFECTS, default_pilot

    if Run.objects.filter(plan__name=DEMO_PLAN, result__isnull=False).exists():
        say("Evaluation: demo run already present.")
        return
    evaluator = User.objects.filter(username="evaluator").first()
    if evaluator is None:
        say("Evaluation: no demo evaluator; skipped.")
        return
    started = time.perf_counter()
    extract = Extract.objects.filter(purpose__startswith="Demo").first()
    if extract is None or not Path(extract.path).is_dir():
        target = Path(settings.VAR_DIR) / "evaluation" / "demo-extract"
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="pht-demo-evaluation-") as scratch:
            lake = Path(scratch) / "lake"
            run(lake, select_municipalities(list(DEMO_MUNICIPALITIES)), seed=DEMO_LAKE_SEED, first_year=2016,
                last_year=2019, pilot=default_pilot(DEMO_LAKE_SEED, DEFAULT_EFFECTS), jobs=1, progress=False)  # fmt: skip
            extract = actions.record_extract(
                None, lake, target, "Demo: evaluering av piloten (syntetiske data)"
            )
    plan = AnalysisPlan.objects.filter(name=DEMO_PLAN, status="locked").order_by("-version").first()
    if plan is None:
        draft = AnalysisPlan.objects.filter(name=DEMO_PLAN).order_by("-version").first()
        if draft is None:
            draft = actions.create_plan(evaluator, DEMO_PLAN, "")
        document = draft.document
        document["design"]["study_end"] = "2019-12-31"
        document["design"]["min_control_practices"] = 2
        document["matching"]["neighbours"] = 2
        document["inference"]["bootstrap_draws"] = 199
        document["inference"]["randomisation_permutations"] = 0
        document["plan"]["deviations"] = [DEMO_REASON]
        draft = actions.update_plan(evaluator, draft, document)
        actions.start_power(evaluator, draft, extract)
        run_pending_jobs()
        plan = actions.lock_plan(evaluator, draft)
    demo_run = actions.start_run(evaluator, plan, extract)
    run_pending_jobs()
    demo_run.refresh_from_db()
    # A deviation in progress, so the evaluator's start page has a draft to finish and lock.
    if not AnalysisPlan.objects.filter(name=DEMO_PLAN, status="draft").exists():
        actions.new_version(evaluator, plan, DEMO_SENSITIVITY)
    say(
        f"Evaluation: pseudonymised extract {extract.snapshot_hash[:12]}, plan {plan} locked "
        f"({plan.plan_hash[:12]}), run {demo_run.pk} {demo_run.status} "
        f"in {time.perf_counter() - started:.0f} s."
    )
