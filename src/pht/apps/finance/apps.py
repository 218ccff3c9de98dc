from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "pht.apps.finance"
    label = "finance"
    verbose_name = _("Finance")
    # Navigation entries: (label, url name, roles that see it; empty = every signed-in user).
    nav: list[tuple[object, str, tuple[str, ...]]] = [(_("Settlements"), "finance:statements", ())]

    def todos(self, user: object) -> list[object]:
        """The finance officer's months not yet settled (pht.apps.accounts.todos)."""
        from pht.apps.finance.todos import todos

        return list(todos(user))
