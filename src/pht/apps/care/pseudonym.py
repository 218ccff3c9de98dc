"""Pseudonyms for evaluators: a keyed HMAC-SHA256 of the fødselsnummer.

The key (``PHT_PSEUDONYM_KEY``) stays on the operational side: evaluators get only the pseudonym, and
without the key a pseudonym cannot be linked back by hashing candidate numbers (a plain hash could).
The same fnr and key always give the same pseudonym, so evaluators can link records across extracts.
"""

from __future__ import annotations

import hashlib
import hmac
import os

KEY_VARIABLE = "PHT_PSEUDONYM_KEY"
MIN_KEY_LENGTH = 16


class PseudonymKeyMissing(RuntimeError):
    pass


def pseudonym_key() -> bytes:
    key = os.environ.get(KEY_VARIABLE, "")
    if len(key) < MIN_KEY_LENGTH:
        raise PseudonymKeyMissing(
            f"set {KEY_VARIABLE} to a secret of at least {MIN_KEY_LENGTH} characters on the operational side"
        )
    return key.encode()


def pseudonymise(fnr: str, key: bytes | None = None) -> str:
    """A stable pseudonym (hex, 32 characters) for ``fnr`` under ``key`` (default: from the environment)."""
    digest = hmac.new(key if key is not None else pseudonym_key(), fnr.encode(), hashlib.sha256).hexdigest()
    return digest[:32]
