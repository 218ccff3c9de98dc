"""Generate one municipality of the synthetic Norway, vectorised with numpy.

Everything for a municipality is drawn from random streams keyed by (seed, kommunenummer, stage,
year), so a municipality gives the same data whether it is generated alone or with the nation,
and adding a stage (or the pilot's nurse contacts) does not shift the draws of another.

Time is in whole days since 1970-01-01 (int64). 2017-01-01 is the anchor: the residents present
that day match ``municipality_population_age_2017.csv`` exactly by single year of age. Before the
anchor, people who died or moved out are added; after it, births, in-movers, deaths, moves out
and list changes happen at the rates in ``synth_rates.toml``. A move out of the municipality ends
the person's record; in-movers are new persons (people are not linked across municipalities).

``generate()`` runs one function per stage: ``registry_stage`` (practices, GPs, pilot, people,
confounding), ``morbidity_stage``, ``population_stage`` (deaths, GP lists), then per year
``contacts_and_claims_stage``, ``hospital_stage``, ``municipal_care_stage``, ``survey_stage`` and
``truth_stage``. The confounding (``synth_evaluation.toml``: latent practice effects with
self-selected pilot practices, municipal trends, the 2020 pandemic) and the pilot's effects act by
thinning with one uniform per candidate event, so the counterfactual (no effect) is known exactly
and written to the ``truth`` dataset, which the generator never reads.
"""

from __future__ import annotations

import datetime
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from scipy.special import ndtri

from pht.lake import TRUTH_OUTCOMES
from pht.refdata import (
    Municipality,
    load_parameters,
    municipalities,
    municipality_population_by_age,
    national_population_by_age_sex,
)
from pht.refdata.params import ParameterError, parameter_versions
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
S_PRACTICE, S_TREND = 11, 12  # the confounding: latent practice effects, municipal trends

EVALUATION_PARAMETERS = "synth_evaluation"
# The truth's frail-elderly target: 75+ with this many frailty deficits (3 of the 12 the generator recorded
# before it carried the index's full deficit set, at about three times the count; see synth_morbidity.toml)
FRAIL_TRUTH_MIN_DEFICITS = 8
PREM_ITEMS = TRUTH_OUTCOMES[-3:]  # prem_overall, prem_continuity, prem_coordination

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
        "synth_evaluation": load_evaluation_params()[1],
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
# Confounding (synth_evaluation.toml): what makes a naive evaluation fail on the synthetic Norway


@dataclass(frozen=True)
class EvaluationParams:
    """The confounding's parameters, from one version of ``synth_evaluation.toml`` (see its description)."""

    latent_sd: float
    pilot_latent_shift: float
    acute_admission_loading: float
    out_of_hours_loading: float
    prom_points_per_unit: float
    prem_sd_per_unit: float
    reference_year: int
    slope_sd: dict[str, float]  # by truth outcome: gp_consultations, out_of_hours_contacts, acute_admissions
    prom_drift_sd: float
    pandemic_start: int  # day
    monthly_shape: np.ndarray
    cut: dict[str, float]  # by truth outcome: gp_consultations, acute_admissions
    e_consultation_raise: float
    e_consultation_share_max: float
    minimum_rate_factor: float
    intensity_reference_population: float
    intensity_at_reference: float
    intensity_per_log10: float
    intensity_min: float
    intensity_max: float

    def intensity(self, population_2017: int) -> float:
        """How hard the pandemic hits a municipality: a function of its 2017 population (observable)."""
        raw = self.intensity_at_reference + self.intensity_per_log10 * np.log10(
            max(population_2017, 1) / self.intensity_reference_population
        )
        return float(np.clip(raw, self.intensity_min, self.intensity_max))


@cache
def load_evaluation_params() -> tuple[EvaluationParams, dict[str, Any]]:
    """The confounding's parameters and their provenance (``synth_evaluation.toml``)."""
    version = load_parameters(EVALUATION_PARAMETERS, datetime.date(ANCHOR_YEAR, 1, 1))
    values = version.values
    try:
        practice, trends, pandemic = values["practice"], values["trends"], values["pandemic"]
        start = pandemic["start"]
        if not isinstance(start, datetime.date):
            raise ParameterError(f"{EVALUATION_PARAMETERS}.toml: pandemic.start must be a date")
        params = EvaluationParams(
            latent_sd=float(practice["latent_sd"]),
            pilot_latent_shift=float(practice["pilot_latent_shift"]),
            acute_admission_loading=float(practice["acute_admission_loading"]),
            out_of_hours_loading=float(practice["out_of_hours_loading"]),
            prom_points_per_unit=float(practice["prom_points_per_unit"]),
            prem_sd_per_unit=float(practice["prem_sd_per_unit"]),
            reference_year=int(trends["reference_year"]),
            slope_sd={
                "gp_consultations": float(trends["gp_consultations_slope_sd"]),
                "out_of_hours_contacts": float(trends["out_of_hours_slope_sd"]),
                "acute_admissions": float(trends["acute_admissions_slope_sd"]),
            },
            prom_drift_sd=float(trends["prom_drift_sd"]),
            pandemic_start=day_of(start),
            monthly_shape=np.array(pandemic["monthly_shape"], dtype=float),
            cut={
                "gp_consultations": float(pandemic["gp_consultation_cut"]),
                "acute_admissions": float(pandemic["acute_admission_cut"]),
            },
            e_consultation_raise=float(pandemic["e_consultation_raise"]),
            e_consultation_share_max=float(pandemic["e_consultation_share_max"]),
            minimum_rate_factor=float(pandemic["minimum_rate_factor"]),
            intensity_reference_population=float(pandemic["intensity_reference_population"]),
            intensity_at_reference=float(pandemic["intensity_at_reference"]),
            intensity_per_log10=float(pandemic["intensity_per_log10"]),
            intensity_min=float(pandemic["intensity_min"]),
            intensity_max=float(pandemic["intensity_max"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ParameterError):
            raise
        raise ParameterError(f"{EVALUATION_PARAMETERS}.toml: missing or malformed value {exc}") from None
    if params.latent_sd < 0 or any(sd < 0 for sd in params.slope_sd.values()) or params.prom_drift_sd < 0:
        raise ParameterError(f"{EVALUATION_PARAMETERS}.toml: standard deviations must not be negative")
    if not 0 < params.minimum_rate_factor <= 1 or np.any(params.monthly_shape < 0):
        raise ParameterError(f"{EVALUATION_PARAMETERS}.toml: minimum_rate_factor in (0, 1], shape >= 0")
    return params, {**version.provenance(), "values": values}


@dataclass(frozen=True)
class Confounding:
    """One municipality's draw of the confounding (``None`` when it is off)."""

    params: EvaluationParams
    practice_u: np.ndarray  # latent practice effect, by practice (registry order)
    slope: dict[str, float]  # yearly log-rate slope by outcome
    prom_drift: float  # PROM points per year
    intensity: float  # pandemic intensity (from the 2017 population)

    def factor(self, loading: float) -> np.ndarray:
        """The rate factor of each practice: exp(-loading * u)."""
        return np.exp(-loading * self.practice_u)

    def trend(self, outcome: str, year: int) -> float:
        return float(np.exp(self.slope[outcome] * (year - self.params.reference_year)))

    def shape(self, days: np.ndarray) -> np.ndarray:
        """The pandemic's monthly shape on each day (0 before its start and after its last month)."""
        p = self.params
        months = np.asarray(days).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        start = np.int64(np.datetime64(p.pandemic_start, "D").astype("datetime64[M]").astype(np.int64))
        position = months - start
        inside = (position >= 0) & (position < len(p.monthly_shape)) & (np.asarray(days) >= p.pandemic_start)
        return np.where(inside, p.monthly_shape[np.clip(position, 0, len(p.monthly_shape) - 1)], 0.0)

    def pandemic_factor(self, outcome: str, days: np.ndarray) -> np.ndarray:
        p = self.params
        return np.maximum(1.0 - p.cut[outcome] * self.intensity * self.shape(days), p.minimum_rate_factor)

    def e_consultation_raise(self, days: np.ndarray) -> np.ndarray:
        return self.params.e_consultation_raise * self.intensity * self.shape(days)


def draw_confounding(
    municipality: Municipality, seed: int, pilot_practice: np.ndarray, params: EvaluationParams
) -> Confounding:
    """The latent practice effects (own stream) and the municipality's trends (own stream)."""
    code = municipality.kommunenummer
    z = rng_for(seed, code, S_PRACTICE).standard_normal(len(pilot_practice))
    u = params.latent_sd * (z + params.pilot_latent_shift * pilot_practice)
    rng = rng_for(seed, code, S_TREND)
    slope = {outcome: float(rng.normal(0.0, sd)) for outcome, sd in params.slope_sd.items()}
    drift = float(rng.normal(0.0, params.prom_drift_sd))
    return Confounding(params, u, slope, drift, params.intensity(municipality.population))


# ---------------------------------------------------------------------------------------------
# The whole municipality


@dataclass(frozen=True)
class Options:
    seed: int
    first_year: int
    last_year: int
    pilot: Pilot
    confounding: bool = True  # off: no practice effects, trends or pandemic (rates as without it)


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


Tables = Iterator[tuple[str, int | None, pa.Table]]


@dataclass
class World:
    """A municipality's state shared by the stages (filled in by the population and morbidity stages)."""

    code: str
    options: Options
    params: Params
    people: People
    resident_id: np.ndarray
    end: int
    anchor: int
    years: list[int]
    ystarts: dict[int, int]
    ages: Ages
    # registry and pilot
    orgnrs: list[str]
    gp_hprs: list[str]
    gp_practice_arr: np.ndarray  # practice of each GP
    list_sizes: list[int]
    practice_pilot_start: np.ndarray  # by practice: pilot start day, or NONE
    confounding: Confounding | None
    # morbidity (set by the morbidity stage)
    onset: np.ndarray = field(default_factory=lambda: np.zeros(0))
    code_index: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # deaths and lists (set by the population stage)
    death: np.ndarray = field(default_factory=lambda: np.zeros(0))
    last_day: np.ndarray = field(default_factory=lambda: np.zeros(0))
    gp_first: np.ndarray = field(default_factory=lambda: np.zeros(0))
    gp_second: np.ndarray = field(default_factory=lambda: np.zeros(0))
    change_day: np.ndarray = field(default_factory=lambda: np.zeros(0))
    all_codes: list[str] = field(default_factory=list)
    cond_code: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def n(self) -> int:
        return len(self.people)

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return self.params.conditions

    @property
    def chronic(self) -> np.ndarray:
        return np.array([c.group == "chronic" for c in self.conditions])

    @property
    def key_index(self) -> dict[str, int]:
        return {c.key: i for i, c in enumerate(self.conditions)}

    def has_at(self, day: int) -> np.ndarray:
        return self.onset <= day  # (conditions, persons)

    def rng(self, stream: int, *more: int) -> np.random.Generator:
        return rng_for(self.options.seed, self.code, stream, *more)


def generate(municipality: Municipality, options: Options, offsets: tuple[np.ndarray, np.ndarray]) -> Tables:
    """Yield (dataset, year or None, table) for one municipality; big datasets come year by year."""
    world = yield from registry_stage(municipality, options)
    morbidity_stage(world)
    yield from population_stage(world, offsets)
    yield conditions_table(world)
    care = CareState(world.n)
    for y in world.years:
        year = Year(world, y)
        truth = Truth(year)
        first_gp_day = yield from contacts_and_claims_stage(year, truth)
        yield hospital_stage(year, truth)
        municipal_care_stage(year, care)
        yield survey_stage(year, first_gp_day, truth)
        yield truth_stage(truth)
    yield municipal_care_table(world, care)


def registry_stage(
    municipality: Municipality, options: Options
) -> Generator[tuple[str, None, pa.Table], None, World]:
    """The registry's practices and GPs, the pilot, the people and (when on) the confounding."""
    seed, first_year, last_year = options.seed, options.first_year, options.last_year
    code = municipality.kommunenummer
    params = load_params(first_year, last_year)
    people = generate_people(code, seed, first_year, last_year, params)
    years = list(range(first_year, last_year + 1))
    practices = generate_municipality(municipality, seed)
    pilot_by_orgnr = options.pilot.by_orgnr()
    orgnrs = [p.orgnr for p in practices]
    gp_hprs, gp_practice, list_sizes = [], [], []
    for pi, practice in enumerate(practices):
        for doctor in practice.gps:
            gp_hprs.append(doctor.hpr)
            gp_practice.append(pi)
            list_sizes.append(doctor.list_size)
    practice_pilot_start = np.array(
        [day_of(pilot_by_orgnr[o].start) if o in pilot_by_orgnr else NONE for o in orgnrs], dtype=np.int64
    )
    confounding = None
    if options.confounding:
        is_pilot = np.array([o in pilot_by_orgnr for o in orgnrs], dtype=float)
        confounding = draw_confounding(municipality, seed, is_pilot, load_evaluation_params()[0])
    world = World(
        code=code,
        options=options,
        params=params,
        people=people,
        resident_id=int(code) * 10_000_000 + np.arange(len(people), dtype=np.int64),
        end=int(year_start(last_year + 1)) - 1,
        anchor=int(year_start(ANCHOR_YEAR)),
        years=years,
        ystarts={y: int(year_start(y)) for y in [*years, last_year + 1]},
        ages=Ages(people.birth),
        orgnrs=orgnrs,
        gp_hprs=gp_hprs,
        gp_practice_arr=np.array(gp_practice),
        list_sizes=list_sizes,
        practice_pilot_start=practice_pilot_start,
        confounding=confounding,
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
                "kommunenummer": [code] * len(gp_hprs),
                "first_name": [doctor.first_name for p in practices for doctor in p.gps],
                "last_name": [doctor.last_name for p in practices for doctor in p.gps],
                "list_size_2017": pa.array(list_sizes, pa.int32()),
                "list_cap": pa.array([doctor.list_cap for p in practices for doctor in p.gps], pa.int32()),
            }
        ),
    )
    return world


def morbidity_stage(world: World) -> None:
    """Liability-threshold morbidity anchored at 2017-01-01 (or entry): onset day and code per condition."""
    params, people, n, ages = world.params, world.people, world.n, world.ages
    birth, male = people.birth, people.male
    conditions = params.conditions
    n_cond = len(conditions)
    rng = world.rng(S_LATENT)
    general = rng.standard_normal(n)
    domains = {d: rng.standard_normal(n) for d in params.domains}
    anchor_day = np.where(people.stock, world.anchor, people.entry)
    anchor_year = ymd(anchor_day)[0]
    anchor_band = band(
        np.where(people.stock, ages.on(world.anchor), age_on(birth, anchor_day)), params.age_bands
    )
    year_bands = {y: band(ages.on(world.ystarts[y]), params.age_bands) for y in world.years}
    sex_row = (~male).astype(np.int64)
    onset = np.full((n_cond, n), NONE, dtype=np.int64)
    code_index = np.zeros((n_cond, n), dtype=np.int16)
    rng_onset = world.rng(S_ONSET)
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
        for y in world.years:
            new = (onset[ci] == NONE) & (anchor_year < y) & (liability > threshold[sex_row, year_bands[y]])
            onset[ci] = np.where(
                new, world.ystarts[y] + (rng_onset.random(n) * 365).astype(np.int64), onset[ci]
            )
        weights = np.where(male[:, None], cond.weights_male[None, :], cond.weights_female[None, :])
        code_index[ci] = _pick(rng_onset, weights)
    world.onset, world.code_index = onset, code_index
    all_codes = sorted({c for cond in conditions for c in cond.codes})
    code_pos = {c: i for i, c in enumerate(all_codes)}
    code_map = np.full((n_cond, max(len(c.codes) for c in conditions)), 0, dtype=np.int32)
    for ci, cond in enumerate(conditions):
        for k, c in enumerate(cond.codes):
            code_map[ci, k] = code_pos[c]
    world.all_codes = all_codes
    world.cond_code = code_map[np.arange(n_cond)[:, None], code_index]  # (conditions, persons) -> code


def population_stage(world: World, offsets: tuple[np.ndarray, np.ndarray]) -> Tables:
    """Deaths (from the anchor on; earlier deaths are the pre-anchor leavers) and GP lists: residents."""
    people, n, params, code = world.people, world.n, world.params, world.code
    birth, male, end, anchor = people.birth, people.male, world.end, world.anchor
    rates = params.rates
    cond_mort = np.array([c.mortality_log_rr for c in world.conditions])
    rng_death = world.rng(S_DEATH)
    mortality = rates["mortality"]
    death = np.where(people.leaver_died, people.move_out, NONE)
    alive_until = np.minimum(people.move_out, end)
    for y in world.years:
        if y < ANCHOR_YEAR:
            continue
        a = np.maximum(people.entry, world.ystarts[y])
        b = np.minimum(alive_until, world.ystarts[y + 1] - 1)
        at_risk = ~people.leaver_died & (death == NONE) & (a <= b)
        h = base_hazard(world.ages.on(world.ystarts[y]), male, mortality)
        h = (
            h
            * np.exp(weighted_sum(cond_mort, world.has_at(world.ystarts[y])))
            / mortality["morbidity_normaliser"]
        )
        p = 1 - np.exp(-h * np.maximum(b - a + 1, 0) / 365.25)
        u = rng_death.random(n)
        dies = at_risk & (u < p)
        death = np.where(dies, a + (rng_death.random(n) * (b - a + 1)).astype(np.int64), death)
    last_day = np.minimum(np.minimum(people.move_out, death), end)
    died = death <= end
    moved = ~died & (people.move_out <= end)
    world.onset = np.where(world.onset <= last_day[None, :], world.onset, NONE)
    world.death, world.last_day = death, last_day

    rng_lists = world.rng(S_LISTS)
    sizes = np.array(world.list_sizes, dtype=np.int64)
    n_gp = len(world.gp_hprs)
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
    world.gp_first, world.gp_second, world.change_day = gp_first, gp_second, change_day
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
                "resident_id": world.resident_id[rows],
                "fnr": fnr.take(pa.array(rows)),
                "sex": _dict_array(np.where(male[rows], 0, 1), ("M", "F")),
                "birth_date": _dates(birth[rows]),
                "kommunenummer": _dict_array(np.zeros(len(rows)), (code,)),
                "gp_hpr": _dict_array(period_gp, world.gp_hprs),
                "practice_orgnr": _dict_array(world.gp_practice_arr[period_gp], world.orgnrs),
                "list_from": _dates(list_from),
                "list_to": _dates(list_to, mask=open_end),
                "end_reason": _dict_array(
                    np.maximum(reason, 0), ("list_change", "moved_out", "died"), mask=open_end
                ),
                "death_date": _dates(np.where(died, death, 0)[rows], mask=~died[rows]),
            }
        ),
    )


def conditions_table(world: World) -> tuple[str, None, pa.Table]:
    conditions, chronic = world.conditions, world.chronic
    cond_i, person_i = np.nonzero(world.onset != NONE)
    order = np.lexsort((cond_i, person_i))
    cond_i, person_i = cond_i[order], person_i[order]
    return (
        "conditions",
        None,
        pa.table(
            {
                "resident_id": world.resident_id[person_i],
                "condition": _dict_array(cond_i, [c.key for c in conditions]),
                "condition_group": _dict_array(
                    (~chronic[cond_i]).astype(int), ("chronic", "frailty_deficit")
                ),
                "icpc2": _dict_array(world.cond_code[cond_i, person_i], world.all_codes),
                "onset_date": _dates(world.onset[cond_i, person_i]),
            }
        ),
    )


@dataclass
class Candidates:
    """Events drawn by thinning: every candidate, which the observed data keep, and observed minus
    counterfactual (0 outside the pilot zone)."""

    who: np.ndarray
    day: np.ndarray
    gp: np.ndarray
    keep: np.ndarray
    delta: np.ndarray  # int8: +1 added by the effect, -1 removed, 0 unchanged


class Year:
    """One year of one municipality: who is present, their morbidity, and the event draws."""

    def __init__(self, world: World, y: int) -> None:
        self.world, self.y = world, y
        people, ages = world.people, world.ages
        self.y0, self.y1 = world.ystarts[y], world.ystarts[y + 1] - 1
        a = np.maximum(people.entry, self.y0)
        b = np.minimum(world.last_day, self.y1)
        self.idx = idx = np.flatnonzero(a <= b)
        self.pa, self.pb = a[idx], b[idx]
        self.length = (self.pb - self.pa + 1).astype(float)
        conditions = world.conditions
        chronic = world.chronic
        self.has = has = world.has_at(self.y0)[:, idx]
        self.n_chronic = (has & chronic[:, None]).sum(axis=0)
        self.n_frail = (has & ~chronic[:, None]).sum(axis=0)
        self.age_mid = np.maximum(ages.on(self.y0 + 181, idx), 0)  # born after 1 July: age 0
        age_start = ages.on(self.y0, idx)
        key_index = world.key_index
        special = np.array(
            [key_index[k] for k in ("psychosis", "substance_use", "dementia", "developmental_disability")]
        )
        self.target = (
            (self.n_chronic >= 2)
            | has[special].any(axis=0)
            | ((age_start >= 75) & (self.n_frail >= FRAIL_TRUTH_MIN_DEFICITS))
        )
        self.cond_cons = np.array([c.consultation_log_rr for c in conditions])
        # present conditions as CSR, to give contacts a diagnosis among the person's conditions
        hc, self.hp = np.nonzero(has.T)  # person-major order
        self.ptr = np.concatenate([[0], np.cumsum(np.bincount(hc, minlength=len(idx)))])
        self.n_has = np.diff(self.ptr)
        self.pilot_start_of_gp = world.practice_pilot_start[world.gp_practice_arr]  # (gps,)
        self.acute_p = ACUTE_WEIGHTS / ACUTE_WEIGHTS.sum()
        self.days = np.arange(self.y0, self.y1 + 1)

    def normalised(self, weight: np.ndarray, by: np.ndarray, cells: int) -> np.ndarray:
        total = np.bincount(by, weights=self.length * weight, minlength=cells)
        exposure = np.bincount(by, weights=self.length, minlength=cells)
        mean = np.divide(total, exposure, out=np.ones(cells), where=exposure > 0)
        return weight / mean[by]

    def diagnoses(self, rng: np.random.Generator, who: np.ndarray, chronic_share: np.ndarray) -> np.ndarray:
        ptr, n_has, hp = self.ptr, self.n_has, self.hp
        use_chronic = (rng.random(len(who)) < chronic_share) & (n_has[who] > 0)
        pick = ptr[who] + (rng.random(len(who)) * np.maximum(n_has[who], 1)).astype(np.int64)
        pick = np.minimum(pick, max(len(hp) - 1, 0))
        chosen_cond = hp[pick] if len(hp) else np.zeros(len(who), dtype=np.int64)
        chronic_code = len(ACUTE_CODES) + self.world.cond_code[chosen_cond, self.idx[who]] if len(hp) else 0
        acute_code = rng.choice(len(ACUTE_CODES), size=len(who), p=self.acute_p)
        return np.where(use_chronic, chronic_code, acute_code)

    def gp_on(self, who: np.ndarray, day: np.ndarray) -> np.ndarray:
        w = self.world
        person = self.idx[who]
        return np.where(day >= w.change_day[person], w.gp_second[person], w.gp_first[person])

    def in_zone(self, who: np.ndarray, day: np.ndarray, gp: np.ndarray) -> np.ndarray:
        return self.target[who] & (day >= self.pilot_start_of_gp[gp])

    def trend(self, outcome: str) -> float | None:
        c = self.world.confounding
        return None if c is None else c.trend(outcome, self.y)

    def practice_factor(self, loading: float) -> np.ndarray | None:
        """Rate factor by GP (through the GP's practice), or None without confounding."""
        c = self.world.confounding
        return None if c is None else c.factor(loading)[self.world.gp_practice_arr]

    def pandemic_factor(self, outcome: str) -> np.ndarray | None:
        """Rate factor by day of the year, or None when the pandemic does not touch this year."""
        c = self.world.confounding
        if c is None:
            return None
        factor = c.pandemic_factor(outcome, self.days)
        return None if np.all(factor == 1.0) else factor

    def draw(
        self,
        rng: np.random.Generator,
        lam: np.ndarray,
        rr: float,
        by_gp: np.ndarray | None = None,
        by_day: np.ndarray | None = None,
    ) -> Candidates:
        """Poisson events on uniform days by thinning. Inside the pilot zone the effect's rate ratio
        rr applies; the confounding factors f (by the GP's practice on the event day, and by day)
        apply everywhere. One uniform u per candidate: the counterfactual keeps it iff u < f / top,
        the observed data iff u < f * rr / top, so their difference is exact."""
        top = max(rr, 1.0)
        bound: np.ndarray | float = top
        if by_gp is not None:
            w = self.world
            person = self.idx
            bound = top * np.maximum(by_gp[w.gp_first[person]], by_gp[w.gp_second[person]])
        if by_day is not None:
            bound = bound * float(by_day.max())
        counts = rng.poisson(lam * bound)
        who = np.repeat(np.arange(len(self.idx)), counts)
        day = self.pa[who] + (rng.random(len(who)) * self.length[who]).astype(np.int64)
        gp = self.gp_on(who, day)
        zone = self.in_zone(who, day, gp)
        u = rng.random(len(who))
        if by_gp is None and by_day is None:
            keep = u < np.where(zone, rr, 1.0) / top
            keep_cf = u < 1.0 / top
        else:
            f = np.ones(len(who))
            if by_gp is not None:
                f = f * by_gp[gp]
            if by_day is not None:
                f = f * by_day[day - self.y0]
            limit = bound[who] if isinstance(bound, np.ndarray) else bound
            keep = u < f * np.where(zone, rr, 1.0) / limit
            keep_cf = u < f / limit
        delta = keep.astype(np.int8) - keep_cf.astype(np.int8)
        return Candidates(who, day, gp, keep, delta)


class Truth:
    """The year's truth rows: events and survey responses the injected effects changed."""

    def __init__(self, year: Year) -> None:
        self.year = year
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def events(self, outcome: str, drawn: Candidates, among: np.ndarray | None = None) -> None:
        changed = drawn.delta != 0
        if among is not None:
            changed &= among
        self.add(outcome, drawn.who[changed], drawn.day[changed], drawn.gp[changed], drawn.delta[changed])

    def add(self, outcome: str, who: np.ndarray, day: np.ndarray, gp: np.ndarray, delta: np.ndarray) -> None:
        keep = delta != 0
        if keep.any():
            code = np.full(int(keep.sum()), TRUTH_OUTCOMES.index(outcome))
            self.parts.append((who[keep], day[keep], gp[keep], code, delta[keep].astype(np.float64)))


def contacts_and_claims_stage(
    year: Year, truth: Truth
) -> Generator[tuple[str, int, pa.Table], None, np.ndarray]:
    """GP, simple, out-of-hours and nurse contacts, and their claims; returns each present person's
    first GP consultation day of the year (NONE without one), which the survey samples from."""
    world, y, idx = year.world, year.y, year.idx
    params, code = world.params, world.code
    c_rates = params.rates["contacts"]
    effects = world.options.pilot.effects
    length, has, age_mid = year.length, year.has, year.age_mid
    group = band(age_mid, SSB_AGE_GROUPS)
    sex = (~world.people.male[idx]).astype(int)  # 0 = M, 1 = F
    cell = group * 2 + sex
    m = np.exp(weighted_sum(year.cond_cons, has))
    ssb_female_ratio = np.asarray(c_rates["female_to_male_ratio"])
    sex_factor = np.where(sex == 1, ssb_female_ratio[group], 1.0)
    gp_lambda = (
        params.gp_rate[group]
        * length
        / 365.0
        * year.normalised(m, cell, 18)
        * year.normalised(sex_factor, group, 9)
    )
    m_ooh = m ** c_rates["out_of_hours_morbidity_exponent"]
    ooh_lambda = params.ooh_rate[group] * length / 365.0 * year.normalised(m_ooh, group, 9)
    simple_lambda = c_rates["simple_contact_rate"] * length / 365.0 * year.normalised(m, group, 9)
    confounding = world.confounding
    if confounding is not None:
        gp_lambda = gp_lambda * confounding.trend("gp_consultations", y)
        ooh_lambda = ooh_lambda * confounding.trend("out_of_hours_contacts", y)
        ooh_by_gp = year.practice_factor(confounding.params.out_of_hours_loading)
    else:
        ooh_by_gp = None
    n_chronic = year.n_chronic

    rng_c = world.rng(S_CONTACTS, y)
    parts = []
    drawn = year.draw(
        rng_c, gp_lambda, effects.gp_consultation_rr, by_day=year.pandemic_factor("gp_consultations")
    )
    truth.events("gp_consultations", drawn)
    who, day, gp = drawn.who[drawn.keep], drawn.day[drawn.keep], drawn.gp[drawn.keep]
    e_share: float | np.ndarray = float(c_rates["e_consultation_share_by_year"].get(str(y), 0.1))
    if confounding is not None:
        raise_by_day = confounding.e_consultation_raise(year.days)
        if np.any(raise_by_day > 0):
            cap = confounding.params.e_consultation_share_max
            e_share = np.minimum(e_share + raise_by_day[day - year.y0], max(cap, e_share))
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
    parts.append(
        (who, day, gp, kind, year.diagnoses(rng_c, who, np.minimum(0.2 * n_chronic[who] + 0.1, 0.8)))
    )
    drawn = year.draw(rng_c, simple_lambda, 1.0)
    who, day, gp = drawn.who[drawn.keep], drawn.day[drawn.keep], drawn.gp[drawn.keep]
    parts.append((who, day, gp, np.full(len(who), 4), year.diagnoses(rng_c, who, np.full(len(who), 0.6))))
    drawn = year.draw(rng_c, ooh_lambda, effects.out_of_hours_rr, by_gp=ooh_by_gp)
    truth.events("out_of_hours_contacts", drawn)
    who, day, gp = drawn.who[drawn.keep], drawn.day[drawn.keep], drawn.gp[drawn.keep]
    parts.append((who, day, gp, np.full(len(who), 5), year.diagnoses(rng_c, who, np.full(len(who), 0.15))))
    # nurse contacts: only in pilot practices from their start (own stream: the rest is unchanged)
    rng_n = world.rng(S_NURSE, y)
    nurse_rate = np.where(year.target, c_rates["nurse_rate_target"], c_rates["nurse_rate_other"])
    pa_, pb = year.pa, year.pb
    for period in (0, 1):
        person = idx
        if period == 0:
            gp_p, lo, hi = world.gp_first[person], pa_, np.minimum(pb, world.change_day[person] - 1)
        else:
            gp_p, lo, hi = world.gp_second[person], np.maximum(pa_, world.change_day[person]), pb
        lo = np.maximum(lo, year.pilot_start_of_gp[gp_p])
        seg = np.maximum(hi - lo + 1, 0).astype(float)
        counts = rng_n.poisson(nurse_rate * seg / 365.0)
        w = np.repeat(np.arange(len(idx)), counts)
        d = lo[w] + (rng_n.random(len(w)) * seg[w]).astype(np.int64)
        parts.append((w, d, gp_p[w], np.full(len(w), 6), year.diagnoses(rng_n, w, np.full(len(w), 0.85))))
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
    contact_codes, code_out = _contact_codes(world)
    resident_id = world.resident_id[idx[who]]
    practice = _dict_array(world.gp_practice_arr[gp], world.orgnrs)
    gp_hpr = _dict_array(gp, world.gp_hprs, mask=no_gp)
    icpc2 = _dict_array(code_out[diag], contact_codes)
    dates = _dates(day)
    years = pa.array(np.full(k, y, dtype=np.int16))
    months = pa.array(month.astype(np.int8))
    kommune = _dict_array(np.zeros(k), (code,))
    yield (
        "contacts",
        y,
        pa.table(
            {
                "contact_id": contact_id,
                "resident_id": resident_id,
                "contact_date": dates,
                "year": years,
                "month": months,
                "kind": _dict_array(kind, KINDS),
                "icpc2": icpc2,
                "kommunenummer": kommune,
                "practice_orgnr": practice,
                "gp_hpr": gp_hpr,
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
        exempt |= applies & (day < world.ages.birthday(int(limit))[idx[who]])
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
                "resident_id": resident_id,
                "contact_date": dates,
                "year": years,
                "month": months,
                "tariff_code": _dict_array(tariff, params.tariff_codes),
                "billed_by": _dict_array(billed, ("gp", "nurse", "out_of_hours")),
                "kommunenummer": kommune,
                "practice_orgnr": practice,
                "gp_hpr": gp_hpr,
                "icpc2": icpc2,
                "fee_ore": fee,
                "copayment_ore": cop,
                "reimbursement_ore": reimb,
                "copayment_exempt": exempt,
                "patient_paid_ore": patient,
                "state_copayment_ore": cop - patient,
            }
        ),
    )
    first_gp_day = np.full(len(idx), NONE)
    gp_mask = kind <= 3
    np.minimum.at(first_gp_day, who[gp_mask], day[gp_mask])
    return first_gp_day


@cache
def _contact_codes_for(all_codes: tuple[str, ...]) -> tuple[list[str], np.ndarray]:
    # internal diagnosis index: acute codes first, then condition codes; the written dictionary must
    # not repeat a value (P06 is in both), or Parquet's dictionary encoding is not reproducible
    contact_codes = list(dict.fromkeys([*ACUTE_CODES, *all_codes]))
    code_out = np.array([contact_codes.index(c) for c in [*ACUTE_CODES, *all_codes]])
    return contact_codes, code_out


def _contact_codes(world: World) -> tuple[list[str], np.ndarray]:
    return _contact_codes_for(tuple(world.all_codes))


def hospital_stage(year: Year, truth: Truth) -> tuple[str, int, pa.Table]:
    """Acute and planned hospital stays. Every candidate acute stay gets its length and ACS flag
    before thinning, so the stays an effect removes have them too (and later draws do not shift)."""
    world, y, idx = year.world, year.y, year.idx
    hosp = world.params.rates["hospital"]
    effects = world.options.pilot.effects
    conditions = world.conditions
    cond_adm = np.array([c.admission_log_rr for c in conditions])
    acs = np.array([c.acs for c in conditions])
    rng_h = world.rng(S_HOSPITAL, y)
    hb = band(year.age_mid, hosp["age_bands"])
    adm = np.exp(weighted_sum(cond_adm, year.has))
    has_acs = (year.has & acs[:, None]).any(axis=0)
    confounding = world.confounding

    lam = np.asarray(hosp["acute_rate"])[hb] * year.length / 365.0 * adm
    by_gp = None
    if confounding is not None:
        lam = lam * confounding.trend("acute_admissions", y)
        by_gp = year.practice_factor(confounding.params.acute_admission_loading)
    acute = year.draw(
        rng_h, lam, effects.acute_admission_rr, by_gp=by_gp, by_day=year.pandemic_factor("acute_admissions")
    )
    acute_los = 1 + rng_h.poisson(
        np.maximum(np.asarray(hosp["mean_length_of_stay_acute"])[hb[acute.who]] - 1, 0)
    )
    acs_p = np.where(has_acs[acute.who], hosp["acs_share_with_acs_condition"], hosp["acs_share_without"])
    acute_acs = rng_h.random(len(acute.who)) < acs_p
    truth.events("acute_admissions", acute)
    truth.events("acs_admissions", acute, among=acute_acs)

    lam = np.asarray(hosp["planned_rate"])[hb] * year.length / 365.0 * adm**0.5
    planned = year.draw(rng_h, lam, 1.0)
    planned_los = 1 + rng_h.poisson(
        np.maximum(np.asarray(hosp["mean_length_of_stay_planned"])[hb[planned.who]] - 1, 0)
    )
    ka, kp = acute.keep, planned.keep
    w = np.concatenate([acute.who[ka], planned.who[kp]])
    d = np.concatenate([acute.day[ka], planned.day[kp]])
    los = np.concatenate([acute_los[ka], planned_los[kp]])
    acute_flags = np.concatenate([np.ones(int(ka.sum()), dtype=bool), np.zeros(int(kp.sum()), dtype=bool)])
    acs_flag = np.concatenate([acute_acs[ka], np.zeros(int(kp.sum()), dtype=bool)])
    order = np.lexsort((~acute_flags, d, w))
    w, d, los, acute_flags, acs_flag = w[order], d[order], los[order], acute_flags[order], acs_flag[order]
    diag = year.diagnoses(rng_h, w, np.where(acs_flag, 1.0, 0.5))
    no_diag = (diag < len(ACUTE_CODES)) & ~acs_flag
    contact_codes, code_out = _contact_codes(world)
    return (
        "hospital_stays",
        y,
        pa.table(
            {
                "stay_id": (int(world.code) * 100 + (y - 2000)) * 1_000_000_000
                + np.arange(len(w), dtype=np.int64),
                "resident_id": world.resident_id[idx[w]],
                "kommunenummer": _dict_array(np.zeros(len(w)), (world.code,)),
                "admission_date": _dates(d),
                "discharge_date": _dates(d + los),
                "year": pa.array(np.full(len(w), y, dtype=np.int16)),
                "acute": acute_flags,
                "ambulatory_care_sensitive": acs_flag,
                "icpc2": _dict_array(code_out[diag], contact_codes, mask=no_diag),
            }
        ),
    )


@dataclass
class CareState:
    """Municipal care across years: the start day of each person's spell (NONE: none yet), and rows."""

    home_care: np.ndarray
    nursing_home_long: np.ndarray
    rows: list[dict[str, np.ndarray]]

    def __init__(self, n: int) -> None:
        self.home_care = np.full(n, NONE, dtype=np.int64)
        self.nursing_home_long = np.full(n, NONE, dtype=np.int64)
        self.rows = []


def municipal_care_stage(year: Year, care_state: CareState) -> None:
    """KPR-like municipal care: one home-care spell and one long-term stay at most; short stays."""
    world, y, idx = year.world, year.y, year.idx
    care = world.params.rates["municipal_care"]
    key_index = world.key_index
    pa_, length, last_day = year.pa, year.length, world.last_day
    rng_m = world.rng(S_CARE, y)
    cb = band(year.age_mid, care["age_bands"])
    risk = np.exp(
        care["dementia_log_rr"] * year.has[key_index["dementia"]]
        + care["frailty_deficit_log_rr"] * year.n_frail
    )
    for service_name, rate_key in (
        ("home_care", "home_care_start_rate"),
        ("nursing_home_long", "nursing_home_long_start_rate"),
    ):
        state = getattr(care_state, service_name)
        p = 1 - np.exp(-np.asarray(care[rate_key])[cb] * risk * length / 365.0)
        starts = (state[idx] == NONE) & (rng_m.random(len(idx)) < p)
        s_who = np.flatnonzero(starts)
        s_day = pa_[s_who] + (rng_m.random(len(s_who)) * length[s_who]).astype(np.int64)
        state[idx[s_who]] = s_day
        person = idx[s_who]
        if service_name == "home_care":
            stop = s_day + rng_m.exponential(730.0, len(s_who)).astype(np.int64)
            hours = rng_m.gamma(2.0, care["mean_home_care_hours_per_week"] / 2.0, len(s_who)) * (
                1 + 0.5 * year.has[key_index["dementia"], s_who]
            )
        else:
            stop = np.full(len(s_who), NONE)
            hours = np.full(len(s_who), np.nan)
        stop = np.minimum(stop, last_day[person])
        care_state.rows.append(
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
    care_state.rows.append(
        {
            "who": idx[s_who],
            "service": np.full(len(s_who), 1),
            "start": s_day,
            "stop": stop,
            "hours": np.full(len(s_who), np.nan),
        }
    )


def municipal_care_table(world: World, care_state: CareState) -> tuple[str, None, pa.Table]:
    rows = care_state.rows
    who = np.concatenate([r["who"] for r in rows])
    service = np.concatenate([r["service"] for r in rows])
    c_start = np.concatenate([r["start"] for r in rows])
    c_stop = np.concatenate([r["stop"] for r in rows])
    hours = np.concatenate([r["hours"] for r in rows])
    order = np.lexsort((service, c_start, who))
    who, service, c_start, c_stop, hours = (
        who[order],
        service[order],
        c_start[order],
        c_stop[order],
        hours[order],
    )
    ongoing = c_stop >= world.end
    return (
        "municipal_care",
        None,
        pa.table(
            {
                "resident_id": world.resident_id[who],
                "kommunenummer": _dict_array(np.zeros(len(who)), (world.code,)),
                "service": _dict_array(service, ("home_care", "nursing_home_short", "nursing_home_long")),
                "start_date": _dates(c_start),
                "end_date": _dates(np.minimum(c_stop, world.end), mask=ongoing),
                "hours_per_week": pa.array(hours.astype(np.float32), from_pandas=True),
            }
        ),
    )


PREM_CUTS = np.array([-2.0, -1.2, -0.3, 0.7])


def survey_stage(year: Year, first_gp_day: np.ndarray, truth: Truth) -> tuple[str, int, pa.Table]:
    """PROM/PREM survey for a sample of adult patients with a GP consultation that year, answered on
    the day of their first one. The counterfactual answer uses the same noise without the effect."""
    world, y, idx = year.world, year.y, year.idx
    effects = world.options.pilot.effects
    survey = world.params.rates["survey"]
    age_mid, n_chronic, n_frail = year.age_mid, year.n_chronic, year.n_frail
    rng_s = world.rng(S_SURVEY, y)
    eligible = (first_gp_day != NONE) & (age_mid >= survey["min_age"])
    chosen = np.flatnonzero(eligible & (rng_s.random(len(idx)) < survey["sample_share"]))
    s_day = first_gp_day[chosen]
    s_gp = year.gp_on(chosen, s_day)
    zone = year.in_zone(chosen, s_day, s_gp)
    base_vas = (
        88
        - 0.2 * np.maximum(age_mid[chosen] - 30, 0)
        - 4 * n_chronic[chosen]
        - 1 * n_frail[chosen]  # 3 per deficit when the generator recorded a third as many
        + rng_s.normal(0, 12, len(chosen))
    )
    # assumption: older patients rate their GP a little higher, patients with many conditions lower
    base_latent = (
        rng_s.standard_normal(len(chosen)) + 0.006 * (age_mid[chosen] - 50) - 0.05 * n_chronic[chosen]
    )
    confounding = world.confounding
    if confounding is not None:
        u = confounding.practice_u[world.gp_practice_arr[s_gp]]
        base_vas = (
            base_vas
            + confounding.params.prom_points_per_unit * u
            + confounding.prom_drift * (y - confounding.params.reference_year)
        )
        base_latent = base_latent + confounding.params.prem_sd_per_unit * u
    vas = base_vas + np.where(zone, effects.prom_shift_points, 0.0)
    latent = base_latent + np.where(zone, effects.prem_shift_sd, 0.0)
    noise = [rng_s.normal(0, 0.5, len(chosen)) for _ in range(3)]
    items = [1 + np.searchsorted(PREM_CUTS, latent + e) for e in noise]
    prom = np.clip(np.rint(vas), 0, 100).astype(np.int16)
    in_zone = np.flatnonzero(zone)
    if len(in_zone):
        z_who, z_day, z_gp = chosen[in_zone], s_day[in_zone], s_gp[in_zone]
        prom_cf = np.clip(np.rint(base_vas[in_zone]), 0, 100).astype(np.int16)
        truth.add("prom_health_vas", z_who, z_day, z_gp, prom[in_zone].astype(np.int64) - prom_cf)
        for name, item, e in zip(PREM_ITEMS, items, noise, strict=True):
            item_cf = 1 + np.searchsorted(PREM_CUTS, base_latent[in_zone] + e[in_zone])
            truth.add(name, z_who, z_day, z_gp, item[in_zone].astype(np.int64) - item_cf)
    return (
        "survey_responses",
        y,
        pa.table(
            {
                "resident_id": world.resident_id[idx[chosen]],
                "kommunenummer": _dict_array(np.zeros(len(chosen)), (world.code,)),
                "practice_orgnr": _dict_array(world.gp_practice_arr[s_gp], world.orgnrs),
                "survey_date": _dates(s_day),
                "year": pa.array(np.full(len(chosen), y, dtype=np.int16)),
                "prom_health_vas": pa.array(prom),
                "prem_overall": pa.array(items[0].astype(np.int8)),
                "prem_continuity": pa.array(items[1].astype(np.int8)),
                "prem_coordination": pa.array(items[2].astype(np.int8)),
            }
        ),
    )


def truth_stage(truth: Truth) -> tuple[str, int, pa.Table]:
    """The year's truth table (written, never read by the generator): one row per changed event or
    response, ordered by person, day and outcome."""
    year = truth.year
    world = year.world
    parts = truth.parts
    if parts:
        who = np.concatenate([p[0] for p in parts])
        day = np.concatenate([p[1] for p in parts])
        gp = np.concatenate([p[2] for p in parts])
        outcome = np.concatenate([p[3] for p in parts])
        delta = np.concatenate([p[4] for p in parts])
    else:
        who = day = gp = outcome = np.zeros(0, dtype=np.int64)
        delta = np.zeros(0)
    order = np.lexsort((outcome, day, who))
    who, day, gp, outcome, delta = who[order], day[order], gp[order], outcome[order], delta[order]
    k = len(who)
    return (
        "truth",
        year.y,
        pa.table(
            {
                "resident_id": world.resident_id[year.idx[who]],
                "kommunenummer": _dict_array(np.zeros(k), (world.code,)),
                "practice_orgnr": _dict_array(world.gp_practice_arr[gp], world.orgnrs),
                "event_date": _dates(day),
                "year": pa.array(np.full(k, year.y, dtype=np.int16)),
                "month": pa.array(ymd(day)[1].astype(np.int8)),
                "outcome": _dict_array(outcome, TRUTH_OUTCOMES),
                "delta": pa.array(delta.astype(np.float64)),
            }
        ),
    )
