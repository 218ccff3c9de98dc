"""Listing, schema-checked reading and conforming of the lake's datasets (declared in ``schemas``)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pht.lake.schemas import PARTITIONED_BY_YEAR, SCHEMAS


class LakeError(ValueError):
    """The lake directory is missing, or a dataset in it is missing or malformed."""


class SchemaError(LakeError):
    """A table or file does not have its dataset's declared schema."""


def conform(name: str, table: pa.Table) -> pa.Table:
    """The table in the declared column order and types; refuses missing, extra or uncastable columns."""
    schema = SCHEMAS[name]
    missing = [f for f in schema.names if f not in table.column_names]
    extra = [c for c in table.column_names if c not in schema.names]
    if missing or extra:
        raise SchemaError(f"{name}: missing columns {missing}, unexpected columns {extra}")
    table = table.select(schema.names)
    if not table.schema.equals(schema):
        try:
            table = table.cast(schema)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise SchemaError(f"{name}: {exc}") from exc
    return table


def check(name: str, schema: pa.Schema, where: str) -> None:
    declared = SCHEMAS[name]
    if not schema.remove_metadata().equals(declared):
        raise SchemaError(f"{name}: {where} has schema\n{schema}\nexpected\n{declared}")


def dataset_files(lake_dir: Path | str, name: str) -> list[Path]:
    if name not in SCHEMAS:
        raise SchemaError(f"no dataset {name!r}; datasets are {sorted(SCHEMAS)}")
    return sorted((Path(lake_dir) / name).rglob("*.parquet"))


def partition_years(path: Path) -> list[int]:
    """The years named by ``year=YYYY`` folders in a file's path."""
    return [int(part.split("=", 1)[1]) for part in path.parts if part.startswith("year=")]


def lake_files(lake_dir: Path | str, name: str, years: Iterable[int] | None = None) -> list[str]:
    """The dataset's Parquet files (only the given years' partitions, for partitioned datasets),
    each checked against the declared schema."""
    lake = Path(lake_dir)
    if not lake.is_dir():
        raise LakeError(f"lake directory {lake} does not exist")
    files = dataset_files(lake, name)
    if years is not None and name in PARTITIONED_BY_YEAR:
        wanted = set(years)
        files = [f for f in files if wanted.intersection(partition_years(f))]
    for path in files:
        check(name, pq.read_schema(path), str(path))
    return [str(f) for f in files]


def read_dataset(lake_dir: Path | str, name: str, columns: list[str] | None = None) -> pa.Table:
    """All files of one dataset, each checked against the declared schema before it is used."""
    tables = []
    for path in dataset_files(lake_dir, name):
        check(name, pq.read_schema(path), str(path))
        tables.append(pq.read_table(path, columns=columns))
    if not tables:
        schema = SCHEMAS[name]
        return schema.empty_table() if columns is None else schema.empty_table().select(columns)
    return pa.concat_tables(tables)
