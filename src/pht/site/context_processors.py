"""Navigation built from each installed app's ``nav`` entries, filtered by the user's roles.

By roles only: a superuser's flag opens Django's admin, not the pages, whose views check roles, so a
menu entry shown for the flag alone led to a 404 (the administrator saw "Utlysning", "Utvelgelse" and
"Utbetalinger"). ``tests/integration/test_permission_matrix.py`` follows every menu entry of every role.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# (URL conf, script prefix, URL name) -> the URL, or None when it does not reverse. Every page asks for
# every menu entry; reversing them all anew was a tenth of a cheap page's time.
_URLS: dict[tuple[object, str, str], str | None] = {}


@receiver(setting_changed)
def _forget_urls(**kwargs: object) -> None:
    _URLS.clear()  # a test's ROOT_URLCONF override


def _url(url_name: str) -> str | None:
    key = (get_urlconf(), get_script_prefix(), url_name)
    if key not in _URLS:
        try:
            _URLS[key] = reverse(url_name)
        except NoReverseMatch:
            _URLS[key] = None
    return _URLS[key]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for config in apps.get_app_configs():
        for label, url_name, roles in getattr(config, "nav", ()):
            if roles and not user.has_role(*roles):
                continue
            url = _url(url_name)
            if url is None:
                continue
            items.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return {"nav_items": items}
