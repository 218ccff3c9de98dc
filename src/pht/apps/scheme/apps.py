from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchemeConfig(AppConfig):
    name = "pht.apps.scheme"
    label = "scheme"
    verbose_name = _("Scheme")
    # Navigation entries: (label, url name, roles that see it; empty = every signed-in user).
    nav: list[tuple[object, str, tuple[str, ...]]] = []
