from __future__ import annotations

import importlib
import importlib.util

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "pht.apps.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")
    # Navigation entries: (label, url name, roles that see it; empty = every signed-in user).
    nav: list[tuple[object, str, tuple[str, ...]]] = []

    def ready(self) -> None:
        # Every installed PHT app may register job kinds in its ``job_kinds`` module.
        for config in apps.get_app_configs():
            if not config.name.startswith("pht."):
                continue
            module = f"{config.name}.job_kinds"
            if importlib.util.find_spec(module) is not None:
                importlib.import_module(module)
