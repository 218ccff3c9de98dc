"""The pseudonymised evaluation extract: a lake made fit for evaluators (columnar, pyarrow).

Runs on the operational side, where the pseudonym key lives. Every person id becomes a keyed HMAC
pseudonym (``pht.rules.pseudonym``): residents' ``resident_id`` (a 63-bit integer, so the declared schema
still holds) and ``fnr``, and GPs' ``gp_hpr`` (the same pseudonym wherever the id occurs, so joins still
work); birth dates are coarsened to the year; free text and names are dropped (practices' names and
addresses; a practice's name becomes its organisation number). Only the datasets the evaluation reads
are carried (``EXTRACT_DATASETS``); GPs' records with their names stay behind. The result is an ordinary lake the evaluation engine reads; its *snapshot hash*
(sha256 over every file's path and bytes) identifies it in every result.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pht.engine.evaluation.panels import ANALYSIS_DATASETS
from pht.lake.files import LakeError, check, conform, dataset_files
from pht.lake.schemas import SCHEMAS
from pht.rules.pseudonym import BIRTH_DAY_IN_YEAR, coarsen_birth_date, pseudonym, pseudonym_int

# Datasets an extract carries: only what the evaluation reads (data minimisation; GPs' records, claim
# amounts and a synthetic lake's validation-only record stay on the operational side).
EXTRACT_DATASETS = ANALYSIS_DATASETS
MANIFEST = "extract.json"


@dataclass(frozen=True)
class ExtractResult:
    path: Path
    snapshot_hash: str
    rows: dict[str, int]


def _mapped(column: pa.ChunkedArray, function: Any, kind: pa.DataType) -> pa.Array:
    """``function`` applied once per distinct value of ``column`` (nulls stay null)."""
    plain = column.combine_chunks()
    if pa.types.is_dictionary(plain.type):
        plain = plain.cast(plain.type.value_type)
    distinct = pc.unique(plain).drop_null()
    table = pa.array([function(value) for value in distinct.to_pylist()], type=kind)
    return pc.take(table, pc.index_in(plain, value_set=distinct))


def _pseudonymise(name: str, table: pa.Table, key: bytes) -> pa.Table:
    columns = {}
    for column in table.column_names:
        data = table.column(column)
        if column == "resident_id":
            data = _mapped(data, lambda v: pseudonym_int(v, key), pa.int64())
        elif column == "fnr":
            data = _mapped(data, lambda v: pseudonym(v, key), pa.string())
        elif column == "gp_hpr":
            data = _mapped(data, lambda v: pseudonym(v, key, "hpr")[:16], pa.string())
        elif column == "birth_date":
            data = _mapped(data, coarsen_birth_date, pa.date32())
        elif column in ("first_name", "last_name", "address"):
            data = pa.nulls(table.num_rows, pa.string())
        elif name == "practices" and column == "name":
            data = table.column("practice_orgnr")
        columns[column] = data
    return conform(name, pa.table(columns))


def snapshot_hash(directory: Path) -> str:
    """sha256 over every file's relative path and bytes, in path order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def write_extract(lake: Path | str, out: Path | str, key: bytes) -> ExtractResult:
    """Write the pseudonymised extract of ``lake`` to ``out`` (a new directory); nothing is left behind
    if it fails."""
    source, target = Path(lake), Path(out)
    if not source.is_dir():
        raise LakeError(f"lake directory {source} does not exist")
    if target.exists():
        raise LakeError(f"extract directory {target} already exists")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    rows: dict[str, int] = {}
    try:
        for name in EXTRACT_DATASETS:
            files = dataset_files(source, name)
            if not files:
                raise LakeError(f"lake {source}: dataset {name!r} has no files")
            rows[name] = 0
            for path in files:
                check(name, pq.read_schema(path), str(path))
                table = _pseudonymise(name, pq.read_table(path), key)
                destination = partial / path.relative_to(source)
                destination.parent.mkdir(parents=True, exist_ok=True)
                pq.write_table(table, destination)
                rows[name] += table.num_rows
        manifest = {
            "kind": "pseudonymised evaluation extract",
            "datasets": rows,
            "pseudonyms": "keyed HMAC-SHA256 of resident_id, fnr and gp_hpr (key kept on the operational side)",
            "birth_dates": (
                f"coarsened to the year: day {BIRTH_DAY_IN_YEAR[1]} of month {BIRTH_DAY_IN_YEAR[0]} "
                "of the birth year (assumption)"
            ),
            "left_out": sorted(set(SCHEMAS) - set(EXTRACT_DATASETS)),
            "dropped_columns": ["practices.address", "practices.name"],
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
        digest = snapshot_hash(partial)
        partial.rename(target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return ExtractResult(path=target, snapshot_hash=digest, rows=rows)
