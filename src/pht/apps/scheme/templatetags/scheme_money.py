"""``{{ amount|nok }}``: an amount in Norwegian format, ``1 500 000,00 kr`` (non-breaking spaces)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils import translation

from pht.apps.accounts.templatetags.pht_format import amount

register = template.Library()

NBSP = "\u00a0"


def format_nok(value: Any) -> str:
    """``Decimal("1500000")`` -> ``1 500 000,00 kr`` whatever the page's language (letters are Norwegian);
    the site's ``amount`` filter in bokmål. A value that is not a finite number shows as is."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    with translation.override("nb"):
        return amount(number)


@register.filter
def nok(value: Any) -> str:
    if value is None or value == "":
        return ""
    return format_nok(value)
