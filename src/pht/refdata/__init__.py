"""Versioned reference data shipped with PHT, and typed, validated loaders for it.

Data files live under ``data/<year>/`` (copied from the project's shared reference data, with
``data/SOURCES.md`` telling where every value comes from); scheme parameters that change by year
live under ``params/`` as TOML with one entry per version. Later years are added as data.
"""

from pht.refdata.loaders import (
    IcpcCode,
    Municipality,
    MunicipalityMapping,
    PopulationAgeRow,
    PopulationAgeSexRow,
    RefDataError,
    available_years,
    icpc2_codes,
    municipalities,
    municipality_mapping,
    municipality_population_by_age,
    national_population_by_age_sex,
)
from pht.refdata.params import ParameterError, ParameterSet, load_parameters

__all__ = [
    "IcpcCode",
    "Municipality",
    "MunicipalityMapping",
    "ParameterError",
    "ParameterSet",
    "PopulationAgeRow",
    "PopulationAgeSexRow",
    "RefDataError",
    "available_years",
    "icpc2_codes",
    "load_parameters",
    "municipalities",
    "municipality_mapping",
    "municipality_population_by_age",
    "national_population_by_age_sex",
]
