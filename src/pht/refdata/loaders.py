"""Typed loaders for the reference data CSVs. A malformed row is refused with file, line and field."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"


class RefDataError(ValueError):
    def __init__(self, path: Path | str, line: int, field: str, message: str) -> None:
        name = Path(path).name if isinstance(path, Path) else path
        super().__init__(f"{name}, line {line}, field {field!r}: {message}")
        self.path = str(path)
        self.line = line
        self.field = field


@dataclass(frozen=True)
class Municipality:
    year: int
    kommunenummer: str
    name: str
    fylkesnummer: str
    county: str
    population: int
    population_date: datetime.date


@dataclass(frozen=True)
class MunicipalityMapping:
    kommunenummer_from: str
    name_from: str
    kommunenummer_to: str
    name_to: str
    county_to: str
    weighting: float


@dataclass(frozen=True)
class PopulationAgeRow:
    kommunenummer: str
    age: int  # 105 means 105 or older
    population: int


@dataclass(frozen=True)
class PopulationAgeSexRow:
    age: int  # 105 means 105 or older
    male: int
    female: int


@dataclass(frozen=True)
class IcpcCode:
    code: str
    chapter: str
    component: str  # symptom, process or diagnosis
    title_en: str
    title_nb: str
    short_title_nb: str


class _Row:
    """One CSV row with typed field access that names file, line and field on failure."""

    def __init__(self, path: Path, line: int, values: dict[str, str]) -> None:
        self.path, self.line, self.values = path, line, values

    def fail(self, field: str, message: str) -> RefDataError:
        return RefDataError(self.path, self.line, field, message)

    def text(self, field: str, *, required: bool = True) -> str:
        value = (self.values.get(field) or "").strip()
        if required and not value:
            raise self.fail(field, "is empty")
        return value

    def digits(self, field: str, length: int) -> str:
        value = self.text(field)
        if not (value.isdigit() and len(value) == length):
            raise self.fail(field, f"must be {length} digits, got {value!r}")
        return value

    def count(self, field: str, *, maximum: int | None = None) -> int:
        value = self.text(field)
        try:
            number = int(value)
        except ValueError:
            raise self.fail(field, f"must be a whole number, got {value!r}") from None
        if number < 0 or (maximum is not None and number > maximum):
            raise self.fail(field, f"must be between 0 and {maximum}, got {number}")
        return number

    def decimal(self, field: str) -> float:
        value = self.text(field)
        try:
            return float(value)
        except ValueError:
            raise self.fail(field, f"must be a number, got {value!r}") from None

    def date(self, field: str) -> datetime.date:
        value = self.text(field)
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise self.fail(field, f"must be a date YYYY-MM-DD, got {value!r}") from None


def read_rows(path: Path, required_columns: tuple[str, ...]) -> Iterator[_Row]:
    """Rows of a UTF-8 CSV with a header; refuses a missing column or a short row."""
    if not path.exists():
        raise RefDataError(path, 0, "-", "file not found")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required_columns if c not in (reader.fieldnames or [])]
        if missing:
            raise RefDataError(path, 1, missing[0], "column missing from header")
        for values in reader:
            line = reader.line_num
            if None in values.values() or None in values:
                raise RefDataError(path, line, "-", "row has a different number of fields than the header")
            yield _Row(path, line, values)


def _year_file(year: int, name: str) -> Path:
    path = DATA_DIR / str(year) / name
    if not path.exists():
        raise RefDataError(
            path, 0, "-", f"no reference data {name!r} for year {year}; have {available_years()}"
        )
    return path


def available_years() -> list[int]:
    return sorted(int(p.name) for p in DATA_DIR.iterdir() if p.is_dir() and p.name.isdigit())


def parse_municipalities(path: Path, year: int) -> list[Municipality]:
    result: list[Municipality] = []
    seen: set[str] = set()
    cols = ("kommunenummer", "name", "fylkesnummer", "fylke", "population", "population_date")
    for row in read_rows(path, cols):
        number = row.digits("kommunenummer", 4)
        county_number = row.digits("fylkesnummer", 2)
        if number[:2] != county_number:
            raise row.fail("fylkesnummer", f"{county_number} does not match kommunenummer {number}")
        if number in seen:
            raise row.fail("kommunenummer", f"{number} appears twice")
        seen.add(number)
        result.append(
            Municipality(
                year=year,
                kommunenummer=number,
                name=row.text("name"),
                fylkesnummer=county_number,
                county=row.text("fylke"),
                population=row.count("population"),
                population_date=row.date("population_date"),
            )
        )
    return result


@cache
def municipalities(year: int = 2017) -> tuple[Municipality, ...]:
    """Municipalities that existed on 1 January of ``year``, with their population then."""
    return tuple(parse_municipalities(_year_file(year, "municipalities.csv"), year))


def parse_population_by_age(path: Path) -> list[PopulationAgeRow]:
    return [
        PopulationAgeRow(
            row.digits("kommunenummer", 4), row.count("age", maximum=105), row.count("population")
        )
        for row in read_rows(path, ("kommunenummer", "age", "population"))
    ]


@cache
def municipality_population_by_age(year: int = 2017) -> tuple[PopulationAgeRow, ...]:
    """Residents by municipality and single year of age (both sexes; 105 = 105 or older)."""
    return tuple(parse_population_by_age(_year_file(year, "municipality_population_age.csv")))


def parse_population_by_age_sex(path: Path) -> list[PopulationAgeSexRow]:
    result = []
    for row in read_rows(path, ("age", "male", "female", "total")):
        item = PopulationAgeSexRow(row.count("age", maximum=105), row.count("male"), row.count("female"))
        if row.count("total") != item.male + item.female:
            raise row.fail("total", "is not male + female")
        result.append(item)
    return result


@cache
def national_population_by_age_sex(year: int = 2017) -> tuple[PopulationAgeSexRow, ...]:
    return tuple(parse_population_by_age_sex(_year_file(year, "population_age_sex.csv")))


def parse_mapping(path: Path) -> list[MunicipalityMapping]:
    cols = ("kommunenummer_2017", "name_2017", "kommunenummer_2020", "name_2020", "fylke_2020", "weighting")
    result = []
    for row in read_rows(path, cols):
        weighting = row.decimal("weighting")
        if not 0 < weighting <= 1:
            raise row.fail("weighting", f"must be in (0, 1], got {weighting}")
        result.append(
            MunicipalityMapping(
                row.digits("kommunenummer_2017", 4),
                row.text("name_2017"),
                row.digits("kommunenummer_2020", 4),
                row.text("name_2020"),
                row.text("fylke_2020"),
                weighting,
            )
        )
    return result


@cache
def municipality_mapping(to_year: int = 2020) -> tuple[MunicipalityMapping, ...]:
    """How each 2017 municipality maps onto the structure of ``to_year`` (splits carry weightings)."""
    return tuple(parse_mapping(_year_file(to_year, "municipality_mapping_from_2017.csv")))


_COMPONENTS = {"symptom", "process", "diagnosis"}


def parse_icpc2(path: Path) -> list[IcpcCode]:
    result = []
    for row in read_rows(path, ("code", "chapter", "component", "title_en", "title_nb", "short_title_nb")):
        component = row.text("component")
        if component not in _COMPONENTS:
            raise row.fail("component", f"must be one of {sorted(_COMPONENTS)}, got {component!r}")
        result.append(
            IcpcCode(
                code=row.text("code"),
                chapter=row.text("chapter", required=False),
                component=component,
                title_en=row.text("title_en", required=False),
                title_nb=row.text("title_nb", required=False) or row.text("short_title_nb"),
                short_title_nb=row.text("short_title_nb"),
            )
        )
    return result


@cache
def icpc2_codes() -> tuple[IcpcCode, ...]:
    """ICPC-2 codes with English and Norwegian titles (English v6.0 of 2018, Norwegian list of 2020)."""
    return tuple(parse_icpc2(DATA_DIR / "icpc2" / "icpc2_codes.csv"))
