"""The seeded registry of GP practices and GPs: one generator, used by the demo and by ``pht synth``.

Each municipality is generated from its own random stream (seed, kommunenummer), so one
municipality can be generated alone and gives the same practices as in a nation-wide run.

About one GP per ``inhabitants_per_gp`` inhabitants (default 1,100, the national mean list
length of 2017 was 1,106); practices of 1 to 8 GPs; GP list sizes add up exactly to the
municipality's population, so every resident can be placed on one list.

Identifiers are synthetic and can never be real (see ``pht.rules.identifiers``):
organisation numbers start with 1 (real ones start with 8 or 9) and HPR numbers are
9 digits starting with 9, as ``9`` + kommunenummer + a 4-digit serial.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from pht.refdata import Municipality
from pht.rules.identifiers import check_hpr, check_orgnr

INHABITANTS_PER_GP = 1100
MAX_GPS_PER_PRACTICE = 8
# Relative frequency of practice sizes 1..8 GPs; an assumption, shaped like Norwegian
# group practices (most have 2-6 GPs).
PRACTICE_SIZE_WEIGHTS = (0.10, 0.14, 0.17, 0.18, 0.15, 0.11, 0.08, 0.07)
LIST_CAPS = (800, 1000, 1200, 1400, 1500, 1800, 2000)

FIRST_NAMES = (
    "Anne", "Inger", "Kari", "Marit", "Ingrid", "Liv", "Eva", "Berit", "Astrid", "Bjørg", "Hilde", "Nina",
    "Ida", "Silje", "Maria", "Ingvild", "Camilla", "Sara", "Jan", "Per", "Bjørn", "Ole", "Lars", "Kjell",
    "Knut", "Arne", "Svein", "Thomas", "Hans", "Geir", "Martin", "Erik", "Andreas", "Jon", "Morten", "Anders",
)  # fmt: skip
LAST_NAMES = (
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen",
    "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Johannessen", "Andreassen",
    "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Henriksen", "Lund", "Sørensen", "Jakobsen", "Moen",
    "Gundersen", "Iversen", "Strand", "Solberg", "Svendsen", "Eide", "Knutsen", "Martinsen", "Paulsen",
)  # fmt: skip
STREETS = ("Storgata", "Kirkegata", "Torget", "Sentrumsvegen", "Stasjonsvegen", "Skolegata", "Helsehuset")
PRACTICE_KINDS = ("legesenter", "legekontor", "legesenter", "allmennpraksis", "helsesenter")


@dataclass(frozen=True)
class SynthGP:
    hpr: str
    first_name: str
    last_name: str
    list_size: int
    list_cap: int


@dataclass(frozen=True)
class SynthPractice:
    orgnr: str
    name: str
    kommunenummer: str
    address: str
    gps: tuple[SynthGP, ...]


def synthetic_orgnr(kommunenummer: str, serial: int) -> str:
    """'1' + kommunenummer + 3-digit serial + mod-11 check digit.

    Serials whose check digit would be 10 are skipped (ValueError).
    """
    base = f"1{kommunenummer}{serial:03d}"
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    remainder = sum(w * int(d) for w, d in zip(weights, base, strict=True)) % 11
    check = (11 - remainder) % 11
    if check == 10:
        raise ValueError("no valid check digit")
    return check_orgnr(base + str(check), allow_synthetic=True)


def synthetic_hpr(kommunenummer: str, serial: int) -> str:
    return check_hpr(f"9{kommunenummer}{serial:04d}", allow_synthetic=True)


def _practice_sizes(rng: np.random.Generator, gp_count: int) -> list[int]:
    sizes: list[int] = []
    weights = np.array(PRACTICE_SIZE_WEIGHTS)
    while sum(sizes) < gp_count:
        remaining = gp_count - sum(sizes)
        allowed = weights[: min(MAX_GPS_PER_PRACTICE, remaining)]
        sizes.append(int(rng.choice(len(allowed), p=allowed / allowed.sum())) + 1)
    return sizes


def _list_sizes(rng: np.random.Generator, population: int, gp_count: int) -> list[int]:
    shares = rng.gamma(shape=25.0, scale=1.0, size=gp_count)
    sizes = np.floor(population * shares / shares.sum()).astype(int)
    sizes[: population - int(sizes.sum())] += 1  # hand out the remainder one by one
    return [int(s) for s in sizes]


def generate_municipality(municipality: Municipality, seed: int = 2017) -> list[SynthPractice]:
    """Practices and GPs for one municipality, deterministic in (seed, kommunenummer)."""
    rng = np.random.default_rng([seed, int(municipality.kommunenummer)])
    gp_count = max(1, round(municipality.population / INHABITANTS_PER_GP))
    list_sizes = _list_sizes(rng, municipality.population, gp_count)
    practices: list[SynthPractice] = []
    gp_serial = 0
    orgnr_serial = 0
    for index, size in enumerate(_practice_sizes(rng, gp_count), start=1):
        gps = []
        for _ in range(size):
            list_size = list_sizes[gp_serial]
            cap = int(rng.choice([c for c in LIST_CAPS if c >= list_size] or [max(LIST_CAPS), list_size]))
            gp_serial += 1
            gps.append(
                SynthGP(
                    hpr=synthetic_hpr(municipality.kommunenummer, gp_serial),
                    first_name=str(rng.choice(FIRST_NAMES)),
                    last_name=str(rng.choice(LAST_NAMES)),
                    list_size=list_size,
                    list_cap=max(cap, list_size),
                )
            )
        while True:
            orgnr_serial += 1
            try:
                orgnr = synthetic_orgnr(municipality.kommunenummer, orgnr_serial)
                break
            except ValueError:
                continue
        kind = PRACTICE_KINDS[int(rng.integers(len(PRACTICE_KINDS)))]
        name = f"{municipality.name} {kind}" if index == 1 else f"{municipality.name} {kind} {index}"
        address = f"{STREETS[int(rng.integers(len(STREETS)))]} {int(rng.integers(1, 60))}"
        practices.append(SynthPractice(orgnr, name, municipality.kommunenummer, address, tuple(gps)))
    return practices


def generate_registry(municipalities: Iterable[Municipality], seed: int = 2017) -> Iterator[SynthPractice]:
    for municipality in municipalities:
        yield from generate_municipality(municipality, seed)
