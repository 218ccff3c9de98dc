"""Cells for CSV and XLSX exports, safe to open in a spreadsheet (OWASP "CSV injection").

Every export (pages and commands) writes its rows through ``export_row``: a text cell that a
spreadsheet would read as a formula, one starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return, which some spreadsheets strip before looking), gets a leading apostrophe, so it stays text.
Numbers are not text and are never touched, so a negative amount stays a number.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet shows it but never evaluates it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export_cell(value: Any, *, numbers_as_text: bool = True) -> Any:
    """One cell: numbers as their text (or kept as numbers for XLSX), dates in ISO form, empty for None,
    anything else as neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value) if numbers_as_text else value
    if isinstance(value, int | float | Decimal):
        return str(value) if numbers_as_text else value
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return neutralise(str(value))


def export_row(values: Iterable[Any], *, numbers_as_text: bool = True) -> list[Any]:
    return [export_cell(value, numbers_as_text=numbers_as_text) for value in values]
