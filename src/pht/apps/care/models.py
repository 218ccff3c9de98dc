"""Care app models: list residents and their records, target groups, care plans, the access log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pht.apps.accounts.choices import choice_label
from pht.apps.care.reasons import display
from pht.apps.care.workflow import CARE_PLAN, OPEN_PLAN_STATUSES, TASK
from pht.rules.target_groups import ContactKind, TargetGroup


class TeamRole(models.TextChoices):
    GP = "gp", _("GP")
    NURSE = "nurse", _("Nurse")
    SECRETARY = "secretary", _("Health secretary")


GROUP_LABELS: dict[TargetGroup, Any] = {
    TargetGroup.CHRONIC_DISEASE: _("Chronic disease"),
    TargetGroup.MENTAL_ILLNESS: _("Mental illness"),
    TargetGroup.SUBSTANCE_USE: _("Substance use"),
    TargetGroup.DISABILITY: _("Developmental disability and functional impairment"),
    TargetGroup.FRAIL_ELDERLY: _("Frail elderly"),
    TargetGroup.COMPLEX_NEEDS: _("Large and complex needs"),
    TargetGroup.POOR_DEMANDERS: _("Poor demanders"),
}
GROUP_CHOICES = [(group.value, GROUP_LABELS[group]) for group in TargetGroup]
# Contact kinds as the page's language names them (the same words the reasons use for them).
CONTACT_KIND_LABELS: dict[ContactKind, Any] = {
    ContactKind.GP: pgettext_lazy("contact kind label", "GP consultation"),
    ContactKind.NURSE: pgettext_lazy("contact kind label", "Nurse consultation"),
    ContactKind.HOME_VISIT: pgettext_lazy("contact kind label", "Home visit"),
    ContactKind.OUT_OF_HOURS: pgettext_lazy("contact kind label", "Out-of-hours service"),
    ContactKind.HOSPITAL: pgettext_lazy("contact kind label", "Hospital admission"),
    ContactKind.MUNICIPAL_CARE: pgettext_lazy("contact kind label", "Municipal care"),
}
CONTACT_KIND_CHOICES = [(kind.value, CONTACT_KIND_LABELS[kind]) for kind in ContactKind]


class ListResident(models.Model):
    """One list episode: a person on a GP list of one practice (listeinnbygger), from ``list_from`` to
    ``list_to``. Identifiable: read only through ``access``.

    A person re-listed at another practice gets a new episode (a new row) there; the old practice's
    episode, with its care plans, contacts, tasks and access log, stays with the old practice (the rule
    is in ``actions.import_file`` and docs/care.md, "Re-listing"). At most one episode per person and
    practice, and at most one open episode (no ``list_to``) per person.
    """

    practice = models.ForeignKey("registry.Practice", on_delete=models.PROTECT, related_name="list_residents")
    gp = models.ForeignKey("registry.GP", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    gp_hpr = models.CharField(_("GP HPR number"), max_length=9)
    fnr = models.CharField(_("national identity number"), max_length=11, db_index=True)
    pseudonym = models.CharField(max_length=32, db_index=True)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1)
    list_from = models.DateField(_("on the list from"))
    list_to = models.DateField(_("on the list to"), null=True, blank=True)
    need_score = models.PositiveIntegerField(_("need score"), default=0, db_index=True)
    frailty_category = models.CharField(_("frailty"), max_length=10, blank=True)
    frailty_reason = models.TextField(blank=True)  # English, as the rule gave it
    frailty_message: models.JSONField[dict[str, Any]] = models.JSONField(default=dict, blank=True)
    stratified_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("list resident")
        verbose_name_plural = _("list residents")
        ordering = ["-need_score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["fnr", "practice"], name="care_one_episode_per_practice"),
            models.UniqueConstraint(
                fields=["fnr"], condition=models.Q(list_to__isnull=True), name="care_one_open_episode"
            ),
        ]

    def __str__(self) -> str:
        # Never the fnr: this string lands in audit rows and logs.
        return f"list resident {self.pk}"

    @property
    def synthetic_name(self) -> str | None:
        """A readable name for a synthetic person (pht.synth.names); None for a real one."""
        from pht.synth.names import synthetic_name

        return synthetic_name(self.fnr)

    def get_frailty_reason_display(self) -> str:
        """The frailty reason in the active language (``pht.apps.care.reasons``)."""
        return display(self.frailty_message, self.frailty_reason)


class ResidentContact(models.Model):
    resident = models.ForeignKey(ListResident, on_delete=models.CASCADE, related_name="contacts")
    contact_date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=CONTACT_KIND_CHOICES)
    icpc2 = models.CharField(_("ICPC-2"), max_length=3, blank=True)
    gp_hpr = models.CharField(max_length=9, blank=True)
    source_key = models.CharField(max_length=200)  # identity on re-import (importing.natural_key)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-contact_date", "-id"]
        constraints = [models.UniqueConstraint(fields=["resident", "source_key"], name="care_contact_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.contact_date}"


class ResidentDiagnosis(models.Model):
    resident = models.ForeignKey(ListResident, on_delete=models.CASCADE, related_name="diagnoses")
    icpc2 = models.CharField(_("ICPC-2"), max_length=3)
    diagnosed_on = models.DateField(_("date"))

    class Meta:
        ordering = ["-diagnosed_on", "icpc2"]
        constraints = [
            models.UniqueConstraint(fields=["resident", "icpc2", "diagnosed_on"], name="care_diagnosis_once")
        ]

    def __str__(self) -> str:
        return f"{self.icpc2} {self.diagnosed_on}"


class TargetGroupMembership(models.Model):
    """A stored membership with its explanation (the rule's Verdict), from the last stratification."""

    resident = models.ForeignKey(ListResident, on_delete=models.CASCADE, related_name="memberships")
    group = models.CharField(_("target group"), max_length=20, choices=GROUP_CHOICES)
    rule = models.CharField(max_length=60)
    reason = models.TextField(_("reason"))  # English, as the rule gave it
    # The reason as pht.rules.explain.Message.as_dict(), shown translated by get_reason_display().
    message: models.JSONField[dict[str, Any]] = models.JSONField(default=dict, blank=True)
    inputs: models.JSONField[dict[str, Any]] = models.JSONField(default=dict)
    computed_on = models.DateField()
    # Set when the membership is new (pht.rules.target_groups.new_memberships): the day, a window before
    # ``computed_on``, on which the resident was not yet in this group or not yet on the list.
    new_since = models.DateField(_("new since"), null=True, blank=True)
    provenance: models.JSONField[dict[str, Any]] = models.JSONField(default=dict)

    class Meta:
        ordering = ["group"]
        constraints = [models.UniqueConstraint(fields=["resident", "group"], name="care_membership_once")]

    def __str__(self) -> str:
        return f"{self.group}: {self.reason}"

    def get_group_display(self) -> str:  # type: ignore[no-redef]
        # A dict lookup: the worklist shows one per membership row (pht.apps.accounts.choices).
        return choice_label(self, "group")

    def get_reason_display(self) -> str:
        """Why the resident is in the group, in the active language (``pht.apps.care.reasons``)."""
        return display(self.message, self.reason)


class CarePlan(models.Model):
    """A care plan (oppfølgingsplan), aligned with FHIR R4 CarePlan."""

    resident = models.ForeignKey(ListResident, on_delete=models.PROTECT, related_name="care_plans")
    title = models.CharField(_("title"), max_length=200)
    goals = models.TextField(_("goals"), help_text=_("One goal per line."))
    activities = models.TextField(_("activities"), blank=True, help_text=_("One activity per line."))
    responsible_role = models.CharField(_("responsible role"), max_length=10, choices=TeamRole.choices)
    next_review = models.DateField(_("next review"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        default="draft",
        choices=[(s, CARE_PLAN.labels[s]) for s in CARE_PLAN.labels],
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("care plan")
        verbose_name_plural = _("care plans")
        constraints = [
            # One open plan (draft, active, on hold: workflow.OPEN_PLAN_STATUSES) per patient: a form sent
            # twice must not make two (actions.create_care_plan).
            models.UniqueConstraint(
                fields=["resident"],
                condition=models.Q(status__in=sorted(OPEN_PLAN_STATUSES)),
                name="care_one_open_plan",
            )
        ]

    def __str__(self) -> str:
        return f"care plan {self.pk} ({self.status})"

    @property
    def goal_list(self) -> list[str]:
        return [line.strip() for line in self.goals.splitlines() if line.strip()]

    @property
    def activity_list(self) -> list[str]:
        return [line.strip() for line in self.activities.splitlines() if line.strip()]


class CareTask(models.Model):
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="tasks")
    description = models.CharField(_("task"), max_length=300)
    role = models.CharField(_("for role"), max_length=10, choices=TeamRole.choices)
    due = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, default="open", choices=[(s, TASK.labels[s]) for s in TASK.labels]
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return f"task {self.pk} ({self.role}, {self.status})"

    def get_role_display(self) -> str:  # type: ignore[no-redef]
        # A dict lookup: the worklist's task table shows one per row (pht.apps.accounts.choices).
        return choice_label(self, "role")


class AccessLogEntry(models.Model):
    """One read of a patient's record: who, which patient, when, why (Normen; right of insight)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(ListResident, on_delete=models.PROTECT, related_name="access_log")
    purpose = models.CharField(_("purpose"), max_length=200)
    channel = models.CharField(max_length=20)  # page / api / fhir

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} user {self.user_id} read resident {self.resident_id}"


class ImportBatch(models.Model):
    practice = models.ForeignKey("registry.Practice", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    source = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    added = models.PositiveIntegerField()
    updated = models.PositiveIntegerField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"import {self.kind} {self.source}"
