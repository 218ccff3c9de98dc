"""Write Python financing records as a lake in the declared schemas (pht.lake), for engine tests.

Resident ids in the records are strings of digits (the lake's are int64). Claims get their fee,
copayment split and billed_by from the parameters, as ``pht synth`` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pht.engine.finance_params import month_parameters
from pht.lake import conform
from pht.rules.financing import ClaimRecord, Condition, ListSpell, Period, copayment_splits


def write_lake(
    root: Path,
    spells: Sequence[ListSpell],
    conditions: Sequence[Condition],
    claims: Sequence[ClaimRecord],
    practices: dict[str, tuple[str, str | None]],  # orgnr -> (kommunenummer, financing model)
) -> Path:
    params = month_parameters(Period(2018, 1))
    schedules = params.schedules
    years = sorted({c.date.year for c in claims}) or [2018]
    ceilings = {}
    for year in years:
        ceilings.update(month_parameters(Period(year, 1)).ceilings)
    births = {s.resident_id: s.birth_date for s in spells}
    splits = copayment_splits(claims, births, schedules, ceilings)
    listed = {s.resident_id: s for s in spells}

    def write(name: str, rows: list[dict], partition: int | None = None) -> None:
        table = conform(name, pa.Table.from_pylist(rows, schema=_plain(name)))
        folder = root / name if partition is None else root / name / f"year={partition}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, folder / "part-0.parquet")

    write(
        "practices",
        [
            {
                "practice_orgnr": orgnr,
                "name": f"Practice {orgnr}",
                "kommunenummer": kommune,
                "address": "Storgata 1",
                "gp_count": 1,
                "pilot": model is not None,
                "pilot_start": None,
                "financing_model": model,
            }
            for orgnr, (kommune, model) in practices.items()
        ],
    )
    write(
        "residents",
        [
            {
                "resident_id": int(s.resident_id),
                "fnr": "00000000000",
                "sex": s.sex,
                "birth_date": s.birth_date,
                "kommunenummer": s.municipality,
                "gp_hpr": "9" + s.practice[-8:].rjust(8, "0"),
                "practice_orgnr": s.practice,
                "list_from": s.listed_from,
                "list_to": s.listed_to,
                "end_reason": None,
                "death_date": None,
            }
            for s in spells
        ],
    )
    write(
        "conditions",
        [
            {
                "resident_id": int(c.resident_id),
                "condition": c.code,
                "condition_group": "chronic",
                "icpc2": c.code,
                "onset_date": c.onset,
            }
            for c in conditions
        ],
    )
    for year in years:
        rows = []
        for c in claims:
            if c.date.year != year:
                continue
            tariff = schedules.on(c.date).tariff(c.code)
            patient, state, exempt = splits[c.claim_id]
            billed_by = "out_of_hours" if c.practice is None else ("nurse" if tariff.is_nurse else "gp")
            practice = c.practice or listed[c.resident_id].practice
            rows.append(
                {
                    "claim_id": c.claim_id,
                    "resident_id": int(c.resident_id),
                    "contact_date": c.date,
                    "year": year,
                    "month": c.date.month,
                    "tariff_code": c.code,
                    "billed_by": billed_by,
                    "kommunenummer": listed[c.resident_id].municipality,
                    "practice_orgnr": practice,
                    "gp_hpr": None,
                    "icpc2": c.diagnosis,
                    "fee_ore": int(tariff.fee * 100),
                    "copayment_ore": int((patient + state) * 100),
                    "reimbursement_ore": int(tariff.reimbursement * 100),
                    "copayment_exempt": exempt,
                    "patient_paid_ore": int(patient * 100),
                    "state_copayment_ore": int(state * 100),
                }
            )
        write("claims", rows, partition=year)
    return root


def _plain(name: str) -> pa.Schema:
    """The declared schema with dictionary columns as plain strings (conform casts them back)."""
    from pht.lake import SCHEMAS

    return pa.schema(
        [pa.field(f.name, pa.string() if pa.types.is_dictionary(f.type) else f.type) for f in SCHEMAS[name]]
    )
