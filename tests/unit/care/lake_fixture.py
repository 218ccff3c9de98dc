"""Write hand-made resident histories as a tiny lake in the declared schemas (``pht.lake``)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pht.lake import SCHEMAS, conform
from pht.rules.target_groups import ContactKind, ResidentHistory

LAKE_KIND = {
    ContactKind.GP: "gp_day",
    ContactKind.NURSE: "nurse",
    ContactKind.HOME_VISIT: "home_visit",
    ContactKind.OUT_OF_HOURS: "out_of_hours",
}
PRACTICE = "100000001"


def write_lake(
    directory: Path, histories: Sequence[ResidentHistory], practices: Sequence[str] | None = None
) -> dict[str, int]:
    """Resident ``i`` gets id ``i + 1``; returns resident_id (as text) -> lake id."""
    rows: dict[str, list[dict[str, object]]] = {name: [] for name in SCHEMAS}
    ids: dict[str, int] = {}
    contact_id = 0
    for index, history in enumerate(histories):
        rid = index + 1
        ids[history.resident_id] = rid
        practice = practices[index] if practices else PRACTICE
        rows["residents"].append(
            {
                "resident_id": rid,
                "fnr": f"{rid:011d}",
                "sex": "F",
                "birth_date": history.birth_date,
                "kommunenummer": "0301",
                "gp_hpr": "900000001",
                "practice_orgnr": practice,
                "list_from": datetime.date(2000, 1, 1),
                "list_to": None,
                "end_reason": None,
                "death_date": None,
            }
        )
        for diagnosis in history.diagnoses:
            rows["conditions"].append(
                {
                    "resident_id": rid,
                    "condition": "x",
                    "condition_group": "chronic",
                    "icpc2": diagnosis.code,
                    "onset_date": diagnosis.on,
                }
            )
        for contact in history.contacts:
            if contact.kind is ContactKind.HOSPITAL:
                rows["hospital_stays"].append(
                    {
                        "stay_id": len(rows["hospital_stays"]) + 1,
                        "resident_id": rid,
                        "kommunenummer": "0301",
                        "admission_date": contact.on,
                        "discharge_date": contact.on,
                        "year": contact.on.year,
                        "acute": True,
                        "ambulatory_care_sensitive": False,
                        "icpc2": None,
                    }
                )
            elif contact.kind is ContactKind.MUNICIPAL_CARE:
                rows["municipal_care"].append(
                    {
                        "resident_id": rid,
                        "kommunenummer": "0301",
                        "service": "home_care",
                        "start_date": contact.on,
                        "end_date": contact.on,
                        "hours_per_week": 2.0,
                    }
                )
            else:
                contact_id += 1
                rows["contacts"].append(
                    {
                        "contact_id": contact_id,
                        "resident_id": rid,
                        "contact_date": contact.on,
                        "year": contact.on.year,
                        "month": contact.on.month,
                        "kind": LAKE_KIND[contact.kind],
                        "icpc2": None,
                        "kommunenummer": "0301",
                        "practice_orgnr": practice,
                        "gp_hpr": None,
                    }
                )
    for name in ("residents", "conditions", "contacts", "hospital_stays", "municipal_care"):
        schema = SCHEMAS[name]
        plain = pa.schema(
            [
                pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
                for f in schema
            ]
        )
        table = conform(name, pa.Table.from_pylist(rows[name], schema=plain))
        (directory / name).mkdir(parents=True, exist_ok=True)
        pq.write_table(table, directory / name / "part-0.parquet")
    return ids
