"""Open the Parquet lake (``pht synth`` output, schemas in ``pht.synth.schemas``) as Ibis tables on DuckDB."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import ibis
import pyarrow.parquet as pq
from ibis.backends.duckdb import Backend

from pht.synth.schemas import PARTITIONED_BY_YEAR, SchemaError, check, dataset_files


class LakeError(ValueError):
    """The lake directory is missing, or a dataset in it is missing or malformed."""


def connect(threads: int | None = None) -> Backend:
    con = ibis.duckdb.connect()
    if threads:
        con.raw_sql(f"SET threads = {int(threads)}")
    return con


def lake_files(lake_dir: Path | str, name: str, years: Iterable[int] | None = None) -> list[str]:
    """The dataset's Parquet files (only the given years' partitions, for partitioned datasets),
    each checked against the declared schema."""
    lake = Path(lake_dir)
    if not lake.is_dir():
        raise LakeError(f"lake directory {lake} does not exist")
    files = dataset_files(lake, name)
    if years is not None and name in PARTITIONED_BY_YEAR:
        wanted = {f"year={y}" for y in years}
        files = [f for f in files if any(part in wanted for part in f.parts)]
    for path in files:
        try:
            check(name, pq.read_schema(path), str(path))
        except SchemaError as exc:
            raise LakeError(str(exc)) from exc
    return [str(f) for f in files]


def table(con: Backend, lake_dir: Path | str, name: str, years: Iterable[int] | None = None) -> ibis.Table:
    files = lake_files(lake_dir, name, years)
    if not files:
        if years is not None and name in PARTITIONED_BY_YEAR:
            raise LakeError(f"lake {lake_dir}: dataset {name!r} has no files for years {sorted(years)}")
        raise LakeError(f"lake {lake_dir}: dataset {name!r} has no files")
    return con.read_parquet(files, hive_partitioning=False)
