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
    [versions.assumptions]     # key -> why it is a default, in English and bokmål
    small_below.en = "Default: ..."
    small_below.nb = "Standardverdi: ..."

Why a value is a default is shown on pages in the page's language, so every assumption carries both texts
(:data:`TEXT_LANGUAGES`); the loader refuses a file where one is missing or empty. Snapshots stored before
the texts were bilingual (a finance statement's ``assumptions``, a call's) hold a plain English string:
:func:`assumption_text` shows such a text as it is.
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


# The languages every assumption's text is written in (the site's: bokmål first, English).
TEXT_LANGUAGES = ("nb", "en")
FALLBACK_LANGUAGE = "en"

# Why a parameter is a default: {"en": ..., "nb": ...}; a plain string (stored before the texts were
# bilingual) is English.
AssumptionText = str | Mapping[str, str]


class ParameterError(ValueError):
    pass


def assumption_text(text: object, language: str | None) -> str:
    """An assumption's text in ``language`` (a language code such as "nb", "nb-no" or "en"): the text in that
    language when ``text`` holds it, otherwise the English one; a plain string is shown as it is (English,
    stored before the texts were bilingual). Norwegian codes ("no", "nn") read the bokmål text."""
    if not isinstance(text, Mapping):
        return "" if text is None else str(text)
    base = (language or FALLBACK_LANGUAGE).lower().replace("_", "-").split("-")[0]
    wanted = "nb" if base in {"nb", "no", "nn"} else base
    for candidate in (wanted, FALLBACK_LANGUAGE, *TEXT_LANGUAGES):
        value = text.get(candidate)
        if isinstance(value, str) and value:
            return value
    return ""


def _assumption_texts(where: str, raw: object, values: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """The ``assumptions`` table of a version, each key's text in every language of :data:`TEXT_LANGUAGES`;
    ``where`` names the file and version for the error."""
    if not isinstance(raw, dict):
        raise ParameterError(f"{where}, field 'assumptions': must be a table")
    unknown = set(raw) - set(values)
    if unknown:
        raise ParameterError(f"{where}, field 'assumptions': unknown keys {sorted(unknown)}")
    texts: dict[str, dict[str, str]] = {}
    for key, text in raw.items():
        field_name = f"{where}, field 'assumptions.{key}'"
        if not isinstance(text, dict):
            raise ParameterError(
                f"{field_name}: needs a text in each of {', '.join(TEXT_LANGUAGES)}, not one plain text "
                f'(write {key}.en = "..." and {key}.nb = "...")'
            )
        missing = [
            lang for lang in TEXT_LANGUAGES if not isinstance(text.get(lang), str) or not text[lang].strip()
        ]
        if missing:
            raise ParameterError(f"{field_name}: missing or empty text in {', '.join(missing)}")
        other = sorted(set(text) - set(TEXT_LANGUAGES))
        if other:
            raise ParameterError(
                f"{field_name}: unknown languages {other} (texts are {', '.join(TEXT_LANGUAGES)})"
            )
        texts[key] = {lang: text[lang] for lang in TEXT_LANGUAGES}
    return texts


@dataclass(frozen=True)
class ParameterSet:
    name: str
    valid_from: datetime.date
    valid_to: datetime.date | None  # exclusive; None = still in force
    source: str
    values: Mapping[str, Any]
    # key -> why it is a default, by language ({"nb": ..., "en": ...})
    assumptions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def is_assumption(self, key: str) -> bool:
        return key in self.assumptions

    def assumption(self, key: str, language: str = FALLBACK_LANGUAGE) -> str:
        """Why ``key`` is a default, in ``language`` (English by default, as the command line writes)."""
        return assumption_text(self.assumptions[key], language)

    def provenance(self) -> dict[str, object]:
        """What to show beside a computed result: which parameter version, from where."""
        return {
            "parameters": self.name,
            "valid_from": self.valid_from.isoformat(),
            "source": self.source,
            "assumptions": {key: dict(text) for key, text in self.assumptions.items()},
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
    parsed: list[tuple[datetime.date, dict[str, Any], dict[str, dict[str, str]]]] = []
    for index, entry in enumerate(raw, start=1):
        valid_from = entry.get("valid_from")
        if not isinstance(valid_from, datetime.date):
            raise ParameterError(f"{path.name}, version {index}, field 'valid_from': must be a date")
        if not isinstance(entry.get("source"), str) or not entry["source"]:
            raise ParameterError(f"{path.name}, version {index}, field 'source': must name a source")
        if not isinstance(entry.get("values"), dict):
            raise ParameterError(f"{path.name}, version {index}, field 'values': must be a table")
        texts = _assumption_texts(
            f"{path.name}, version {index}", entry.get("assumptions", {}), entry["values"]
        )
        parsed.append((valid_from, entry, texts))
    parsed.sort(key=lambda item: item[0])
    result = []
    for position, (valid_from, entry, texts) in enumerate(parsed):
        valid_to = parsed[position + 1][0] if position + 1 < len(parsed) else None
        result.append(
            ParameterSet(
                name=name,
                valid_from=valid_from,
                valid_to=valid_to,
                source=entry["source"],
                values=entry["values"],
                assumptions=texts,
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
