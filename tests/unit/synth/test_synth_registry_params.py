"""The registry generator's numbers are versioned parameter data (synth_registry.toml), typed and checked."""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pht.refdata import Municipality, load_parameters, municipalities
from pht.refdata.params import PARAMS_DIR, ParameterError
from pht.synth.registry import RegistryParameters, generate_municipality, registry_parameters

SHIPPED = (PARAMS_DIR / "synth_registry.toml").read_text(encoding="utf-8")


def _with_line(key: str, line: str) -> str:
    """The shipped file with the line of ``key`` replaced by ``line``."""
    lines = SHIPPED.splitlines()
    index = next(i for i, text in enumerate(lines) if text.startswith(f"{key} = "))
    lines[index] = line
    return "\n".join(lines) + "\n"


def test_shipped_parameters_are_the_generators_and_every_one_is_labelled() -> None:
    version = load_parameters("synth_registry", datetime.date(2017, 1, 1))
    params = registry_parameters()
    assert params == RegistryParameters(
        inhabitants_per_gp=1100,
        max_gps_per_practice=8,
        practice_size_weights=(0.10, 0.14, 0.17, 0.18, 0.15, 0.11, 0.08, 0.07),
        list_caps=(800, 1000, 1200, 1400, 1500, 1800, 2000),
        list_share_gamma_shape=25.0,
        street_number_max=59,
    )
    # Every number says why it was chosen; the one with a published figure names it.
    assert set(version.assumptions) == set(version.values)
    assert "1,106" in version.source and "1,106" in version.assumption("inhabitants_per_gp")


@pytest.mark.parametrize(
    ("key", "line"),
    [
        ("inhabitants_per_gp", 'inhabitants_per_gp = "1100"'),
        ("inhabitants_per_gp", "inhabitants_per_gp = 0"),
        ("inhabitants_per_gp", "inhabitants_per_gp = 1100.5"),
        ("max_gps_per_practice", "max_gps_per_practice = true"),
        ("practice_size_weights", "practice_size_weights = [0.10, 0.14, 0.17]"),  # 3 weights for 8 sizes
        (
            "practice_size_weights",
            "practice_size_weights = [0.10, 0.14, -0.17, 0.18, 0.15, 0.11, 0.08, 0.07]",
        ),
        ("practice_size_weights", "practice_size_weights = [0.0, 0.14, 0.17, 0.18, 0.15, 0.11, 0.08, 0.07]"),
        ("practice_size_weights", 'practice_size_weights = [0.10, "x", 0.17, 0.18, 0.15, 0.11, 0.08, 0.07]'),
        ("practice_size_weights", "practice_size_weights = [0.10, nan, 0.17, 0.18, 0.15, 0.11, 0.08, 0.07]"),
        ("list_caps", "list_caps = [1000, 800, 1200]"),
        ("list_caps", "list_caps = []"),
        ("list_caps", "list_caps = [800, 1000.5]"),
        ("list_share_gamma_shape", "list_share_gamma_shape = 0.0"),
        ("list_share_gamma_shape", "list_share_gamma_shape = inf"),
        ("list_share_gamma_shape", 'list_share_gamma_shape = "25"'),
        ("street_number_max", "street_number_max = -1"),
    ],
)
def test_malformed_value_is_refused_naming_file_and_key(tmp_path: Path, key: str, line: str) -> None:
    (tmp_path / "synth_registry.toml").write_text(_with_line(key, line), encoding="utf-8")
    with pytest.raises(ParameterError) as info:
        registry_parameters(directory=tmp_path)
    message = str(info.value)
    assert message.startswith("synth_registry.toml, version 2015-01-01, field ")
    assert repr(key) in message


def test_missing_key_is_refused() -> None:
    values = dict(load_parameters("synth_registry", datetime.date(2017, 1, 1)).values)
    del values["list_caps"]
    with pytest.raises(ParameterError, match=r"^synth_registry\.toml, field 'list_caps': .* it is missing$"):
        RegistryParameters.from_mapping(values)


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    text = SHIPPED.replace("street_number_max = 59", "street_number_max = 59\ninhabitants_per_gps = 900")
    (tmp_path / "synth_registry.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError, match=r"synth_registry\.toml.*unknown keys \['inhabitants_per_gps'\]"):
        registry_parameters(directory=tmp_path)


def test_generator_follows_the_parameters() -> None:
    oslo = next(m for m in municipalities(2017) if m.kommunenummer == "0301")
    shipped = registry_parameters()
    assert generate_municipality(oslo, 5) == generate_municipality(oslo, 5, shipped)
    denser = dataclasses.replace(
        shipped, inhabitants_per_gp=550, max_gps_per_practice=2, practice_size_weights=(1.0, 1.0)
    )
    practices = generate_municipality(oslo, 5, denser)
    gps = [gp for p in practices for gp in p.gps]
    assert len(gps) == round(oslo.population / 550)
    assert {len(p.gps) for p in practices} == {1, 2}
    assert sum(gp.list_size for gp in gps) == oslo.population


@st.composite
def _parameters(draw: st.DrawFn) -> RegistryParameters:
    sizes = draw(st.integers(1, 10))
    weights = draw(st.lists(st.floats(0, 5), min_size=sizes - 1, max_size=sizes - 1))
    caps = draw(st.lists(st.integers(1, 3000), min_size=1, max_size=8, unique=True))
    return RegistryParameters.from_mapping(
        {
            "inhabitants_per_gp": draw(st.integers(100, 5000)),  # at most 300 GPs: quick
            "max_gps_per_practice": sizes,
            "practice_size_weights": [draw(st.floats(0.01, 5)), *weights],
            "list_caps": sorted(caps),
            "list_share_gamma_shape": draw(st.floats(0.5, 100)),
            "street_number_max": draw(st.integers(1, 200)),
        }
    )


@settings(max_examples=60, deadline=None)
@given(params=_parameters(), population=st.integers(1, 30_000), seed=st.integers(0, 2**32 - 1))
def test_any_valid_parameters_give_a_consistent_registry(
    params: RegistryParameters, population: int, seed: int
) -> None:
    municipality = Municipality(
        2017, "0828", "Seljord", "08", "Telemark", population, datetime.date(2017, 1, 1)
    )
    practices = generate_municipality(municipality, seed, params)
    gps = [gp for p in practices for gp in p.gps]
    assert len(gps) == max(1, round(population / params.inhabitants_per_gp))
    assert all(1 <= len(p.gps) <= params.max_gps_per_practice for p in practices)
    assert sum(gp.list_size for gp in gps) == population
    assert all(gp.list_size <= gp.list_cap for gp in gps)
    assert all(gp.list_cap in params.list_caps or gp.list_cap == gp.list_size for gp in gps)
    assert all(1 <= int(p.address.rsplit(" ", 1)[1]) <= params.street_number_max for p in practices)
