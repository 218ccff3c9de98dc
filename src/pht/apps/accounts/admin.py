from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from pht.apps.accounts.models import ApiToken, AuditEvent, Organisation, User


@admin.register(User)
class PhtUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("PHT", {"fields": ("organisation", "roles")}))  # type: ignore[misc]
    list_display = ("username", "first_name", "last_name", "organisation", "roles", "is_active")
    list_filter = ("organisation__kind", "is_active")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "municipality", "practice")
    list_filter = ("kind",)
    search_fields = ("name",)
    raw_id_fields = ("municipality", "practice")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "created_at", "last_used_at")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "verb", "target_repr")
    list_filter = ("verb",)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def,unused-ignore]
        return False  # the audit log is append-only

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def,unused-ignore]
        return False
