"""Rule reasons in the page's language: stored messages rendered through gettext (one implementation).

The rules (``pht.rules``) give a reason as an English sentence and, where they can, as a
:class:`~pht.rules.explain.Message` (a message id and named parameters, with :class:`~pht.rules.explain.Term`
for vocabulary). Each app that shows reasons keeps a :class:`ReasonCatalogue`: its table of the rules'
templates and terms as lazy gettext strings (msgids in the app's convention: English with an ``nb``
catalogue in care and finance, bokmål with an ``en`` catalogue in scheme). Pages show a stored reason only
through :meth:`ReasonCatalogue.display`, which renders the stored message in the active language and falls
back to the stored sentence for rows written before messages were stored.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import formats
from django.utils.formats import number_format
from django.utils.translation import get_language

from pht.rules.explain import Message, Param, Term, render

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


_DECIMAL = re.compile(r"^-?\d+\.\d+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")


def localise_values(value: Param) -> Param:
    """Decimal and date text in a message's parameters as the page's language writes them: ``"0.278"``,
    ``"678082.19"`` as ``0,278`` / ``678 082,19`` in bokmål and ``678,082.19`` in English (keeping the
    places); ``"2009-06-08"`` as the ``day`` filter writes a date (``8. juni 2009`` / ``June 8, 2009``),
    and a local time ``"2017-10-01 09:15:00"`` as the language writes a date and time."""
    from pht.apps.accounts.templatetags.pht_format import day, format_number

    if isinstance(value, Message):
        return Message(value.key, {name: localise_values(item) for name, item in value.params.items()})
    if isinstance(value, tuple):
        return tuple(localise_values(item) for item in value)
    if isinstance(value, str) and _DECIMAL.match(value):
        number = Decimal(value)
        return format_number(number, -int(number.as_tuple().exponent))
    if isinstance(value, str) and _ISO_DATE.match(value):
        return day(value)  # text that is not a real date (2019-13-45) stays as it is
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        # a local time the rule already wrote in its zone (the message names the zone): no conversion
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        return formats.date_format(moment, "DATETIME_FORMAT")
    return value


_CACHE_SIZE = 4096
_CATALOGUES: list[ReasonCatalogue] = []


@receiver(setting_changed)
def _forget_rendered(**kwargs: object) -> None:
    """A changed language or number-format setting (tests) renders the reasons anew."""
    for catalogue in _CATALOGUES:
        catalogue._rendered.clear()


class ReasonCatalogue:
    """An app's translatable templates (message id -> template) and terms ((kind, key) -> text)."""

    def __init__(
        self,
        templates: Mapping[str, StrOrPromise],
        terms: Mapping[tuple[str, str], StrOrPromise] | None = None,
        *,
        localise: bool = False,
    ) -> None:
        self.templates = templates
        self.terms: Mapping[tuple[str, str], StrOrPromise] = terms or {}
        # decimals and dates in the page's language (pht_format); apps opt in as their pages adopt the filters
        self.localise = localise
        # (language, stored message, fallback) -> rendered text. A list page shows the same few reasons
        # on every row and every request, and rendering one through gettext costs about a millisecond.
        self._rendered: dict[tuple[str | None, str, str], str] = {}
        _CATALOGUES.append(self)

    def template(self, key: str) -> str:
        """The template of message id ``key`` in the active language (``KeyError`` if unknown)."""
        return str(self.templates[key])

    def term(self, term: Term) -> str:
        """A term in the active language; its own ``text`` when the catalogue has no entry for it."""
        translated = self.terms.get((term.kind, term.key))
        return term.text if translated is None else str(translated)

    def render(self, message: Message) -> str:
        """``message`` in the active language (``KeyError`` for an id or placeholder the table lacks); whole
        numbers grouped as the language writes them (20 000 in bokmål, 20,000 in English)."""
        if self.localise:
            localised = localise_values(message)
            message = localised if isinstance(localised, Message) else message
        return render(message, self.template, self.term, _number)

    def display(self, stored: Mapping[str, object] | None, fallback: str) -> str:
        """A stored reason in the active language.

        ``stored`` is ``Message.as_dict()`` as saved beside the reason; ``fallback`` is the sentence saved
        with it, shown instead when there is no message (rows written before messages were stored) or when
        the message no longer fits the templates (an id or placeholder renamed since it was stored).
        """
        if not stored:
            return fallback
        try:
            key = (get_language(), json.dumps(stored, sort_keys=True, default=str), fallback)
        except (TypeError, ValueError):
            key = None
        if key is not None and (cached := self._rendered.get(key)) is not None:
            return cached
        try:
            message = Message.from_dict(stored)
        except (ValueError, TypeError):
            return fallback
        text = self.show(message, fallback)
        if key is not None:
            if len(self._rendered) >= _CACHE_SIZE:
                self._rendered.clear()  # bounded: stored messages are few, but never grow without limit
            self._rendered[key] = text
        return text

    def show(self, message: Message, fallback: str) -> str:
        """``message`` in the active language; ``fallback`` when it does not fit the templates (an id or a
        placeholder the table lacks)."""
        try:
            return self.render(message)
        except (KeyError, ValueError, TypeError):
            return fallback
