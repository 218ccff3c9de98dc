"""The capitation model's municipality-level socio-economic factor, from a versioned band table.

``socio_economic_index.toml`` states the proxy: population size bands standing in for centrality.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from pht.rules.financing.parameters import _decimal, _int


@dataclass(frozen=True)
class SocioEconomicIndex:
    population_year: int
    bands: tuple[tuple[int, Decimal], ...]  # (population below, factor), ascending
    factor_above: Decimal

    def __post_init__(self) -> None:
        limits = [b for b, _ in self.bands]
        if limits != sorted(set(limits)):
            raise ValueError("socio_economic_index parameter 'bands': population_below must rise")

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> SocioEconomicIndex:
        raw = values.get("bands")
        if not isinstance(raw, list):
            raise ValueError("socio_economic_index parameter 'bands' must be a list")
        bands = []
        for index, entry in enumerate(raw, start=1):
            if not isinstance(entry, Mapping):
                raise ValueError(f"socio_economic_index parameter 'bands', entry {index}: must be a table")
            where = f"socio_economic_index band {index}"
            bands.append(
                (_int(where, entry, "population_below", minimum=1), _decimal(where, entry, "factor"))
            )
        return cls(
            population_year=_int("socio_economic_index", values, "population_year", minimum=1900),
            bands=tuple(bands),
            factor_above=_decimal("socio_economic_index", values, "factor_above"),
        )

    def factor(self, population: int) -> Decimal:
        if population < 0:
            raise ValueError(f"population must not be negative, got {population}")
        for below, factor in self.bands:
            if population < below:
                return factor
        return self.factor_above

    def factors(self, populations: Mapping[str, int]) -> dict[str, Decimal]:
        """kommunenummer -> factor."""
        return {kommune: self.factor(population) for kommune, population in populations.items()}
