"""Admin of the evaluation app: read only. Plans change only through ``actions`` (and a locked plan
never: ``AnalysisPlan.save`` refuses it too), runs and extracts only through their jobs and commands."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from pht.apps.evaluation.models import AnalysisPlan, Extract, Run


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AnalysisPlan)
class AnalysisPlanAdmin(ReadOnlyAdmin):
    list_display = ("name", "version", "status", "plan_hash", "locked_at")
    list_filter = ("status",)


@admin.register(Extract)
class ExtractAdmin(ReadOnlyAdmin):
    list_display = ("id", "snapshot_hash", "purpose", "created_at")


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = ("id", "plan", "extract", "job", "created_at", "finished_at")
