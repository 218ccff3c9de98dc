"""Synthetic fødselsnummer, generated vectorised: birth month + 80 (Tenor convention), valid mod-11.

Numbers are unique across the whole synthetic nation: every (birth date, sex) has a fixed,
ordered list of valid individual numbers ("slots"), and each person is given a slot index that
is unique nation-wide (see ``pht.synth.generate.fnr_slot_offsets``). When the ordinary slots of a
date run out, the D-number form (day + 40) of the same synthetic series is used; the validator
accepts both, and both can only ever be synthetic.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

K1 = np.array([3, 7, 6, 1, 8, 9, 4, 5, 2])
K2 = np.array([5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
CANDIDATES = 600  # individual numbers considered per date and day offset


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = days.astype("datetime64[D]")
    years = d.astype("datetime64[Y]").astype(np.int64) + 1970
    months = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    mdays = (d - d.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    return years, months, mdays


def _slot_table(dates: np.ndarray, chunk: int = 2048) -> np.ndarray:
    """Slot tables for many dates, computed in chunks so temporaries stay small."""
    parts = [_slot_table_chunk(dates[i : i + chunk]) for i in range(0, len(dates), chunk)]
    return np.concatenate(parts) if parts else np.zeros((0, 2, CANDIDATES), dtype=np.int32)


def _slot_table_chunk(dates: np.ndarray) -> np.ndarray:
    """For each date (int days) and sex (0 = F, 1 = M): slot -> individual number + 1000 * day offset flag.

    Shape (len(dates), 2, 2 * CANDIDATES // 2); unused slots are -1.
    """
    years, months, mdays = _ymd(dates)
    yy = years % 100
    in_1900s = years < 2000
    # candidate individual numbers: 1900-1999 use 000-499 (and 900-999 when yy >= 40), 2000- use 500-999
    base = np.concatenate([np.arange(500), np.arange(900, 1000)])
    cand = np.where(
        in_1900s[:, None], base[None, :], np.concatenate([np.arange(500, 1000), np.full(100, -1)])[None, :]
    )
    allowed = (cand >= 0) & ~(in_1900s[:, None] & (cand >= 900) & (yy[:, None] < 40))
    cand = np.where(cand < 0, 0, cand)
    out = np.full((len(dates), 2, CANDIDATES), -1, dtype=np.int32)
    columns = []
    for day_offset in (0, 40):
        day = mdays + day_offset
        month = months + 80
        digits = [day // 10, day % 10, month // 10, month % 10, yy // 10, yy % 10]
        fixed1 = sum(w * d for w, d in zip(K1[:6], digits, strict=True))[:, None]
        fixed2 = sum(w * d for w, d in zip(K2[:6], digits, strict=True))[:, None]
        i1, i2, i3 = cand // 100, (cand // 10) % 10, cand % 10
        k1 = (11 - (fixed1 + 4 * i1 + 5 * i2 + 2 * i3) % 11) % 11
        k2 = (11 - (fixed2 + 5 * i1 + 4 * i2 + 3 * i3 + 2 * k1) % 11) % 11
        valid = allowed & (k1 != 10) & (k2 != 10)
        columns.append((valid, cand + 1000 * (day_offset > 0)))
    valid = np.concatenate([columns[0][0], columns[1][0]], axis=1)
    values = np.concatenate([columns[0][1], columns[1][1]], axis=1)
    for sex in (0, 1):
        ok = valid & ((values % 2) == sex)
        order = np.argsort(~ok, axis=1, kind="stable")[:, :CANDIDATES]
        picked = np.take_along_axis(values, order, axis=1)
        picked_ok = np.take_along_axis(ok, order, axis=1)
        out[:, sex, :] = np.where(picked_ok, picked, -1)
    return out


_TABLES: dict[tuple[int, int], np.ndarray] = {}


def prepare_slot_table(first_day: int, last_day: int) -> None:
    """Compute the slot table for every date in a range once (before worker processes fork, to share it)."""
    if (first_day, last_day) not in _TABLES:
        _TABLES[(first_day, last_day)] = _slot_table(np.arange(first_day, last_day + 1)).astype(np.int16)


def _lookup(dates: np.ndarray) -> np.ndarray:
    for (first_day, last_day), table in _TABLES.items():
        if len(dates) and dates[0] >= first_day and dates[-1] <= last_day:
            return table[dates - first_day]
    return _slot_table(dates)


def synthetic_fnr(birth_days: np.ndarray, male: np.ndarray, slots: np.ndarray) -> pa.Array:
    """11-digit synthetic fødselsnummer strings for birth days (int days since 1970), sex and slot index."""
    if len(birth_days) == 0:
        return pa.array([], pa.string())
    dates, inverse = np.unique(birth_days, return_inverse=True)
    table = _lookup(dates)
    if np.any(slots >= CANDIDATES):
        raise ValueError("more synthetic persons share a birth date and sex than there are numbers for it")
    individual = table[inverse, male.astype(np.int64), slots].astype(np.int64)  # int16 table: widen first
    if np.any(individual < 0):
        raise ValueError("more synthetic persons share a birth date and sex than there are numbers for it")
    d_number = individual >= 1000
    individual = individual % 1000
    years, months, mdays = _ymd(np.asarray(birth_days))
    day = mdays + 40 * d_number
    month = months + 80
    yy = years % 100
    i1, i2, i3 = individual // 100, (individual // 10) % 10, individual % 10
    digits = [day // 10, day % 10, month // 10, month % 10, yy // 10, yy % 10, i1, i2, i3]
    k1 = (11 - sum(w * d for w, d in zip(K1, digits, strict=True)) % 11) % 11
    k2 = (11 - (sum(w * d for w, d in zip(K2[:9], digits, strict=True)) + 2 * k1) % 11) % 11
    number = ((day * 100 + month) * 100 + yy) * 100000 + individual * 100 + k1 * 10 + k2
    return pc.utf8_lpad(pa.array(number.astype(np.int64)).cast(pa.string()), 11, "0")
