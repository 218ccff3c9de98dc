"""One way to show a value, in the page's language: ``{% load pht_format %}``.

``amount``   1 500 000,00 kr (bokmål) · NOK 1,500,000.00 (English)
``number``   1 500 000 · 1,500,000 (``|number:2`` for two decimals, ``|number:"auto"`` for the value's own)
``percent``  a share (0.123) as 12,3 % · 12.3% (``|percent:0`` for whole percents)
``fte``      full-time equivalents with two decimals: 0,50 · 0.50
``day``      a date (or ISO date text): 5. desember 2026 · Dec. 5, 2026
``moment``   a date and time in the site's time zone: 5. desember 2026 14:05 · Dec. 5, 2026, 2:05 p.m.
``month``    a month (a stored "2018-05" period, or a date): mai 2018 · May 2018

and one way to *type* a date, for a form a template writes by hand (Django forms use ``DayField``):

``{% day_input "due" "task-due" value %}``  a date input showing 31.03.2023 · 03/31/2023 with its format
hint (pht.apps.accounts.forms.DayInput); ``required=True`` marks it required

The filters and the tag are template builtins (settings.TEMPLATES), so no ``{% load %}`` is needed.

Every filter gives the value back untouched (as text) if it is not a number or date, so a template
never fails on an empty cell; ``None`` and "" show as an en dash.
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from pht.apps.accounts.forms import DayInput

register = template.Library()

EMPTY = "–"
NBSP = "\u00a0"  # between thousands and before the unit: never broken over two lines


def bokmal_page() -> bool:
    """Whether the page is in Norwegian (bokmål, or a Norwegian code that falls back to it)."""
    return (get_language() or "nb").split("-")[0] in {"nb", "no", "nn"}


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip().replace("\u2212", "-"))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def format_number(value: Decimal, decimals: int) -> str:
    """``value`` rounded half up to ``decimals`` places with the page language's separators."""
    rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{abs(rounded):,.{decimals}f}"
    if bokmal_page():
        text = text.replace(",", NBSP).replace(".", ",")
        return ("\u2212" if rounded < 0 else "") + text  # the minus sign, as Norwegian typography has it
    return ("-" if rounded < 0 else "") + text


def _decimals(arg: object, default: int) -> int:
    try:
        places = int(str(arg))
    except (TypeError, ValueError):
        return default
    return min(max(places, 0), 6)


@register.filter
def number(value: object, decimals: object = 0) -> str:
    parsed = _decimal(value)
    if parsed is None:
        return EMPTY if value in (None, "") else str(value)
    if decimals == "auto":  # as many decimals as the value carries (a rate of 0.125, a count of 3)
        exponent = parsed.normalize().as_tuple().exponent
        return format_number(parsed, min(max(-int(exponent), 0), 6))
    return format_number(parsed, _decimals(decimals, 0))


@register.filter
def amount(value: object, decimals: object = 2) -> str:
    """Kroner: ``1 500 000,00 kr`` in bokmål, ``NOK 1,500,000.00`` in English."""
    parsed = _decimal(value)
    if parsed is None:
        return EMPTY if value in (None, "") else str(value)
    text = format_number(parsed, _decimals(decimals, 2))
    return f"{text}{NBSP}kr" if bokmal_page() else f"NOK{NBSP}{text}"


@register.filter
def percent(value: object, decimals: object = 1) -> str:
    """A share (0.123) as a percentage: ``12,3 %`` in bokmål, ``12.3%`` in English."""
    parsed = _decimal(value)
    if parsed is None:
        return EMPTY if value in (None, "") else str(value)
    text = format_number(parsed * 100, _decimals(decimals, 1))
    return f"{text}{NBSP}%" if bokmal_page() else f"{text}%"


@register.filter
def fte(value: object) -> str:
    """Full-time equivalents, always with two decimals."""
    return number(value, 2)


@register.filter
def day(value: object) -> str:
    """A date in the page's language (Django's DATE_FORMAT for it)."""
    if value in (None, ""):
        return EMPTY
    if isinstance(value, str):
        text = value
        try:
            value = datetime.date.fromisoformat(text[:10])
        except ValueError:
            return text
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        return str(value)
    return formats.date_format(value, "DATE_FORMAT")


MONTH_TEXT = re.compile(r"(\d{4})-(\d{2})")


@register.filter
def month(value: object) -> str:
    """A month in the page's language (Django's YEAR_MONTH_FORMAT): a period stored as ``2018-05``
    shows as «mai 2018» in bokmål and «May 2018» in English; a date shows its month. Anything else
    (``2018-13``, ``mai``) is shown as it was, never an error."""
    if value in (None, ""):
        return EMPTY
    if isinstance(value, datetime.date):
        return formats.date_format(value.replace(day=1), "YEAR_MONTH_FORMAT")
    text = str(value)
    found = MONTH_TEXT.fullmatch(text.strip())
    if found is None or not 1 <= int(found[2]) <= 12 or int(found[1]) < 1:
        return text
    return formats.date_format(datetime.date(int(found[1]), int(found[2]), 1), "YEAR_MONTH_FORMAT")


@register.filter
def moment(value: object) -> str:
    """A date and time in the page's language, in the site's time zone (DATETIME_FORMAT)."""
    if value in (None, ""):
        return EMPTY
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if not isinstance(value, datetime.datetime):
        return day(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT")


@register.filter
def setting(value: object) -> str:
    """A setting's value as stored in a plan or parameter set (text, a number, a list), as the page's
    language writes it: ISO dates as ``day`` writes them, decimal text and numbers localised, lists
    joined with ", "."""
    from pht.apps.accounts.reasons import localise_values

    if isinstance(value, list | tuple):
        return ", ".join(setting(item) for item in value)
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return number(value)
    return str(localise_values(str(value)))


@register.simple_tag
def day_input(name: str, element_id: str, value: object = None, required: bool = False) -> SafeString:
    """The shared date input (``DayInput``): a date value in the page's language, posted text as it was."""
    attrs: dict[str, object] = {"id": element_id, "class": "ds-input"}
    if required:
        attrs["required"] = True
    return DayInput().render(name, value, attrs)


# The registry's older name for ``number`` (kept so its templates and others' keep working).
register.filter("thousands", number)
