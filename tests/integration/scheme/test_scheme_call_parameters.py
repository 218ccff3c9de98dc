"""The call page's parameter table: a label and a formatted value per parameter in the page's language, the
«Antakelse» label on defaults, and the raw key and value for a parameter the app does not know."""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

from django.test import Client
from django.utils import translation

from pht.apps.scheme.parameters import FORMATTERS, LABELS, parameter
from pht.refdata.params import load_parameters

NBSP = "\xa0"  # bokmål groups digits with a no-break space
ROW = re.compile(r'<tr data-parameter="([^"]+)"[^>]*><th scope="row">(.*?)</th><td>(.*?)</td></tr>', re.S)
ASSUMPTION = re.compile(
    r'\s*<strong class="assumption pht-assumption" data-assumption="([^"]+)"[^>]*>(.*?)</strong>'
)


def _rows(officer: Any, language: str | None = None) -> dict[str, tuple[str, str, str | None]]:
    """key -> (label, value, assumption label or None), as the officer's call page shows them."""
    client = Client()
    client.force_login(officer)
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    page = client.get("/scheme/utlysning/", **headers).content.decode()  # type: ignore[arg-type]
    rows = {}
    for key, label, cell in ROW.findall(page):
        assumption = ASSUMPTION.search(cell)
        if assumption:
            assert assumption.group(1) == key
            cell = cell[: assumption.start()] + cell[assumption.end() :]
        rows[key] = (
            html.unescape(label),
            html.unescape(cell.strip()),
            html.unescape(assumption.group(2)) if assumption else None,
        )
    return rows


def test_the_call_page_labels_and_formats_each_parameter_in_bokmal(world: dict[str, Any]) -> None:
    rows = _rows(world["officer"])
    assert rows["report_due_month_day"] == ("Rapportfrist", "1. mars året etter", "Antakelse")
    assert rows["instalment_months"] == ("Utbetalingsmåneder", "januar og juli", "Antakelse")
    assert rows["grant_per_gp_per_year"] == (
        "Tilskudd til legekontorene per fastlege og år",
        f"300{NBSP}000 kr",
        "Antakelse",
    )
    assert rows["municipality_base_per_year"][1:] == (f"400{NBSP}000 kr", "Antakelse")
    assert rows["municipality_per_gp_per_year"][1:] == (f"10{NBSP}000 kr", "Antakelse")
    assert rows["target_small"] == ("Mål: små kommuner", "2 kommuner", None)  # published: no label
    assert rows["target_gps"] == ("Mål: fastleger i alt", "80 fastleger", None)
    assert rows["gps_min"] == ("Fastleger i alt, minst", "70 fastleger", "Antakelse")
    assert rows["min_per_model_fee"] == (
        "Valgte kommuner som tilbyr honorarmodell, minst",
        "1 kommune",
        "Antakelse",
    )
    assert rows["gp_lists_per_nurse_fte"] == (
        "Sykepleiernorm",
        "ett sykepleierårsverk per 3 fastlegelister",
        None,
    )
    assert rows["financing_models"] == (
        "Finansieringsmodeller",
        "honorarmodell og driftstilskuddsmodell",
        None,
    )
    assert rows["attachment_max_bytes"] == ("Største vedlegg", f"10,0{NBSP}MB per vedlegg", "Antakelse")
    # Every parameter the call holds is shown, and none as its raw key or value.
    call = world["call"]
    assert set(rows) == {*call.targets, *call.grant_parameters, "gp_lists_per_nurse_fte", "financing_models",
                         "attachment_max_bytes"}  # fmt: skip
    for key, (label, value, _) in rows.items():
        assert label != key and "[" not in value and "_" not in label + value, key


def test_the_call_page_labels_and_formats_each_parameter_in_english(world: dict[str, Any]) -> None:
    rows = _rows(world["officer"], "en")
    assert rows["report_due_month_day"] == ("Report due", "1 March of the year after", "Assumption")
    assert rows["instalment_months"] == ("Instalment months", "January and July", "Assumption")
    assert rows["grant_per_gp_per_year"] == (
        "Grant to the practices per GP and year",
        "NOK 300,000",
        "Assumption",
    )
    assert rows["target_small"] == ("Target: small municipalities", "2 municipalities", None)
    assert rows["gps_max"] == ("GPs in all, at most", "90 GPs", "Assumption")
    assert rows["min_per_model_capitation"][1:] == ("1 municipality", "Assumption")
    assert rows["gp_lists_per_nurse_fte"] == ("Nurse norm", "one nurse FTE per 3 GP lists", None)
    assert rows["financing_models"] == ("Financing models", "fee and capitation", None)
    assert rows["attachment_max_bytes"] == (
        "Largest attachment",
        f"10.0{NBSP}MB per attachment",
        "Assumption",
    )
    for label, value, _ in rows.values():
        assert not re.search("[æøå]", (label + value).lower()), (label, value)


def test_an_unknown_parameter_or_an_unreadable_value_shows_raw(world: dict[str, Any]) -> None:
    call = world["call"]
    call.grant_parameters = {**call.grant_parameters, "new_rule": [1, 2], "instalment_months": [1, 13]}
    call.assumptions = {**call.assumptions, "new_rule": "Default: a test."}
    call.save(update_fields=["grant_parameters", "assumptions"])
    client = Client()
    client.force_login(world["officer"])
    page = client.get("/scheme/utlysning/").content.decode()
    assert (
        '<tr data-parameter="new_rule"><th scope="row"><code>new_rule</code></th><td>[1, 2] <strong' in page
    )
    assert 'data-assumption="new_rule"' in page  # the assumption label still applies
    assert "<code>instalment_months</code></th><td>[1, 13] <strong" in page  # no month 13
    assert "Rapportfrist" in page  # the rest is still formatted


def test_every_parameter_of_the_call_file_has_a_label_and_a_formatter() -> None:
    values = load_parameters("call_2017", datetime.date(2017, 10, 15)).values
    titles = {"scheme", "call_title", "criteria"}  # shown as the page's title and the criteria table
    assert set(values) - titles == set(LABELS) == set(FORMATTERS)
    for language in ("nb", "en"):
        with translation.override(language):
            shown = {key: parameter(key, value) for key, value in values.items() if key not in titles}
        assert all(p.known for p in shown.values()), [p for p in shown.values() if not p.known]
        if language == "nb":
            nb = shown
    for key, english in shown.items():  # every label has its English
        assert english.label != nb[key].label, key
    assert nb["deadline_date"].value == "15. oktober 2017"
    assert nb["information_meeting"].value == "26. september 2017 10:30"
    assert shown["deadline_date"].value == "Oct. 15, 2017"
    assert nb["budget_first_year"].value == f"55{NBSP}000{NBSP}000 kr"
    assert shown["budget_first_year"].value == "NOK 55,000,000"
    assert nb["timezone"].value == "Europe/Oslo"
