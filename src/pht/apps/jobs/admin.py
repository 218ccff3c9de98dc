"""django-tasks' task results in the admin (``django_tasks_db``), with the column and labels the package
writes in English only ("Task name", "traceback") in the page's language. Its field names are the package's
gettext texts, translated in the jobs app's catalogue."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult


class TaskResultAdmin(DBTaskResultAdmin):
    @admin.display(description=_("task name"))
    def task_name(self, obj: Any) -> str:
        return str(obj.task_name)

    @admin.display(description=_("traceback"))
    def formatted_traceback(self, obj: Any) -> str:
        return super().formatted_traceback(obj)


admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, TaskResultAdmin)
