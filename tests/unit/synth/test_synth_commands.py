from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from pht.command import CommandError
from pht.synth import commands


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pht")
    commands.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_pht_synth_writes_a_lake_with_a_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "lake"
    args = _parse(
        [
            "synth",
            "--municipalities",
            "0828",
            "--years",
            "2016-2017",
            "--seed",
            "4",
            "--out",
            str(out),
            "--effects",
            "zero",
            "--effect",
            "prem_shift_sd=0.5",
            "--quiet",
            "--jobs",
            "1",
            "--confounding",
            "off",
        ]
    )
    assert args.handler(args) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["confounding"] is False
    # 2016-2017 is before the pilot: no effect applied, so the truth is empty (but written)
    assert manifest["datasets"]["truth"]["rows"] == 0
    assert (out / "truth" / "year=2017" / "k0828.parquet").exists()
    assert manifest["municipalities"] == ["0828"] and manifest["years"] == [2016, 2017]
    assert manifest["true_effects"]["prem_shift_sd"] == 0.5
    assert manifest["true_effects"]["acute_admission_rr"] == 1.0
    assert (out / "contacts" / "year=2016" / "k0828.parquet").exists()
    assert "residents" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--municipalities", "9999"], "unknown kommunenummer"),
        (["--municipalities", "0828", "--years", "2018-2021"], "must include 2017"),
        (["--municipalities", "0828", "--years", "2021-2015"], "after"),
        (["--municipalities", "0828", "--effect", "happiness=2"], "unknown effect"),
        (["--municipalities", "0828", "--effect", "acute_admission_rr=0"], "rate ratio"),
        (["--county", "Atlantis"], "no county"),
        ([], "choose what to generate"),
    ],
)
def test_user_errors_are_command_errors(tmp_path: Path, argv: list[str], message: str) -> None:
    args = _parse(["synth", *argv, "--out", str(tmp_path / "x"), "--quiet"])
    with pytest.raises(CommandError, match=message):
        args.handler(args)


def test_confounding_is_on_by_default_and_only_on_or_off() -> None:
    assert _parse(["synth", "--municipalities", "0828", "--out", "x"]).confounding == "on"
    with pytest.raises(SystemExit):
        _parse(["synth", "--municipalities", "0828", "--out", "x", "--confounding", "maybe"])


def test_a_non_empty_directory_that_is_not_a_lake_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    args = _parse(["synth", "--municipalities", "0828", "--years", "2017", "--out", str(tmp_path), "--quiet"])
    with pytest.raises(CommandError, match="not empty"):
        args.handler(args)
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_county_selection() -> None:
    args = _parse(["synth", "--county", "Sogn og Fjordane", "--out", "x"])
    chosen = commands.selection(args)
    assert {m.kommunenummer for m in chosen} >= {"1401", "1443"}
    assert all(m.fylkesnummer == "14" for m in chosen)
