from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "pht.apps.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation")
    # Navigation entries: (label, url name, roles that see it; empty = every signed-in user).
    nav: list[tuple[object, str, tuple[str, ...]]] = [
        (
            _("Evaluation"),
            "evaluation:index",
            ("evaluator", "case_officer", "reviewer", "finance_officer", "administrator"),
        ),
    ]

    def todos(self, user: object) -> list[object]:
        """The evaluator's plans to lock and runs to look at (pht.apps.accounts.todos)."""
        from pht.apps.evaluation.todos import todos

        return list(todos(user))
