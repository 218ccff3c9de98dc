"""Assumptions as pages show them: why a parameter is a default, in the page's language, under its label.

Parameter files give every assumption's text in English and bokmål (``pht.refdata.params``); snapshots stored
before that (a finance statement's ``assumptions``, a call's, a national what-if's result file) hold a plain
English string, shown as it is. Every page that lists assumptions goes through :func:`shown_assumptions` and
the partial ``assumptions.html``; a single label (the scheme's «Antakelse») takes :func:`assumption_text`.
A key without a label is not shown as text; the page keeps it in ``data-assumption`` and ``title``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language

from pht.refdata import params


@dataclass(frozen=True)
class ShownAssumption:
    key: str  # parameter set and key ("base_grant.rate_per_year"), or the key alone
    label: str  # the parameter's name in the page's language; "" when it has none
    text: str  # why it is a default, in the page's language


def assumption_text(text: object) -> str:
    """Why a parameter is a default, in the active language (a plain string, stored English, as it is)."""
    return params.assumption_text(text, get_language() or settings.LANGUAGE_CODE)


def shown_assumptions(
    assumptions: object, labels: Mapping[str, object] | None = None
) -> list[ShownAssumption]:
    """Each assumption of ``assumptions`` (key -> text) with its label from ``labels`` (lazy translations
    welcome) and its text, in the active language, in the mapping's order; nothing for what is not a
    mapping (a stored result without assumptions)."""
    if not isinstance(assumptions, Mapping):
        return []
    labels = labels or {}
    return [
        ShownAssumption(key=str(key), label=str(labels.get(key, "")), text=assumption_text(why))
        for key, why in assumptions.items()
    ]
