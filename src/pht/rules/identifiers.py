"""Validation of Norwegian identifiers where they enter PHT.

Fødselsnummer and D-nummer, organisation number, HPR number and kommunenummer. Check digits
come from python-stdnum; what stdnum does not cover (D/H-number dates, the synthetic series,
HPR and kommunenummer formats) is done here. Every refusal names the field and what is wrong.

Synthetic series (accepted only where synthetic data is allowed: demo and tests):
- fødselsnummer: birth month + 80, the convention of Norway's official synthetic test
  population (Skatteetaten's Tenor); such a number can never be issued to a real person.
- organisation number: first digit 1-7. The Brønnøysund Register Centre issues numbers
  starting with 8 or 9 only, so these can never be a real organisation's.
- HPR number: 9 digits starting with 9 (900000000 and up), far above the numbers the
  Health Personnel Register has issued; HPR numbers carry no check digit.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from stdnum.no import fodselsnummer as stdnum_fnr
from stdnum.no import orgnr as stdnum_orgnr

SYNTHETIC_MONTH_OFFSET = 80
D_NUMBER_DAY_OFFSET = 40
H_NUMBER_MONTH_OFFSET = 40
SYNTHETIC_HPR_FLOOR = 900_000_000
HPR_MIN_DIGITS, HPR_MAX_DIGITS = 7, 9  # assumption for the lower bound: see check_hpr


class InvalidIdentifier(ValueError):
    """A refused identifier: ``field`` names the field, ``reason`` says what is wrong."""

    def __init__(self, field: str, value: str, reason: str) -> None:
        super().__init__(f"{field} {value!r}: {reason}")
        self.field = field
        self.value = value
        self.reason = reason


class PersonIdKind(StrEnum):
    FODSELSNUMMER = "fødselsnummer"
    D_NUMMER = "D-nummer"
    H_NUMMER = "H-nummer"


@dataclass(frozen=True)
class PersonId:
    number: str
    kind: PersonIdKind
    birth_date: datetime.date
    sex: str  # "M" or "F", from the ninth digit
    synthetic: bool


def _digits(field: str, value: str, length: int) -> str:
    number = value.replace(" ", "").replace("-", "").strip()
    if not number.isdigit():
        raise InvalidIdentifier(field, value, "must contain digits only")
    if len(number) != length:
        raise InvalidIdentifier(field, value, f"must have {length} digits, has {len(number)}")
    return number


def _century(field: str, value: str, individual: int, yy: int) -> int:
    # Individual number ranges from Skatteetaten's rules for the birth century.
    if individual < 500:
        return 1900
    if individual < 750 and yy >= 54:
        return 1800
    if individual < 1000 and yy < 40:
        return 2000
    if individual >= 900 and yy >= 40:
        return 1900
    raise InvalidIdentifier(field, value, "individual number and year give no valid birth century")


def check_person_id(value: str, *, field: str = "fødselsnummer", allow_synthetic: bool = False) -> PersonId:
    """Validate a fødselsnummer, D-nummer or H-nummer; raise InvalidIdentifier naming the fault."""
    number = _digits(field, value, 11)
    expected1 = stdnum_fnr.calc_check_digit1(number[:9])
    if expected1 == "10" or number[9] != expected1:
        raise InvalidIdentifier(field, value, f"first check digit is {number[9]}, expected {expected1[-1]}")
    expected2 = stdnum_fnr.calc_check_digit2(number[:10])
    if expected2 == "10" or number[10] != expected2:
        raise InvalidIdentifier(field, value, f"second check digit is {number[10]}, expected {expected2[-1]}")
    day, month, yy, individual = int(number[0:2]), int(number[2:4]), int(number[4:6]), int(number[6:9])
    kind = PersonIdKind.FODSELSNUMMER
    if day > D_NUMBER_DAY_OFFSET:
        kind, day = PersonIdKind.D_NUMMER, day - D_NUMBER_DAY_OFFSET
    synthetic = month > SYNTHETIC_MONTH_OFFSET
    if synthetic:
        month -= SYNTHETIC_MONTH_OFFSET
        if not allow_synthetic:
            raise InvalidIdentifier(
                field,
                value,
                "is a synthetic test number (birth month + 80), accepted only in demo and test data",
            )
    elif month > H_NUMBER_MONTH_OFFSET:
        kind, month = PersonIdKind.H_NUMMER, month - H_NUMBER_MONTH_OFFSET
    year = _century(field, value, individual, yy) + yy
    try:
        birth_date = datetime.date(year, month, day)
    except ValueError:
        raise InvalidIdentifier(
            field, value, f"no such birth date: day {day}, month {month}, year {year}"
        ) from None
    sex = "M" if int(number[8]) % 2 else "F"
    return PersonId(number=number, kind=kind, birth_date=birth_date, sex=sex, synthetic=synthetic)


def check_orgnr(value: str, *, field: str = "organisasjonsnummer", allow_synthetic: bool = False) -> str:
    """Validate a Norwegian organisation number (9 digits, mod-11 check digit)."""
    number = _digits(field, value, 9)
    expected = stdnum_orgnr.checksum(number)
    if expected != 0:
        raise InvalidIdentifier(field, value, "check digit does not match (mod 11)")
    if number[0] not in "89" and not allow_synthetic:
        raise InvalidIdentifier(
            field,
            value,
            "does not start with 8 or 9; this is the synthetic series, accepted only in demo and test data",
        )
    return number


def is_synthetic_orgnr(number: str) -> bool:
    return number[:1] not in ("8", "9")


def check_hpr(value: str, *, field: str = "HPR-nummer", allow_synthetic: bool = False) -> str:
    """Validate an HPR number: 7 to 9 digits, not starting with 0 (it has no check digit).

    The Health Personnel Register numbers people in sequence; numbers in use have 7 digits (9 in the
    register's test series). The lower bound of 7 digits is PHT's assumption (no published format
    was found): it refuses typing slips such as "12345".
    """
    number = value.strip()
    if not number.isdigit():
        raise InvalidIdentifier(field, value, "must contain digits only")
    if not HPR_MIN_DIGITS <= len(number) <= HPR_MAX_DIGITS or number[0] == "0":
        raise InvalidIdentifier(
            field, value, f"must be {HPR_MIN_DIGITS} to {HPR_MAX_DIGITS} digits, not starting with 0"
        )
    if int(number) >= SYNTHETIC_HPR_FLOOR and not allow_synthetic:
        raise InvalidIdentifier(
            field, value, "is in the synthetic series (900000000 and up), accepted only in demo and test data"
        )
    return str(int(number))


def check_kommunenummer(
    value: str, *, field: str = "kommunenummer", known: Collection[str] | None = None
) -> str:
    """Validate a 4-digit kommunenummer; with ``known``, it must also be one of those codes."""
    number = _digits(field, value, 4)
    if number[:2] == "00":
        raise InvalidIdentifier(field, value, "county part (first two digits) must not be 00")
    if known is not None and number not in known:
        raise InvalidIdentifier(field, value, "is not a municipality in the reference data for that year")
    return number
