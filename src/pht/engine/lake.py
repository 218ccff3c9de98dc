"""Open the Parquet lake (contract in ``pht.lake``) as Ibis tables on DuckDB."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import ibis
from ibis.backends.duckdb import Backend

from pht.lake import PARTITIONED_BY_YEAR, LakeError, lake_files


def connect(threads: int | None = None) -> Backend:
    con = ibis.duckdb.connect()
    if threads:
        con.raw_sql(f"SET threads = {int(threads)}")
    return con


def table(con: Backend, lake_dir: Path | str, name: str, years: Iterable[int] | None = None) -> ibis.Table:
    files = lake_files(lake_dir, name, years)
    if not files:
        if years is not None and name in PARTITIONED_BY_YEAR:
            raise LakeError(f"lake {lake_dir}: dataset {name!r} has no files for years {sorted(years)}")
        raise LakeError(f"lake {lake_dir}: dataset {name!r} has no files")
    return con.read_parquet(files, hive_partitioning=False)
