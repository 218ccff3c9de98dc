"""``pht bench nation-whatif``: the national what-if on a lake, wall time and peak memory in one run.

Targets on the nation-scale lake: under 60 s and 6 GB on two cores. Also prints the ratio to a bare
DuckDB scan of the same columns of the same files as ``pht bench finance`` (the what-if's heavy
part is the year's settlement of every practice).
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

from pht.command import BENCHMARKS


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lake", required=True, type=Path, help="lake directory (pht synth --out)")
    parser.add_argument("--year", type=int, default=2018, help="year (default 2018)")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads (default 2)")


def _run(args: argparse.Namespace) -> int:
    from pht.command import CommandError
    from pht.engine.finance_bench import _bare_scan, _files
    from pht.engine.finance_params import month_parameters
    from pht.engine.nation import whatif
    from pht.lake import LakeError
    from pht.rules.financing import Period

    reference_year = month_parameters(Period(args.year, 1)).capitation.reference_year
    years = sorted({args.year - 1, args.year, reference_year})
    timings: dict[str, float] = {}
    try:
        files = _files(args.lake, years)
        started = time.perf_counter()
        result = whatif(args.lake, args.year, threads=args.threads, timings=timings)
        total = time.perf_counter() - started
    except (LakeError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # ru_maxrss is KiB on Linux
    bare = _bare_scan(files, args.threads)
    load = os.getloadavg()
    print(f"lake {args.lake}; what-if {args.year} (reference year {reference_year}); threads {args.threads}")
    print(f"practices {result['totals']['practices']:,}; nurse FTE needed {result['nurse_fte']['needed']}")
    print(f"wall time {total:.2f} s; peak RSS {peak_gib:.2f} GiB (targets: < 60 s, < 6 GB)")
    print("stage wall times:")
    for stage, seconds in timings.items():
        print(f"  {stage}: {seconds:.2f} s")
    print(f"bare DuckDB scan of the same columns of the same files: {bare:.2f} s")
    print(f"ratio to the bare scan: {total / bare:.1f}x" if bare > 0 else "bare scan took no measurable time")
    print(f"load average (1, 5, 15 min) after the run: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}")
    return 0


BENCHMARKS["nation-whatif"] = (
    "the national what-if on a lake: every practice with a team, both models",
    _add_arguments,
    _run,
)
