"""Assumption texts in the parameter files: written in English and bokmål, refused when one is missing."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from pht.refdata.params import (
    PARAMS_DIR,
    TEXT_LANGUAGES,
    ParameterError,
    assumption_text,
    load_parameters,
    parameter_versions,
)
from pht.rules.financing import assumptions_of

SHIPPED = sorted(path.stem for path in PARAMS_DIR.glob("*.toml"))


def test_the_shipped_parameter_files_are_found() -> None:
    assert {"base_grant", "call_2017", "capitation", "decision_letters", "target_groups"} <= set(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_assumption_has_an_english_and_a_bokmal_text_that_differ(name: str) -> None:
    for version in parameter_versions(name):
        for key, texts in version.assumptions.items():
            where = (name, version.valid_from.isoformat(), key)
            assert set(texts) == set(TEXT_LANGUAGES) == {"en", "nb"}, where
            assert texts["en"].strip() and texts["nb"].strip(), where
            assert texts["en"] != texts["nb"], where
            assert version.assumption(key) == texts["en"]  # the command line's language
            assert version.assumption(key, "nb") == texts["nb"]


def test_provenance_carries_both_languages_and_the_settlement_keeps_them() -> None:
    base = load_parameters("base_grant", datetime.date(2018, 1, 1))
    provenance = base.provenance()
    assert provenance["assumptions"] == {"rate_per_year": dict(base.assumptions["rate_per_year"])}
    assumed = assumptions_of([provenance, {"parameters": "old", "assumptions": {"key": "English, stored"}}])
    assert assumed["base_grant.rate_per_year"] == {
        "nb": "Basistilskuddet for 2017/18 er ikke funnet i noen kilde; 450 kr er en standardverdi (RULES.md §3).",
        "en": "2017/18 basistilskudd not found in any source; NOK 450 is a default (RULES.md §3).",
    }
    assert assumed["old.key"] == "English, stored"  # provenance stored before the texts were bilingual


def test_assumption_text_in_the_language_asked_for() -> None:
    text = {"en": "Default: a test.", "nb": "Standardverdi: en test."}
    assert assumption_text(text, "nb") == assumption_text(text, "nb-no") == "Standardverdi: en test."
    assert assumption_text(text, "no") == assumption_text(text, "nn") == "Standardverdi: en test."
    assert assumption_text(text, "en") == assumption_text(text, "en-gb") == "Default: a test."
    assert (
        assumption_text(text, "de") == assumption_text(text, None) == "Default: a test."
    )  # English otherwise
    assert assumption_text({"en": "Default: English only."}, "nb") == "Default: English only."
    # A plain string (a snapshot stored before the texts were bilingual) is English and shown as it is.
    assert (
        assumption_text("Default: stored.", "nb")
        == assumption_text("Default: stored.", "en")
        == "Default: stored."
    )
    assert assumption_text(None, "nb") == ""


def _write(directory: Path, assumptions: str) -> None:
    (directory / "demo.toml").write_text(
        'name = "demo"\n'
        "[[versions]]\n"
        "valid_from = 2017-01-01\n"
        'source = "test"\n'
        "values = { rate = 1, days = 365 }\n"
        "[[versions]]\n"
        "valid_from = 2018-01-01\n"
        'source = "test"\n'
        "values = { rate = 2, days = 365 }\n"
        f"{assumptions}\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize(
    ("assumptions", "message"),
    [
        (
            '[versions.assumptions]\nrate.en = "Default: a test."',
            "demo.toml, version 2, field 'assumptions.rate': missing or empty text in nb",
        ),
        (
            '[versions.assumptions]\nrate.nb = "Standardverdi: en test."',
            "demo.toml, version 2, field 'assumptions.rate': missing or empty text in en",
        ),
        (
            '[versions.assumptions]\nrate.en = "Default: a test."\nrate.nb = "  "',
            "demo.toml, version 2, field 'assumptions.rate': missing or empty text in nb",
        ),
        (
            'assumptions = { rate = "Default: English only." }',
            "demo.toml, version 2, field 'assumptions.rate': needs a text in each of nb, en",
        ),
        (
            '[versions.assumptions]\nrate.en = "Default."\nrate.nb = "Standard."\nrate.de = "Standard."',
            "demo.toml, version 2, field 'assumptions.rate': unknown languages ['de']",
        ),
        (
            '[versions.assumptions]\nrates.en = "Default."\nrates.nb = "Standard."',
            "demo.toml, version 2, field 'assumptions': unknown keys ['rates']",
        ),
    ],
)
def test_a_missing_text_is_refused_naming_file_version_and_key(
    tmp_path: Path, assumptions: str, message: str
) -> None:
    _write(tmp_path, assumptions)
    with pytest.raises(ParameterError) as refused:
        parameter_versions("demo", tmp_path)
    assert str(refused.value).startswith(message)


def test_a_file_with_both_texts_loads(tmp_path: Path) -> None:
    _write(
        tmp_path, '[versions.assumptions]\nrate.en = "Default: a test."\nrate.nb = "Standardverdi: en test."'
    )
    version = load_parameters("demo", datetime.date(2018, 6, 1), tmp_path)
    assert version.assumption("rate", "nb") == "Standardverdi: en test."
    assert not load_parameters("demo", datetime.date(2017, 6, 1), tmp_path).is_assumption("rate")
