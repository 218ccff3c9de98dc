"""Users, the organisations they belong to, their roles, API tokens and the audit log."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASE_OFFICER = "case_officer", _("Case officer (Directorate)")
    REVIEWER = "reviewer", _("Reviewer")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    PROJECT_LEAD = "project_lead", _("Municipal project lead")
    GP = "gp", _("GP (team lead)")
    NURSE = "nurse", _("Nurse")
    SECRETARY = "secretary", _("Health secretary")
    PRACTICE_ADMIN = "practice_admin", _("Practice administrator")
    EVALUATOR = "evaluator", _("Evaluator")
    ADMINISTRATOR = "administrator", _("Administrator")


PRACTICE_ROLES = frozenset({Role.GP, Role.NURSE, Role.SECRETARY, Role.PRACTICE_ADMIN})
DIRECTORATE_ROLES = frozenset(
    {Role.CASE_OFFICER, Role.REVIEWER, Role.FINANCE_OFFICER, Role.EVALUATOR, Role.ADMINISTRATOR}
)


class OrganisationKind(models.TextChoices):
    DIRECTORATE = "directorate", _("Directorate")
    MUNICIPALITY = "municipality", _("Municipality")
    PRACTICE = "practice", _("GP practice")
    EVALUATION = "evaluation", _("Evaluation team")


class Organisation(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    municipality = models.ForeignKey(
        "registry.Municipality",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("municipality"),
    )
    practice = models.OneToOneField(
        "registry.Practice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisation",
        verbose_name=_("practice"),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                name="organisation_kind_matches_link",
                condition=(
                    models.Q(kind="municipality", municipality__isnull=False, practice__isnull=True)
                    | models.Q(kind="practice", practice__isnull=False)
                    | models.Q(
                        kind__in=["directorate", "evaluation"],
                        municipality__isnull=True,
                        practice__isnull=True,
                    )
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == OrganisationKind.MUNICIPALITY and self.municipality_id is None:
            raise ValidationError(
                {"municipality": _("A municipality organisation must name its municipality.")}
            )
        if self.kind == OrganisationKind.PRACTICE and self.practice_id is None:
            raise ValidationError({"practice": _("A practice organisation must name its practice.")})


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("organisation"),
    )
    roles: models.JSONField[list[str]] = models.JSONField(_("roles"), default=list, blank=True)
    failed_logins = models.PositiveIntegerField(_("failed logins"), default=0, editable=False)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        unknown = set(self.roles) - set(Role.values)
        if unknown:
            raise ValidationError(
                {"roles": _("Unknown roles: %(roles)s") % {"roles": ", ".join(sorted(unknown))}}
            )

    def has_role(self, *roles: str) -> bool:
        return bool(set(self.roles) & set(roles)) or (Role.ADMINISTRATOR in self.roles and not roles)

    @property
    def organisation_kind(self) -> str | None:
        return self.organisation.kind if self.organisation else None

    @property
    def is_directorate(self) -> bool:
        return self.organisation_kind == OrganisationKind.DIRECTORATE

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in self.roles if r in Role.values]


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for systems calling the API; only its hash is stored.

    A token expires (``expires_at``, ``TOKEN_DAYS`` after issue unless given), records its last use, and
    can be revoked by its owner (``DELETE /api/tokens/{id}``) or in the admin; an expired or revoked
    token authenticates nobody.
    """

    TOKEN_DAYS = 90

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

    @classmethod
    def issue(cls, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
        """Create a token valid for ``days`` (default ``TOKEN_DAYS``); the raw key is returned once and
        never stored."""
        raw = secrets.token_urlsafe(32)
        expires = timezone.now() + datetime.timedelta(days=cls.TOKEN_DAYS if days is None else days)
        token = cls.objects.create(user=user, name=name[:100], key_hash=_hash_token(raw), expires_at=expires)
        return token, raw

    @classmethod
    def user_for(cls, raw: str) -> User | None:
        """The active user of an active token, recording the use; None for an unknown, expired or revoked
        token."""
        now = timezone.now()
        token = (
            cls.objects.select_related("user")
            .filter(key_hash=_hash_token(raw), revoked_at__isnull=True)
            .filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))
            .first()
        )
        if token is None or not token.user.is_active:
            return None
        cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user


class AuditEvent(models.Model):
    """Who changed what, when, with the state before and after. Append-only and hash-chained.

    Written only by ``audit.record_event``; never changed or deleted (the admin offers neither). The actor
    is a protected reference (a user with audit rows cannot be deleted, only deactivated) plus a snapshot
    of their name. Each row stores ``hash``, the SHA-256 of its content and ``prev_hash`` (the hash of the
    row before it), so a row changed, inserted or deleted in the database breaks the chain that
    ``pht audit verify`` (``audit.verify_chain``) recomputes.
    """

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("actor")
    )
    actor_name = models.CharField(_("actor name"), max_length=300, blank=True)
    verb = models.CharField(_("verb"), max_length=100, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100)
    target_id = models.CharField(_("target id"), max_length=100, db_index=True)
    target_repr = models.CharField(_("target"), max_length=300)
    before: models.JSONField[dict[str, Any] | None] = models.JSONField(_("before"), null=True, blank=True)
    after: models.JSONField[dict[str, Any] | None] = models.JSONField(_("after"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("hash"), max_length=64, blank=True, editable=False, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or self.actor_id or '-'} {self.verb} {self.target_repr}"


class AuditChainHead(models.Model):
    """The hash of the last audit row: locked while a row is appended, so the chain never forks, and
    compared by ``verify_chain`` so deleting the newest rows is detected too."""

    last_hash = models.CharField(max_length=64, blank=True)
    count = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"audit chain head ({self.count} rows)"


class LoginThrottle(models.Model):
    """Failed-login counter for one key: an account name from one client (``user:<name>|ip:<addr>``) or
    one client for any account (``ip:<addr>``). Updated only by conditional, atomic UPDATEs
    (``backends``), so parallel attempts cannot slip past the limit. Keys exist for unknown account names
    too, so the answer never tells whether an account exists."""

    key = models.CharField(max_length=300, unique=True)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.key
