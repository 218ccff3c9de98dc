"""The seeded registry of GP practices and GPs: one generator, used by the demo and by ``pht synth``.

Each municipality is generated from its own random stream (seed, kommunenummer), so one
municipality can be generated alone and gives the same practices as in a nation-wide run.

How many GPs, how they are grouped into practices and how lists are spread are versioned
parameter data, ``refdata/params/synth_registry.toml`` (with their sources and assumptions),
read by ``registry_parameters()``: about one GP per ``inhabitants_per_gp`` inhabitants (1,100;
the national mean list length at the end of 2017 was 1,106), practices of 1 to
``max_gps_per_practice`` GPs. GP list sizes add up exactly to the municipality's population,
so every resident can be placed on one list.

Identifiers are synthetic and can never be real (see ``pht.rules.identifiers``):
organisation numbers start with 1 (real ones start with 8 or 9) and HPR numbers are
9 digits starting with 9, as ``9`` + kommunenummer + a 4-digit serial.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from pht.refdata import Municipality
from pht.refdata.params import PARAMS_DIR, ParameterError, load_parameters
from pht.rules.identifiers import check_hpr, check_orgnr

PARAMETER_SET = "synth_registry"
REGISTRY_DATE = datetime.date(2017, 1, 1)  # the registry is that of the synthetic population's anchor date

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
class RegistryParameters:
    """The generator's numbers, from one version of ``synth_registry.toml`` (see its description)."""

    inhabitants_per_gp: int
    max_gps_per_practice: int
    practice_size_weights: tuple[float, ...]  # relative frequency of practices of 1, 2, ... GPs
    list_caps: tuple[int, ...]  # ascending
    list_share_gamma_shape: float
    street_number_max: int

    @classmethod
    def from_mapping(
        cls, values: Mapping[str, object], where: str = f"{PARAMETER_SET}.toml"
    ) -> RegistryParameters:
        """Typed parameters from a version's ``values``; a malformed or missing value is refused
        naming ``where`` (the file and version) and the key."""
        unknown = sorted(set(values) - set(cls.__dataclass_fields__))
        if unknown:
            raise ParameterError(f"{where}: unknown keys {unknown}")
        max_gps = _whole(values, "max_gps_per_practice", where)
        weights = _numbers(values, "practice_size_weights", where)
        if len(weights) != max_gps or any(w < 0 for w in weights) or not weights[0] > 0:
            raise _refused(
                values,
                "practice_size_weights",
                where,
                f"{max_gps} weights (one per practice size 1..max_gps_per_practice), "
                "none negative, the first above 0",
            )
        caps = values.get("list_caps")
        if (
            not isinstance(caps, list)
            or not caps
            or not all(isinstance(c, int) and not isinstance(c, bool) and c > 0 for c in caps)
            or caps != sorted(set(caps))
        ):
            raise _refused(
                values, "list_caps", where, "a non-empty list of positive whole numbers, ascending"
            )
        shape = _numbers(values, "list_share_gamma_shape", where, single=True)[0]
        if not shape > 0:
            raise _refused(values, "list_share_gamma_shape", where, "a number above 0")
        return cls(
            inhabitants_per_gp=_whole(values, "inhabitants_per_gp", where),
            max_gps_per_practice=max_gps,
            practice_size_weights=weights,
            list_caps=tuple(caps),
            list_share_gamma_shape=shape,
            street_number_max=_whole(values, "street_number_max", where),
        )


def _refused(values: Mapping[str, object], key: str, where: str, must: str) -> ParameterError:
    got = f"got {values[key]!r}" if key in values else "it is missing"
    return ParameterError(f"{where}, field {key!r}: must be {must}, {got}")


def _whole(values: Mapping[str, object], key: str, where: str) -> int:
    value = values.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _refused(values, key, where, "a whole number above 0")
    return value


def _numbers(
    values: Mapping[str, object], key: str, where: str, *, single: bool = False
) -> tuple[float, ...]:
    """A finite number (``single``) or a non-empty list of them, as floats."""
    value = values.get(key)
    items = [value] if single else value
    if (
        not isinstance(items, list)
        or not items
        or not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in items)
    ):
        raise _refused(values, key, where, "a number" if single else "a non-empty list of numbers")
    return tuple(float(v) for v in items)


@cache
def registry_parameters(
    on: datetime.date = REGISTRY_DATE, directory: Path = PARAMS_DIR
) -> RegistryParameters:
    """The registry generator's parameters in force on ``on`` (``synth_registry.toml``)."""
    version = load_parameters(PARAMETER_SET, on, directory)
    where = f"{PARAMETER_SET}.toml, version {version.valid_from.isoformat()}"
    return RegistryParameters.from_mapping(version.values, where)


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


def _practice_sizes(rng: np.random.Generator, gp_count: int, params: RegistryParameters) -> list[int]:
    sizes: list[int] = []
    weights = np.array(params.practice_size_weights)
    while sum(sizes) < gp_count:
        remaining = gp_count - sum(sizes)
        allowed = weights[: min(params.max_gps_per_practice, remaining)]
        sizes.append(int(rng.choice(len(allowed), p=allowed / allowed.sum())) + 1)
    return sizes


def _list_sizes(rng: np.random.Generator, population: int, gp_count: int, shape: float) -> list[int]:
    shares = rng.gamma(shape=shape, scale=1.0, size=gp_count)
    sizes = np.floor(population * shares / shares.sum()).astype(int)
    sizes[: population - int(sizes.sum())] += 1  # hand out the remainder one by one
    return [int(s) for s in sizes]


def generate_municipality(
    municipality: Municipality, seed: int = 2017, params: RegistryParameters | None = None
) -> list[SynthPractice]:
    """Practices and GPs for one municipality, deterministic in (seed, kommunenummer) and the
    parameters (by default ``registry_parameters()``)."""
    params = registry_parameters() if params is None else params
    caps = params.list_caps
    rng = np.random.default_rng([seed, int(municipality.kommunenummer)])
    gp_count = max(1, round(municipality.population / params.inhabitants_per_gp))
    list_sizes = _list_sizes(rng, municipality.population, gp_count, params.list_share_gamma_shape)
    practices: list[SynthPractice] = []
    gp_serial = 0
    orgnr_serial = 0
    for index, size in enumerate(_practice_sizes(rng, gp_count, params), start=1):
        gps = []
        for _ in range(size):
            list_size = list_sizes[gp_serial]
            cap = int(rng.choice([c for c in caps if c >= list_size] or [max(caps), list_size]))
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
        address = (
            f"{STREETS[int(rng.integers(len(STREETS)))]} {int(rng.integers(1, params.street_number_max + 1))}"
        )
        practices.append(SynthPractice(orgnr, name, municipality.kommunenummer, address, tuple(gps)))
    return practices


def generate_registry(
    municipalities: Iterable[Municipality], seed: int = 2017, params: RegistryParameters | None = None
) -> Iterator[SynthPractice]:
    for municipality in municipalities:
        yield from generate_municipality(municipality, seed, params)
