from __future__ import annotations

from django import template

from pht.apps.accounts.models import User
from pht.apps.finance.actions import can_store_settlements

register = template.Library()


@register.filter
def can_run_settlements(user: object) -> bool:
    """The user may start settlement runs (the finance actions' own rule)."""
    return isinstance(user, User) and can_store_settlements(user).passed


@register.filter
def can_compare_models(user: object) -> bool:
    """The user may open the own-model-vs-shadow comparison (``comparison_views.can_compare``)."""
    from pht.apps.finance.comparison_views import can_compare

    return can_compare(user)
