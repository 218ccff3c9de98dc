"""The one way to type a date (pht.apps.accounts.forms): bokmål dd.mm.åååå, English mm/dd/yyyy, ISO in both."""

from __future__ import annotations

import datetime
import re

import pytest
from django import forms
from django.template import engines
from django.utils import translation

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.forms import DayField, parse_day

DAY = datetime.date(2023, 3, 31)


class _Form(forms.Form):
    on = DayField(label="Dato")


def _input(html: str) -> str:
    match = re.search(r"<input[^>]*>", html)
    assert match is not None, html
    return match.group(0)


@pytest.mark.parametrize(
    ("language", "shown", "hint"),
    [
        ("nb", "31.03.2023", "Format: dd.mm.åååå (for eksempel 31.03.2023)"),
        ("en", "03/31/2023", "Format: mm/dd/yyyy (for example 03/31/2023)"),
    ],
)
def test_a_date_input_shows_the_page_languages_format_with_its_hint(
    language: str, shown: str, hint: str
) -> None:
    with translation.override(language):
        html = str(_Form(initial={"on": DAY})["on"])
    tag = _input(html)
    assert f'value="{shown}"' in tag
    assert 'type="text"' in tag and 'autocomplete="off"' in tag
    assert "inputmode" not in tag  # a phone's number pad has no "." or "/" for the date's separators
    assert 'aria-describedby="id_on_hint"' in tag
    assert f'<span class="pht-hint" id="id_on_hint">{hint}</span>' in html


@pytest.mark.parametrize(
    ("language", "accepted", "refused"),
    [
        ("nb", ["31.03.2023", "31.3.2023", "2023-03-31", " 31.03.2023 "], ["03/31/2023", "31/03/2023"]),
        ("en", ["03/31/2023", "3/31/2023", "2023-03-31"], ["31.03.2023", "31/03/2023"]),
    ],
)
def test_the_page_languages_format_and_iso_are_accepted(
    language: str, accepted: list[str], refused: list[str]
) -> None:
    with translation.override(language):
        for text in accepted:
            form = _Form({"on": text})
            assert form.is_valid(), (text, form.errors)
            assert form.cleaned_data["on"] == DAY
        for text in refused:
            assert not _Form({"on": text}).is_valid(), text


@pytest.mark.parametrize("text", ["31.02.2023", "abc", "31.12.99999", "99999-12-31", "2023-02-30", "<b>"])
def test_no_date_is_a_field_error_that_says_how_to_write_one(text: str) -> None:
    with translation.override("nb"):
        form = _Form({"on": text})
        assert not form.is_valid()
        assert form.errors["on"] == ["Skriv en gyldig dato som dd.mm.åååå (for eksempel 31.03.2023)."]
    with translation.override("en"):
        form = _Form({"on": text})
        assert not form.is_valid()
        assert form.errors["on"] == ["Enter a real date as mm/dd/yyyy (for example 03/31/2023)."]


@pytest.mark.parametrize("text", ["01.01.0001", "31.12.1899", "9999-12-31", "01.01.2200"])
def test_a_date_date_arithmetic_cannot_hold_is_refused(text: str) -> None:
    with translation.override("nb"):
        form = _Form({"on": text})
        assert not form.is_valid()
        assert form.errors["on"] == ["Skriv en dato fra og med 01.01.1900 til og med 31.12.2199."]


def test_a_required_date_left_empty_is_the_usual_required_error() -> None:
    assert _Form({"on": ""}).errors["on"] == [forms.Field.default_error_messages["required"]]


def test_parse_day_refuses_with_the_field_named_in_the_page_language_and_in_english() -> None:
    with translation.override("nb"):
        assert parse_day("31.03.2023", "Frist") == DAY
        assert parse_day("2023-03-31", "Frist") == DAY
        assert parse_day(" ", "Frist") is None
        with pytest.raises(ActionRefused) as refused:
            parse_day("31.02.2023", "Frist")
        assert refused.value.display() == (
            "Frist: 31.02.2023 er ikke en dato; skriv den som dd.mm.åååå (for eksempel 31.03.2023)"
        )
        assert refused.value.reason == (
            "Frist: 31.02.2023 is not a date; write it as mm/dd/yyyy (for example 03/31/2023)"
        )
        with pytest.raises(ActionRefused) as missing:
            parse_day("", "Frist", required=True)
        assert missing.value.display() == "Frist: skriv en dato som dd.mm.åååå (for eksempel 31.03.2023)"
        with pytest.raises(ActionRefused) as far:
            parse_day("9999-12-31", "Frist")
        assert far.value.display() == "Frist: skriv en dato fra og med 01.01.1900 til og med 31.12.2199"
    with translation.override("en"):
        assert parse_day("03/31/2023", "Due") == DAY


def test_the_day_input_tag_renders_the_shared_widget_for_hand_written_forms() -> None:
    template = engines["django"].from_string('{% day_input "due" "task-due" value required=True %}')
    with translation.override("nb"):
        html = template.render({"value": DAY})
        posted = template.render({"value": "31.02.2023"})  # a refused value is shown back as typed
    tag = _input(html)
    assert 'name="due"' in tag and 'id="task-due"' in tag and 'value="31.03.2023"' in tag
    assert "required" in tag and 'aria-describedby="task-due_hint"' in tag
    assert 'id="task-due_hint"' in html
    assert 'value="31.02.2023"' in posted
