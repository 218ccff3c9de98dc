"""``pht bench finance``: settle a full year for every practice of a lake under both models.

Prints the wall time, the rows of the Parquet files the settlement reads, and the ratio to a bare
DuckDB scan that reads and sums the same columns of the same files (targets on the nation-scale
lake: under 20 s for a year, within 3x of the bare scan). The reference year that fixes the
budget-neutral capitation rate is settled too; its time is shown separately and included in
the total.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from pht.command import BENCHMARKS

# The columns the finance engine reads, per dataset.
COLUMNS = {
    "residents": (
        "resident_id", "sex", "birth_date", "kommunenummer", "practice_orgnr", "list_from", "list_to",
    ),
    "conditions": ("resident_id", "icpc2", "onset_date"),
    "claims": (
        "claim_id", "resident_id", "contact_date", "year", "month", "tariff_code", "billed_by",
        "practice_orgnr", "icpc2",
    ),
}  # fmt: skip
NUMERIC = {"resident_id", "claim_id", "year", "month"}


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lake", required=True, type=Path, help="lake directory (pht synth --out)")
    parser.add_argument("--year", type=int, default=2018, help="year to settle (default 2018)")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads (default 2)")
    parser.add_argument("--out", type=Path, help="write the settlement rows to this Parquet file")


def _files(lake: Path, years: list[int]) -> dict[str, list[str]]:
    from pht.lake import lake_files

    return {name: lake_files(lake, name, years if name == "claims" else None) for name in COLUMNS}


def _bare_scan(files: dict[str, list[str]], threads: int) -> float:
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {int(threads)}")
    started = time.perf_counter()
    for name, paths in files.items():
        if not paths:
            continue
        aggregates = ", ".join(
            f"sum({c})"
            if c in NUMERIC
            else f"max({c})"
            if "date" in c or c.startswith("list_")
            else f"max({c})"
            for c in COLUMNS[name]
        )
        listing = ", ".join(f"'{p}'" for p in paths)
        con.execute(f"SELECT {aggregates} FROM read_parquet([{listing}], hive_partitioning=false)").fetchall()
    return time.perf_counter() - started


def _floor(files: dict[str, list[str]], threads: int, year: int, codes: list[str]) -> dict[str, float]:
    """Wall times of the plainest aggregations any settlement of ``year`` has to make (no pricing, no
    months, no cells): the claims of every year read counted per practice, month and code; the
    year's claims per person (the copayment ceiling); the first onset per person of each condition
    the rules ask about; the list spells per practice. A lower bound, to set the bare scan against."""
    import duckdb

    def source(name: str) -> str:
        return "read_parquet([" + ", ".join(f"'{p}'" for p in files[name]) + "], hive_partitioning=false)"

    listed = ", ".join("'" + c.replace("'", "''") + "'" for c in codes) or "NULL"
    queries = {
        "claims per practice, month and code": f"""SELECT practice_orgnr, year, month, tariff_code, count(*)
            FROM {source("claims")} GROUP BY ALL""",
        "the year's claims per person": f"""SELECT resident_id, count(*) FROM {source("claims")}
            WHERE year = {int(year)} GROUP BY resident_id""",
        "first onset per person and condition": f"""SELECT resident_id, icpc2, min(onset_date)
            FROM {source("conditions")} WHERE icpc2 IN ({listed}) GROUP BY ALL""",
        "list spells per practice": f"SELECT practice_orgnr, count(*) FROM {source('residents')} GROUP BY ALL",
    }
    con = duckdb.connect()
    con.execute(f"SET threads = {int(threads)}")
    timings = {}
    for label, sql in queries.items():
        started = time.perf_counter()
        con.execute(sql).fetchall()
        timings[label] = time.perf_counter() - started
    return timings


def _run(args: argparse.Namespace) -> int:
    import pyarrow.parquet as pq

    from pht.command import CommandError
    from pht.engine.finance import FinanceLake, periods_of_year
    from pht.engine.finance_params import month_parameters
    from pht.engine.lake import connect
    from pht.lake import LakeError
    from pht.rules.financing import Period

    lake_dir: Path = args.lake
    year: int = args.year
    reference_year = month_parameters(Period(year, 1)).capitation.reference_year
    years = sorted({year - 1, year, reference_year})
    try:
        files = _files(lake_dir, years)
    except LakeError as exc:
        raise CommandError(str(exc)) from exc
    rows = {name: sum(pq.ParquetFile(p).metadata.num_rows for p in paths) for name, paths in files.items()}
    print(f"lake {lake_dir}; settling {year} (reference year {reference_year}); claims years read {years}")
    print(
        "rows in the files read: "
        + ", ".join(f"{n} {c:,}" for n, c in rows.items())
        + f"; total {sum(rows.values()):,}"
    )
    print(f"threads {args.threads} (machine has {os.cpu_count()} cores)")

    try:
        started = time.perf_counter()
        lake = FinanceLake(lake_dir, con=connect(args.threads))
        settled = lake.settlement_table(periods_of_year(year))  # the reference year in the same passes
        with tempfile.TemporaryDirectory() as scratch:
            pq.write_table(settled, args.out or Path(scratch) / "settlements.parquet")
        total = time.perf_counter() - started
    except LakeError as exc:
        raise CommandError(str(exc)) from exc
    practices = len(set(settled.column("practice_orgnr").to_pylist()))
    bare = _bare_scan(files, args.threads)
    params = month_parameters(Period(year, 1))
    codes = set(params.capitation.chronic_codes)
    for indicator in params.quality.indicators:
        codes |= set(indicator.denominator_conditions)
    floor = _floor(files, args.threads, year, sorted(codes))
    print(f"settled {practices:,} practices x 12 months x 2 models = {settled.num_rows:,} settlements")
    print(f"wall time {total:.2f} s (reference year and year together)")
    print("stage wall times:")
    for stage, seconds in lake.timings.items():
        print(f"  {stage}: {seconds:.2f} s")
    print(f"bare DuckDB scan of the same columns of the same files: {bare:.2f} s")
    print(f"ratio to the bare scan: {total / bare:.1f}x" if bare > 0 else "bare scan took no measurable time")
    print("the plainest aggregations a settlement needs (a lower bound; no pricing, months or cells):")
    for label, seconds in floor.items():
        print(f"  {label}: {seconds:.2f} s")
    if bare > 0:
        print(f"  together {sum(floor.values()):.2f} s = {sum(floor.values()) / bare:.1f}x the bare scan")
    return 0


BENCHMARKS["finance"] = ("settle a year for every practice under both financing models", _add_arguments, _run)
