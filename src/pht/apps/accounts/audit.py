"""Writing and verifying the audit log. ``record_event`` is called by action functions (and the admin)
inside their transaction.

The log is a hash chain: each row's ``hash`` is the SHA-256 of its canonical content (``content_of``)
together with ``prev_hash``, the hash of the row before it. Appending locks the single
``AuditChainHead`` row, so concurrent writers queue and the chain never forks; ``verify_chain``
recomputes every hash and reports the first row that was changed, inserted or deleted.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from pht.apps.accounts.models import AuditChainHead, AuditEvent, User

GENESIS = "0" * 64


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


def actor_name(actor: User | None) -> str:
    if actor is None or not actor.pk:
        return ""
    full = actor.get_full_name()
    return f"{full} ({actor.get_username()})" if full else actor.get_username()


def content_of(event: AuditEvent) -> dict[str, Any]:
    """What the hash covers: every stored column but the id and the hash itself."""
    at = event.at.astimezone(datetime.UTC) if event.at.tzinfo else event.at
    return {
        "at": at.isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "verb": event.verb,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_repr": event.target_repr,
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
    }


def hash_of(event: AuditEvent) -> str:
    canonical = json.dumps(content_of(event), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _stored_json(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """The value as the database gives it back (a JSON round trip), so the hash matches on reading."""
    return None if value is None else json.loads(json.dumps(json_safe(value)))


def record_event(
    actor: User | None,
    verb: str,
    target: models.Model,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:  # a database emptied by hand (the migration creates the head)
            head = AuditChainHead.objects.create(pk=1)
        event = AuditEvent(
            at=timezone.now(),
            actor=actor if actor is not None and actor.pk else None,
            actor_name=actor_name(actor)[:300],
            verb=verb,
            target_type=target._meta.label,
            target_id=str(target.pk),
            target_repr=str(target)[:300],
            before=_stored_json(before),
            after=_stored_json(after),
            prev_hash=head.last_hash or GENESIS,
        )
        event.hash = hash_of(event)
        event.save()
        head.last_hash = event.hash
        head.count += 1
        head.save(update_fields=["last_hash", "count"])
    return event


@dataclass(frozen=True)
class ChainProblem:
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"audit row {self.event_id}" if self.event_id is not None else "audit log"
        return f"{where}: {self.problem}"


def verify_chain(batch: int = 2000) -> tuple[int, list[ChainProblem]]:
    """Recompute the chain in id order: (rows checked, problems found; none if the log is intact)."""
    problems: list[ChainProblem] = []
    previous = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch):
        checked += 1
        if event.prev_hash != previous:
            problems.append(
                ChainProblem(event.pk, "does not follow the row before it (a row was deleted or inserted)")
            )
        if hash_of(event) != event.hash:
            problems.append(ChainProblem(event.pk, "its content was changed after it was written"))
        previous = event.hash
    head = AuditChainHead.objects.filter(pk=1).first()
    expected_last = head.last_hash if head is not None and head.last_hash else GENESIS
    expected_count = head.count if head is not None else 0
    if previous != expected_last or checked != expected_count:
        problems.append(
            ChainProblem(
                None,
                f"ends at {checked} rows, the chain head records {expected_count}: rows were deleted or added "
                "outside the application",
            )
        )
    return checked, problems
