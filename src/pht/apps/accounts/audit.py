"""Writing the audit log. Called by action functions inside their transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.forms.models import model_to_dict

from pht.apps.accounts.models import AuditEvent, User


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-safe copy of a model's fields, for the before/after columns."""
    data = model_to_dict(instance, fields=fields)
    return {key: json_safe(value) for key, value in data.items()}


def json_safe(value: Any) -> Any:
    """A value as JSON can store it: mappings and sequences recursively, models by key, the rest as text."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def record_event(
    actor: User | None,
    verb: str,
    target: models.Model,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        verb=verb,
        target_type=target._meta.label,
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        before=before,
        after=after,
    )
