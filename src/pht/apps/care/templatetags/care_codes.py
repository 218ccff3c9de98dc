"""ICPC-2 codes with their titles from the shipped code list (refdata/data/icpc2), in the page's language."""

from __future__ import annotations

from functools import cache

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()


@cache
def _titles() -> dict[str, tuple[str, str]]:
    from pht.refdata import icpc2_codes

    return {
        code.code: (code.title_nb or code.title_en, code.title_en or code.title_nb) for code in icpc2_codes()
    }


def icpc2_title(code: str, language: str | None = None) -> str:
    """The code's title in ``language`` (default: the active one); "" for a code not in the list."""
    titles = _titles().get(code.strip().upper())
    if titles is None:
        return ""
    bokmal = (language or get_language() or "nb").split("-")[0] in {"nb", "no", "nn"}
    return titles[0] if bokmal else titles[1]


@register.filter
def icpc2(code: object) -> SafeString | str:
    """``K86`` → ``<abbr>K86</abbr> Hypertensjon ukomplisert`` (the code, then its title)."""
    text = str(code or "").strip()
    if not text:
        return "–"
    title = icpc2_title(text)
    if not title:
        return text
    return format_html('<span class="pht-code">{}</span> {}', text, title)
