"""The scheme's pure commands, run in-process through their own parser (no Django)."""

import argparse
import json
from pathlib import Path

import pytest

from pht.apps.scheme.commands import register
from pht.command import CommandError


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="pht")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args))


def test_grants_compute_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        "grants", "compute", "--gps", "10", "--from", "2018-04-01", "--to", "2021-03-31", "--format", "json"
    )
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == [
        {"year": 2018, "days": 275, "practice_grant": "2260273.97", "municipality_grant": "376712.33"},
        {"year": 2019, "days": 365, "practice_grant": "3000000.00", "municipality_grant": "500000.00"},
        {"year": 2020, "days": 366, "practice_grant": "3000000.00", "municipality_grant": "500000.00"},
        {"year": 2021, "days": 90, "practice_grant": "739726.03", "municipality_grant": "123287.67"},
    ]


def test_grants_compute_refuses_reversed_period() -> None:
    with pytest.raises(CommandError, match="before its start"):
        run("grants", "compute", "--gps", "1", "--from", "2019-01-02", "--to", "2019-01-01")


SELECTION = {
    "constraints": {
        "per_size_class": {"small": 1, "large": 1},
        "gps_min": 10,
        "gps_max": 40,
        "min_per_model": {"fee": 1, "capitation": 1},
        "max_per_county": None,
    },
    "candidates": [
        {
            "id": "0828",
            "size_class": "small",
            "gps": 4,
            "score": 3.8,
            "models": ["fee"],
            "county": "Telemark",
        },
        {
            "id": "1519",
            "size_class": "small",
            "gps": 3,
            "score": 4.1,
            "models": ["capitation"],
            "county": "Møre",
        },
        {"id": "1001", "size_class": "large", "gps": 30, "score": 4.0, "models": ["fee"], "county": "Agder"},
    ],
    "locked_in": [],
    "locked_out": [],
}


def test_selection_solve_prints_the_documented_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(SELECTION), encoding="utf-8")
    assert run("selection", "solve", str(path)) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"status", "chosen", "total_score", "total_gps", "explanation"}
    assert out["status"] == "optimal"
    assert out["chosen"] == ["1001", "1519"]
    assert out["total_gps"] == 33
    assert out["total_score"] == pytest.approx(8.1)


def test_selection_solve_infeasible_names_constraints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    constraints = {**SELECTION["constraints"], "gps_min": None, "min_per_model": {}}  # type: ignore[dict-item]
    problem = {**SELECTION, "constraints": constraints, "locked_out": ["1001"]}
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem), encoding="utf-8")
    assert run("selection", "solve", str(path), "--details") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "infeasible"
    assert {c["group"] for c in out["conflict"]} == {"per_size_class[large]", "locked_out[1001]"}


def test_selection_solve_bad_json(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        run("selection", "solve", str(path))


def _export(submitted_at: str) -> dict[str, object]:
    return {
        "format": "pht.application/1",
        "applicant": {"kind": "municipality", "kommunenummer": "0828", "name": "Seljord"},
        "size_class": "small",
        "submitted_at": submitted_at,
        "practices": [
            {
                "orgnr": "100000001",
                "name": "Seljord legesenter",
                "kommunenummer": "0828",
                "gps": ["908280001", "908280002"],
                "registry_gps": ["908280001", "908280002"],
                "financing_model": "fee",
                "team_lead": "908280001",
                "nurse_fte": "0.7",
                "secretary_fte": "0.5",
            }
        ],
    }


def test_eligibility_check_passes_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_export("2017-10-15T23:59:59+02:00")), encoding="utf-8")
    assert run("eligibility", "check", str(good)) == 0
    out = capsys.readouterr().out
    # Population from reference data (Seljord, 1 Jan 2017) gives the size class.
    assert "PASS  eligibility.size_class" in out and "eligible" in out

    late = tmp_path / "late.json"
    late.write_text(json.dumps(_export("2017-10-16T00:00:00+02:00")), encoding="utf-8")
    assert run("eligibility", "check", str(late), "--format", "json") == 1
    report = json.loads(capsys.readouterr().out)
    failed = [v["rule"] for v in report["verdicts"] if not v["passed"]]
    assert failed == ["eligibility.submitted_in_time"]


def test_eligibility_check_names_bad_field(tmp_path: Path) -> None:
    document = _export("2017-10-15T12:00:00+02:00")
    document["practices"][0]["nurse_fte"] = "lots"  # type: ignore[index]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CommandError, match="practice 100000001, field 'nurse_fte'"):
        run("eligibility", "check", str(path))


def test_pure_commands_do_not_set_up_django(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "problem.json"
    path.write_text(json.dumps(SELECTION), encoding="utf-8")
    code = (
        "import sys; from pht.cli import main; "
        f"rc = main(['selection', 'solve', {str(path)!r}]); "
        "main(['grants', 'compute', '--gps', '1', '--from', '2019-01-01', '--to', '2019-12-31']); "
        "print('DJANGO' if 'django.db.models' in sys.modules else 'PURE', rc)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().endswith("PURE 0")
