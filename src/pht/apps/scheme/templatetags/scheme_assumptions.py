"""``{% assumption call "key" %}``: the «Antakelse» label for a call parameter that is a default.

A call's ``assumptions`` (from its parameter file) map each default PHT ships to why it is one, in English
and bokmål (a call stored before the texts were bilingual holds English text); the label carries that
reason, in the page's language, as its title and renders nothing for a published value.
"""

from __future__ import annotations

from typing import Any

from django import template

from pht.apps.accounts.assumptions import assumption_text

register = template.Library()


@register.inclusion_tag("scheme/_assumption.html")
def assumption(call: Any, key: str) -> dict[str, Any]:
    assumptions = getattr(call, "assumptions", None) or {}
    shown = key in assumptions
    return {"key": key, "why": assumption_text(assumptions[key]) if shown else None, "shown": shown}
