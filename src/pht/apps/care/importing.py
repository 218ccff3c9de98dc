"""Reading and validating a practice's list extract (CSV or Parquet), before anything touches the database.

Three file kinds, one row per record (formats in docs/care.md, "Import formats"):

- ``residents``: fnr, gp_hpr, practice_orgnr, list_from, [list_to], [birth_date], [sex]
- ``contacts``: fnr, contact_date, kind, [icpc2], [gp_hpr], [contact_id]
- ``diagnoses``: fnr, icpc2, diagnosed_on

A file is read whole and every row checked; if any row is wrong the file is refused whole with every
problem listed by line (CSV: the header is line 1) or row (Parquet: first row is 1) and field. Nothing
here writes: the caller stores the parsed rows in one transaction (``actions.import_file``).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from pht.rules.identifiers import InvalidIdentifier, check_hpr, check_orgnr, check_person_id
from pht.rules.target_groups import Contact, ContactKind, Diagnosis, ResidentHistory

MAX_PROBLEMS = 200


class FileKind(StrEnum):
    RESIDENTS = "residents"
    CONTACTS = "contacts"
    DIAGNOSES = "diagnoses"


COLUMNS: dict[FileKind, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind -> (required columns, optional columns)
    FileKind.RESIDENTS: (("fnr", "gp_hpr", "practice_orgnr", "list_from"), ("list_to", "birth_date", "sex")),
    FileKind.CONTACTS: (("fnr", "contact_date", "kind"), ("icpc2", "gp_hpr", "contact_id")),
    FileKind.DIAGNOSES: (("fnr", "icpc2", "diagnosed_on"), ()),
}

# Lake contact kinds are accepted too and mapped to PHT's kinds.
KIND_ALIASES: dict[str, ContactKind] = {kind.value: kind for kind in ContactKind} | {
    "gp_day": ContactKind.GP,
    "gp_evening": ContactKind.GP,
    "e_consultation": ContactKind.GP,
    "simple_contact": ContactKind.GP,
}


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, field {self.field!r}: {self.message}"


class ImportRefused(ValueError):
    """The whole file is refused; ``problems`` names every bad line and field (up to MAX_PROBLEMS)."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        shown = "\n".join(f"  {problem}" for problem in problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{source}: refused, {len(problems)} problem(s), nothing imported:\n{shown}{more}")


@dataclass(frozen=True)
class ResidentRow:
    line: int
    fnr: str
    birth_date: datetime.date
    sex: str
    gp_hpr: str
    practice_orgnr: str
    list_from: datetime.date
    list_to: datetime.date | None


@dataclass(frozen=True)
class ContactRow:
    line: int
    fnr: str
    contact_date: datetime.date
    kind: ContactKind
    icpc2: str
    gp_hpr: str
    contact_id: str = ""  # the source system's id; when given, it alone identifies the contact on re-import


@dataclass(frozen=True)
class DiagnosisRow:
    line: int
    fnr: str
    icpc2: str
    diagnosed_on: datetime.date


Row = ResidentRow | ContactRow | DiagnosisRow


@dataclass(frozen=True)
class ParsedFile:
    kind: FileKind
    source: str
    sha256: str
    rows: tuple[Row, ...]


@cache
def _icpc2() -> frozenset[str]:
    from pht.refdata import icpc2_codes

    return frozenset(code.code for code in icpc2_codes())


class _Fail(Exception):
    def __init__(self, field: str, message: str) -> None:
        self.field, self.message = field, message


def _text(record: Mapping[str, object], field: str, required: bool = True) -> str:
    value = record.get(field)
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise _Fail(field, "is required")
    return text


def _date(record: Mapping[str, object], field: str, required: bool = True) -> datetime.date | None:
    value = record.get(field)
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(record, field, required)
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise _Fail(field, f"{text!r} is not a date (YYYY-MM-DD)") from None


def _required_date(record: Mapping[str, object], field: str) -> datetime.date:
    value = _date(record, field)
    assert value is not None
    return value


def _ascii_digits(value: str, field: str) -> str:
    """Identifiers are the digits 0-9 only: a superscript or other Unicode digit is refused here, by line
    and field, before a check digit is computed from it."""
    if not value.isascii():
        raise _Fail(field, f"{value!r} must contain only the digits 0-9")
    return value


def _ident(check: Callable[..., object], record: Mapping[str, object], field: str, synthetic: bool) -> str:
    value = _ascii_digits(_text(record, field), field)
    try:
        result = check(value, field=field, allow_synthetic=synthetic)
    except InvalidIdentifier as exc:
        raise _Fail(field, exc.reason) from None
    except ValueError:
        raise _Fail(field, f"{value!r} is not a valid identifier") from None
    return result.number if hasattr(result, "number") else str(result)


def _code(record: Mapping[str, object], field: str, required: bool) -> str:
    code = _text(record, field, required).upper()
    if code and code not in _icpc2():
        raise _Fail(field, f"{code!r} is not an ICPC-2 code")
    return code


def _resident(line: int, record: Mapping[str, object], synthetic: bool) -> ResidentRow:
    fnr = _ascii_digits(_text(record, "fnr"), "fnr")
    try:
        person = check_person_id(fnr, field="fnr", allow_synthetic=synthetic)
    except InvalidIdentifier as exc:
        raise _Fail("fnr", exc.reason) from None
    except ValueError:
        raise _Fail("fnr", f"{fnr!r} is not a valid fødselsnummer") from None
    birth = _date(record, "birth_date", required=False)
    if birth is not None and birth != person.birth_date:
        raise _Fail("birth_date", f"{birth.isoformat()} disagrees with fnr ({person.birth_date.isoformat()})")
    sex = _text(record, "sex", required=False).upper() or person.sex
    if sex not in {"M", "F"}:
        raise _Fail("sex", f"{sex!r} must be M or F")
    list_from = _required_date(record, "list_from")
    list_to = _date(record, "list_to", required=False)
    if list_to is not None and list_to < list_from:
        raise _Fail("list_to", f"{list_to.isoformat()} is before list_from {list_from.isoformat()}")
    return ResidentRow(
        line=line,
        fnr=person.number,
        birth_date=person.birth_date,
        sex=sex,
        gp_hpr=_ident(check_hpr, record, "gp_hpr", synthetic),
        practice_orgnr=_ident(check_orgnr, record, "practice_orgnr", synthetic),
        list_from=list_from,
        list_to=list_to,
    )


def _fnr(record: Mapping[str, object], synthetic: bool) -> str:
    fnr = _ascii_digits(_text(record, "fnr"), "fnr")
    try:
        return check_person_id(fnr, field="fnr", allow_synthetic=synthetic).number
    except InvalidIdentifier as exc:
        raise _Fail("fnr", exc.reason) from None
    except ValueError:
        raise _Fail("fnr", f"{fnr!r} is not a valid fødselsnummer") from None


def _contact(line: int, record: Mapping[str, object], synthetic: bool) -> ContactRow:
    kind_text = _text(record, "kind").lower()
    if kind_text not in KIND_ALIASES:
        raise _Fail("kind", f"{kind_text!r} is not a contact kind ({', '.join(sorted(KIND_ALIASES))})")
    hpr = _text(record, "gp_hpr", required=False)
    return ContactRow(
        line=line,
        fnr=_fnr(record, synthetic),
        contact_date=_required_date(record, "contact_date"),
        kind=KIND_ALIASES[kind_text],
        icpc2=_code(record, "icpc2", required=False),
        gp_hpr=_ident(check_hpr, record, "gp_hpr", synthetic) if hpr else "",
        contact_id=_text(record, "contact_id", required=False),
    )


def _diagnosis(line: int, record: Mapping[str, object], synthetic: bool) -> DiagnosisRow:
    return DiagnosisRow(
        line=line,
        fnr=_fnr(record, synthetic),
        icpc2=_code(record, "icpc2", required=True),
        diagnosed_on=_required_date(record, "diagnosed_on"),
    )


PARSERS: dict[FileKind, Callable[[int, Mapping[str, object], bool], Row]] = {
    FileKind.RESIDENTS: _resident,
    FileKind.CONTACTS: _contact,
    FileKind.DIAGNOSES: _diagnosis,
}


def _records(data: bytes, name: str) -> tuple[list[str], list[tuple[int, dict[str, object]]]]:
    """Column names and (line, record) pairs; CSV lines count the header as 1, Parquet rows start at 1."""
    if name.lower().endswith(".parquet"):
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(pa.BufferReader(data))
        except (pa.ArrowInvalid, OSError) as exc:
            raise ImportRefused(name, [Problem(0, "file", f"not a readable Parquet file: {exc}")]) from None
        return table.column_names, [(index, row) for index, row in enumerate(table.to_pylist(), start=1)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(name, [Problem(0, "file", f"not UTF-8 text: {exc}")]) from None
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = [column.strip() for column in reader.fieldnames or []]
    reader.fieldnames = columns
    records = [(reader.line_num, dict(row)) for row in reader]
    return columns, records


def parse_file(data: bytes, name: str, kind: FileKind | str, *, allow_synthetic: bool = False) -> ParsedFile:
    """Parse and validate a whole file; raise ``ImportRefused`` listing every problem if any row is wrong."""
    kind = FileKind(kind)
    columns, records = _records(data, name)
    required, optional = COLUMNS[kind]
    problems = [Problem(1, column, "column is missing") for column in required if column not in columns]
    unknown = [column for column in columns if column not in required + optional]
    problems += [Problem(1, column, "unknown column") for column in unknown]
    if problems:
        raise ImportRefused(name, problems)
    if not records:
        raise ImportRefused(name, [Problem(1, "file", "has no rows")])
    parse = PARSERS[kind]
    rows: list[Row] = []
    seen: dict[tuple[object, ...], int] = {}
    for line, record in records:
        try:
            row = parse(line, record, allow_synthetic)
        except _Fail as fail:
            problems.append(Problem(line, fail.field, fail.message))
            if len(problems) >= MAX_PROBLEMS:
                break
            continue
        key = _natural_key(row)
        if key in seen:
            problems.append(Problem(line, "fnr", f"duplicate of line {seen[key]}"))
            continue
        seen[key] = line
        rows.append(row)
    if problems:
        raise ImportRefused(name, problems)
    return ParsedFile(kind=kind, source=name, sha256=hashlib.sha256(data).hexdigest(), rows=tuple(rows))


def _natural_key(row: Row) -> tuple[object, ...]:
    """What makes a row the same record on re-import (so importing twice equals importing once)."""
    if isinstance(row, ResidentRow):
        return ("resident", row.fnr)
    if isinstance(row, ContactRow):
        if row.contact_id:
            return ("contact", row.fnr, row.contact_id)
        return ("contact", row.fnr, row.contact_date, row.kind.value, row.icpc2, row.gp_hpr)
    return ("diagnosis", row.fnr, row.icpc2, row.diagnosed_on)


def natural_key(row: Row) -> tuple[object, ...]:
    return _natural_key(row)


def read_path(path: Path, kind: FileKind | str, *, allow_synthetic: bool = False) -> ParsedFile:
    return parse_file(path.read_bytes(), path.name, kind, allow_synthetic=allow_synthetic)


def histories(residents: ParsedFile, *others: ParsedFile) -> dict[str, ResidentHistory]:
    """Resident histories (by fnr) from parsed files, for ``pht.rules.target_groups.stratify``.

    Contacts give both a contact (by kind) and, where they carry an ICPC-2 code, a diagnosis dated that day.
    Rows about people not in ``residents`` are ignored (they are not on this list).
    """
    births = {row.fnr: row.birth_date for row in residents.rows if isinstance(row, ResidentRow)}
    diagnoses: dict[str, list[Diagnosis]] = {fnr: [] for fnr in births}
    contacts: dict[str, list[Contact]] = {fnr: [] for fnr in births}
    for parsed in others:
        for row in parsed.rows:
            if row.fnr not in births:
                continue
            if isinstance(row, ContactRow):
                contacts[row.fnr].append(Contact(row.contact_date, row.kind))
                if row.icpc2:
                    diagnoses[row.fnr].append(Diagnosis(row.icpc2, row.contact_date))
            elif isinstance(row, DiagnosisRow):
                diagnoses[row.fnr].append(Diagnosis(row.icpc2, row.diagnosed_on))
    return {
        fnr: ResidentHistory(fnr, birth, tuple(diagnoses[fnr]), tuple(contacts[fnr]))
        for fnr, birth in births.items()
    }
