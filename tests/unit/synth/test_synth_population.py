from __future__ import annotations

import datetime
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow.compute as pc

from pht.lake import read_dataset
from pht.refdata import municipalities, municipality_population_by_age
from pht.synth.lake import check_2017_counts, select_municipalities
from pht.synth.registry import generate_municipality

REF = datetime.date(2017, 1, 1)


def _age(birth: datetime.date, on: datetime.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def test_2017_residents_match_the_source_table_by_municipality_and_single_year_of_age(
    small_lake: Path,
) -> None:
    residents = read_dataset(small_lake, "residents").to_pylist()
    present = {
        r["resident_id"]: r
        for r in residents
        if r["list_from"] <= REF and (r["list_to"] is None or r["list_to"] >= REF)
    }
    counts = Counter((r["kommunenummer"], min(_age(r["birth_date"], REF), 105)) for r in present.values())
    expected = {
        (row.kommunenummer, row.age): row.population
        for row in municipality_population_by_age(2017)
        if row.kommunenummer in ("0828", "1401")
    }
    assert {k: v for k, v in counts.items()} == {k: v for k, v in expected.items() if v}
    # the same check the nation-scale benchmark runs (DuckDB over the files)
    assert check_2017_counts(small_lake, select_municipalities(["0828", "1401"])) == []


def test_every_resident_is_on_exactly_one_gp_list_at_a_time_and_lists_change(small_lake: Path) -> None:
    residents = read_dataset(small_lake, "residents")
    ids = residents["resident_id"].to_numpy()
    start = residents["list_from"].cast("int32").to_numpy()
    end = pc.fill_null(residents["list_to"].cast("int32"), 10**6).to_numpy()
    order = np.lexsort((start, ids))
    ids, start, end = ids[order], start[order], end[order]
    same = ids[1:] == ids[:-1]
    assert np.all(start <= end)
    # consecutive periods of one person follow each other without gap or overlap
    assert np.all(start[1:][same] == end[:-1][same] + 1)
    reasons = Counter(residents["end_reason"].to_pylist())
    assert reasons["list_change"] > 0.02 * len(set(ids.tolist()))
    assert reasons["moved_out"] > 0 and reasons["died"] > 0
    gps = residents["gp_hpr"].to_pylist()
    assert None not in gps


def test_list_sizes_on_2017_01_01_equal_the_registry(small_lake: Path) -> None:
    by_code = {m.kommunenummer: m for m in municipalities(2017)}
    registry = {
        gp.hpr: gp.list_size
        for code in ("0828", "1401")
        for p in generate_municipality(by_code[code], 11)
        for gp in p.gps
    }
    rows = read_dataset(small_lake, "residents").to_pylist()
    listed = Counter(
        r["gp_hpr"] for r in rows if r["list_from"] <= REF and (r["list_to"] is None or r["list_to"] >= REF)
    )
    assert dict(listed) == registry


def test_births_deaths_and_moves_happen_at_plausible_rates(small_lake: Path) -> None:
    rows = read_dataset(small_lake, "residents").to_pylist()
    people = {r["resident_id"]: r for r in rows}
    population = 2979 + 11999
    person_years = population * 7
    births = sum(1 for r in people.values() if r["birth_date"].year >= 2017 and r["birth_date"] > REF)
    deaths = sum(1 for r in people.values() if r["death_date"] is not None)
    moves = sum(1 for r in rows if r["end_reason"] == "moved_out")
    assert 0.007 < births / (population * 5) < 0.016  # about 11 per 1,000 (2017-2021)
    assert 0.005 < deaths / person_years < 0.013  # about 8 per 1,000
    assert 0.03 < moves / person_years < 0.07  # about 5 % move out a year
    # the dead stay dead: no list period after death
    for r in rows:
        if r["death_date"] is not None and r["list_to"] is not None:
            assert r["list_to"] <= r["death_date"]
