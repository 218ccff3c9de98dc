"""Small synthetic lakes shared by the synth tests (generated once per test session)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pht.synth.lake import run, select_municipalities
from pht.synth.pilot import DEFAULT_EFFECTS, Effects, default_pilot, no_pilot

SMALL = ("0828", "1401")  # Seljord (small) and Flora (medium), both with pilot practices

LakeFactory = Callable[..., Path]


@pytest.fixture(scope="session")
def make_lake(tmp_path_factory: pytest.TempPathFactory) -> LakeFactory:
    cache: dict[tuple[object, ...], Path] = {}

    def make(
        codes: tuple[str, ...] = SMALL,
        seed: int = 11,
        years: tuple[int, int] = (2015, 2021),
        effects: Effects | None = DEFAULT_EFFECTS,
        tag: str = "",
        confounding: bool = True,
    ) -> Path:
        key = (codes, seed, years, effects, tag, confounding)
        if key not in cache:
            out = tmp_path_factory.mktemp("lake")
            pilot = no_pilot() if effects is None else default_pilot(seed, effects)
            run(
                out,
                select_municipalities(list(codes)),
                seed=seed,
                first_year=years[0],
                last_year=years[1],
                pilot=pilot,
                jobs=1,
                progress=False,
                confounding=confounding,
            )
            cache[key] = out
        return cache[key]

    return make


@pytest.fixture(scope="session")
def small_lake(make_lake: LakeFactory) -> Path:
    return make_lake()
