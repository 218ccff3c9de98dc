"""What every action function shares: refusal with a reason, and notification after commit.

An action (one per state change, in each app's ``actions.py``) checks permission, validates,
writes in one ``transaction.atomic()`` block with its audit row (``audit.record_event``), and
calls ``notify`` which sends only once the transaction has committed.

A refusal (``ActionRefused``) says why in English (``reason``: the API, the command line, logs) and
shows it in the page's language (``show_refusal``, the one way views put a refusal on the page). A
rule's refusal (``require``) carries the verdict's message, rendered through the showing app's
``ReasonCatalogue``; any other refusal is a lazy gettext text with its parameters, translated at the
raise site in the app's msgid convention.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.formats import number_format

from pht.rules.explain import Message, Verdict

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django_stubs_ext import StrOrPromise

    from pht.apps.accounts.reasons import ReasonCatalogue


class ActionRefused(PermissionDenied):
    """An action was not allowed or not valid; ``reason`` says why in English, ``display`` in the page's
    language.

    ``text`` is the refusal: a lazy gettext string (``gettext_lazy``), with ``params`` for its ``%(name)s``
    placeholders (whole numbers are grouped as the language writes them; lazy values are translated too),
    or text already in the page's language (a view's own check). ``message`` is a rule's message
    (``require``), which ``display`` renders through the showing app's catalogue. ``field`` is the label of
    the field a boundary check refuses (``pht.apps.accounts.validation``): the refusal reads
    «field: text», and ``display(with_field=False)`` gives the text alone, for a form that puts the label
    before each field's error already.
    """

    def __init__(
        self,
        text: StrOrPromise,
        params: Mapping[str, object] | None = None,
        *,
        message: Message | None = None,
        field: StrOrPromise | None = None,
    ) -> None:
        self.text = text
        self.params = dict(params) if params is not None else None
        self.message = message
        self.field = field
        with translation.override("en"):
            self.reason = self._render()
        super().__init__(self.reason)

    def _render(self, with_field: bool = True) -> str:
        if self.params is None:
            text = str(self.text)
        else:
            values = {name: _shown(value) for name, value in self.params.items()}
            text = str(self.text) % values
        return f"{self.field}: {text}" if with_field and self.field is not None else text

    def display(self, catalogue: ReasonCatalogue | None = None, *, with_field: bool = True) -> str:
        """The refusal in the active language: a rule's message through ``catalogue`` (the English reason
        when there is none, or it lacks the message), any other text through gettext; ``with_field=False``
        leaves out the label of the refused ``field`` (a refusal without one is the same either way)."""
        if self.message is not None:
            return self.reason if catalogue is None else catalogue.show(self.message, self.reason)
        return self._render(with_field)


def _shown(value: object) -> str:
    """A refusal's parameter as the active language writes it: whole numbers grouped, a Decimal with its
    places (``1 234,50`` in bokmål, ``1,234.50`` in English), dates as the
    ``day`` filter writes them (a naive date and time as ``moment`` does: a local time, not converted),
    anything else (lazy texts too) as text."""
    from pht.apps.accounts.numbers import shown_number
    from pht.apps.accounts.templatetags.pht_format import day, moment

    if isinstance(value, int) and not isinstance(value, bool):
        return number_format(value, force_grouping=True)
    if isinstance(value, Decimal) and value.is_finite():
        return shown_number(value)
    if isinstance(value, datetime.datetime):
        return moment(value)
    if isinstance(value, datetime.date):
        return day(value)
    return str(value)


def require(verdict: Verdict) -> None:
    """Refuse the action unless the rule passed (the refusal carries the verdict's message)."""
    if not verdict.passed:
        raise ActionRefused(verdict.reason, message=verdict.message)


def show_refusal(
    request: HttpRequest, refused: ActionRefused, catalogue: ReasonCatalogue | None = None
) -> None:
    """Put a refused action on the page (``messages.error``) in the page's language; ``catalogue`` is the
    app's table of the rules' refusal messages (e.g. ``pht.apps.scheme.reasons.REFUSALS``)."""
    messages.error(request, refused.display(catalogue))


def notify(recipients: Iterable[str], subject: str, body: str) -> None:
    """Send an e-mail once the surrounding transaction commits (never for a rolled-back change)."""
    addresses = sorted({r for r in recipients if r})
    if not addresses:
        return
    transaction.on_commit(lambda: send_mail(subject, body, None, addresses, fail_silently=False))
