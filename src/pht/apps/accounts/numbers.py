"""Numbers typed by users, read as the page's language writes them: the one parser and form field of PHT.

A bokmål page writes ``1 500 000,50`` (a space, often a no-break space, groups thousands; the comma is
the decimal sign) and some users type ``1.500.000,50``; an English page writes ``1,500,000.50``. Everyone
may type a plain ``0.5`` or ``0,5``. A browser's ``<input type=number>`` cannot take all of these
(Chromium drops a typed comma it does not expect: ``131784,54`` became 13 178 454), so numbers are typed
in text inputs and read here.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Thousands grouped with the other sign than the page's decimal sign: «1.500.000,50» on a bokmål page,
# «1,500,000.50» on an English one. «1.5» or «0,500» are no grouping (not three digits after a first
# group of one to three that does not start with 0).
_GROUPED = {
    True: re.compile(r"-?[1-9]\d{0,2}(\.\d{3})+(,\d*)?"),
    False: re.compile(r"-?[1-9]\d{0,2}(,\d{3})+(\.\d*)?"),
}


def number_text(value: str) -> str:
    """Typed text as ``Decimal`` reads it: spaces (no-break ones too) and the page language's thousands
    grouping dropped, a decimal comma made a point; ``"1.500"`` on a bokmål page is ``"1500"``."""
    text = "".join(value.split()).replace("\u2212", "-")  # split() also drops no-break spaces
    from pht.apps.accounts.templatetags.pht_format import bokmal_page

    bokmal = bokmal_page()
    if _GROUPED[bokmal].fullmatch(text):
        text = text.replace("." if bokmal else ",", "")
    return text.replace(",", ".")


def shown_number(value: Decimal | float | int, places: int | None = None) -> str:
    """A number as the page's language writes it, with its own places unless ``places`` is given."""
    from pht.apps.accounts.templatetags.pht_format import format_number

    number = Decimal(str(value))
    if places is None:
        exponent = number.as_tuple().exponent
        places = max(0, -exponent) if isinstance(exponent, int) else 0
    return format_number(number, places)


class DecimalTextField(forms.DecimalField):
    """A decimal number in a text input, typed and shown as the page's language writes it (``0,25`` and
    ``131 784,54`` on a bokmål page; a point is read too); out of range is refused with its bounds in the
    page's language (Django's own message writes ``0.01`` on a bokmål page)."""

    default_error_messages = {
        "example": _("Enter a number such as %(example)s."),
        "range": _("Enter a number from %(low)s to %(high)s."),
        "min": _("Enter a number of at least %(low)s."),
        "max": _("Enter a number of at most %(high)s."),
    }

    def __init__(
        self,
        *,
        min_value: Decimal | int | None = None,
        max_value: Decimal | int | None = None,
        example: Decimal | None = None,
        **kwargs: Any,
    ) -> None:
        # the bounds are checked here, worded in the page's language (not by Django's validators)
        self.low = Decimal(str(min_value)) if min_value is not None else None
        self.high = Decimal(str(max_value)) if max_value is not None else None
        self.example = example  # shown in the page's format when the text is no number
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # django-stubs: int
        if isinstance(value, str):
            value = number_text(value)
        try:
            return super().to_python(value)
        except ValidationError as error:
            if self.example is None or error.code != "invalid":
                raise
            raise self._no_number() from None

    def validate(self, value: Any) -> None:
        if isinstance(value, Decimal) and not value.is_finite() and self.example is not None:
            raise self._no_number()  # «NaN», «inf»
        super().validate(value)
        if value is None:
            return
        low, high = self.low, self.high
        if (low is not None and value < low) or (high is not None and value > high):
            params = {
                "low": shown_number(low) if low is not None else "",
                "high": shown_number(high) if high is not None else "",
            }
            code = "range" if low is not None and high is not None else "min" if low is not None else "max"
            raise ValidationError(self.error_messages[code], code=code, params=params)

    def _no_number(self) -> ValidationError:
        """No number: with an example in the page's format («Skriv et tall, for eksempel 0,5»)."""
        assert self.example is not None
        return ValidationError(
            self.error_messages["example"], code="invalid", params={"example": shown_number(self.example)}
        )


class ShareField(DecimalTextField):
    """A share or probability (alpha, power) as a float, typed as ``DecimalTextField`` reads it."""

    def clean(self, value: Any) -> float | None:
        number = super().clean(value)
        return float(number) if number is not None else None
