from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "pht.apps.registry"
    label = "registry"
    verbose_name = _("Registry")
    # Navigation entries this app adds: (label, url name, roles that see it; empty = every signed-in user).
    nav = [(_("Municipalities"), "registry:municipalities", ())]

    def todos(self, user: object) -> list[object]:
        """Rosters below the nurse norm, for the start page (pht.apps.accounts.todos)."""
        from pht.apps.registry.roster import todos

        return list(todos(user))
