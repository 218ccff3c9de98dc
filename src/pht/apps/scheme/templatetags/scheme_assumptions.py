"""``{% assumption call "key" %}``: the «Antakelse» label for a call parameter that is a default.

A call's ``assumptions`` (from its parameter file) map each default PHT ships to why it is one;
the label carries that reason as its title and renders nothing for a published value.
"""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("scheme/_assumption.html")
def assumption(call: Any, key: str) -> dict[str, Any]:
    assumptions = getattr(call, "assumptions", None) or {}
    return {"key": key, "why": assumptions.get(key), "shown": key in assumptions}
