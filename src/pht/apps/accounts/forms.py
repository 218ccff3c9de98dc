"""Form fields every app shares: the one way to type a date (``DayField``, ``DayInput``, ``parse_day``).

A date is typed as the page's language writes it: ``31.03.2023`` on a bokmål page, ``03/31/2023`` on
an English one (the first of the language's ``DATE_INPUT_FORMATS``, pht/site/formats), and ISO
``2023-03-31`` is accepted in both. The input is plain text, not ``<input type="date">``, which browsers
show in the *browser's* locale whatever the page's language. Beside it stands a visible hint with the
format, tied to the input by ``aria-describedby`` (WCAG 2.1: label and instructions).

Text that is no date (``31.02.2023``, ``abc``, a year 99999) or a date outside ``FIRST_DAY``..``LAST_DAY``
(where date arithmetic would overflow) is refused: a form field error, or ``ActionRefused`` naming the
field for a view that reads the posted text itself (``parse_day``).
"""

from __future__ import annotations

import datetime
from typing import Any, Literal, overload

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.actions import ActionRefused

FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2199, 12, 31)
EXAMPLE_DAY = datetime.date(2023, 3, 31)  # day and month apart at a glance: 31.03.2023, 03/31/2023


def input_format() -> str:
    """The ``strftime`` format a date is typed in, in the active language (``%d.%m.%Y`` in bokmål)."""
    return str(formats.get_format("DATE_INPUT_FORMATS")[0])


def day_text(value: datetime.date) -> str:
    """``value`` as it is typed in the active language: ``31.03.2023`` · ``03/31/2023``."""
    return value.strftime(input_format())


def day_pattern() -> str:
    """The format in words for the active language: ``dd.mm.åååå`` · ``mm/dd/yyyy``."""
    parts = {
        "%d": pgettext("date format", "dd"),
        "%m": pgettext("date format", "mm"),
        "%Y": pgettext("date format", "yyyy"),
    }
    text = input_format()
    for code, part in parts.items():
        text = text.replace(code, part)
    return text


def day_hint() -> str:
    return gettext("Format: %(pattern)s (for example %(example)s)") % {
        "pattern": day_pattern(),
        "example": day_text(EXAMPLE_DAY),
    }


# Translated when shown (an ActionRefused renders its reason in English and shows it in the page's language).
_lazy_pattern = lazy(day_pattern, str)
_lazy_example = lazy(lambda: day_text(EXAMPLE_DAY), str)
_lazy_first = lazy(lambda: day_text(FIRST_DAY), str)
_lazy_last = lazy(lambda: day_text(LAST_DAY), str)


class DayInput(forms.DateInput):
    """A text input for a date in the page's language, with its format hint (``<id>_hint``) before it."""

    input_type = "text"
    template_name = "pht/widgets/day_input.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # no numeric inputmode: a phone's number pad has no "." or "/" to type the date with
        super().__init__({"autocomplete": "off", **(attrs or {})})

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["hint"] = day_hint()
        element_id = widget["attrs"].get("id")
        if element_id:
            widget["hint_id"] = f"{element_id}_hint"
            described = [widget["hint_id"], *str(widget["attrs"].get("aria-describedby", "")).split()]
            widget["attrs"]["aria-describedby"] = " ".join(dict.fromkeys(described))
        return context


class DayField(forms.DateField):
    """A date typed in the page's language or as ISO, from ``FIRST_DAY`` to ``LAST_DAY``."""

    widget = DayInput
    default_error_messages = {
        "invalid": _("Enter a real date as %(pattern)s (for example %(example)s)."),
        "range": _("Enter a date from %(first)s to %(last)s."),
    }

    def to_python(self, value: Any) -> datetime.date | None:
        try:
            return super().to_python(value)
        except ValidationError:
            raise ValidationError(
                self.error_messages["invalid"],
                code="invalid",
                params={"pattern": day_pattern(), "example": day_text(EXAMPLE_DAY)},
            ) from None

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise ValidationError(
                self.error_messages["range"],
                code="range",
                params={"first": day_text(FIRST_DAY), "last": day_text(LAST_DAY)},
            )


@overload
def parse_day(value: str | None, label: Any, *, required: Literal[True]) -> datetime.date: ...
@overload
def parse_day(value: str | None, label: Any, *, required: bool = False) -> datetime.date | None: ...
def parse_day(value: str | None, label: Any, *, required: bool = False) -> datetime.date | None:
    """Posted text as a date (``DayField``'s rules), None when empty and not ``required``; anything else
    is refused with ``ActionRefused`` naming the field by ``label``."""
    text = (value or "").strip()
    hint = {"field": label, "pattern": _lazy_pattern(), "example": _lazy_example()}
    if not text:
        if required:
            raise ActionRefused(_("%(field)s: enter a date as %(pattern)s (for example %(example)s)"), hint)
        return None
    try:
        return DayField(required=False).clean(text)
    except ValidationError as error:
        if error.code == "range":
            raise ActionRefused(
                _("%(field)s: enter a date from %(first)s to %(last)s"),
                {"field": label, "first": _lazy_first(), "last": _lazy_last()},
            ) from None
        raise ActionRefused(
            _("%(field)s: %(value)s is not a date; write it as %(pattern)s (for example %(example)s)"),
            {**hint, "value": text[:40]},
        ) from None
