"""Size-class reasons in the page's language: the rule's messages rendered through gettext.

``pht.rules.size_class`` gives a municipality's size class with its reason as an English sentence and as a
:class:`~pht.rules.explain.Message`; the registry stores both on ``MunicipalityPopulation`` and shows the
reason only through :func:`display` (``MunicipalityPopulation.get_size_class_reason_display``), which renders
it with the shared ``pht.apps.accounts.reasons.ReasonCatalogue``. As everywhere in this app the msgids are
the rules' English templates word for word (tests/integration/registry/test_registry_reasons.py checks it),
with the bokmål in the app's ``nb`` catalogue.

Refused roster changes (``pht.apps.accounts.actions.ActionRefused``) that come from the roster verdicts
(``pht.apps.accounts.permissions.can_edit_roster``) are shown through :data:`REFUSALS` in the same way
(``show_refusal(request, refused, REFUSALS)``); the app's other refusals are gettext texts at their raise
site.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.reasons import ReasonCatalogue

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

TEMPLATES: dict[str, StrPromise] = {
    "size_class.small": _("population %(population)s is under %(small_below)s"),
    "size_class.large": _("population %(population)s is over %(large_above)s"),
    "size_class.medium": _(
        "population %(population)s is between %(small_below)s and %(large_above)s (bounds included)"
    ),
}

CATALOGUE = ReasonCatalogue(TEMPLATES, localise=True)

# Refusals by the roster verdicts (pht.apps.accounts.permissions.TEMPLATES).
REFUSAL_TEMPLATES: dict[str, StrPromise] = {
    "access.edit_roster.administrator": _("administrator"),
    "access.edit_roster.not_own_practice": _("Only the practice's own staff may edit its roster."),
    "access.edit_roster.role": _("Your role may not edit the roster."),
    "access.edit_roster.staff": _("staff of this practice"),
}

REFUSALS = ReasonCatalogue(REFUSAL_TEMPLATES)


def display(stored: Mapping[str, object] | None, english: str) -> str:
    """A stored size-class reason in the active language; ``english`` (the rule's sentence) for rows without
    a message or whose message no longer fits the templates (``ReasonCatalogue.display``)."""
    return CATALOGUE.display(stored, english)
