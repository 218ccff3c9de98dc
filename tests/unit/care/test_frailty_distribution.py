"""The synthetic population's frailty: the eFI's published category shares among residents 65+.

Clegg et al. 2016 (Age and Ageing 45:353-360) report, for the eFI's development cohort aged 65+:
fit ~50 %, mild ~35 %, moderate ~12 %, severe ~3 %. The synthetic morbidity is calibrated to that
(``synth_morbidity.toml``); this test generates a seeded lake and measures it.
"""

from __future__ import annotations

import argparse
import datetime
from collections import Counter
from pathlib import Path

import pytest

from pht.engine.care import frailty_shares, stratify_lake
from pht.refdata.params import load_parameters
from pht.rules.frailty import FrailtyIndexParameters
from pht.rules.target_groups import TargetGroupParameters

ON = datetime.date(2021, 12, 31)
PUBLISHED = {"fit": 0.50, "mild": 0.35, "moderate": 0.12, "severe": 0.03}  # Clegg et al. 2016
FRAILTY = FrailtyIndexParameters.from_mapping(load_parameters("frailty_index", ON).values)
GROUPS = TargetGroupParameters.from_mapping(load_parameters("target_groups", ON).values)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pht.synth.lake import run, select_municipalities
    from pht.synth.pilot import default_pilot

    out = tmp_path_factory.mktemp("frailty") / "lake"
    run(
        out,
        select_municipalities(["0828", "1401", "0826"]),  # Seljord, Flora, Tinn: ~3,800 residents 65+
        seed=2017,
        first_year=2015,
        last_year=2021,
        pilot=default_pilot(2017),
        jobs=1,
        progress=False,
    )
    return out


def _categories_65_plus(lake: Path) -> Counter[str]:
    table = stratify_lake(lake, ON, GROUPS, FRAILTY).to_pyarrow()
    return Counter(
        category
        for age, category in zip(
            table.column("age").to_pylist(), table.column("frailty_category").to_pylist(), strict=True
        )
        if age >= 65
    )


def test_frailty_categories_among_65_plus_are_within_5_points_of_the_efi(lake: Path) -> None:
    counts = _categories_65_plus(lake)
    total = sum(counts.values())
    assert total > 3000, "the test needs a population large enough to measure shares"
    for category, published in PUBLISHED.items():
        share = counts[category] / total
        assert abs(share - published) <= 0.05, f"{category}: {share:.3f} vs published {published}"


def test_the_synthetic_records_carry_every_deficit_that_has_evidence(lake: Path) -> None:
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    codes = set()
    for name, column in (("conditions", "icpc2"), ("contacts", "icpc2")):
        table = ds.dataset(str(lake / name), format="parquet").to_table(columns=[column])
        codes |= set(pc.unique(table.column(column).cast("string")).to_pylist())
    with_codes = [d for d in FRAILTY.deficits if d.codes]
    missing = [d.key for d in with_codes if not d.codes & codes]
    assert missing == []
    assert len(with_codes) >= 33  # 36 minus housebound and requirement for care (services) and polypharmacy


def test_stratify_command_reports_the_shares(lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pht.apps.care.commands import run_stratify

    args = argparse.Namespace(lake=lake, on=ON, practices=None, out=lake.parent / "s.csv", threads=1)
    assert run_stratify(args) == 0
    printed = capsys.readouterr().out
    counts = _categories_65_plus(lake)
    total = sum(counts.values())
    assert "residents aged 65+" in printed
    for category in PUBLISHED:
        line = next(line for line in printed.splitlines() if line.strip().startswith(category + " "))
        assert f"{counts[category]:,}" in line
        assert f"{100 * counts[category] / total:6.2f} %" in line


def test_frailty_shares_count_only_the_aged() -> None:
    import pyarrow as pa

    table = pa.table(
        {"age": [64, 65, 80, 90, 30], "frailty_category": ["severe", "fit", "mild", "fit", "mild"]}
    )
    shares = frailty_shares(table)
    assert shares["aged"]["residents"] == 3
    assert shares["fit"] == {"residents": 2, "share": 2 / 3}
    assert shares["mild"]["residents"] == 1
    assert shares["severe"]["residents"] == 0
