"""Pseudonymisation rules for the evaluation extract (pure: no I/O, no Django).

Every person id is replaced by a keyed HMAC-SHA256 of it. The key stays on the operational side, so
without it a pseudonym cannot be linked back by hashing candidate identifiers (a plain hash could); the
same id and key always give the same pseudonym, so records stay linked across datasets and extracts.
Birth dates are coarsened to the year: the day shown is ``BIRTH_DAY_IN_YEAR`` of the year (1 July, the
middle of the year, so ages computed from it are off by at most half a year either way; a PHT
assumption, not a published rule).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac

MIN_KEY_LENGTH = 16
# Assumption (PHT's choice): a coarsened birth date is 1 July of the birth year.
BIRTH_DAY_IN_YEAR = (7, 1)
_INT63 = (1 << 63) - 1


class PseudonymKeyError(ValueError):
    """The key is missing or too short."""


def _checked(key: bytes) -> bytes:
    if len(key) < MIN_KEY_LENGTH:
        raise PseudonymKeyError(f"the pseudonym key must be at least {MIN_KEY_LENGTH} bytes")
    return key


def pseudonym(value: str, key: bytes, domain: str = "") -> str:
    """The pseudonym (32 hex characters) of an identifier; ``domain`` keeps kinds of ids apart (none for
    the fødselsnummer, so the pseudonym is the care app's ``pseudonymise``)."""
    message = (f"{domain}:{value}" if domain else value).encode()
    return hmac.new(_checked(key), message, hashlib.sha256).hexdigest()[:32]


def pseudonym_int(value: int, key: bytes, domain: str = "resident") -> int:
    """A positive 63-bit integer pseudonym of an integer id (for int64 id columns)."""
    digest = hmac.new(_checked(key), f"{domain}:{int(value)}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") & _INT63


def coarsen_birth_date(day: datetime.date) -> datetime.date:
    """A birth date coarsened to its year (``BIRTH_DAY_IN_YEAR`` of that year)."""
    month, dom = BIRTH_DAY_IN_YEAR
    return datetime.date(day.year, month, dom)
