"""``pht bench evaluate``: the default plan on a pilot-sized lake, wall time per stage, and the
estimator stage against bare pyfixest fits of the same panels in the same run.

The lake is the default pilot's nine municipalities (17 pilot practices, Oslo included) unless
``--lake`` names an existing one. The "bare fits" are, for every (outcome, population) panel of the
plan, one weighted two-way fixed-effects regression of the period rate on a treated-and-started
indicator with practice and period effects and practice-clustered errors (pyfixest ``feols``): the
least a DiD pipeline must do per estimate. The ratio compares PHT's estimator stage (group-time
ATTs, aggregation, rate ratios, the shared multiplier bootstrap, Romano–Wolf, event studies) with
them.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from pht.command import BENCHMARKS, CommandError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lake", help="an existing lake (default: generate the default pilot's municipalities)"
    )
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for generating the lake")
    parser.add_argument("--plan", help="analysis plan (default: PHT's default plan)")


def _bare_fits(frames: list, repeat: int = 1) -> float:
    import numpy as np
    import pyfixest as pf

    started = time.perf_counter()
    for _ in range(repeat):
        for frame in frames:
            data = frame.assign(
                rate=frame.y / frame.w,
                treated_post=((frame.cohort >= 0) & (frame.period >= frame.cohort)).astype(float),
            )
            data = data[np.isfinite(data.rate)]
            pf.feols(
                "rate ~ treated_post | unit + period", data=data, weights="w", vcov={"CRV1": "unit"}
            ).coef()
    return time.perf_counter() - started


def run(args: argparse.Namespace) -> int:
    from pht.engine.evaluation.outcomes import KNOWN_OUTCOMES
    from pht.engine.evaluation.panels import EvaluationLake
    from pht.engine.evaluation.plan import PlanError, load_plan, lock
    from pht.engine.evaluation.run import run as run_plan
    from pht.lake import LakeError

    try:
        plan = load_plan(args.plan, KNOWN_OUTCOMES)
    except PlanError as exc:
        raise CommandError(str(exc)) from None
    generated = None
    generate_seconds = 0.0
    if args.lake:
        lake = Path(args.lake)
    else:
        from pht.synth.lake import run as generate
        from pht.synth.lake import select_municipalities
        from pht.synth.pilot import PILOT_MUNICIPALITIES, default_pilot

        generated = lake = Path(tempfile.mkdtemp(prefix="pht-bench-evaluate-"))
        started = time.perf_counter()
        generate(
            lake,
            select_municipalities(list(PILOT_MUNICIPALITIES), None),
            seed=args.seed,
            first_year=2016,
            last_year=2021,
            pilot=default_pilot(args.seed),
            jobs=max(1, args.jobs),
            progress=False,
        )
        generate_seconds = time.perf_counter() - started
    try:
        started = time.perf_counter()
        result = run_plan(lake, plan)
        total = time.perf_counter() - started
        # the same panels, fitted bare (read again outside the timed pipeline)
        opened = EvaluationLake(lake, plan)
        try:
            locked = lock(plan)
            frames = [
                opened.panel(key, population, locked)
                for key, _dim in plan.outcome_dimensions()
                for population in plan.populations
            ]
        finally:
            opened.close()
        bare = _bare_fits(frames)
    except LakeError as exc:
        raise CommandError(str(exc)) from None
    finally:
        if generated is not None:
            shutil.rmtree(generated, ignore_errors=True)
    timings = result["timings"]
    design = result["design"]
    print(
        f"evaluate benchmark: lake {'(generated: the default pilot, 2016-2021, seed ' + str(args.seed) + ')' if generated else lake}"
    )
    if generated:
        print(f"  generate lake            {generate_seconds:>8.1f} s (not part of the plan)")
    print(
        f"  population               {design['populations']['all']:>8,} listed at baseline, "
        f"{design['populations']['target']:,} in a target group"
    )
    print(
        f"  practices                {design['balance']['treated_practices']:>8} treated, "
        f"{design['balance']['matched_control_practices']} matched controls of {design['balance']['pool_practices']}"
    )
    for stage, seconds in timings.items():
        print(f"  stage {stage:<38} {seconds:>8.2f} s")
    print(
        f"  whole plan               {total:>8.2f} s ({len(result['estimates'])} estimates, "
        f"{plan.bootstrap_draws} bootstrap draws)"
    )
    print(f"  bare pyfixest TWFE fits  {bare:>8.2f} s ({len(frames)} panels)")
    # the design's own estimation (group-time ATTs, aggregation, bootstrap, Romano-Wolf, event
    # studies, pre-trend tests), without the randomisation inference and the comparison fits
    design_seconds = timings["estimation: design"]
    print(f"  design estimation        {design_seconds:>8.2f} s")
    ratio = design_seconds / bare if bare > 0 else float("inf")
    print(f"  design estimation / bare {ratio:>8.2f}x")
    return 0


BENCHMARKS["evaluate"] = (
    "the default evaluation plan on a pilot-sized lake: time per stage, and against bare pyfixest fits",
    add_arguments,
    run,
)
