"""Numbers as a person types them into the scheme's forms, in the page's language."""

from __future__ import annotations

import re

from django.utils.translation import get_language

# Kroner grouped by thousands with the other sign than the page's decimal sign: «1.500.000,50» on a bokmål
# page, «1,500,000.50» on an English one.
_GROUPED = {
    True: re.compile(r"[1-9]\d{0,2}(\.\d{3})+(,\d*)?"),
    False: re.compile(r"[1-9]\d{0,2}(,\d{3})+(\.\d*)?"),
}


def bokmal() -> bool:
    return (get_language() or "nb").split("-")[0] in {"nb", "no", "nn"}


def kroner_text(value: str) -> str:
    """An amount in kroner as typed, its spaces (also no-break ones, as the pages write amounts) and its
    thousands grouping taken out: «1.500» on a bokmål page is 1 500 kr, «1,500» on an English one too (both
    had been read as 1,50 kr). The decimal sign is left for the number reader (``,`` or ``.``)."""
    text = "".join((value or "").split())  # str.split() splits at no-break spaces too
    grouped_by_point = bokmal()
    if _GROUPED[grouped_by_point].fullmatch(text):
        text = text.replace("." if grouped_by_point else ",", "")
    return text
