from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pht.synth.lake import MANIFEST, run, select_municipalities
from pht.synth.pilot import default_pilot


def _checksums(lake: Path) -> dict[str, str]:
    return {
        str(p.relative_to(lake)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(lake.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_byte_identical_files(small_lake: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    run(
        again,
        select_municipalities(["0828", "1401"]),
        seed=11,
        first_year=2015,
        last_year=2021,
        pilot=default_pilot(11),
        jobs=2,
        progress=False,
    )
    first, second = _checksums(small_lake), _checksums(again)
    assert first == second
    assert MANIFEST in first and len(first) > 50
    manifest = json.loads((again / MANIFEST).read_text())
    assert manifest["files"] == {k: v for k, v in second.items() if k != MANIFEST}
    # the truth is among the identical files, and it is not empty
    assert "truth/year=2020/k1401.parquet" in first
    assert manifest["datasets"]["truth"]["rows"] > 100


def test_another_seed_gives_different_data(small_lake: Path, make_lake) -> None:  # type: ignore[no-untyped-def]
    other = make_lake(seed=12)
    first, second = _checksums(small_lake), _checksums(other)
    shared = set(first) & set(second)
    assert "residents/k1401.parquet" in shared
    for name in ("residents/k1401.parquet", "contacts/year=2018/k1401.parquet", "conditions/k0828.parquet"):
        assert first[name] != second[name], name


def test_a_municipality_is_the_same_alone_as_in_company(small_lake: Path, make_lake) -> None:  # type: ignore[no-untyped-def]
    alone = _checksums(make_lake(("0828",)))
    together = _checksums(small_lake)
    files = [f for f in alone if f != MANIFEST]
    assert files and all(alone[f] == together[f] for f in files)
