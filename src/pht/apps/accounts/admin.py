"""Django admin for accounts. Every change to users, roles, organisations and API tokens made here
writes an audit row (``audit.record_event``); the audit log itself is read-only here and shows which
fields an action changed, never their values (they may hold clinical text)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm, UsernameField
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.audit import record_event, snapshot
from pht.apps.accounts.models import ApiToken, AuditEvent, Organisation, Role, User

SECRET_FIELDS = {"password", "key_hash"}
NOISE_FIELDS = {"last_login"}


def _state(obj: models.Model) -> dict[str, Any]:
    data = snapshot(obj)
    return {k: v for k, v in data.items() if k not in SECRET_FIELDS | NOISE_FIELDS}


class AuditedAdmin(admin.ModelAdmin):
    """Adds, changes and deletions in the admin each write an audit row with the state before and after
    (secrets such as password hashes left out)."""

    audit_prefix = "admin"

    def _verb(self, action: str) -> str:
        return f"{self.audit_prefix}.{self.model._meta.model_name}.{action}"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = _state(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
            super().save_model(request, obj, form, change)
            obj._audit_pending = (before, change)  # the admin instance is shared: keep it on the object

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before, changed = getattr(obj, "_audit_pending", (None, change))
        obj.refresh_from_db()
        after = _state(obj)
        if before is not None and before == after:
            return
        record_event(
            request.user,  # type: ignore[arg-type]
            self._verb("change" if changed else "add"),
            obj,
            before=before,
            after=after,
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            before = _state(obj)
            record_event(request.user, self._verb("delete"), obj, before=before)  # type: ignore[arg-type]
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                record_event(request.user, self._verb("delete"), obj, before=_state(obj))  # type: ignore[arg-type]
            super().delete_queryset(request, queryset)


class RolesField(forms.MultipleChoiceField):
    """Roles as checkboxes (stored as a JSON list), not typed as raw JSON."""

    widget = forms.CheckboxSelectMultiple

    def prepare_value(self, value: Any) -> Any:
        return value if isinstance(value, list) else super().prepare_value(value)


class PhtUserChangeForm(UserChangeForm):
    roles = RolesField(choices=Role.choices, required=False)

    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"username": UsernameField}


@admin.register(User)
class PhtUserAdmin(AuditedAdmin, UserAdmin):
    form = PhtUserChangeForm
    fieldsets = (*UserAdmin.fieldsets, ("PHT", {"fields": ("organisation", "roles")}))  # type: ignore[misc]
    list_display = ("username", "first_name", "last_name", "organisation", "role_names", "is_active")
    list_filter = ("organisation__kind", "is_active")

    @admin.display(description=_("roles"))
    def role_names(self, obj: User) -> str:
        """The roles by their names in the page's language, not the stored JSON list of keys."""
        labels = dict(Role.choices)
        return ", ".join(str(labels.get(role, role)) for role in obj.roles or [])

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            record_event(request.user, self._verb("password"), user, after={"password": "changed"})  # type: ignore[arg-type]
        return response


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ("name", "kind", "municipality", "practice")
    list_filter = ("kind",)
    search_fields = ("name",)
    raw_id_fields = ("municipality", "practice")


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    list_display = ("name", "user", "created_at", "last_used_at")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: no add, change or delete. Shows who did what to which record and which fields changed,
    not the values (before/after may hold clinical text: care plans, notes)."""

    list_display = ("at", "actor_name", "verb", "target_type", "target_id")
    list_filter = ("verb",)
    fields = ("at", "actor_name", "verb", "target_type", "target_id", "changed_fields", "prev_hash", "hash")
    readonly_fields = fields

    @admin.display(description=_("changed fields"))
    def changed_fields(self, obj: AuditEvent) -> str:
        keys = set(obj.before or {}) | set(obj.after or {})
        return ", ".join(sorted(keys))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the audit log is written by actions only

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # append-only

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
