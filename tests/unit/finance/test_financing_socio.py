"""The capitation model's socio-economic factor: a versioned band table by municipality population."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pht.engine.finance_params import month_parameters
from pht.refdata import municipalities
from pht.rules.financing import Period
from pht.rules.financing.socio import SocioEconomicIndex

INDEX = SocioEconomicIndex(
    population_year=2017,
    bands=(
        (2000, Decimal("1.10")),
        (5000, Decimal("1.06")),
        (20000, Decimal("1.03")),
        (50000, Decimal("1.00")),
    ),
    factor_above=Decimal("0.98"),
)


@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=0, max_value=10**7))
def test_a_smaller_municipality_never_gets_a_lower_factor(a: int, b: int) -> None:
    small, large = sorted((a, b))
    assert INDEX.factor(small) >= INDEX.factor(large)
    assert INDEX.factor(a) in {f for _, f in INDEX.bands} | {INDEX.factor_above}


def test_band_limits_by_hand() -> None:
    assert INDEX.factor(1999) == Decimal("1.10")
    assert INDEX.factor(2000) == Decimal("1.06")  # "below" is strict
    assert INDEX.factor(49999) == Decimal("1.00")
    assert INDEX.factor(50000) == Decimal("0.98")


def test_every_municipality_gets_its_factor_in_the_capitation_weights() -> None:
    capitation = month_parameters(Period(2018, 5)).capitation
    places = municipalities(2017)
    assert len(places) == 426
    assert all(m.kommunenummer in capitation.socio_economic_factors for m in places)
    # Oslo (0301, over 600,000) 0.98; Utsira (1151, about 200) 1.10; Seljord (0828, 2,979) 1.06
    assert capitation.socio_economic_factor("0301") == Decimal("0.98")
    assert capitation.socio_economic_factor("1151") == Decimal("1.10")
    assert capitation.socio_economic_factor("0828") == Decimal("1.06")
    assert capitation.raw_weight("F", "16-44", 0, "1151") == Decimal("1.1400") * Decimal("1.10")
    # the provenance names the index and its assumptions (shown with every statement)
    sets = {p["parameters"]: p for p in month_parameters(Period(2018, 5)).provenance()}
    assert "bands" in sets["socio_economic_index"]["assumptions"]


def test_a_malformed_band_table_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match="population_below"):
        SocioEconomicIndex.from_mapping(
            {"population_year": 2017, "bands": [{"factor": "1.1"}], "factor_above": "1"}
        )
    with pytest.raises(ValueError, match="must rise"):
        SocioEconomicIndex.from_mapping(
            {
                "population_year": 2017,
                "bands": [
                    {"population_below": 5000, "factor": "1"},
                    {"population_below": 2000, "factor": "1"},
                ],
                "factor_above": "1",
            }
        )
