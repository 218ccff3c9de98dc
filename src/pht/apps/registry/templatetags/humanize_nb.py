"""Number formatting the Norwegian way: a (narrow no-break) space between thousands."""

from django import template

register = template.Library()


@register.filter
def thousands(value: object) -> str:
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(value)
    return f"{number:,}".replace(",", "\u202f")
