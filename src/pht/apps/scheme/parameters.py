"""A call's parameters as a case officer reads them: a label and a formatted value in the page's language.

The call's parameter file (``src/pht/refdata/params/call_*.toml``) names its values by key
(``report_due_month_day = [3, 1]``); the call page shows each as a label and a value written for a reader
("Rapportfrist: 1. mars året etter", "Utbetalingsmåneder: januar og juli", amounts in kroner, dates as
dates). Every known key has a label in :data:`LABELS` and a formatter in :data:`FORMATTERS` (as everywhere
in this app the msgids are bokmål, with an ``en`` catalogue); a key without them, or a value its formatter
cannot read, is shown as the raw key and value rather than hidden.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.template.defaultfilters import filesizeformat
from django.utils import formats
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pht.apps.scheme.reasons import TERMS

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    from pht.apps.scheme.models import Call


# Amounts of this many digits or more are no grant (and "9E999999" would take long to write out).
AMOUNT_DIGITS = 16


@dataclass(frozen=True)
class Parameter:
    """One parameter as shown: its key (for the «Antakelse» label), label and value; ``known`` is false when
    the label and value are the raw key and value."""

    key: str
    label: str
    value: str
    known: bool


def _whole(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"not a whole number: {value!r}")
    return value


def _number(value: object) -> str:
    return formats.number_format(_whole(value), force_grouping=True)


def _municipalities(value: object) -> str:
    count = _whole(value)
    return ngettext("%(count)s kommune", "%(count)s kommuner", count) % {"count": _number(count)}


def _gps(value: object) -> str:
    count = _whole(value)
    return ngettext("%(count)s fastlege", "%(count)s fastleger", count) % {"count": _number(count)}


def _kroner(value: object) -> str:
    """An amount (a decimal string, as parameter files write amounts) in kroner: whole kroner without øre."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError(f"not an amount: {value!r}")
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite() or amount.adjusted() >= AMOUNT_DIGITS - 1:
        raise ValueError(f"not an amount: {value!r}")
    places = 0 if amount == amount.to_integral_value() else 2
    return _("%(amount)s kr") % {"amount": formats.number_format(amount, places, force_grouping=True)}


def _month(value: object) -> str:
    """A month's name as it stands in a sentence: Django's catalogue writes "januar" in bokmål and
    "January" in English."""
    month = _whole(value)
    if month not in MONTHS:
        raise ValueError(f"not a month: {value!r}")
    return str(MONTHS[month])


def _listed(items: list[str]) -> str:
    """Items as a sentence lists them: "januar, april og juli"."""
    if len(items) < 2:
        return "".join(items)
    return _("%(items)s og %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _months(value: object) -> str:
    if not isinstance(value, list | tuple) or not value:
        raise ValueError(f"not a list of months: {value!r}")
    return _listed([_month(month) for month in value])


def _month_day_after(value: object) -> str:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError(f"not a [month, day]: {value!r}")
    month, day = _whole(value[0]), _whole(value[1])
    datetime.date(2000, month, day)  # a day of that month (in a leap year); ValueError otherwise
    return _("%(day)s. %(month)s året etter") % {"day": day, "month": _month(month)}


def _date(value: object) -> str:
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value) if "T" in value else datetime.date.fromisoformat(value)
    if isinstance(value, datetime.datetime):
        return formats.date_format(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    raise ValueError(f"not a date: {value!r}")


def _bytes(value: object) -> str:
    return _("%(size)s per vedlegg") % {"size": filesizeformat(_whole(value))}


def _nurse_norm(value: object) -> str:
    lists = _whole(value)
    return ngettext(
        "ett sykepleierårsverk per %(lists)s fastlegeliste",
        "ett sykepleierårsverk per %(lists)s fastlegelister",
        lists,
    ) % {"lists": _number(lists)}


def _financing_models(value: object) -> str:
    if not isinstance(value, list | tuple) or not all(isinstance(model, str) for model in value):
        raise ValueError(f"not a list of financing models: {value!r}")
    return _listed([str(TERMS.get(("financing_model", model), model)) for model in value])


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"not text: {value!r}")
    return value


LABELS: dict[str, StrPromise] = {
    # Dates (pht.apps.scheme.calls.load_call keeps them as the call's fields).
    "invitation_date": gettext_lazy("Invitasjon sendt"),
    "announcement_date": gettext_lazy("Kunngjort"),
    "information_meeting": gettext_lazy("Informasjonsmøte"),
    "deadline_date": gettext_lazy("Søknadsfrist"),
    "timezone": gettext_lazy("Tidssone"),
    "pilot_start": gettext_lazy("Pilotstart"),
    "pilot_end": gettext_lazy("Pilotslutt"),
    "budget_first_year": gettext_lazy("Budsjett første år"),
    # Targets of the selection (Call.targets).
    "target_small": gettext_lazy("Mål: små kommuner"),
    "target_medium": gettext_lazy("Mål: mellomstore kommuner"),
    "target_large": gettext_lazy("Mål: store kommuner"),
    "target_gps": gettext_lazy("Mål: fastleger i alt"),
    "gps_min": gettext_lazy("Fastleger i alt, minst"),
    "gps_max": gettext_lazy("Fastleger i alt, høyst"),
    "min_per_model_fee": gettext_lazy("Valgte kommuner som tilbyr honorarmodell, minst"),
    "min_per_model_capitation": gettext_lazy("Valgte kommuner som tilbyr driftstilskuddsmodell, minst"),
    # The team norm and the financing models on offer.
    "financing_models": gettext_lazy("Finansieringsmodeller"),
    "gp_lists_per_nurse_fte": gettext_lazy("Sykepleiernorm"),
    # Grants (Call.grant_parameters).
    "grant_per_gp_per_year": gettext_lazy("Tilskudd til legekontorene per fastlege og år"),
    "municipality_base_per_year": gettext_lazy("Tilskudd til kommunen per år, grunnbeløp"),
    "municipality_per_gp_per_year": gettext_lazy("Tilskudd til kommunen per fastlege og år"),
    "instalment_months": gettext_lazy("Utbetalingsmåneder"),
    "report_due_month_day": gettext_lazy("Rapportfrist"),
    # Attachments on applications.
    "attachment_max_bytes": gettext_lazy("Største vedlegg"),
}

FORMATTERS: dict[str, Callable[[object], str]] = {
    "invitation_date": _date,
    "announcement_date": _date,
    "information_meeting": _date,
    "deadline_date": _date,
    "timezone": _text,
    "pilot_start": _date,
    "pilot_end": _date,
    "budget_first_year": _kroner,
    "target_small": _municipalities,
    "target_medium": _municipalities,
    "target_large": _municipalities,
    "target_gps": _gps,
    "gps_min": _gps,
    "gps_max": _gps,
    "min_per_model_fee": _municipalities,
    "min_per_model_capitation": _municipalities,
    "financing_models": _financing_models,
    "gp_lists_per_nurse_fte": _nurse_norm,
    "grant_per_gp_per_year": _kroner,
    "municipality_base_per_year": _kroner,
    "municipality_per_gp_per_year": _kroner,
    "instalment_months": _months,
    "report_due_month_day": _month_day_after,
    "attachment_max_bytes": _bytes,
}


def parameter(key: str, value: Any) -> Parameter:
    """``key`` and ``value`` as a reader sees them in the active language; the raw key and value for a key
    without a label or formatter, or a value its formatter cannot read."""
    label, formatter = LABELS.get(key), FORMATTERS.get(key)
    if label is not None and formatter is not None:
        try:
            return Parameter(key, str(label), formatter(value), known=True)
        except (TypeError, ValueError, ArithmeticError):
            pass
    return Parameter(key, key, str(value), known=False)


def parameters(items: Iterable[tuple[str, Any]]) -> list[Parameter]:
    return [parameter(key, value) for key, value in items]


def call_parameters(call: Call) -> list[Parameter]:
    """The parameters of the call page's table: targets, grants, the team norm, the financing models and the
    attachment limit, in that order."""
    return parameters(
        [
            *call.targets.items(),
            *call.grant_parameters.items(),
            ("gp_lists_per_nurse_fte", call.gp_lists_per_nurse_fte),
            ("financing_models", call.financing_models),
            ("attachment_max_bytes", call.attachment_max_bytes),
        ]
    )
