"""Size-class reasons in the page's language: the rule's messages rendered through gettext.

``pht.rules.size_class`` gives a municipality's size class with its reason as an English sentence and as a
:class:`~pht.rules.explain.Message`; the registry stores both on ``MunicipalityPopulation`` and shows the
reason only through :func:`display` (``MunicipalityPopulation.get_size_class_reason_display``), which renders
it with the shared ``pht.apps.accounts.reasons.ReasonCatalogue``. As everywhere in this app the msgids are
the rules' English templates word for word (tests/integration/registry/test_registry_reasons.py checks it),
with the bokmål in the app's ``nb`` catalogue.
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

CATALOGUE = ReasonCatalogue(TEMPLATES)


def display(stored: Mapping[str, object] | None, english: str) -> str:
    """A stored size-class reason in the active language; ``english`` (the rule's sentence) for rows without
    a message or whose message no longer fits the templates (``ReasonCatalogue.display``)."""
    return CATALOGUE.display(stored, english)
