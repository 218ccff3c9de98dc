"""The grant scheme: scheme, call, application (with revisions), review, selection, grants,
payments and reports. Status changes happen only in ``actions.py``; allowed transitions are
declared in ``workflows.py``."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.choices import choice_label


class Scheme(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)

    def __str__(self) -> str:
        return self.name


class Call(models.Model):
    """A call for applications; values from a parameter file (``parameter_set``), editable."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="calls")
    code = models.SlugField(_("code"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    parameter_set = models.CharField(_("parameter set"), max_length=100)
    invitation_date = models.DateField(_("invitation"), null=True, blank=True)
    announcement_date = models.DateField(_("announcement"))
    information_meeting = models.DateTimeField(_("information meeting"), null=True, blank=True)
    deadline_date = models.DateField(_("deadline (end of day)"))
    timezone = models.CharField(max_length=50, default="Europe/Oslo")
    pilot_start = models.DateField(_("pilot start"))
    pilot_end = models.DateField(_("pilot end"))
    extended_end = models.DateField(_("extended end"), null=True, blank=True)
    extension_note = models.TextField(_("extension note"), blank=True)
    targets = models.JSONField(_("targets"), default=dict)
    criteria = models.JSONField(_("criteria"), default=list)
    grant_parameters = models.JSONField(_("grant parameters"), default=dict)
    financing_models = models.JSONField(_("financing models"), default=list)
    gp_lists_per_nurse_fte = models.PositiveSmallIntegerField(default=3)
    attachment_max_bytes = models.PositiveIntegerField(default=10 * 1024 * 1024)
    assumptions = models.JSONField(_("assumptions"), default=dict)
    source = models.TextField(_("source"), blank=True)

    # --- calls managed in the UI (issue 11): status, public text, internal note, copy origin ---
    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        PUBLISHED = "published", _("Publisert")
        CLOSED = "closed", _("Lukket")

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    description = models.TextField(_("description of the call"), blank=True)
    internal_note = models.TextField(_("internal note"), blank=True)
    # Population (and municipalities) of 1 January of this year decide the size class; empty: the call year.
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    budget = models.DecimalField(
        _("budget frame (NOK)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.title

    @property
    def end_date(self) -> datetime.date:
        return self.extended_end or self.pilot_end

    def is_assumption(self, key: str) -> bool:
        return key in self.assumptions

    @property
    def is_open(self) -> bool:
        """Published and not closed: applications may be created and submitted (before the deadline)."""
        return self.status == self.Status.PUBLISHED


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        SUBMITTED = "submitted", _("Sendt inn")
        WITHDRAWN = "withdrawn", _("Trukket")
        GRANTED = "granted", _("Innvilget")
        REJECTED = "rejected", _("Avslått")

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    municipality = models.ForeignKey(
        "registry.Municipality", on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    leadership_plan = models.TextField(_("local leadership"), blank=True)
    project_plan = models.TextField(_("project plan"), blank=True)
    budget = models.DecimalField(_("budget (NOK)"), null=True, blank=True, max_digits=14, decimal_places=2)
    declared_size_class = models.CharField(_("size class"), max_length=10, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    verdicts = models.JSONField(default=list, blank=True)
    score = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    # --- the case officer's own eligibility verdict (issue 11), beside the rules' verdicts ---
    officer_eligible = models.BooleanField(_("officer's eligibility verdict"), null=True, blank=True)
    officer_eligibility_reason = models.TextField(_("reason for the officer's verdict"), blank=True)
    officer_eligibility_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    officer_eligibility_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["call", "municipality"], name="one_application_per_call")
        ]
        ordering = ["municipality__name"]

    def __str__(self) -> str:
        return f"{self.municipality} – {self.call.code}"

    def get_status_display(self) -> str:  # type: ignore[no-redef]
        # A dict lookup: the application list shows one per row (pht.apps.accounts.choices).
        return choice_label(self, "status")

    @property
    def failed_count(self) -> int:
        return sum(1 for v in self.verdicts if not v.get("passed"))

    @property
    def gp_count(self) -> int:
        return sum(p.gps.count() for p in self.practices.all())

    @property
    def rules_eligible(self) -> bool | None:
        """The rules' verdict: every rule passed (None before any check)."""
        return None if not self.verdicts else self.failed_count == 0

    @property
    def fails_eligibility(self) -> bool:
        """Flag before review: the officer's verdict when recorded, else the rules' verdict."""
        if self.officer_eligible is not None:
            return not self.officer_eligible
        return self.rules_eligible is False


class ApplicationPractice(models.Model):
    class Model(models.TextChoices):
        FEE = "fee", _("Honorarmodell")
        CAPITATION = "capitation", _("Driftstilskuddsmodell")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="practices")
    practice = models.ForeignKey("registry.Practice", on_delete=models.PROTECT, related_name="+")
    gps = models.ManyToManyField("registry.GP", related_name="+", blank=True)
    financing_model = models.CharField(_("financing model"), max_length=20, choices=Model.choices, blank=True)
    team_lead = models.ForeignKey(
        "registry.GP", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    nurse_fte = models.DecimalField(_("nurse FTE"), default=Decimal("0"), max_digits=5, decimal_places=2)
    secretary_fte = models.DecimalField(
        _("health secretary FTE"), default=Decimal("0"), max_digits=5, decimal_places=2
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "practice"], name="practice_once")]

    def __str__(self) -> str:
        return f"{self.practice} ({self.application_id})"


class ApplicationRevision(models.Model):
    """A frozen copy of the application as it stood; a new one at each submission and change."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="revision_once")]

    def __str__(self) -> str:
        return f"{self.application} r{self.number}"


class Attachment(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("attachment title"), max_length=200)
    file = models.FileField(upload_to="scheme/attachments/%Y/")
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class ReviewAssignment(models.Model):
    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("Tildelt")
        CONFLICT = "conflict", _("Inhabil")
        CLEARED = "cleared", _("Ikke inhabil")
        SUBMITTED = "submitted", _("Sendt inn")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments"
    )
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ASSIGNED)
    conflict_note = models.TextField(_("conflict of interest note"), blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)
    scores = models.JSONField(default=dict, blank=True)
    comments = models.JSONField(_("comments"), default=dict, blank=True)
    total = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "reviewer"], name="reviewer_once")]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.application}"


class SelectionRun(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="selection_runs")
    problem = models.JSONField()
    result = models.JSONField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"selection run {self.pk} ({self.call.code})"


class SelectionDecision(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="selection_decisions")
    run = models.ForeignKey(SelectionRun, on_delete=models.PROTECT, related_name="+")
    chosen = models.JSONField()
    rationale = models.TextField(_("rationale"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"selection decision {self.pk} ({self.call.code})"


class GrantDecision(models.Model):
    class Status(models.TextChoices):
        DECIDED = "decided", _("Vedtatt")
        ACCEPTED = "accepted", _("Akseptert")
        DECLINED = "declined", _("Avslått av kommunen")

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="grant")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DECIDED)
    gps = models.PositiveIntegerField()
    period_start = models.DateField()
    period_end = models.DateField()
    years = models.JSONField()
    total = models.DecimalField(max_digits=14, decimal_places=2)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"grant decision {self.pk}: {self.application}"


class Instalment(models.Model):
    """One instalment of a decision's payment plan; a disbursement once prepared and approved."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planlagt")
        PREPARED = "prepared", _("Forberedt")
        APPROVED = "approved", _("Godkjent")
        REPLACED = "replaced", _("Erstattet av endringsvedtak")

    decision = models.ForeignKey(GrantDecision, on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveIntegerField()
    due = models.DateField()
    year = models.PositiveIntegerField()
    practice_amount = models.DecimalField(max_digits=14, decimal_places=2)
    municipality_amount = models.DecimalField(max_digits=14, decimal_places=2)
    reason = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prepared_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # The decision line (recipient) it pays; null only for instalments planned before lines existed.
    line = models.ForeignKey(
        "GrantLine", on_delete=models.PROTECT, null=True, blank=True, related_name="instalments"
    )
    amendment = models.ForeignKey(
        "Amendment", on_delete=models.PROTECT, null=True, blank=True, related_name="instalments"
    )

    class Meta:
        ordering = ["decision", "due", "line_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "number"],
                condition=models.Q(line__isnull=False),
                name="instalment_once_per_line",
            ),
            models.UniqueConstraint(
                fields=["decision", "number"],
                condition=models.Q(line__isnull=True),
                name="instalment_once_per_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"instalment {self.number} of decision {self.decision_id}"

    @property
    def amount(self) -> Decimal:
        return self.practice_amount + self.municipality_amount

    @property
    def total(self) -> Decimal:
        return self.practice_amount + self.municipality_amount


class Report(models.Model):
    class Status(models.TextChoices):
        DUE = "due", _("Forfaller")
        SUBMITTED = "submitted", _("Sendt inn")
        APPROVED = "approved", _("Godkjent")

    decision = models.ForeignKey(GrantDecision, on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveIntegerField()
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DUE)
    progress = models.TextField(_("progress"), blank=True)
    spent = models.DecimalField(_("spent (NOK)"), null=True, blank=True, max_digits=14, decimal_places=2)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The recipient the report is for; null only for reports made before decisions had lines.
    line = models.ForeignKey(
        "GrantLine", on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    # An officer's explicit decision that the report may claim more than was paid, up to this amount.
    overspend_limit = models.DecimalField(
        _("allowed spending above paid"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    overspend_reason = models.TextField(_("reason for allowing spending above paid"), blank=True)
    overspend_allowed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "line_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "year"],
                condition=models.Q(line__isnull=False),
                name="report_once_per_recipient_year",
            ),
            models.UniqueConstraint(
                fields=["decision", "year"],
                condition=models.Q(line__isnull=True),
                name="report_once_per_decision_year",
            ),
        ]

    def __str__(self) -> str:
        return f"report {self.year} of decision {self.decision_id}"


class Clawback(models.Model):
    decision = models.ForeignKey(GrantDecision, on_delete=models.CASCADE, related_name="clawbacks")
    report = models.ForeignKey(
        Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="clawbacks"
    )
    amount = models.DecimalField(_("amount (NOK)"), max_digits=14, decimal_places=2)
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"clawback {self.amount} of decision {self.decision_id}"


class GrantLine(models.Model):
    """One recipient of a grant decision: the municipality (project leadership) or a practice."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Kommunen (prosjektledelse)")
        PRACTICE = "practice", _("Legekontor (per fastlege)")

    decision = models.ForeignKey(GrantDecision, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    orgnr = models.CharField(_("organisation number"), max_length=9, blank=True)
    name = models.CharField(_("recipient"), max_length=200)
    practice = models.ForeignKey(
        "registry.Practice", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    gps = models.PositiveIntegerField(default=0)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    years = models.JSONField(default=list)
    total = models.DecimalField(_("total (NOK)"), max_digits=14, decimal_places=2)
    amendment = models.ForeignKey(
        "Amendment", on_delete=models.PROTECT, null=True, blank=True, related_name="added_lines"
    )

    class Meta:
        ordering = ["decision", "kind", "start", "name"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "kind", "orgnr"], name="recipient_once_per_decision")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.orgnr or self.kind})"


class Amendment(models.Model):
    """An amendment decision (endringsvedtak): extension and/or late joiners, within a budget frame."""

    decision = models.ForeignKey(GrantDecision, on_delete=models.PROTECT, related_name="amendments")
    number = models.PositiveIntegerField()
    as_of = models.DateField(_("re-planned from"))
    new_end = models.DateField(_("period end"))
    frame = models.DecimalField(_("budget frame (NOK)"), max_digits=14, decimal_places=2)
    paid = models.DecimalField(_("paid or in payment (NOK)"), max_digits=14, decimal_places=2)
    total = models.DecimalField(_("total after amendment (NOK)"), max_digits=14, decimal_places=2)
    lines = models.JSONField(default=list)
    reason = models.TextField(blank=True)
    note = models.TextField(_("basis of the amendment"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decision", "number"]
        constraints = [models.UniqueConstraint(fields=["decision", "number"], name="amendment_once")]

    def __str__(self) -> str:
        return f"amendment {self.number} of decision {self.decision_id}"
