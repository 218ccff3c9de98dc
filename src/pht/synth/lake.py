"""Write the synthetic lake: one Parquet file per municipality (and year), a manifest, and checks.

Layout under ``out``::

    manifest.json
    practices/k0828.parquet            gps/…  residents/…  conditions/…  municipal_care/…
    contacts/year=2017/k0828.parquet   claims/…  hospital_stays/…  survey_responses/…  truth/…

``truth/`` holds what the injected pilot effects changed (observed minus counterfactual), for
validating an evaluation; the generator only writes it, and analysis code must never read it.

Municipalities are generated in worker processes (``jobs``) and each worker writes its own files,
so memory is bounded by the largest municipality, not the nation. Every file is deterministic in
(seed, years, pilot, municipality), and the manifest holds no timestamps, so the same arguments
give byte-identical output.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from pht.lake import SCHEMAS, LakeError, conform
from pht.refdata import Municipality, municipalities
from pht.synth.fnr import prepare_slot_table
from pht.synth.generate import ANCHOR_YEAR, Options, day_of, fnr_slot_offsets, generate, load_params
from pht.synth.pilot import Pilot

GENERATOR_VERSION = "1"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Result:
    kommunenummer: str
    rows: dict[str, int]
    files: list[str]


def _write(out: Path, name: str, year: int | None, kommunenummer: str, table: Any) -> tuple[str, int]:
    table = conform(name, table)
    directory = out / name if year is None else out / name / f"year={year}"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"k{kommunenummer}.parquet"
    pq.write_table(table, path, compression="snappy", row_group_size=1 << 20)
    return str(path.relative_to(out)), table.num_rows


def _work(task: tuple[Municipality, Options, tuple[Any, Any], str]) -> Result:
    municipality, options, offsets, out_dir = task
    out = Path(out_dir)
    rows: dict[str, int] = {}
    files = []
    for name, year, table in generate(municipality, options, offsets):
        path, count = _write(out, name, year, municipality.kommunenummer, table)
        rows[name] = rows.get(name, 0) + count
        files.append(path)
    return Result(municipality.kommunenummer, rows, files)


def select_municipalities(
    codes: Iterable[str] | None = None, county: str | None = None
) -> list[Municipality]:
    """Municipalities of 2017 by code, by county name (or number), or all when neither is given."""
    everyone = municipalities(ANCHOR_YEAR)
    if codes:
        by_code = {m.kommunenummer: m for m in everyone}
        unknown = [c for c in codes if c not in by_code]
        if unknown:
            raise LakeError(f"unknown kommunenummer {', '.join(unknown)} (2017 municipalities)")
        return [by_code[c] for c in dict.fromkeys(codes)]
    if county:
        wanted = county.strip().casefold()
        chosen = [m for m in everyone if m.county.casefold() == wanted or m.fylkesnummer == county.strip()]
        if not chosen:
            counties = sorted({m.county for m in everyone})
            raise LakeError(f"no county {county!r}; counties in 2017: {', '.join(counties)}")
        return chosen
    return list(everyone)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _prepare(out: Path) -> None:
    if out.exists() and any(out.iterdir()):
        if not (out / MANIFEST).exists():
            raise LakeError(f"{out} is not empty and holds no synthetic lake; choose an empty directory")
        for name in SCHEMAS:
            shutil.rmtree(out / name, ignore_errors=True)
        (out / MANIFEST).unlink()
    out.mkdir(parents=True, exist_ok=True)


def run(
    out: Path,
    chosen: list[Municipality],
    *,
    seed: int,
    first_year: int,
    last_year: int,
    pilot: Pilot,
    jobs: int = 1,
    progress: bool = True,
    confounding: bool = True,
) -> dict[str, Any]:
    """Generate the lake and return the manifest (also written to ``out/manifest.json``)."""
    if not first_year <= ANCHOR_YEAR <= last_year:
        raise LakeError(f"the years must include {ANCHOR_YEAR}, the year the population is anchored to")
    if first_year < 2010 or last_year > 2030:
        raise LakeError("years must lie within 2010-2030")
    out = Path(out)
    _prepare(out)
    params = load_params(first_year, last_year)
    offsets = fnr_slot_offsets(seed, first_year, last_year)
    # one table for every run of this process (years are limited to 2010-2030)
    prepare_slot_table(day_of("1890-01-01"), day_of("2030-12-31"))
    options = Options(
        seed=seed, first_year=first_year, last_year=last_year, pilot=pilot, confounding=confounding
    )
    # largest first, so the big ones do not finish last alone
    ordered = sorted(chosen, key=lambda m: (-m.population, m.kommunenummer))
    tasks = [(m, options, offsets[m.kommunenummer], str(out)) for m in ordered]
    results: list[Result] = []
    from tqdm import tqdm

    bar = tqdm(total=len(tasks), unit="municipality", file=sys.stderr, disable=not progress)
    if jobs > 1 and len(tasks) > 1:
        context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
        with context.Pool(processes=jobs, maxtasksperchild=20) as pool:
            for result in pool.imap_unordered(_work, tasks):
                results.append(result)
                bar.update(1)
    else:
        for task in tasks:
            results.append(_work(task))
            bar.update(1)
    bar.close()
    rows: dict[str, int] = {name: 0 for name in SCHEMAS}
    for result in results:
        for name, count in result.rows.items():
            rows[name] += count
    files = sorted(f for result in results for f in result.files)
    manifest = {
        "generator": "pht.synth",
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "years": [first_year, last_year],
        "anchor_date": f"{ANCHOR_YEAR}-01-01",
        "municipalities": sorted(m.kommunenummer for m in chosen),
        "population_2017": sum(m.population for m in chosen),
        "pilot": pilot.describe(),
        "true_effects": pilot.describe()["effects"],
        "confounding": confounding,
        "parameters": params.provenance,
        "amounts": "whole øre in int64 columns named *_ore (NOK 1 = 100 øre)",
        "synthetic": "All persons, practices and identifiers are synthetic: fødselsnummer use birth "
        "month + 80, organisation numbers start with 1, HPR numbers start with 9.",
        "datasets": {
            name: {
                "schema": [{"name": f.name, "type": str(f.type)} for f in SCHEMAS[name]],
                "rows": rows[name],
                "partitioned_by_year": any(f.startswith(f"{name}/year=") for f in files),
            }
            for name in SCHEMAS
        },
        "files": {f: _sha256(out / f) for f in files},
    }
    (out / MANIFEST).write_text(
        json.dumps(manifest, indent=1, sort_keys=True, default=str) + "\n", encoding="utf-8"
    )
    return manifest


def _query(sql: str) -> list[tuple[Any, ...]]:
    import duckdb

    relation = duckdb.sql(sql)
    if relation is None:
        raise LakeError("query returned no result")
    return relation.fetchall()


def check_2017_counts(lake_dir: Path | str, chosen: list[Municipality]) -> list[tuple[str, int, int, int]]:
    """(kommunenummer, age, generated, source) for every cell where residents on 2017-01-01 differ."""
    from pht.refdata import municipality_population_by_age

    pattern = str(Path(lake_dir) / "residents" / "*.parquet")
    rows = _query(
        f"""
        select kommunenummer::varchar as k,
               least(2017 - year(birth_date) - case when month(birth_date) = 1 and day(birth_date) = 1
                                                    then 0 else 1 end, 105) as age,
               count(distinct resident_id) as n
        from read_parquet('{pattern}', hive_partitioning = false)
        where list_from <= date '2017-01-01' and coalesce(list_to, date '9999-12-31') >= date '2017-01-01'
        group by all
        """
    )
    got = {(k, int(a)): int(n) for k, a, n in rows}
    wanted = {m.kommunenummer for m in chosen}
    expected = {
        (r.kommunenummer, r.age): r.population
        for r in municipality_population_by_age(2017)
        if r.kommunenummer in wanted
    }
    keys = set(got) | {k for k, v in expected.items() if v}
    return sorted(
        (k, a, got.get((k, a), 0), expected.get((k, a), 0))
        for k, a in keys
        if got.get((k, a), 0) != expected.get((k, a), 0)
    )


def check_fnr(lake_dir: Path | str, sample: int = 100_000) -> tuple[int, int, int]:
    """(persons, distinct numbers, invalid in a sample): every person's number, checked by the validator."""
    from pht.rules.identifiers import InvalidIdentifier, check_person_id

    pattern = str(Path(lake_dir) / "residents" / "*.parquet")
    persons, distinct = _query(
        f"select count(distinct resident_id), count(distinct fnr) "
        f"from read_parquet('{pattern}', hive_partitioning = false)"
    )[0]
    numbers = _query(
        f"select distinct fnr from read_parquet('{pattern}', hive_partitioning = false) "
        f"order by hash(fnr) limit {int(sample)}"
    )
    invalid = 0
    for (number,) in numbers:
        try:
            if not check_person_id(number, allow_synthetic=True).synthetic:
                invalid += 1
        except InvalidIdentifier:
            invalid += 1
    return int(persons), int(distinct), invalid
