"""Evaluation models: pseudonymised extracts, analysis plans (versions; locked = pre-registered), runs.

Nothing here holds identifiable data: an extract is a directory of pseudonymised Parquet files
(``pht.engine.evaluation.extract``), plans are documents, run results are estimates.
Written only by ``pht.apps.evaluation.actions``; a locked plan refuses any change in ``save`` too.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pht.apps.evaluation.workflow import PLAN


class PlanLocked(Exception):  # noqa: N818 - reads as the refusal it is
    """A locked plan was about to change."""


class Extract(models.Model):
    """A pseudonymised evaluation extract, written by the operational side."""

    path = models.CharField(_("path"), max_length=500)
    snapshot_hash = models.CharField(_("snapshot hash"), max_length=64)
    purpose = models.CharField(_("purpose"), max_length=300)
    rows: models.JSONField[dict[str, int]] = models.JSONField(_("rows"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("extract")
        verbose_name_plural = _("extracts")

    def __str__(self) -> str:
        return f"Extract {self.pk} ({self.snapshot_hash[:12]})"


class AnalysisPlan(models.Model):
    """One version of an analysis plan: a plan document (``pht.engine.evaluation.plan``) and its state."""

    STATUS_CHOICES = [(status, PLAN.labels.get(status, status)) for status in sorted(PLAN.statuses)]
    # What may never change once the stored row is locked.
    FROZEN = (
        "name",
        "version",
        "title",
        "document",
        "status",
        "plan_hash",
        "locked_at",
        "locked_by_id",
        "previous_id",
        "deviation_reason",
        "deviations",
    )

    name = models.SlugField(_("name"), max_length=60)
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=300)
    document: models.JSONField[dict[str, Any]] = models.JSONField(_("plan document"))
    status = models.CharField(_("status"), max_length=12, choices=STATUS_CHOICES, default="draft")
    plan_hash = models.CharField(_("plan hash"), max_length=64, blank=True)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("locked by"),
    )
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_versions",
        verbose_name=_("previous version"),
    )
    deviation_reason = models.TextField(_("reason for the deviation"), blank=True)
    # Fields changed from the previous version (or the default template): [{field, default, plan}]
    deviations: models.JSONField[list[dict[str, Any]]] = models.JSONField(
        _("deviations"), default=list, blank=True
    )
    # Power: minimum detectable effects on pre-period data (a job); not part of the plan's hash.
    mde: models.JSONField[dict[str, Any] | None] = models.JSONField(
        _("minimum detectable effects"), null=True, blank=True
    )
    mde_job = models.ForeignKey(
        "jobs.Job",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("minimum detectable effects job"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("analysis plan")
        verbose_name_plural = _("analysis plans")
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="evaluation_plan_version")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = AnalysisPlan.objects.filter(pk=self.pk).values(*self.FROZEN).first()
            if stored is not None and stored["status"] == "locked":
                changed = [f for f in self.FROZEN if getattr(self, f) != stored[f]]
                if changed:
                    raise PlanLocked(f"plan {self}: locked, its {', '.join(changed)} cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if AnalysisPlan.objects.filter(pk=self.pk, status="locked").exists():
            raise PlanLocked(f"plan {self}: locked, it cannot be deleted")
        return super().delete(*args, **kwargs)

    @property
    def locked(self) -> bool:
        return self.status == "locked"


class Run(models.Model):
    """One run of a locked plan on an extract, as a background job; its status is the job's."""

    plan = models.ForeignKey(
        AnalysisPlan, on_delete=models.PROTECT, related_name="runs", verbose_name=_("analysis plan")
    )
    extract = models.ForeignKey(
        Extract, on_delete=models.PROTECT, related_name="runs", verbose_name=_("extract")
    )
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("job")
    )
    result: models.JSONField[dict[str, Any] | None] = models.JSONField(_("result"), null=True, blank=True)
    pht_version = models.CharField(_("PHT version"), max_length=40, blank=True)
    seed = models.BigIntegerField(_("seed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("evaluation run")
        verbose_name_plural = _("evaluation runs")

    def __str__(self) -> str:
        return f"Run {self.pk} of {self.plan}"

    @property
    def status(self) -> str:
        if self.result is not None:
            return "done"
        job = self.job
        return str(job.status) if job is not None else "queued"

    def get_status_display(self) -> str:
        from pht.apps.jobs.models import Job

        return str(Job.Status(self.status).label)

    @property
    def error(self) -> str:
        job = self.job
        return str(job.error) if job is not None else ""
