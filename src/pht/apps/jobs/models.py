"""A background job: one run of a registered job kind (``pht.apps.jobs.registry``), with its progress.

Written only by ``pht.apps.jobs.actions`` (start, cancel) and ``pht.apps.jobs.runner`` (the worker's
progress, heartbeat and outcome); pages show it through ``jobs/_progress.html``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

SCOPE_KEY_LENGTH = 200


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    FINISHED = frozenset({Status.DONE, Status.FAILED, Status.CANCELLED})
    ACTIVE = frozenset({Status.QUEUED, Status.RUNNING})

    kind = models.CharField(_("kind"), max_length=100)
    params: models.JSONField[dict[str, Any]] = models.JSONField(
        _("parameters"), default=dict, blank=True, encoder=DjangoJSONEncoder
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    message = models.CharField(_("stage"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    result: models.JSONField[Any] = models.JSONField(
        _("result"), null=True, blank=True, encoder=DjangoJSONEncoder
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs", verbose_name=_("started by")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="jobs",
        verbose_name=_("organisation"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    # How many times a worker has begun the job (a worker that died is replaced by another run).
    attempts = models.PositiveSmallIntegerField(default=0)
    # The django-tasks result id of the run that is queued or running.
    task_id = models.CharField(max_length=64, blank=True)
    # What the job works on, from its kind's ``scope`` (``registry.job_kind``): at most one job of a kind
    # is waiting or running per non-blank scope (``one_active_job_per_kind_and_scope``). Blank: no limit.
    scope_key = models.CharField(_("scope"), max_length=SCOPE_KEY_LENGTH, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="jobs_status_heartbeat")]
        constraints = [
            models.CheckConstraint(
                name="job_progress_0_100", condition=models.Q(progress__gte=0, progress__lte=100)
            ),
            # What makes two simultaneous starts of the same work safe: the database refuses the second
            # insert (``actions.start_job`` turns that into a refusal naming the first job).
            models.UniqueConstraint(
                fields=["kind", "scope_key"],
                condition=models.Q(status__in=["queued", "running"]) & ~models.Q(scope_key=""),
                name="one_active_job_per_kind_and_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def cancellable(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING) and not self.cancel_requested
