"""Writing the audit log. Called by action functions inside their transaction."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.forms.models import model_to_dict

from pht.apps.accounts.models import AuditEvent, User


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-safe copy of a model's fields, for the before/after columns."""
    data = model_to_dict(instance, fields=fields)
    return {key: _json_safe(value) for key, value in data.items()}


def _json_safe(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
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
