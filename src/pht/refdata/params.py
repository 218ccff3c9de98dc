"""Scheme parameters as versioned data: one TOML file per parameter set, one entry per version.

A version is valid from its ``valid_from`` date until the next version's. Each version names
its source; keys listed under ``assumptions`` are defaults PHT ships where no published value
was found (RULES.md), and every screen or report that uses them must label them as such.

    name = "size_class"
    description = "..."
    [[versions]]
    valid_from = 2017-01-01
    source = "..."
    values = { small_below = 5000, large_above = 20000 }
    assumptions = { }          # key -> why it is a default
"""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

PARAMS_DIR = Path(__file__).parent / "params"


class ParameterError(ValueError):
    pass


@dataclass(frozen=True)
class ParameterSet:
    name: str
    valid_from: datetime.date
    valid_to: datetime.date | None  # exclusive; None = still in force
    source: str
    values: Mapping[str, Any]
    assumptions: Mapping[str, str] = field(default_factory=dict)

    def is_assumption(self, key: str) -> bool:
        return key in self.assumptions

    def provenance(self) -> dict[str, object]:
        """What to show beside a computed result: which parameter version, from where."""
        return {
            "parameters": self.name,
            "valid_from": self.valid_from.isoformat(),
            "source": self.source,
            "assumptions": dict(self.assumptions),
        }


@cache
def _versions(name: str, directory: Path = PARAMS_DIR) -> tuple[ParameterSet, ...]:
    path = directory / f"{name}.toml"
    if not path.exists():
        raise ParameterError(f"no parameter set {name!r} (looked for {path.name})")
    with path.open("rb") as handle:
        try:
            document = tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            raise ParameterError(f"{path.name}: {exc}") from exc
    raw = document.get("versions")
    if not isinstance(raw, list) or not raw:
        raise ParameterError(f"{path.name}: needs at least one [[versions]] entry")
    parsed: list[tuple[datetime.date, dict[str, Any]]] = []
    for index, entry in enumerate(raw, start=1):
        valid_from = entry.get("valid_from")
        if not isinstance(valid_from, datetime.date):
            raise ParameterError(f"{path.name}, version {index}, field 'valid_from': must be a date")
        if not isinstance(entry.get("source"), str) or not entry["source"]:
            raise ParameterError(f"{path.name}, version {index}, field 'source': must name a source")
        if not isinstance(entry.get("values"), dict):
            raise ParameterError(f"{path.name}, version {index}, field 'values': must be a table")
        unknown = set(entry.get("assumptions", {})) - set(entry["values"])
        if unknown:
            raise ParameterError(
                f"{path.name}, version {index}, field 'assumptions': unknown keys {sorted(unknown)}"
            )
        parsed.append((valid_from, entry))
    parsed.sort(key=lambda item: item[0])
    result = []
    for position, (valid_from, entry) in enumerate(parsed):
        valid_to = parsed[position + 1][0] if position + 1 < len(parsed) else None
        result.append(
            ParameterSet(
                name=name,
                valid_from=valid_from,
                valid_to=valid_to,
                source=entry["source"],
                values=entry["values"],
                assumptions=entry.get("assumptions", {}),
            )
        )
    return tuple(result)


def load_parameters(name: str, on: datetime.date, directory: Path = PARAMS_DIR) -> ParameterSet:
    """The version of parameter set ``name`` in force on date ``on``."""
    for version in reversed(_versions(name, directory)):
        if version.valid_from <= on:
            return version
    raise ParameterError(f"parameter set {name!r} has no version in force on {on.isoformat()}")


def parameter_versions(name: str, directory: Path = PARAMS_DIR) -> tuple[ParameterSet, ...]:
    return _versions(name, directory)
