"""Settlement statements: a practice's month under one financing model, with its lines.

Written only by ``pht.apps.finance.actions.store_settlements`` from the engine's settlements (the
pure rules' arithmetic); the web pages show them and never recompute. A practice's own model and
the shadow model are both stored, so the comparison can be shown.

Statements are versioned: a re-run of a month stores version N+1 and marks version N superseded
(never overwritten). ``Statement.objects`` gives the current versions only; ``Statement.versions``
every version. A ``SettlementRun`` records one run (from the command line, the demo or an officer's
background job) and the statements it stored.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.assumptions import ShownAssumption, shown_assumptions
from pht.apps.finance.reasons import ASSUMPTION_LABELS, CATALOGUE, DETAIL_LABELS
from pht.rules.financing import COMPONENTS

_NUMERIC = re.compile(r"-?\d+(\.\d+)?")
MONEY = {"max_digits": 16, "decimal_places": 2, "default": Decimal("0.00")}


class FinancingModel(models.TextChoices):
    FEE = "fee", _("Fee model")
    CAPITATION = "capitation", _("Capitation model")


# The sources the finance app writes (job_kinds.settle, demo.build_demo, the settle command), most specific first.
_SOURCES = (
    (re.compile(r"lake (?P<lake>.+), job (?P<job>\d+)"), _("data lake «%(lake)s», job %(job)s")),
    (
        re.compile(r"synthetic lake, seed (?P<seed>\d+) \(demo\)"),
        _("synthetic data lake, seed %(seed)s (demo)"),
    ),
    (re.compile(r"lake (?P<lake>.+)"), _("data lake «%(lake)s»")),
)


class SettlementRun(models.Model):
    """One settlement run: which months, which practices, from which lake, by whom, through which job."""

    periods: models.JSONField[list[str]] = models.JSONField(_("months"), default=list)
    practices: models.JSONField[list[str]] = models.JSONField(_("practices"), default=list)
    source = models.CharField(_("source"), max_length=300, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="settlement_runs",
        verbose_name=_("started by"),
    )
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.PROTECT, related_name="settlement_runs"
    )
    statements = models.PositiveIntegerField(_("statements stored"), default=0)
    superseded = models.PositiveIntegerField(_("statements superseded"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("settlement run")
        verbose_name_plural = _("settlement runs")

    def __str__(self) -> str:
        periods = self.periods
        span = periods[0] if len(periods) == 1 else f"{periods[0]}–{periods[-1]}" if periods else ""
        return f"settlement run {self.pk} ({span})"

    def source_display(self) -> str:
        """Where the run settled from, in the page's language. ``source`` is stored as the English sentence
        its writer made (``lake lake, job 3``, ``synthetic lake, seed 2017 (demo)``, ``lake DIR``); the
        shapes the finance app writes are shown translated, any other text as it was stored."""
        for pattern, template in _SOURCES:
            if (match := pattern.fullmatch(self.source)) is not None:
                return str(template) % match.groupdict()
        return self.source


class CurrentStatements(models.Manager["Statement"]):
    """The current version of each practice-month-model (superseded versions are left out)."""

    def get_queryset(self) -> models.QuerySet[Statement]:
        return super().get_queryset().filter(is_current=True)


class Statement(models.Model):
    practice = models.ForeignKey(
        "registry.Practice", on_delete=models.PROTECT, related_name="statements", verbose_name=_("practice")
    )
    period = models.CharField(_("month"), max_length=7, help_text="YYYY-MM")
    model = models.CharField(_("financing model"), max_length=12, choices=FinancingModel.choices)
    own_model = models.BooleanField(_("the practice's own model"), default=False)
    residents = models.PositiveIntegerField(_("list residents"), default=0)
    resident_days = models.PositiveIntegerField(_("resident-days"), default=0)
    base_grant = models.DecimalField(_("base grant"), **MONEY)  # type: ignore[arg-type]
    fee_reimbursement = models.DecimalField(_("GP fee reimbursement"), **MONEY)  # type: ignore[arg-type]
    nurse_reimbursement = models.DecimalField(_("nurse reimbursement"), **MONEY)  # type: ignore[arg-type]
    capitation = models.DecimalField(_("capitation"), **MONEY)  # type: ignore[arg-type]
    quality_grant = models.DecimalField(_("quality grant"), **MONEY)  # type: ignore[arg-type]
    copayments = models.DecimalField(_("copayments"), **MONEY)  # type: ignore[arg-type]
    total = models.DecimalField(_("total"), **MONEY)  # type: ignore[arg-type]
    # The rules' Classification.as_dict() items: English "reason" and, since messages are stored, "message".
    explanation: models.JSONField[list[dict[str, Any]]] = models.JSONField(default=list, blank=True)
    # Parameter set and key -> why it is a default: {"en": ..., "nb": ...}, or English text as stored before
    # the texts were bilingual; shown by assumptions_display().
    assumptions: models.JSONField[dict[str, Any]] = models.JSONField(default=dict, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    run = models.ForeignKey(
        SettlementRun,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stored_statements",
        verbose_name=_("settlement run"),
    )

    # Every version (the base manager, so a line's statement is found whatever its version) ...
    versions = models.Manager()
    # ... and the default: current versions only, so every page and export shows the current statements.
    objects = CurrentStatements()

    class Meta:
        ordering = ["practice", "period", "model"]
        verbose_name = _("settlement statement")
        verbose_name_plural = _("settlement statements")
        base_manager_name = "versions"
        default_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "period", "model", "version"],
                name="one_statement_per_model_month_version",
            ),
            models.UniqueConstraint(
                fields=["practice", "period", "model"],
                condition=models.Q(is_current=True),
                name="one_current_statement_per_model_and_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practice} {self.period} {self.model}"

    def components(self) -> dict[str, Decimal]:
        return {name: getattr(self, name) for name in COMPONENTS}

    def explanation_display(self) -> list[str]:
        """Why the statement adds up, in the active language (``pht.apps.finance.reasons``)."""
        return [
            CATALOGUE.display(_named_indicator(item.get("message")), str(item.get("reason", "")))
            for item in self.explanation
        ]

    def assumptions_display(self) -> list[ShownAssumption]:
        """The defaults the statement was settled with: each parameter's label and why it is a default, in
        the active language (a text stored before the texts were bilingual, English, as it is)."""
        return shown_assumptions(self.assumptions, ASSUMPTION_LABELS)


class StatementLine(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    component = models.CharField(_("component"), max_length=30)
    code = models.CharField(_("code"), max_length=60)
    description = models.CharField(_("description"), max_length=300)  # English, or the parameter data's name
    # The description as pht.rules.explain.Message.as_dict() (lines the rules name), for get_description_display().
    message: models.JSONField[dict[str, Any]] = models.JSONField(default=dict, blank=True)
    count = models.DecimalField(_("count"), max_digits=18, decimal_places=2)
    rate = models.DecimalField(_("rate"), max_digits=24, decimal_places=8)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    details: models.JSONField[dict[str, Any]] = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["statement", "position"]

    def __str__(self) -> str:
        return f"{self.component} {self.code} {self.amount}"

    def get_description_display(self) -> str:
        """The description in the active language (``pht.apps.finance.reasons``)."""
        return CATALOGUE.display(_named_indicator(self.message), self.description)

    def details_display(self) -> list[tuple[str, Any]]:
        """The details as (label, value) in the active language; a points reason translated, its message hidden."""
        shown: list[tuple[str, Any]] = []
        for key, value in self.details.items():
            if key == "reason_message":
                continue
            if key == "reason":
                value = CATALOGUE.display(self.details.get("reason_message"), str(value))
            label = DETAIL_LABELS.get(key)
            shown.append((key if label is None else str(label), _readable(value)))
        return shown


class StatementPayment(models.Model):
    """A payment (disbursement) that paid a settled month: the version of the own-model statement it
    paid, the payment system's reference, the date and the amount. Linked by a finance officer
    (``actions.link_payment``); the statement page shows every payment of the month, of every version,
    against the current total."""

    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, related_name="payments", verbose_name=_("statement")
    )
    reference = models.CharField(_("payment reference"), max_length=60)
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount paid"), max_digits=16, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "id"]
        verbose_name = _("statement payment")
        verbose_name_plural = _("statement payments")
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "reference"], name="one_link_per_payment_and_statement"
            )
        ]

    def __str__(self) -> str:
        return f"payment {self.reference} of {self.statement}"


def _readable(value: Any) -> Any:
    """A detail's value as a reader sees it: numbers in the page language's format, keys of nested
    mappings labelled (``{'1ad': {'claims': 9}}`` → ``1ad: claims 9``), lists joined."""
    from pht.apps.accounts.templatetags.pht_format import number

    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, dict):
        parts = []
        for key, inner in value.items():
            label = DETAIL_LABELS.get(str(key))
            shown = _readable(inner)
            parts.append(f"{key}: {shown}" if label is None else f"{label} {shown}")
        return "; ".join(parts) if all(not isinstance(v, dict) for v in value.values()) else " · ".join(parts)
    if isinstance(value, list | tuple):
        return ", ".join(str(DETAIL_LABELS.get(str(v), _readable(v))) for v in value)
    if isinstance(value, int | float | Decimal) or (isinstance(value, str) and _NUMERIC.fullmatch(value)):
        return number(value, "auto")
    return value


def _named_indicator(message: Any) -> Any:
    """A stored message with its quality indicator by name in the active language, not by its id."""
    params = message.get("params") if isinstance(message, dict) else None
    indicator = params.get("indicator") if isinstance(params, dict) else None
    if not isinstance(params, dict) or not isinstance(indicator, str) or indicator not in DETAIL_LABELS:
        return message
    return {**message, "params": {**params, "indicator": str(DETAIL_LABELS[indicator])}}
