"""Navigation built from each installed app's ``nav`` entries, filtered by the user's roles.

By roles only: a superuser's flag opens Django's admin, not the pages, whose views check roles, so a
menu entry shown for the flag alone led to a 404 (the administrator saw "Utlysning", "Utvelgelse" and
"Utbetalinger"). ``tests/integration/test_permission_matrix.py`` follows every menu entry of every role.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for config in apps.get_app_configs():
        for label, url_name, roles in getattr(config, "nav", ()):
            if roles and not user.has_role(*roles):
                continue
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            items.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return {"nav_items": items}
