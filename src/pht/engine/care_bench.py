"""``pht bench care``: target groups over a whole lake (target: the nation in under 60 s on 2 cores)."""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from pht.command import BENCHMARKS


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lake", required=True, type=Path, help="lake directory (pht synth --out)")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads (default 2)")
    parser.add_argument("--repeat", type=int, default=1, help="runs to time (best is reported)")


def _run(args: argparse.Namespace) -> int:
    import pyarrow.parquet as pq

    from pht.engine.care import default_reference_date, stratify_to_file
    from pht.lake import dataset_files

    lake: Path = args.lake
    on = default_reference_date(lake)
    rows = {
        name: sum(pq.ParquetFile(path).metadata.num_rows for path in dataset_files(lake, name))
        for name in ("residents", "conditions", "contacts", "hospital_stays", "municipal_care")
    }
    print(f"lake {lake}: " + ", ".join(f"{name} {count:,}" for name, count in rows.items()))
    print(f"threads {args.threads} (machine has {os.cpu_count()} cores); reference date {on}")
    best = float("inf")
    summary: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for _ in range(max(1, args.repeat)):
            started = time.perf_counter()
            summary = stratify_to_file(lake, on, None, Path(scratch) / "out.parquet", args.threads)
            best = min(best, time.perf_counter() - started)
    residents = int(str(summary["residents"]))
    print(f"stratified {residents:,} listed residents in {best:.2f} s (incl. writing Parquet)")
    print(f"throughput {residents / best:,.0f} residents/s")
    shares = summary["shares"]
    assert isinstance(shares, dict)
    for group, figures in shares.items():
        print(f"  {group:<16} {figures['residents']:>10,}  {100 * figures['share']:6.2f} %")
    nation = 5_258_317
    if residents and residents < 0.9 * nation:
        print(
            f"linear extrapolation to the nation ({nation:,}): {best * nation / residents:.1f} s "
            "(an extrapolation, not a measurement)"
        )
    return 0


BENCHMARKS["care"] = ("target groups over a whole lake (engine)", _add_arguments, _run)
