from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "pht.apps.care"
    label = "care"
    verbose_name = _("Care")
    # Navigation entries: (label, url name, roles that see it; empty = every signed-in user).
    nav: list[tuple[object, str, tuple[str, ...]]] = [
        (_("Worklist"), "care:worklist", ("gp", "nurse", "secretary", "practice_admin")),
        (_("Target groups"), "care:overview", ("case_officer", "evaluator", "administrator", "project_lead")),
    ]

    def todos(self, user: object) -> list[object]:
        """Practice staff's to-dos for the start page (pht.apps.accounts.todos)."""
        from pht.apps.care.todos import todos

        return list(todos(user))
