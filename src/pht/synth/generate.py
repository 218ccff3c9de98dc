"""Generate one municipality of the synthetic Norway, vectorised with numpy.

Everything for a municipality is drawn from random streams keyed by (seed, kommunenummer, stage,
year), so a municipality gives the same data whether it is generated alone or with the nation,
and adding a stage (or the pilot's nurse contacts) does not shift the draws of another.

Time is in whole days since 1970-01-01 (int64). 2017-01-01 is the anchor: the residents present
that day match ``municipality_population_age_2017.csv`` exactly by single year of age. Before the
anchor, people who died or moved out are added; after it, births, in-movers, deaths, moves out
and list changes happen at the rates in ``synth_rates.toml``. A move out of the municipality ends
the person's record; in-movers are new persons (people are not linked across municipalities).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from scipy.special import ndtri

from pht.refdata import (
    Municipality,
    load_parameters,
    municipalities,
    municipality_population_by_age,
    national_population_by_age_sex,
)
from pht.refdata.params import parameter_versions
from pht.synth.fnr import synthetic_fnr
from pht.synth.pilot import Pilot
from pht.synth.registry import REGISTRY_DATE, generate_municipality, registry_parameters

ANCHOR_YEAR = 2017
NONE = np.int64(10**7)  # "no such day" (far after any simulated day)
MAX_AGE = 105
CONSULTATION_CSV = (
    Path(__file__).parents[1] / "refdata" / "data" / "2023" / "gp_consultation_rates_by_age_sex.csv"
)
SSB_AGE_GROUPS = (0, 6, 16, 20, 30, 50, 67, 80, 90)  # lower bounds of the CSV's nine age groups
SSB_GROUP_LABELS = (
    "0-5 år",
    "6-15 år",
    "16-19 år",
    "20-29 år",
    "30-49 år",
    "50-66 år",
    "67-79 år",
    "80-89 år",
    "90 år eller eldre",
)

# Stream ids: one random stream per stage (and year), so stages do not shift each other's draws.
S_PEOPLE, S_LATENT, S_ONSET, S_DEATH, S_LISTS, S_CONTACTS, S_NURSE, S_HOSPITAL, S_CARE, S_SURVEY, S_FNR = (
    range(11)
)

KINDS = ("gp_day", "gp_evening", "e_consultation", "home_visit", "simple_contact", "out_of_hours", "nurse")
GP_CONSULTATION_KINDS = frozenset(KINDS[:4])  # what SSB counts as consultations with the regular GP
KIND_TARIFF = {
    "gp_day": "2ad",
    "gp_evening": "2ak",
    "e_consultation": "2ae",
    "home_visit": "11ad",
    "simple_contact": "1ad",
    "out_of_hours": "2ak",
}
# ICPC-2 codes for contacts not about a chronic condition (assumption: common reasons for encounter)
ACUTE_CODES = (
    "R74",
    "R05",
    "L03",
    "L84",
    "A04",
    "S88",
    "R78",
    "H71",
    "U71",
    "D73",
    "A97",
    "L86",
    "N01",
    "P06",
    "S18",
    "L92",
    "A11",
    "R21",
    "F70",
    "Z25",
)
ACUTE_WEIGHTS = np.array([12, 8, 9, 6, 5, 5, 5, 4, 4, 4, 8, 4, 4, 3, 3, 3, 3, 4, 3, 3], dtype=float)


def day_of(date: datetime.date | str) -> int:
    return int(np.datetime64(str(date), "D").astype(np.int64))


def year_start(years: np.ndarray | int) -> np.ndarray:
    return (np.asarray(years) - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = np.asarray(days).astype("datetime64[D]")
    years = d.astype("datetime64[Y]").astype(np.int64) + 1970
    months = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    mdays = (d - d.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    return years, months, mdays


def age_on(birth: np.ndarray, day: np.ndarray | int) -> np.ndarray:
    """Completed years of age on ``day`` (both in days since 1970)."""
    by, bm, bd = ymd(birth)
    ty, tm, td = ymd(np.broadcast_to(np.asarray(day), np.shape(birth)))
    return ty - by - ((tm * 100 + td) < (bm * 100 + bd))


class Ages:
    """Ages of many people on single days, with their birth dates split once (datetime maths is slow)."""

    def __init__(self, birth: np.ndarray) -> None:
        by, bm, bd = ymd(birth)
        self.year, self.monthday = by, bm * 100 + bd
        self.birth = birth

    def on(self, day: int, sel: np.ndarray | slice = slice(None)) -> np.ndarray:
        ty, tm, td = (int(v[0]) for v in ymd(np.array([day])))
        return ty - self.year[sel] - ((tm * 100 + td) < self.monthday[sel])

    def birthday(self, age: int) -> np.ndarray:
        """The day each person turns ``age`` (29 February births: 1 March in other years)."""
        months = (self.year + age - 1970) * 12 + self.monthday // 100 - 1
        return (
            months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + self.monthday % 100 - 1
        )


def band(values: np.ndarray, lower_bounds: list[int] | tuple[int, ...]) -> np.ndarray:
    return np.searchsorted(np.asarray(lower_bounds), values, side="right") - 1


def weighted_sum(weights: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Sum of weights of the present conditions per person, in a fixed order.

    Not ``weights @ present``: BLAS may sum in an order that depends on memory alignment and
    threads, and a last-bit difference can flip a random draw, breaking byte-identical output.
    """
    total = np.zeros(present.shape[1])
    for weight, row in zip(weights.tolist(), present, strict=True):
        if weight:
            total[row] += weight
    return total


def rng_for(seed: int, kommunenummer: str, stream: int, *more: int) -> np.random.Generator:
    return np.random.default_rng([seed, int(kommunenummer), stream, *more])


# ---------------------------------------------------------------------------------------------
# Parameters


@dataclass(frozen=True)
class Condition:
    key: str
    group: str
    domain: str
    codes: tuple[str, ...]
    weights_male: np.ndarray
    weights_female: np.ndarray
    loading_general: float
    loading_domain: float
    prevalence_male: np.ndarray
    prevalence_female: np.ndarray
    consultation_log_rr: float
    mortality_log_rr: float
    admission_log_rr: float
    acs: bool


@dataclass(frozen=True)
class Params:
    age_bands: tuple[int, ...]
    conditions: tuple[Condition, ...]
    rates: dict[str, Any]
    gp_rate: np.ndarray  # fastlege consultations per person-year, by SSB age group
    ooh_rate: np.ndarray  # legevakt consultations per person-year, by SSB age group
    tariff_codes: tuple[str, ...]
    tariff_from: np.ndarray  # valid_from day of each fee schedule version
    tariff_amounts: np.ndarray  # (version, code, [fee, copayment, reimbursement]) in øre
    exempt_under_age: np.ndarray  # per version
    ceiling_ore: dict[int, int]
    provenance: dict[str, Any]

    @property
    def domains(self) -> tuple[str, ...]:
        return tuple(sorted({c.domain for c in self.conditions}))


def _ore(text: str) -> int:
    value = Decimal(text) * 100
    if value != value.to_integral_value():
        raise ValueError(f"amount {text!r} has fractions of an øre")
    return int(value)


def read_consultation_rates(path: Path = CONSULTATION_CSV) -> tuple[np.ndarray, np.ndarray]:
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        rows = {row["group"]: row for row in csv.DictReader(handle)}
    gp = np.array([float(rows[g]["fastlege_consultations_per_person"]) for g in SSB_GROUP_LABELS])
    ooh = np.array([float(rows[g]["legevakt_consultations_per_person"]) for g in SSB_GROUP_LABELS])
    return gp, ooh


@cache
def load_params(first_year: int, last_year: int) -> Params:
    on = datetime.date(ANCHOR_YEAR, 1, 1)
    morbidity = load_parameters("synth_morbidity", on)
    rates = load_parameters("synth_rates", on)
    registry = load_parameters("synth_registry", REGISTRY_DATE)
    registry_parameters()  # a malformed synth_registry.toml is refused here, before any worker starts
    conditions = []
    for raw in morbidity.values["conditions"]:
        codes = tuple(raw["codes"])
        wm = np.array(raw.get("code_weights_male", raw.get("code_weights")), dtype=float)
        wf = np.array(raw.get("code_weights_female", raw.get("code_weights")), dtype=float)
        conditions.append(
            Condition(
                key=raw["key"],
                group=raw["group"],
                domain=raw["domain"],
                codes=codes,
                weights_male=wm / wm.sum(),
                weights_female=wf / wf.sum(),
                loading_general=float(raw["loading_general"]),
                loading_domain=float(raw["loading_domain"]),
                prevalence_male=np.array(raw["prevalence_male"], dtype=float),
                prevalence_female=np.array(raw["prevalence_female"], dtype=float),
                consultation_log_rr=float(raw["consultation_log_rr"]),
                mortality_log_rr=float(raw["mortality_log_rr"]),
                admission_log_rr=float(raw["admission_log_rr"]),
                acs=bool(raw["acs"]),
            )
        )
    versions = parameter_versions("fee_schedule")
    codes = tuple(t["code"] for t in versions[-1].values["tariffs"])
    amounts = np.zeros((len(versions), len(codes), 3), dtype=np.int64)
    for vi, version in enumerate(versions):
        by_code = {t["code"]: t for t in version.values["tariffs"]}
        for ci, code in enumerate(codes):
            t = by_code[code]
            fee, cop, reimb = _ore(t["fee"]), _ore(t["copayment"]), _ore(t["reimbursement"])
            if fee != cop + reimb:
                raise ValueError(
                    f"fee_schedule {version.valid_from}: {code} fee is not copayment + reimbursement"
                )
            amounts[vi, ci] = (fee, cop, reimb)
    ceilings = {
        y: _ore(load_parameters("copayment_ceiling", datetime.date(y, 1, 1)).values["ceiling"])
        for y in range(first_year, last_year + 1)
    }
    gp, ooh = read_consultation_rates()
    provenance = {
        "synth_morbidity": {**morbidity.provenance(), "values": morbidity.values},
        "synth_rates": {**rates.provenance(), "values": rates.values},
        "synth_registry": {**registry.provenance(), "values": registry.values},
        "fee_schedule": [v.provenance() for v in versions],
        "copayment_ceiling": {
            str(y): load_parameters("copayment_ceiling", datetime.date(y, 1, 1)).provenance()
            for y in range(first_year, last_year + 1)
        },
        "consultation_rates": {
            "file": "refdata/data/2023/gp_consultation_rates_by_age_sex.csv",
            "note": "SSB 2023, a stand-in for the pilot years (no table for 2015-2021 was available)",
            "fastlege_per_person": dict(zip(SSB_GROUP_LABELS, gp.tolist(), strict=True)),
            "legevakt_per_person": dict(zip(SSB_GROUP_LABELS, ooh.tolist(), strict=True)),
        },
    }
    return Params(
        age_bands=tuple(morbidity.values["age_bands"]),
        conditions=tuple(conditions),
        rates=dict(rates.values),
        gp_rate=gp,
        ooh_rate=ooh,
        tariff_codes=codes,
        tariff_from=np.array([day_of(v.valid_from) for v in versions], dtype=np.int64),
        tariff_amounts=amounts,
        exempt_under_age=np.array([int(v.values["copayment_exempt_under_age"]) for v in versions]),
        ceiling_ore=ceilings,
        provenance=provenance,
    )


# ---------------------------------------------------------------------------------------------
# People: who lives in the municipality when (needs no morbidity, so it is cheap to re-run)


@dataclass
class People:
    birth: np.ndarray
    male: np.ndarray
    entry: np.ndarray  # first day present
    move_out: np.ndarray  # last day present before moving out, or NONE
    stock: np.ndarray  # present on the anchor day
    leaver_died: np.ndarray  # pre-anchor leaver whose exit is a death

    def __len__(self) -> int:
        return len(self.birth)


@cache
def _age_tables() -> tuple[dict[str, np.ndarray], np.ndarray]:
    counts: dict[str, np.ndarray] = {}
    for row in municipality_population_by_age(ANCHOR_YEAR):
        counts.setdefault(row.kommunenummer, np.zeros(MAX_AGE + 1, dtype=np.int64))[row.age] = row.population
    national = national_population_by_age_sex(ANCHOR_YEAR)
    p_male = np.array([r.male / (r.male + r.female) if r.male + r.female else 0.5 for r in national])
    return counts, p_male


def base_hazard(age: np.ndarray, male: np.ndarray, mortality: dict[str, Any]) -> np.ndarray:
    h = mortality["makeham"] + np.exp(mortality["intercept"] + mortality["slope"] * age)
    h = np.where(age == 0, np.maximum(h, mortality["infant"]), h)
    return h * np.where(male, mortality["male_rr"], 1.0)


def generate_people(kommunenummer: str, seed: int, first_year: int, last_year: int, params: Params) -> People:
    counts, p_male = _age_tables()
    demography, mortality = params.rates["demography"], params.rates["mortality"]
    rng = rng_for(seed, kommunenummer, S_PEOPLE)
    start, end, anchor = (
        int(year_start(first_year)),
        int(year_start(last_year + 1)) - 1,
        int(year_start(ANCHOR_YEAR)),
    )
    ages = np.repeat(np.arange(MAX_AGE + 1), counts[kommunenummer])
    n = len(ages)
    # Age a on 2017-01-01: born between (2016-a)-01-02 and (2017-a)-01-01; 105 means 105-109.
    ages_drawn = np.where(ages == MAX_AGE, MAX_AGE + rng.integers(0, 5, n), ages)
    first_day = year_start(2016 - ages_drawn) + 1
    span = year_start(2017 - ages_drawn) + 1 - first_day
    birth = first_day + (rng.random(n) * span).astype(np.int64)
    male = rng.random(n) < p_male[ages]
    mob_bands = demography["mobility_age_bands"]
    mobility = np.asarray(demography["mobility_weights"])[band(ages, mob_bands)]
    mobility = mobility / mobility.mean() if n else mobility
    # in-movers before the anchor
    years_before = ANCHOR_YEAR - first_year
    p_in = 1 - (1 - np.minimum(demography["in_move_rate"] * mobility, 0.9)) ** years_before
    moved_in = rng.random(n) < p_in
    entry_draw = start + (rng.random(n) * max(anchor - start, 1)).astype(np.int64)
    entry = np.maximum(np.where(moved_in, entry_draw, start), birth)
    # moves out after the anchor (last day present is at least the anchor day)
    years_after = last_year - ANCHOR_YEAR + 1
    p_out = 1 - (1 - np.minimum(demography["out_move_rate"] * mobility, 0.9)) ** years_after
    moves = rng.random(n) < p_out
    move_out = np.where(moves, anchor + (rng.random(n) * (end - anchor + 1)).astype(np.int64), NONE)

    parts_birth, parts_male, parts_entry, parts_out, parts_died = [], [], [], [], []
    hazard = base_hazard(ages, male, mortality)
    for year in range(first_year, ANCHOR_YEAR):
        y0, y1 = int(year_start(year)), int(year_start(year + 1)) - 1
        shift = (ANCHOR_YEAR - year) * 365
        for died, weights, rate in (
            (True, hazard, float(hazard.mean()) if n else 0.0),
            (False, mobility, demography["out_move_rate"]),
        ):
            k = int(rng.poisson(n * rate)) if n else 0
            template = rng.choice(n, size=k, p=weights / weights.sum()) if k else np.zeros(0, dtype=np.int64)
            b = birth[template] - shift
            exit_day = np.maximum(y0 + (rng.random(k) * (y1 - y0 + 1)).astype(np.int64), np.maximum(b, start))
            parts_birth.append(b)
            parts_male.append(male[template])
            parts_entry.append(np.maximum(b, start))
            parts_out.append(exit_day)
            parts_died.append(np.full(k, died))
    for year in range(ANCHOR_YEAR, last_year + 1):
        y0, y1 = max(int(year_start(year)), anchor + 1), int(year_start(year + 1)) - 1
        births = int(rng.poisson(n * demography["birth_rate"]))
        b = y0 + (rng.random(births) * (y1 - y0 + 1)).astype(np.int64)
        parts_birth.append(b)
        parts_male.append(rng.random(births) < demography["male_share_at_birth"])
        parts_entry.append(b)
        parts_out.append(np.full(births, NONE))
        parts_died.append(np.zeros(births, dtype=bool))
        k = int(rng.poisson(n * demography["in_move_rate"]))
        template = rng.choice(n, size=k, p=mobility / mobility.sum()) if k else np.zeros(0, dtype=np.int64)
        e = y0 + (rng.random(k) * (y1 - y0 + 1)).astype(np.int64)
        b = np.minimum(birth[template] + (year - ANCHOR_YEAR) * 365, e)
        parts_birth.append(b)
        parts_male.append(male[template])
        parts_entry.append(e)
        parts_out.append(np.full(k, NONE))
        parts_died.append(np.zeros(k, dtype=bool))
    extra = sum(len(p) for p in parts_birth)
    return People(
        birth=np.concatenate([birth, *parts_birth]).astype(np.int64),
        male=np.concatenate([male, *parts_male]).astype(bool),
        entry=np.concatenate([entry, *parts_entry]).astype(np.int64),
        move_out=np.concatenate([move_out, *parts_out]).astype(np.int64),
        stock=np.concatenate([np.ones(n, dtype=bool), np.zeros(extra, dtype=bool)]),
        leaver_died=np.concatenate([np.zeros(n, dtype=bool), *parts_died]),
    )


def fnr_keys(people: People) -> np.ndarray:
    """(birth day, sex) as one integer: the unit within which fødselsnummer slots are shared."""
    return people.birth * 2 + people.male


@cache
def fnr_slot_offsets(seed: int, first_year: int, last_year: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For every municipality in the nation: its keys and the first free slot for each, nation-wide.

    Municipalities take slots in kommunenummer order, so a person's fødselsnummer does not depend
    on which municipalities a run selects.
    """
    params = load_params(first_year, last_year)
    result: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    base_key = None
    counter = np.zeros(0, dtype=np.int64)
    for municipality in sorted(municipalities(ANCHOR_YEAR), key=lambda m: m.kommunenummer):
        keys = fnr_keys(generate_people(municipality.kommunenummer, seed, first_year, last_year, params))
        unique, count = np.unique(keys, return_counts=True)
        if base_key is None:
            base_key = int(year_start(1890)) * 2
            counter = np.zeros((int(year_start(last_year + 2)) * 2) - base_key, dtype=np.int64)
        index = unique - base_key
        result[municipality.kommunenummer] = (unique, counter[index].copy())
        counter[index] += count
    return result


def assign_fnr(people: People, offsets: tuple[np.ndarray, np.ndarray]) -> pa.Array:
    keys = fnr_keys(people)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    group_start = np.searchsorted(sorted_keys, sorted_keys, side="left")
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.arange(len(keys)) - group_start
    unique, first_slot = offsets
    slot = first_slot[np.searchsorted(unique, keys)] + rank
    return synthetic_fnr(people.birth, people.male, slot)


# ---------------------------------------------------------------------------------------------
# The whole municipality


@dataclass(frozen=True)
class Options:
    seed: int
    first_year: int
    last_year: int
    pilot: Pilot


def _dict_array(
    indices: np.ndarray, dictionary: list[str] | tuple[str, ...], mask: np.ndarray | None = None
) -> pa.Array:
    if len(set(dictionary)) != len(dictionary):
        raise ValueError("a dictionary must not repeat a value (Parquet output would not be reproducible)")
    idx = pa.array(indices.astype(np.int32), mask=mask)
    return pa.DictionaryArray.from_arrays(idx, pa.array(list(dictionary), pa.string()))


def _dates(days: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(days.astype(np.int32), type=pa.int32(), mask=mask).cast(pa.date32())


def _pick(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One category per row of a (rows, categories) probability matrix."""
    cumulative = np.cumsum(probabilities, axis=1)
    u = rng.random(len(probabilities)) * cumulative[:, -1]
    return (u[:, None] > cumulative).sum(axis=1)


def generate(
    municipality: Municipality, options: Options, offsets: tuple[np.ndarray, np.ndarray]
) -> Iterator[tuple[str, int | None, pa.Table]]:
    """Yield (dataset, year or None, table) for one municipality; big datasets come year by year."""
    seed, first_year, last_year = options.seed, options.first_year, options.last_year
    code = municipality.kommunenummer
    params = load_params(first_year, last_year)
    rates = params.rates
    people = generate_people(code, seed, first_year, last_year, params)
    n = len(people)
    end, anchor = int(year_start(last_year + 1)) - 1, int(year_start(ANCHOR_YEAR))
    resident_id = int(code) * 10_000_000 + np.arange(n, dtype=np.int64)
    birth, male = people.birth, people.male
    years = list(range(first_year, last_year + 1))
    ystarts = {y: int(year_start(y)) for y in [*years, last_year + 1]}

    # --- registry and pilot -------------------------------------------------------------
    practices = generate_municipality(municipality, seed)
    pilot_by_orgnr = options.pilot.by_orgnr()
    orgnrs = [p.orgnr for p in practices]
    gp_hprs, gp_practice, list_sizes = [], [], []
    for pi, practice in enumerate(practices):
        for doctor in practice.gps:
            gp_hprs.append(doctor.hpr)
            gp_practice.append(pi)
            list_sizes.append(doctor.list_size)
    gp_practice_arr = np.array(gp_practice)
    n_gp = len(gp_hprs)
    practice_pilot_start = np.array(
        [day_of(pilot_by_orgnr[o].start) if o in pilot_by_orgnr else NONE for o in orgnrs], dtype=np.int64
    )
    yield (
        "practices",
        None,
        pa.table(
            {
                "practice_orgnr": [p.orgnr for p in practices],
                "name": [p.name for p in practices],
                "kommunenummer": [p.kommunenummer for p in practices],
                "address": [p.address for p in practices],
                "gp_count": pa.array([len(p.gps) for p in practices], pa.int16()),
                "pilot": [p.orgnr in pilot_by_orgnr for p in practices],
                "pilot_start": [
                    pilot_by_orgnr[p.orgnr].start if p.orgnr in pilot_by_orgnr else None for p in practices
                ],
                "financing_model": [
                    pilot_by_orgnr[p.orgnr].financing_model if p.orgnr in pilot_by_orgnr else None
                    for p in practices
                ],
            }
        ),
    )
    yield (
        "gps",
        None,
        pa.table(
            {
                "gp_hpr": gp_hprs,
                "practice_orgnr": [orgnrs[i] for i in gp_practice],
                "kommunenummer": [code] * n_gp,
                "first_name": [doctor.first_name for p in practices for doctor in p.gps],
                "last_name": [doctor.last_name for p in practices for doctor in p.gps],
                "list_size_2017": pa.array(list_sizes, pa.int32()),
                "list_cap": pa.array([doctor.list_cap for p in practices for doctor in p.gps], pa.int32()),
            }
        ),
    )

    # --- morbidity: liability-threshold model anchored at 2017-01-01 (or entry) ----------
    conditions = params.conditions
    n_cond = len(conditions)
    rng = rng_for(seed, code, S_LATENT)
    general = rng.standard_normal(n)
    domains = {d: rng.standard_normal(n) for d in params.domains}
    anchor_day = np.where(people.stock, anchor, people.entry)
    anchor_year = ymd(anchor_day)[0]
    ages = Ages(birth)
    anchor_band = band(np.where(people.stock, ages.on(anchor), age_on(birth, anchor_day)), params.age_bands)
    year_bands = {y: band(ages.on(ystarts[y]), params.age_bands) for y in years}
    sex_row = (~male).astype(np.int64)
    onset = np.full((n_cond, n), NONE, dtype=np.int64)
    code_index = np.zeros((n_cond, n), dtype=np.int16)
    rng_onset = rng_for(seed, code, S_ONSET)
    for ci, cond in enumerate(conditions):
        noise_sd = np.sqrt(max(1.0 - cond.loading_general**2 - cond.loading_domain**2, 0.05))
        liability = cond.loading_general * general + cond.loading_domain * domains[cond.domain]
        liability = liability + noise_sd * rng.standard_normal(n)
        total_sd = np.sqrt(cond.loading_general**2 + cond.loading_domain**2 + noise_sd**2)
        prevalence = np.stack([cond.prevalence_male, cond.prevalence_female])  # (sex, band)
        with np.errstate(divide="ignore"):
            threshold = total_sd * ndtri(1.0 - np.clip(prevalence, 0.0, 1.0))  # p = 0 -> +inf
        present = liability > threshold[sex_row, anchor_band]
        back = np.maximum(birth, anchor_day - 3650)
        onset[ci] = np.where(
            present, back + (rng_onset.random(n) * (anchor_day - back + 1)).astype(np.int64), NONE
        )
        for y in years:
            new = (onset[ci] == NONE) & (anchor_year < y) & (liability > threshold[sex_row, year_bands[y]])
            onset[ci] = np.where(new, ystarts[y] + (rng_onset.random(n) * 365).astype(np.int64), onset[ci])
        weights = np.where(male[:, None], cond.weights_male[None, :], cond.weights_female[None, :])
        code_index[ci] = _pick(rng_onset, weights)

    def has_at(day: int) -> np.ndarray:
        return onset <= day  # (conditions, persons)

    cond_mort = np.array([c.mortality_log_rr for c in conditions])
    cond_cons = np.array([c.consultation_log_rr for c in conditions])
    cond_adm = np.array([c.admission_log_rr for c in conditions])
    chronic = np.array([c.group == "chronic" for c in conditions])
    frailty = ~chronic
    acs = np.array([c.acs for c in conditions])
    key_index = {c.key: i for i, c in enumerate(conditions)}
    special = np.array(
        [key_index[k] for k in ("psychosis", "substance_use", "dementia", "developmental_disability")]
    )

    # --- deaths (from the anchor on; earlier deaths are the pre-anchor leavers) ----------
    rng_death = rng_for(seed, code, S_DEATH)
    mortality = rates["mortality"]
    death = np.where(people.leaver_died, people.move_out, NONE)
    alive_until = np.minimum(people.move_out, end)
    for y in years:
        if y < ANCHOR_YEAR:
            continue
        a = np.maximum(people.entry, ystarts[y])
        b = np.minimum(alive_until, ystarts[y + 1] - 1)
        at_risk = ~people.leaver_died & (death == NONE) & (a <= b)
        h = base_hazard(ages.on(ystarts[y]), male, mortality)
        h = h * np.exp(weighted_sum(cond_mort, has_at(ystarts[y]))) / mortality["morbidity_normaliser"]
        p = 1 - np.exp(-h * np.maximum(b - a + 1, 0) / 365.25)
        u = rng_death.random(n)
        dies = at_risk & (u < p)
        death = np.where(dies, a + (rng_death.random(n) * (b - a + 1)).astype(np.int64), death)
    last_day = np.minimum(np.minimum(people.move_out, death), end)
    died = death <= end
    moved = ~died & (people.move_out <= end)
    onset = np.where(onset <= last_day[None, :], onset, NONE)

    # --- GP lists ------------------------------------------------------------------------
    rng_lists = rng_for(seed, code, S_LISTS)
    sizes = np.array(list_sizes, dtype=np.int64)
    gp_first = rng_lists.choice(n_gp, size=n, p=sizes / sizes.sum())
    stock_idx = np.flatnonzero(people.stock)
    gp_at_anchor = rng_lists.permutation(np.repeat(np.arange(n_gp), sizes))
    if len(gp_at_anchor) != len(stock_idx):
        raise ValueError(f"{code}: registry list sizes do not add up to the 2017 population")
    gp_first[stock_idx] = gp_at_anchor
    present_years = (last_day - people.entry + 1) / 365.25
    changes = (rng_lists.random(n) < 1 - (1 - rates["lists"]["list_change_rate"]) ** present_years) & (
        last_day > people.entry
    )
    if n_gp < 2:
        changes[:] = False
    change_day = np.where(
        changes, people.entry + 1 + (rng_lists.random(n) * (last_day - people.entry)).astype(np.int64), NONE
    )
    other = (gp_first + 1 + rng_lists.integers(0, max(n_gp - 1, 1), n)) % max(n_gp, 1)
    # the GP on 2017-01-01 is the registry's, so list sizes on the anchor day are exact
    swap = people.stock & (change_day <= anchor)
    gp_second = np.where(swap, gp_first, other)
    gp_first = np.where(swap, other, gp_first)
    fnr = assign_fnr(people, offsets)

    has_change = change_day != NONE
    idx2 = np.flatnonzero(has_change)
    rows = np.concatenate([np.arange(n), idx2])
    period_gp = np.concatenate([gp_first, gp_second[idx2]])
    list_from = np.concatenate([people.entry, change_day[idx2]])
    list_to = np.concatenate([np.where(has_change, change_day - 1, last_day), last_day[idx2]])
    reason = np.concatenate(
        [
            np.where(has_change, 0, np.where(died, 2, np.where(moved, 1, -1))),
            np.where(died, 2, np.where(moved, 1, -1))[idx2],
        ]
    )
    order = np.lexsort((list_from, rows))
    rows, period_gp, list_from, list_to, reason = (
        rows[order],
        period_gp[order],
        list_from[order],
        list_to[order],
        reason[order],
    )
    open_end = reason < 0
    yield (
        "residents",
        None,
        pa.table(
            {
                "resident_id": resident_id[rows],
                "fnr": fnr.take(pa.array(rows)),
                "sex": _dict_array(np.where(male[rows], 0, 1), ("M", "F")),
                "birth_date": _dates(birth[rows]),
                "kommunenummer": _dict_array(np.zeros(len(rows)), (code,)),
                "gp_hpr": _dict_array(period_gp, gp_hprs),
                "practice_orgnr": _dict_array(gp_practice_arr[period_gp], orgnrs),
                "list_from": _dates(list_from),
                "list_to": _dates(list_to, mask=open_end),
                "end_reason": _dict_array(
                    np.maximum(reason, 0), ("list_change", "moved_out", "died"), mask=open_end
                ),
                "death_date": _dates(np.where(died, death, 0)[rows], mask=~died[rows]),
            }
        ),
    )

    cond_i, person_i = np.nonzero(onset != NONE)
    all_codes = sorted({c for cond in conditions for c in cond.codes})
    code_pos = {c: i for i, c in enumerate(all_codes)}
    code_map = np.full((n_cond, max(len(c.codes) for c in conditions)), 0, dtype=np.int32)
    for ci, cond in enumerate(conditions):
        for k, c in enumerate(cond.codes):
            code_map[ci, k] = code_pos[c]
    cond_code = code_map[np.arange(n_cond)[:, None], code_index]  # (conditions, persons) -> code position
    order = np.lexsort((cond_i, person_i))
    cond_i, person_i = cond_i[order], person_i[order]
    yield (
        "conditions",
        None,
        pa.table(
            {
                "resident_id": resident_id[person_i],
                "condition": _dict_array(cond_i, [c.key for c in conditions]),
                "condition_group": _dict_array(
                    (~chronic[cond_i]).astype(int), ("chronic", "frailty_deficit")
                ),
                "icpc2": _dict_array(cond_code[cond_i, person_i], all_codes),
                "onset_date": _dates(onset[cond_i, person_i]),
            }
        ),
    )

    # --- per year: contacts, claims, hospital stays, municipal care, surveys --------------
    pilot_start_of_gp = practice_pilot_start[gp_practice_arr]  # (gps,)
    # internal diagnosis index: acute codes first, then condition codes; the written dictionary must
    # not repeat a value (P06 is in both), or Parquet's dictionary encoding is not reproducible
    contact_codes = list(dict.fromkeys([*ACUTE_CODES, *all_codes]))
    code_out = np.array([contact_codes.index(c) for c in [*ACUTE_CODES, *all_codes]])
    acute_p = ACUTE_WEIGHTS / ACUTE_WEIGHTS.sum()
    c_rates = rates["contacts"]
    hosp = rates["hospital"]
    care = rates["municipal_care"]
    effects = options.pilot.effects
    care_state = {
        "home_care": np.full(n, NONE, dtype=np.int64),
        "nursing_home_long": np.full(n, NONE, dtype=np.int64),
    }
    care_rows: list[dict[str, np.ndarray]] = []
    ssb_female_ratio = np.asarray(c_rates["female_to_male_ratio"])
    prem_cuts = np.array([-2.0, -1.2, -0.3, 0.7])

    for y in years:
        y0, y1 = ystarts[y], ystarts[y + 1] - 1
        a = np.maximum(people.entry, y0)
        b = np.minimum(last_day, y1)
        present = a <= b
        idx = np.flatnonzero(present)
        pa_, pb = a[idx], b[idx]
        length = (pb - pa_ + 1).astype(float)
        has = has_at(y0)[:, idx]
        n_chronic = (has & chronic[:, None]).sum(axis=0)
        n_frail = (has & frailty[:, None]).sum(axis=0)
        age_mid = np.maximum(ages.on(ystarts[y] + 181, idx), 0)  # born after 1 July: age 0
        age_start = ages.on(y0, idx)
        target = (n_chronic >= 2) | has[special].any(axis=0) | ((age_start >= 75) & (n_frail >= 3))
        group = band(age_mid, SSB_AGE_GROUPS)
        sex = (~male[idx]).astype(int)  # 0 = M, 1 = F
        cell = group * 2 + sex
        m = np.exp(weighted_sum(cond_cons, has))

        def normalised(
            weight: np.ndarray, by: np.ndarray, cells: int, length: np.ndarray = length
        ) -> np.ndarray:
            total = np.bincount(by, weights=length * weight, minlength=cells)
            exposure = np.bincount(by, weights=length, minlength=cells)
            mean = np.divide(total, exposure, out=np.ones(cells), where=exposure > 0)
            return weight / mean[by]

        sex_factor = np.where(sex == 1, ssb_female_ratio[group], 1.0)
        gp_lambda = (
            params.gp_rate[group]
            * length
            / 365.0
            * normalised(m, cell, 18)
            * normalised(sex_factor, group, 9)
        )
        m_ooh = m ** c_rates["out_of_hours_morbidity_exponent"]
        ooh_lambda = params.ooh_rate[group] * length / 365.0 * normalised(m_ooh, group, 9)
        simple_lambda = c_rates["simple_contact_rate"] * length / 365.0 * normalised(m, group, 9)

        # present conditions as CSR, to give contacts a diagnosis among the person's conditions
        hc, hp = np.nonzero(has.T)  # person-major order
        ptr = np.concatenate([[0], np.cumsum(np.bincount(hc, minlength=len(idx)))])
        n_has = np.diff(ptr)

        def diagnoses(
            rng: np.random.Generator,
            who: np.ndarray,
            chronic_share: np.ndarray,
            ptr: np.ndarray = ptr,
            n_has: np.ndarray = n_has,
            hp: np.ndarray = hp,
            idx: np.ndarray = idx,
        ) -> np.ndarray:
            use_chronic = (rng.random(len(who)) < chronic_share) & (n_has[who] > 0)
            pick = ptr[who] + (rng.random(len(who)) * np.maximum(n_has[who], 1)).astype(np.int64)
            pick = np.minimum(pick, max(len(hp) - 1, 0))
            chosen_cond = hp[pick] if len(hp) else np.zeros(len(who), dtype=np.int64)
            chronic_code = len(ACUTE_CODES) + cond_code[chosen_cond, idx[who]] if len(hp) else 0
            acute_code = rng.choice(len(ACUTE_CODES), size=len(who), p=acute_p)
            return np.where(use_chronic, chronic_code, acute_code)

        def gp_on(who: np.ndarray, day: np.ndarray, idx: np.ndarray = idx) -> np.ndarray:
            person = idx[who]
            return np.where(day >= change_day[person], gp_second[person], gp_first[person])

        def in_zone(
            who: np.ndarray, day: np.ndarray, gp: np.ndarray, target: np.ndarray = target
        ) -> np.ndarray:
            return target[who] & (day >= pilot_start_of_gp[gp])

        def draw(
            rng: np.random.Generator,
            lam: np.ndarray,
            rr: float,
            idx: np.ndarray = idx,
            pa_: np.ndarray = pa_,
            length: np.ndarray = length,
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            """Poisson contacts on uniform days; a rate ratio rr applies inside the pilot zone (thinning)."""
            top = max(rr, 1.0)
            counts = rng.poisson(lam * top)
            who = np.repeat(np.arange(len(idx)), counts)
            day = pa_[who] + (rng.random(len(who)) * length[who]).astype(np.int64)
            gp = gp_on(who, day)
            keep_p = np.where(in_zone(who, day, gp), rr, 1.0) / top
            keep = rng.random(len(who)) < keep_p
            return who[keep], day[keep], gp[keep]

        rng_c = rng_for(seed, code, S_CONTACTS, y)
        parts = []
        who, day, gp = draw(rng_c, gp_lambda, effects.gp_consultation_rr)
        e_share = float(c_rates["e_consultation_share_by_year"].get(str(y), 0.1))
        home_share = np.where(
            age_mid[who] >= 80, c_rates["home_visit_share_80_plus"], c_rates["home_visit_share_under_80"]
        )
        u = rng_c.random(len(who))
        kind = np.where(
            u < home_share,
            3,
            np.where(
                u < home_share + e_share,
                2,
                np.where(u < home_share + e_share + c_rates["evening_share"], 1, 0),
            ),
        )
        parts.append((who, day, gp, kind, diagnoses(rng_c, who, np.minimum(0.2 * n_chronic[who] + 0.1, 0.8))))
        who, day, gp = draw(rng_c, simple_lambda, 1.0)
        parts.append((who, day, gp, np.full(len(who), 4), diagnoses(rng_c, who, np.full(len(who), 0.6))))
        who, day, gp = draw(rng_c, ooh_lambda, effects.out_of_hours_rr)
        parts.append((who, day, gp, np.full(len(who), 5), diagnoses(rng_c, who, np.full(len(who), 0.15))))
        # nurse contacts: only in pilot practices from their start (own stream: the rest is unchanged)
        rng_n = rng_for(seed, code, S_NURSE, y)
        nurse_rate = np.where(target, c_rates["nurse_rate_target"], c_rates["nurse_rate_other"])
        for period in (0, 1):
            person = idx
            if period == 0:
                gp_p, lo, hi = gp_first[person], pa_, np.minimum(pb, change_day[person] - 1)
            else:
                gp_p, lo, hi = gp_second[person], np.maximum(pa_, change_day[person]), pb
            lo = np.maximum(lo, pilot_start_of_gp[gp_p])
            seg = np.maximum(hi - lo + 1, 0).astype(float)
            counts = rng_n.poisson(nurse_rate * seg / 365.0)
            w = np.repeat(np.arange(len(idx)), counts)
            d = lo[w] + (rng_n.random(len(w)) * seg[w]).astype(np.int64)
            parts.append((w, d, gp_p[w], np.full(len(w), 6), diagnoses(rng_n, w, np.full(len(w), 0.85))))
        who = np.concatenate([p[0] for p in parts])
        day = np.concatenate([p[1] for p in parts])
        gp = np.concatenate([p[2] for p in parts])
        kind = np.concatenate([p[3] for p in parts])
        diag = np.concatenate([p[4] for p in parts])
        order = np.lexsort((kind, day, who))
        who, day, gp, kind, diag = who[order], day[order], gp[order], kind[order], diag[order]
        k = len(who)
        contact_id = (int(code) * 100 + (y - 2000)) * 1_000_000_000 + np.arange(k, dtype=np.int64)
        month = ymd(day)[1]
        no_gp = (kind == 5) | (kind == 6)
        yield (
            "contacts",
            y,
            pa.table(
                {
                    "contact_id": contact_id,
                    "resident_id": resident_id[idx[who]],
                    "contact_date": _dates(day),
                    "year": pa.array(np.full(k, y, dtype=np.int16)),
                    "month": pa.array(month.astype(np.int8)),
                    "kind": _dict_array(kind, KINDS),
                    "icpc2": _dict_array(code_out[diag], contact_codes),
                    "kommunenummer": _dict_array(np.zeros(k), (code,)),
                    "practice_orgnr": _dict_array(gp_practice_arr[gp], orgnrs),
                    "gp_hpr": _dict_array(gp, gp_hprs, mask=no_gp),
                }
            ),
        )

        # claims: tariff by kind and date, children exempt, yearly ceiling in claim order
        tariff_pos = {c: i for i, c in enumerate(params.tariff_codes)}
        kind_tariff = np.array([tariff_pos[KIND_TARIFF[kd]] if kd in KIND_TARIFF else -1 for kd in KINDS])
        tariff = kind_tariff[kind]
        nurse_idx = np.flatnonzero(kind == 6)
        shares = c_rates["nurse_code_shares"]
        nurse_codes = list(shares)
        probs = np.array([shares[c] for c in nurse_codes])
        pick = rng_n.choice(len(nurse_codes), size=len(nurse_idx), p=probs / probs.sum())
        nurse_tariff = np.array([tariff_pos[c] for c in nurse_codes])[pick]
        home = np.array([c == "PHT2" for c in nurse_codes])[pick]
        nurse_tariff = np.where(home & (age_mid[who[nurse_idx]] < 75), tariff_pos["PHT1"], nurse_tariff)
        tariff[nurse_idx] = nurse_tariff
        version = np.searchsorted(params.tariff_from, day, side="right") - 1
        amounts = params.tariff_amounts[version, tariff]
        fee, cop, reimb = amounts[:, 0], amounts[:, 1], amounts[:, 2]
        exempt = np.zeros(k, dtype=bool)
        for limit in np.unique(params.exempt_under_age):
            applies = params.exempt_under_age[version] == limit
            exempt |= applies & (day < ages.birthday(int(limit))[idx[who]])
        nominal = np.where(exempt, 0, cop)
        cum = np.cumsum(nominal)
        before = cum - nominal
        first_of_person = np.searchsorted(who, who, side="left")
        paid_before = before - before[first_of_person] if k else before
        ceiling = params.ceiling_ore[y]
        patient = np.clip(ceiling - paid_before, 0, nominal)
        billed = np.where(kind == 6, 1, np.where(kind == 5, 2, 0))
        yield (
            "claims",
            y,
            pa.table(
                {
                    "claim_id": contact_id,
                    "resident_id": resident_id[idx[who]],
                    "contact_date": _dates(day),
                    "year": pa.array(np.full(k, y, dtype=np.int16)),
                    "month": pa.array(month.astype(np.int8)),
                    "tariff_code": _dict_array(tariff, params.tariff_codes),
                    "billed_by": _dict_array(billed, ("gp", "nurse", "out_of_hours")),
                    "kommunenummer": _dict_array(np.zeros(k), (code,)),
                    "practice_orgnr": _dict_array(gp_practice_arr[gp], orgnrs),
                    "gp_hpr": _dict_array(gp, gp_hprs, mask=no_gp),
                    "icpc2": _dict_array(code_out[diag], contact_codes),
                    "fee_ore": fee,
                    "copayment_ore": cop,
                    "reimbursement_ore": reimb,
                    "copayment_exempt": exempt,
                    "patient_paid_ore": patient,
                    "state_copayment_ore": cop - patient,
                }
            ),
        )
        gp_consulted = np.zeros(len(idx), dtype=bool)
        first_gp_day = np.full(len(idx), NONE)
        gp_mask = kind <= 3
        np.minimum.at(first_gp_day, who[gp_mask], day[gp_mask])
        gp_consulted[who[gp_mask]] = True
        del who, day, gp, kind, diag, contact_id, amounts, fee, cop, reimb, nominal, cum, patient, parts

        # hospital stays
        rng_h = rng_for(seed, code, S_HOSPITAL, y)
        hb = band(age_mid, hosp["age_bands"])
        adm = np.exp(weighted_sum(cond_adm, has))
        stays = []
        for acute_flag, rate_key, los_key, rr, scale in (
            (True, "acute_rate", "mean_length_of_stay_acute", effects.acute_admission_rr, 1.0),
            (False, "planned_rate", "mean_length_of_stay_planned", 1.0, 0.5),
        ):
            lam = np.asarray(hosp[rate_key])[hb] * length / 365.0 * adm**scale
            w, d, g = draw(rng_h, lam, rr)
            los = 1 + rng_h.poisson(np.maximum(np.asarray(hosp[los_key])[hb[w]] - 1, 0))
            stays.append((w, d, los, np.full(len(w), acute_flag)))
        w = np.concatenate([s[0] for s in stays])
        d = np.concatenate([s[1] for s in stays])
        los = np.concatenate([s[2] for s in stays])
        acute_flags = np.concatenate([s[3] for s in stays])
        order = np.lexsort((~acute_flags, d, w))
        w, d, los, acute_flags = w[order], d[order], los[order], acute_flags[order]
        has_acs = (has & acs[:, None]).any(axis=0)
        acs_p = np.where(has_acs[w], hosp["acs_share_with_acs_condition"], hosp["acs_share_without"])
        acs_flag = acute_flags & (rng_h.random(len(w)) < acs_p)
        diag = diagnoses(rng_h, w, np.where(acs_flag, 1.0, 0.5))
        no_diag = (diag < len(ACUTE_CODES)) & ~acs_flag
        yield (
            "hospital_stays",
            y,
            pa.table(
                {
                    "stay_id": (int(code) * 100 + (y - 2000)) * 1_000_000_000
                    + np.arange(len(w), dtype=np.int64),
                    "resident_id": resident_id[idx[w]],
                    "kommunenummer": _dict_array(np.zeros(len(w)), (code,)),
                    "admission_date": _dates(d),
                    "discharge_date": _dates(d + los),
                    "year": pa.array(np.full(len(w), y, dtype=np.int16)),
                    "acute": acute_flags,
                    "ambulatory_care_sensitive": acs_flag,
                    "icpc2": _dict_array(code_out[diag], contact_codes, mask=no_diag),
                }
            ),
        )

        # municipal care (KPR-like): one home-care spell and one long-term stay at most; short stays
        rng_m = rng_for(seed, code, S_CARE, y)
        cb = band(age_mid, care["age_bands"])
        risk = np.exp(
            care["dementia_log_rr"] * has[key_index["dementia"]] + care["frailty_deficit_log_rr"] * n_frail
        )
        for service_name, rate_key in (
            ("home_care", "home_care_start_rate"),
            ("nursing_home_long", "nursing_home_long_start_rate"),
        ):
            state = care_state[service_name]
            p = 1 - np.exp(-np.asarray(care[rate_key])[cb] * risk * length / 365.0)
            starts = (state[idx] == NONE) & (rng_m.random(len(idx)) < p)
            s_who = np.flatnonzero(starts)
            s_day = pa_[s_who] + (rng_m.random(len(s_who)) * length[s_who]).astype(np.int64)
            state[idx[s_who]] = s_day
            person = idx[s_who]
            if service_name == "home_care":
                stop = s_day + rng_m.exponential(730.0, len(s_who)).astype(np.int64)
                hours = rng_m.gamma(2.0, care["mean_home_care_hours_per_week"] / 2.0, len(s_who)) * (
                    1 + 0.5 * has[key_index["dementia"], s_who]
                )
            else:
                stop = np.full(len(s_who), NONE)
                hours = np.full(len(s_who), np.nan)
            stop = np.minimum(stop, last_day[person])
            care_rows.append(
                {
                    "who": person,
                    "service": np.full(len(s_who), 0 if service_name == "home_care" else 2),
                    "start": s_day,
                    "stop": stop,
                    "hours": hours,
                }
            )
        short = rng_m.poisson(np.asarray(care["short_stay_rate"])[cb] * risk * length / 365.0)
        s_who = np.repeat(np.arange(len(idx)), short)
        s_day = pa_[s_who] + (rng_m.random(len(s_who)) * length[s_who]).astype(np.int64)
        stop = np.minimum(s_day + rng_m.integers(7, 29, len(s_who)), last_day[idx[s_who]])
        care_rows.append(
            {
                "who": idx[s_who],
                "service": np.full(len(s_who), 1),
                "start": s_day,
                "stop": stop,
                "hours": np.full(len(s_who), np.nan),
            }
        )

        # PROM/PREM survey for a sample of adult patients with a GP consultation that year
        rng_s = rng_for(seed, code, S_SURVEY, y)
        survey = rates["survey"]
        eligible = gp_consulted & (age_mid >= survey["min_age"])
        chosen = np.flatnonzero(eligible & (rng_s.random(len(idx)) < survey["sample_share"]))
        s_day = first_gp_day[chosen]
        s_gp = gp_on(chosen, s_day)
        zone = in_zone(chosen, s_day, s_gp)
        vas = (
            88
            - 0.2 * np.maximum(age_mid[chosen] - 30, 0)
            - 4 * n_chronic[chosen]
            - 3 * n_frail[chosen]
            + rng_s.normal(0, 12, len(chosen))
            + np.where(zone, effects.prom_shift_points, 0.0)
        )
        # assumption: older patients rate their GP a little higher, patients with many conditions lower
        latent = (
            rng_s.standard_normal(len(chosen))
            + 0.006 * (age_mid[chosen] - 50)
            - 0.05 * n_chronic[chosen]
            + np.where(zone, effects.prem_shift_sd, 0.0)
        )
        items = [1 + np.searchsorted(prem_cuts, latent + rng_s.normal(0, 0.5, len(chosen))) for _ in range(3)]
        yield (
            "survey_responses",
            y,
            pa.table(
                {
                    "resident_id": resident_id[idx[chosen]],
                    "kommunenummer": _dict_array(np.zeros(len(chosen)), (code,)),
                    "practice_orgnr": _dict_array(gp_practice_arr[s_gp], orgnrs),
                    "survey_date": _dates(s_day),
                    "year": pa.array(np.full(len(chosen), y, dtype=np.int16)),
                    "prom_health_vas": pa.array(np.clip(np.rint(vas), 0, 100).astype(np.int16)),
                    "prem_overall": pa.array(items[0].astype(np.int8)),
                    "prem_continuity": pa.array(items[1].astype(np.int8)),
                    "prem_coordination": pa.array(items[2].astype(np.int8)),
                }
            ),
        )

    who = np.concatenate([r["who"] for r in care_rows])
    service = np.concatenate([r["service"] for r in care_rows])
    c_start = np.concatenate([r["start"] for r in care_rows])
    c_stop = np.concatenate([r["stop"] for r in care_rows])
    hours = np.concatenate([r["hours"] for r in care_rows])
    order = np.lexsort((service, c_start, who))
    who, service, c_start, c_stop, hours = (
        who[order],
        service[order],
        c_start[order],
        c_stop[order],
        hours[order],
    )
    ongoing = c_stop >= end
    yield (
        "municipal_care",
        None,
        pa.table(
            {
                "resident_id": resident_id[who],
                "kommunenummer": _dict_array(np.zeros(len(who)), (code,)),
                "service": _dict_array(service, ("home_care", "nursing_home_short", "nursing_home_long")),
                "start_date": _dates(c_start),
                "end_date": _dates(np.minimum(c_stop, end), mask=ongoing),
                "hours_per_week": pa.array(hours.astype(np.float32), from_pandas=True),
            }
        ),
    )
