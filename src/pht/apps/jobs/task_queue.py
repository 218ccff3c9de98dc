"""django-tasks' database backend (``django_tasks_db``) as the admin names it: in the page's language.

The package names its app in English only ("Tasks Database Backend"); this config, listed in INSTALLED_APPS
in its place, gives it a translatable name. Its models' names ("Task Result") are the package's gettext
texts, translated in the jobs app's catalogue.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class TaskQueueConfig(TasksAppConfig):
    default = False
    verbose_name = _("Task queue")  # type: ignore[assignment]  # the package types it as a plain str
