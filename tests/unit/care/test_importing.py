"""Import files are validated whole: every problem named by line and field, or every row parsed."""

from __future__ import annotations

import datetime
import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pht.apps.care.importing import ContactRow, FileKind, ImportRefused, ResidentRow, parse_file
from pht.apps.care.pseudonym import PseudonymKeyMissing, pseudonymise
from pht.rules.target_groups import ContactKind

FNR_A = "09921663355"  # synthetic (month + 80): born 2016-12-09, male
FNR_B = "28881660808"  # synthetic: born 2016-08-28, female

RESIDENTS = (
    "fnr,gp_hpr,practice_orgnr,list_from,list_to,birth_date,sex\n"
    f"{FNR_A},908280003,108280026,2017-01-01,,2016-12-09,M\n"
    f"{FNR_B},908280003,108280026,2017-01-01,2019-02-19,,\n"
)


def test_a_good_residents_file_parses_every_row() -> None:
    parsed = parse_file(RESIDENTS.encode(), "list.csv", "residents", allow_synthetic=True)
    assert parsed.kind is FileKind.RESIDENTS
    assert parsed.rows == (
        ResidentRow(
            2,
            FNR_A,
            datetime.date(2016, 12, 9),
            "M",
            "908280003",
            "108280026",
            datetime.date(2017, 1, 1),
            None,
        ),
        ResidentRow(
            3,
            FNR_B,
            datetime.date(2016, 8, 28),
            "F",
            "908280003",
            "108280026",
            datetime.date(2017, 1, 1),
            datetime.date(2019, 2, 19),
        ),
    )


def test_one_bad_row_refuses_the_whole_file_naming_line_and_field() -> None:
    bad = (
        RESIDENTS
        + f"{FNR_A[:-1]}4,908280003,108280026,2017-01-01,,,\n"
        + f"{FNR_B},908280003,108280026,2017-13-01,,,\n"
    )
    with pytest.raises(ImportRefused) as refused:
        parse_file(bad.encode(), "list.csv", "residents", allow_synthetic=True)
    problems = [(p.line, p.field) for p in refused.value.problems]
    assert (4, "fnr") in problems
    assert (5, "list_from") in problems
    assert "line 4, field 'fnr'" in str(refused.value)


def test_real_register_refuses_synthetic_numbers() -> None:
    with pytest.raises(ImportRefused) as refused:
        parse_file(RESIDENTS.encode(), "list.csv", "residents", allow_synthetic=False)
    assert {p.field for p in refused.value.problems} >= {"fnr"}
    assert "synthetic" in refused.value.problems[0].message


def test_birth_date_must_agree_with_fnr_and_duplicates_are_refused() -> None:
    text = RESIDENTS + f"{FNR_A},908280003,108280026,2018-01-01,,2016-12-10,M\n"
    with pytest.raises(ImportRefused) as refused:
        parse_file(text.encode(), "list.csv", "residents", allow_synthetic=True)
    assert [(p.line, p.field) for p in refused.value.problems] == [(4, "birth_date")]
    text = RESIDENTS + f"{FNR_A},908280003,108280026,2018-01-01,,,\n"
    with pytest.raises(ImportRefused, match="duplicate of line 2"):
        parse_file(text.encode(), "list.csv", "residents", allow_synthetic=True)


def test_missing_and_unknown_columns_are_refused() -> None:
    with pytest.raises(ImportRefused) as refused:
        parse_file(b"fnr,kind,colour\n1,2,3\n", "c.csv", "contacts", allow_synthetic=True)
    assert {(p.field, p.message) for p in refused.value.problems} == {
        ("contact_date", "column is missing"),
        ("colour", "unknown column"),
    }


def test_contacts_parquet_with_lake_kinds_and_bad_code() -> None:
    table = pa.table(
        {
            "fnr": [FNR_A, FNR_B, FNR_A],
            "contact_date": [datetime.date(2019, 1, 2)] * 3,
            "kind": ["gp_day", "out_of_hours", "nurse"],
            "icpc2": ["T90", None, "Q99"],
        }
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    with pytest.raises(ImportRefused) as refused:
        parse_file(buffer.getvalue(), "contacts.parquet", "contacts", allow_synthetic=True)
    assert [(p.line, p.field) for p in refused.value.problems] == [(3, "icpc2")]
    buffer = io.BytesIO()
    pq.write_table(table.slice(0, 2), buffer)
    parsed = parse_file(buffer.getvalue(), "contacts.parquet", "contacts", allow_synthetic=True)
    assert parsed.rows == (
        ContactRow(1, FNR_A, datetime.date(2019, 1, 2), ContactKind.GP, "T90", ""),
        ContactRow(2, FNR_B, datetime.date(2019, 1, 2), ContactKind.OUT_OF_HOURS, "", ""),
    )


def test_semicolon_csv_and_a_stable_digest() -> None:
    text = f"fnr;icpc2;diagnosed_on\n{FNR_A};k86;2018-05-05\n"
    first = parse_file(text.encode(), "d.csv", "diagnoses", allow_synthetic=True)
    again = parse_file(text.encode(), "d.csv", "diagnoses", allow_synthetic=True)
    assert first.rows[0].icpc2 == "K86"
    assert first.sha256 == again.sha256


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="0123456789,-;\n ab", max_size=200))
def test_arbitrary_bytes_are_refused_or_parsed_never_crash(text: str) -> None:
    try:
        parsed = parse_file(
            ("fnr,icpc2,diagnosed_on\n" + text).encode(), "x.csv", "diagnoses", allow_synthetic=True
        )
    except ImportRefused as refused:
        assert refused.problems
        assert all(p.field for p in refused.problems)
    else:
        assert parsed.rows


def test_pseudonyms_are_keyed_and_stable(monkeypatch: pytest.MonkeyPatch) -> None:
    key = b"k" * 32
    assert pseudonymise(FNR_A, key) == pseudonymise(FNR_A, key)
    assert pseudonymise(FNR_A, key) != pseudonymise(FNR_B, key)
    assert pseudonymise(FNR_A, key) != pseudonymise(FNR_A, b"x" * 32)
    assert FNR_A not in pseudonymise(FNR_A, key)
    monkeypatch.delenv("PHT_PSEUDONYM_KEY", raising=False)
    with pytest.raises(PseudonymKeyMissing):
        pseudonymise(FNR_A)
    monkeypatch.setenv("PHT_PSEUDONYM_KEY", "k" * 32)
    assert pseudonymise(FNR_A) == pseudonymise(FNR_A, key)
