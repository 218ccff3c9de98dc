from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pht.lake import SCHEMAS, SchemaError, conform, read_dataset
from pht.refdata import icpc2_codes, load_parameters


def test_every_dataset_has_its_declared_schema_and_key_columns(small_lake: Path) -> None:
    required = {
        "residents": {
            "resident_id",
            "fnr",
            "sex",
            "birth_date",
            "kommunenummer",
            "gp_hpr",
            "practice_orgnr",
            "list_from",
            "list_to",
        },
        "claims": {"claim_id", "resident_id", "tariff_code", "fee_ore", "copayment_ore", "reimbursement_ore"},
        "hospital_stays": {"acute", "ambulatory_care_sensitive"},
    }
    for name in SCHEMAS:
        table = read_dataset(small_lake, name)
        assert table.schema.remove_metadata().equals(SCHEMAS[name]), name
        assert table.num_rows > 0, name
        assert required.get(name, set()) <= set(table.column_names)


def test_a_file_with_the_wrong_schema_is_refused_on_read(small_lake: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    shutil.copytree(small_lake / "gps", lake / "gps")
    pq.write_table(pa.table({"gp_hpr": [1]}), lake / "gps" / "k9999.parquet")
    with pytest.raises(SchemaError, match="gps"):
        read_dataset(lake, "gps")


def test_a_table_that_does_not_fit_is_refused_on_write() -> None:
    with pytest.raises(SchemaError, match="missing columns"):
        conform("gps", pa.table({"gp_hpr": ["900000001"]}))
    good = SCHEMAS["survey_responses"].empty_table()
    bad = good.set_column(good.schema.get_field_index("year"), "year", pa.array([], pa.string()))
    bad = bad.append_column("extra", pa.array([], pa.int8()))
    with pytest.raises(SchemaError):
        conform("survey_responses", bad)


def test_morbidity_parameters_cover_the_required_conditions_with_valid_codes() -> None:
    values = load_parameters("synth_morbidity", datetime.date(2017, 1, 1))
    codes = {c.code: c for c in icpc2_codes()}
    conditions = {c["key"]: c for c in values.values["conditions"]}
    required = {
        "diabetes": {"T90"},
        "hypertension": {"K86", "K87"},
        "heart_failure": {"K77"},
        "ischaemic_heart_disease": {"K74", "K75", "K76"},
        "atrial_fibrillation": {"K78"},
        "copd": {"R95"},
        "asthma": {"R96"},
        "depression": {"P76"},
        "anxiety": {"P74"},
        "psychosis": {"P72", "P73"},
        "substance_use": {"P15", "P16", "P19"},
        "dementia": {"P70"},
        "developmental_disability": {"P85"},
        "osteoarthritis": {"L89", "L90", "L91"},
    }
    for key, wanted in required.items():
        assert set(conditions[key]["codes"]) == wanted, key
    for code in conditions["cancer"]["codes"]:
        assert "neoplasm" in codes[code].title_en.lower(), code
    assert any(c["group"] == "frailty_deficit" for c in conditions.values())
    for c in conditions.values():
        assert all(code in codes for code in c["codes"])
        assert len(c["prevalence_male"]) == len(c["prevalence_female"]) == len(values.values["age_bands"])
    assert values.is_assumption("conditions") and values.source


def test_manifest_describes_every_dataset_and_its_partitioning(small_lake: Path) -> None:
    import json

    from pht.lake import PARTITIONED_BY_YEAR

    manifest = json.loads((small_lake / "manifest.json").read_text())
    assert set(manifest["datasets"]) == set(SCHEMAS)
    for name, info in manifest["datasets"].items():
        assert info["partitioned_by_year"] == (name in PARTITIONED_BY_YEAR), name
        assert [f["name"] for f in info["schema"]] == SCHEMAS[name].names
        assert info["rows"] == read_dataset(small_lake, name, columns=[SCHEMAS[name].names[0]]).num_rows
