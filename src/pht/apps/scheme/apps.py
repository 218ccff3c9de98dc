from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchemeConfig(AppConfig):
    name = "pht.apps.scheme"
    label = "scheme"
    verbose_name = _("Scheme")
    # Navigation entries: (label, url name, roles that see it; empty = every signed-in user).
    nav: list[tuple[object, str, tuple[str, ...]]] = [
        (_("Utlysningsoversikt"), "scheme:call", ("case_officer",)),
        (
            _("Utlysninger"),
            "scheme:calls",
            ("case_officer", "project_lead", "reviewer", "finance_officer", "administrator"),
        ),
        (_("Søknader"), "scheme:applications", ("case_officer", "project_lead", "finance_officer")),
        (_("Vurderinger"), "scheme:reviews", ("reviewer",)),
        (_("Utvelgelse"), "scheme:selection", ("case_officer",)),
        (_("Utbetalinger"), "scheme:payments", ("finance_officer", "case_officer")),
        (_("Rapporter"), "scheme:reports", ("case_officer", "project_lead")),
    ]

    def todos(self, user: object) -> list[object]:
        """The Directorate's and the project lead's to-dos, for the start page (pht.apps.accounts.todos)."""
        from pht.apps.scheme.todos import todos

        return list(todos(user))
