import csv
import io
import json

import pytest

from pht.cli import main


def run(capsys, *args):
    code = main(["municipalities", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_csv_has_426_rows_with_counts_per_size_class(capsys):
    code, out, _ = run(capsys, "--year", "2017", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert out.splitlines()[0] == "kommunenummer,name,county,population,size_class"
    assert len(rows) == 426
    sizes = [r["size_class"] for r in rows]
    assert (sizes.count("small"), sizes.count("medium"), sizes.count("large")) == (225, 144, 57)
    by_number = {r["kommunenummer"]: r for r in rows}
    assert by_number["0828"]["size_class"] == "small"
    assert by_number["1401"]["size_class"] == "medium"
    assert by_number["1833"]["size_class"] == "large"


def test_size_class_filter_and_json(capsys):
    code, out, _ = run(capsys, "--size-class", "large", "--format", "json")
    records = json.loads(out)
    assert code == 0 and len(records) == 57
    assert all(r["size_class"] == "large" and "over 20,000" in r["reason"] for r in records)


def test_unknown_year_is_refused(capsys):
    code, _, err = run(capsys, "--year", "1999")
    assert code == 2 and "no reference data for year 1999" in err


def test_unknown_size_class_is_refused():
    with pytest.raises(SystemExit):
        main(["municipalities", "--size-class", "huge"])
