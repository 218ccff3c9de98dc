"""Synthetic names for synthetic people: readable demo pages without real patients.

A synthetic person (a fødselsnummer of the synthetic series, birth month + 80) gets a first name
by sex and a surname, picked from short lists of the most common names in Norway (SSB, «Navn»,
statistics of the most common first names and surnames; the lists below are well-known entries of
those tables, not a copy of them) by a keyed hash of the seed and the fødselsnummer: the same seed
and number always give the same name. Pages show the name with a marker that it is synthetic. A real
(non-synthetic) number never gets a name: PHT stores no names of real patients.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from pht.rules.identifiers import InvalidIdentifier, check_person_id

NAMES_SEED = 2017  # the demo's seed (pht.synth.demo.DEMO_SEED)

FIRST_NAMES_FEMALE = (
    "Anne", "Inger", "Kari", "Marit", "Ingrid", "Liv", "Eva", "Berit", "Astrid", "Bjørg",
    "Hilde", "Anna", "Solveig", "Marianne", "Randi", "Ida", "Nina", "Maria", "Elisabeth", "Kristin",
)  # fmt: skip
FIRST_NAMES_MALE = (
    "Jan", "Per", "Bjørn", "Ole", "Lars", "Kjell", "Knut", "Arne", "Svein", "Thomas",
    "Hans", "Geir", "Tor", "Morten", "Terje", "Odd", "Erik", "Martin", "Andreas", "John",
)  # fmt: skip
SURNAMES = (
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen",
    "Johannessen", "Andreassen", "Jacobsen", "Dahl",
)  # fmt: skip


# Pure and asked for on every row of a patient list (several times per row by its template): cached.
@lru_cache(maxsize=65536)
def synthetic_name(fnr: str, seed: int = NAMES_SEED) -> str | None:
    """The synthetic person's name, or None when ``fnr`` is not a synthetic number."""
    try:
        person = check_person_id(fnr, allow_synthetic=True)
    except InvalidIdentifier:
        return None
    if not person.synthetic:
        return None
    digest = hashlib.blake2b(f"{seed}:{person.number}".encode(), digest_size=8).digest()
    first_pick, last_pick = int.from_bytes(digest[:4], "big"), int.from_bytes(digest[4:], "big")
    firsts = FIRST_NAMES_FEMALE if person.sex == "F" else FIRST_NAMES_MALE
    return f"{firsts[first_pick % len(firsts)]} {SURNAMES[last_pick % len(SURNAMES)]}"
