"""The lake's data contract: every dataset's declared schema and partitioning, and the only code
that lists, checks and reads its files. The generator writes through it; the engine and the apps
read through it; real register extracts must meet it (docs/lake.md)."""

from pht.lake.files import (
    LakeError,
    SchemaError,
    check,
    conform,
    dataset_files,
    lake_files,
    partition_years,
    read_dataset,
)
from pht.lake.schemas import CODE, PARTITIONED_BY_YEAR, SCHEMAS, TRUTH_OUTCOMES

__all__ = [
    "CODE",
    "PARTITIONED_BY_YEAR",
    "SCHEMAS",
    "TRUTH_OUTCOMES",
    "LakeError",
    "SchemaError",
    "check",
    "conform",
    "dataset_files",
    "lake_files",
    "partition_years",
    "read_dataset",
]
