"""Validation at the boundary, shared by every app's actions: numbers bounded to their model field
(digits, places, finite), text without NUL bytes and within a length limit, e-mail addresses checked.

A value that breaks a rule is refused with ``ActionRefused`` naming the field (its ``field``: the model
field's verbose name or the caller's label, in the page's language; ``display(with_field=False)`` leaves
it out for a form), so a page or the API answers with the reason instead of storing a value the database
cannot hold or read back (``1e400`` on SQLite, a NUL byte or an over-long string on PostgreSQL).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import BadRequest, ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.numbers import number_text

# Free text without a model limit (TextField) is capped here.
TEXT_MAX = 10_000
EMAIL_MAX = 254  # RFC 5321 path limit, and EmailField's column size


def _field(model: type[models.Model], name: str) -> Any:
    return model._meta.get_field(name)


def label_of(model: type[models.Model], name: str) -> Any:
    return _field(model, name).verbose_name


def bounded_decimal(
    value: Any,
    model: type[models.Model],
    name: str,
    *,
    minimum: Decimal | None = Decimal(0),
    label: Any = None,
) -> Decimal:
    """``value`` (a Decimal, int or text with ``,`` or ``.`` as decimal sign) as a Decimal that fits the
    model's DecimalField ``name``: finite, at most its digits before the point (more places than the
    field keeps are rounded half up, as stored), and not below ``minimum``."""
    field = _field(model, name)
    label = label if label is not None else field.verbose_name
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, str):
        value = number_text(value)  # as the page's language writes it: «1 500 000,50», «1.500»
    try:
        number = value if isinstance(value, Decimal) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ActionRefused(_("not a number"), field=label) from None
    if not number.is_finite():  # «NaN», «inf», «-Infinity»: Decimal reads them, but they are no numbers
        raise ActionRefused(_("not a number"), field=label)
    whole = field.max_digits - field.decimal_places
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    places = max(0, -exponent)
    integer_digits = max(0, len(digits) + exponent) if digits != (0,) else 0
    if integer_digits > whole:
        raise ActionRefused(
            _("at most %(whole)s digits before the decimal point and %(places)s after"),
            {"whole": whole, "places": field.decimal_places},
            field=label,
        )
    if places > field.decimal_places:
        # More places than the column keeps: rounded as the database would store it.
        number = number.quantize(Decimal(1).scaleb(-field.decimal_places), rounding=ROUND_HALF_UP)
        if len(number.as_tuple().digits) > field.max_digits:
            raise ActionRefused(
                _("at most %(whole)s digits before the decimal point and %(places)s after"),
                {"whole": whole, "places": field.decimal_places},
                field=label,
            )
    if minimum is not None and number < minimum:
        raise ActionRefused(_("must be %(minimum)s or more"), {"minimum": str(minimum)}, field=label)
    return number


def bounded_text(
    value: str | None,
    model: type[models.Model] | None = None,
    name: str = "",
    *,
    label: Any = None,
    max_length: int | None = None,
) -> str:
    """Text for a model's CharField or TextField ``name``: no NUL bytes, at most the field's
    ``max_length`` (TextField: ``TEXT_MAX``) characters."""
    text = value or ""
    field = _field(model, name) if model is not None else None
    if label is None and field is not None:
        label = field.verbose_name
    limit = max_length or (field.max_length if field is not None else None) or TEXT_MAX
    if "\x00" in text:
        raise ActionRefused(_("contains a NUL character"), field=label or name)
    if len(text) > limit:
        raise ActionRefused(
            _("at most %(limit)s characters (this has %(length)s)"),
            {"limit": limit, "length": len(text)},
            field=label or name,
        )
    return text


def checked_email(value: str | None, *, label: Any) -> str:
    """An e-mail address (or empty): at most 254 characters and of valid form."""
    text = bounded_text((value or "").strip(), label=label, max_length=EMAIL_MAX)
    if text:
        try:
            validate_email(text)
        except ValidationError:
            raise ActionRefused(_("not a valid e-mail address"), field=label) from None
    return text


def parse_id(value: Any) -> int:
    """An id from a form or query string; anything but 1-18 ASCII digits is a bad request (400)."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise BadRequest("not an id")
    return int(text)


def optional_id(value: Any) -> int | None:
    """``parse_id`` for a value that may be empty."""
    if value is None or str(value).strip() == "":
        return None
    return parse_id(value)
