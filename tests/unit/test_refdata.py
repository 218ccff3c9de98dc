import datetime
from pathlib import Path

import pytest

from pht.refdata import (
    ParameterError,
    RefDataError,
    icpc2_codes,
    load_parameters,
    municipalities,
    municipality_mapping,
    municipality_population_by_age,
    national_population_by_age_sex,
)
from pht.refdata.loaders import parse_municipalities
from pht.refdata.params import parameter_versions


def test_municipalities_2017_match_sources_md():
    rows = municipalities(2017)
    assert len(rows) == 426
    assert sum(m.population for m in rows) == 5_258_317
    seljord = next(m for m in rows if m.kommunenummer == "0828")
    assert (seljord.name, seljord.county, seljord.population) == ("Seljord", "Telemark", 2979)


def test_population_tables_agree():
    by_age = municipality_population_by_age(2017)
    assert len(by_age) == 426 * 106
    national = {r.age: r.male + r.female for r in national_population_by_age_sex(2017)}
    summed: dict[int, int] = {}
    for row in by_age:
        summed[row.age] = summed.get(row.age, 0) + row.population
    assert summed == national


def test_mapping_and_icpc2():
    mapping = municipality_mapping(2020)
    assert len(mapping) == 429
    assert len({m.kommunenummer_to for m in mapping}) == 356
    codes = {c.code: c for c in icpc2_codes()}
    assert len(codes) == 747
    assert codes["T90"].component == "diagnosis"


HEADER = "kommunenummer,name,fylkesnummer,fylke,population,name_ssb_label,population_date\n"


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("0828,Seljord,08,Telemark,-5,Seljord,2017-01-01", "population"),
        ("0828,Seljord,09,Telemark,2979,Seljord,2017-01-01", "fylkesnummer"),
        ("828,Seljord,08,Telemark,2979,Seljord,2017-01-01", "kommunenummer"),
        ("0828,,08,Telemark,2979,Seljord,2017-01-01", "name"),
        ("0828,Seljord,08,Telemark,2979,Seljord,1.1.2017", "population_date"),
    ],
)
def test_malformed_row_refused_with_file_line_and_field(tmp_path: Path, row, field):
    path = tmp_path / "municipalities.csv"
    path.write_text(
        HEADER + "0101,Halden,01,Østfold,30790,Halden,2017-01-01\n" + row + "\n", encoding="utf-8"
    )
    with pytest.raises(RefDataError) as info:
        parse_municipalities(path, 2017)
    assert info.value.line == 3
    assert info.value.field == field
    assert "municipalities.csv, line 3" in str(info.value)


def test_duplicate_code_refused(tmp_path: Path):
    path = tmp_path / "municipalities.csv"
    line = "0828,Seljord,08,Telemark,2979,Seljord,2017-01-01\n"
    path.write_text(HEADER + line + line, encoding="utf-8")
    with pytest.raises(RefDataError, match="appears twice"):
        parse_municipalities(path, 2017)


def test_unknown_year_is_a_clear_error():
    with pytest.raises(RefDataError, match="no reference data"):
        municipalities(1999)


def test_parameters_are_versioned_by_date():
    ceilings = {v.valid_from.year: v.values["ceiling"] for v in parameter_versions("copayment_ceiling")}
    assert ceilings[2017] == "2205" and ceilings[2020] == "2460"
    assert load_parameters("copayment_ceiling", on=datetime.date(2018, 12, 31)).values["ceiling"] == "2258"
    fees = load_parameters("fee_schedule", on=datetime.date(2018, 5, 1))
    assert fees.is_assumption("tariffs") and fees.valid_from == datetime.date(2017, 7, 1)
    for tariff in fees.values["tariffs"]:
        from decimal import Decimal

        assert Decimal(tariff["fee"]) == Decimal(tariff["copayment"]) + Decimal(tariff["reimbursement"]), (
            tariff["code"]
        )
    with pytest.raises(ParameterError, match="no parameter set"):
        load_parameters("no_such_thing", on=datetime.date(2018, 1, 1))
    with pytest.raises(ParameterError, match="no version in force"):
        load_parameters("size_class", on=datetime.date(2000, 1, 1))
