"""Target-group and frailty reasons in the page's language: the rules' messages rendered through gettext.

The rules (``pht.rules.target_groups``, ``pht.rules.frailty``) give every reason as an English sentence and
as a :class:`~pht.rules.explain.Message` (a message id and named parameters); the care app stores both.
Pages and exports show reasons only through :func:`display` (``TargetGroupMembership.get_reason_display``,
``ListResident.get_frailty_reason_display``), which renders them with the shared
``pht.apps.accounts.reasons.ReasonCatalogue``. The msgids below are the rules' English templates and terms,
word for word (tests/integration/care/test_care_reasons.py checks it), so English pages read as the API.

Refused actions (``pht.apps.accounts.actions.ActionRefused``) that come from a rule (workflow steps,
``pht.rules.workflow``; who may see and work with patients, ``pht.apps.care.access``) are shown through
:data:`REFUSALS` in the same way (``show_refusal(request, refused, REFUSALS)``); the app's other refusals
are gettext texts at their raise site.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pht.apps.accounts.reasons import ReasonCatalogue

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

TEMPLATES: dict[str, StrPromise] = {
    # Translators: a frailty index; "deficits" are the eFI's health deficits, e.g. "9 of 36 deficits (index
    # 0.250, moderate): Diabetes (T90); …".
    "frailty.deficits": _("%(count)s of %(total)s deficits (index %(index)s, %(category)s): %(deficits)s"),
    "frailty.no_deficits": _("%(count)s of %(total)s deficits (index %(index)s, %(category)s)"),
    # Translators: one frailty deficit and its evidence (ICPC-2 codes, services), e.g. "Heart failure (K77)".
    "frailty.deficit": _("%(deficit)s (%(evidence)s)"),
    # Translators: conditions of a target group found in the record, e.g. "on record: diabetes (T90, first
    # 2015-02-01)".
    "target_group.on_record": _("on record: %(conditions)s"),
    "target_group.condition": _("%(condition)s (%(code)s, first %(first)s)"),
    "target_group.not_on_record": _("no %(group)s code on record (list of %(count)s ICPC-2 codes)"),
    # Translators: "frailty" is followed by the frailty index reason, e.g. "9 of 36 deficits (…)".
    "target_group.frail_elderly.member": _("aged %(age)s (>= %(min_age)s) and frailty %(frailty)s"),
    "target_group.frail_elderly.too_young": _("aged %(age)s, under %(min_age)s"),
    "target_group.frail_elderly.not_frail": _(
        "aged %(age)s but frailty %(category)s (%(index)s) is below %(min_category)s"
    ),
    # Translators: the criteria met, joined by "; " (nothing to translate but the order).
    "target_group.complex_needs.member": _("%(criteria)s"),
    "target_group.complex_needs.conditions": _("%(count)s conditions (>= %(min)s)"),
    "target_group.complex_needs.out_of_hours": _(
        "%(count)s out-of-hours contacts in %(months)s months (>= %(min)s)"
    ),
    "target_group.complex_needs.admissions": _(
        "%(count)s hospital admissions in %(months)s months (>= %(min)s)"
    ),
    "target_group.complex_needs.none": _(
        "%(conditions)s conditions (< %(min_conditions)s), %(out_of_hours)s out-of-hours contacts "
        "(< %(min_out_of_hours)s) and %(admissions)s hospital admissions (< %(min_admissions)s) "
        "in %(months)s months"
    ),
    # Translators: "last_contact" is "last practice contact <date>" or "no practice contact on record".
    "target_group.poor_demanders.member": _(
        "chronic condition (%(conditions)s) and %(last_contact)s (none in %(months)s months)"
    ),
    "target_group.poor_demanders.no_chronic": _("no chronic condition on record"),
    "target_group.poor_demanders.seen": _("%(last_contact)s, within %(months)s months"),
    "target_group.last_contact": _("last practice contact %(date)s"),
    "target_group.no_contact": _("no practice contact on record"),
}

# The rules' vocabulary: (kind, key) -> the term in the page's language. Conditions and deficits come from
# the versioned parameters (target_groups.toml, frailty_index.toml); one missing here shows in English.
TERMS: dict[tuple[str, str], StrPromise] = {
    ("frailty_category", "fit"): pgettext_lazy("frailty category", "fit"),
    ("frailty_category", "mild"): pgettext_lazy("frailty category", "mild"),
    ("frailty_category", "moderate"): pgettext_lazy("frailty category", "moderate"),
    ("frailty_category", "severe"): pgettext_lazy("frailty category", "severe"),
    ("target_group", "chronic_disease"): pgettext_lazy("target group", "chronic disease"),
    ("target_group", "mental_illness"): pgettext_lazy("target group", "mental illness"),
    ("target_group", "substance_use"): pgettext_lazy("target group", "substance use"),
    ("target_group", "disability"): pgettext_lazy("target group", "disability"),
    ("contact_kind", "gp"): pgettext_lazy("contact kind", "gp"),
    ("contact_kind", "nurse"): pgettext_lazy("contact kind", "nurse"),
    ("contact_kind", "home_visit"): pgettext_lazy("contact kind", "home visit"),
    ("contact_kind", "out_of_hours"): pgettext_lazy("contact kind", "out of hours"),
    ("contact_kind", "hospital"): pgettext_lazy("contact kind", "hospital"),
    ("contact_kind", "municipal_care"): pgettext_lazy("contact kind", "municipal care"),
    # Conditions of the code-list target groups (target_groups.toml).
    ("condition", "diabetes"): pgettext_lazy("condition", "diabetes"),
    ("condition", "copd"): pgettext_lazy("condition", "copd"),
    ("condition", "asthma"): pgettext_lazy("condition", "asthma"),
    ("condition", "chronic_bronchitis"): pgettext_lazy("condition", "chronic bronchitis"),
    ("condition", "heart_failure"): pgettext_lazy("condition", "heart failure"),
    ("condition", "ischaemic_heart_disease"): pgettext_lazy("condition", "ischaemic heart disease"),
    ("condition", "atrial_fibrillation"): pgettext_lazy("condition", "atrial fibrillation"),
    ("condition", "hypertension_complicated"): pgettext_lazy("condition", "hypertension complicated"),
    ("condition", "cerebrovascular_disease"): pgettext_lazy("condition", "cerebrovascular disease"),
    ("condition", "peripheral_vascular_disease"): pgettext_lazy("condition", "peripheral vascular disease"),
    ("condition", "chronic_kidney_disease"): pgettext_lazy("condition", "chronic kidney disease"),
    ("condition", "rheumatoid_arthritis"): pgettext_lazy("condition", "rheumatoid arthritis"),
    ("condition", "osteoarthrosis"): pgettext_lazy("condition", "osteoarthrosis"),
    ("condition", "osteoporosis"): pgettext_lazy("condition", "osteoporosis"),
    ("condition", "parkinsonism"): pgettext_lazy("condition", "parkinsonism"),
    ("condition", "multiple_sclerosis"): pgettext_lazy("condition", "multiple sclerosis"),
    ("condition", "epilepsy"): pgettext_lazy("condition", "epilepsy"),
    ("condition", "dementia"): pgettext_lazy("condition", "dementia"),
    ("condition", "hypothyroidism"): pgettext_lazy("condition", "hypothyroidism"),
    ("condition", "chronic_enteritis"): pgettext_lazy("condition", "chronic enteritis"),
    ("condition", "hiv"): pgettext_lazy("condition", "hiv"),
    ("condition", "psychosis"): pgettext_lazy("condition", "psychosis"),
    ("condition", "affective_disorder"): pgettext_lazy("condition", "affective disorder"),
    ("condition", "anxiety"): pgettext_lazy("condition", "anxiety"),
    ("condition", "somatization"): pgettext_lazy("condition", "somatization"),
    ("condition", "personality_disorder"): pgettext_lazy("condition", "personality disorder"),
    ("condition", "hyperkinetic_disorder"): pgettext_lazy("condition", "hyperkinetic disorder"),
    ("condition", "eating_disorder"): pgettext_lazy("condition", "eating disorder"),
    ("condition", "suicide_attempt"): pgettext_lazy("condition", "suicide attempt"),
    ("condition", "other_psychological"): pgettext_lazy("condition", "other psychological"),
    ("condition", "alcohol"): pgettext_lazy("condition", "alcohol"),
    ("condition", "medication"): pgettext_lazy("condition", "medication"),
    ("condition", "drugs"): pgettext_lazy("condition", "drugs"),
    ("condition", "intellectual_disability"): pgettext_lazy("condition", "intellectual disability"),
    ("condition", "learning_problem"): pgettext_lazy("condition", "learning problem"),
    ("condition", "congenital_anomaly"): pgettext_lazy("condition", "congenital anomaly"),
    ("condition", "blindness"): pgettext_lazy("condition", "blindness"),
    ("condition", "deafness"): pgettext_lazy("condition", "deafness"),
    ("condition", "limited_function"): pgettext_lazy("condition", "limited function"),
    # Deficits of the frailty index (frailty_index.toml labels).
    ("frailty_deficit", "activity_limitation"): pgettext_lazy("frailty deficit", "Activity limitation"),
    ("frailty_deficit", "anaemia"): pgettext_lazy("frailty deficit", "Anaemia and haematinic deficiency"),
    ("frailty_deficit", "arthritis"): pgettext_lazy("frailty deficit", "Arthritis"),
    ("frailty_deficit", "atrial_fibrillation"): pgettext_lazy("frailty deficit", "Atrial fibrillation"),
    ("frailty_deficit", "cerebrovascular_disease"): pgettext_lazy(
        "frailty deficit", "Cerebrovascular disease"
    ),
    ("frailty_deficit", "chronic_kidney_disease"): pgettext_lazy("frailty deficit", "Chronic kidney disease"),
    ("frailty_deficit", "diabetes"): pgettext_lazy("frailty deficit", "Diabetes"),
    ("frailty_deficit", "dizziness"): pgettext_lazy("frailty deficit", "Dizziness"),
    ("frailty_deficit", "dyspnoea"): pgettext_lazy("frailty deficit", "Dyspnoea"),
    ("frailty_deficit", "falls"): pgettext_lazy("frailty deficit", "Falls (proxy: injury NOS)"),
    ("frailty_deficit", "foot_problems"): pgettext_lazy("frailty deficit", "Foot problems"),
    ("frailty_deficit", "fragility_fracture"): pgettext_lazy("frailty deficit", "Fragility fracture"),
    ("frailty_deficit", "hearing_impairment"): pgettext_lazy("frailty deficit", "Hearing impairment"),
    ("frailty_deficit", "heart_failure"): pgettext_lazy("frailty deficit", "Heart failure"),
    ("frailty_deficit", "heart_valve_disease"): pgettext_lazy("frailty deficit", "Heart valve disease"),
    ("frailty_deficit", "housebound"): pgettext_lazy("frailty deficit", "Housebound"),
    ("frailty_deficit", "hypertension"): pgettext_lazy("frailty deficit", "Hypertension"),
    ("frailty_deficit", "hypotension_syncope"): pgettext_lazy("frailty deficit", "Hypotension/syncope"),
    ("frailty_deficit", "ischaemic_heart_disease"): pgettext_lazy(
        "frailty deficit", "Ischaemic heart disease"
    ),
    ("frailty_deficit", "memory_cognitive"): pgettext_lazy(
        "frailty deficit", "Memory and cognitive problems"
    ),
    ("frailty_deficit", "mobility_transfer"): pgettext_lazy(
        "frailty deficit", "Mobility and transfer problems"
    ),
    ("frailty_deficit", "osteoporosis"): pgettext_lazy("frailty deficit", "Osteoporosis"),
    ("frailty_deficit", "parkinsonism_tremor"): pgettext_lazy("frailty deficit", "Parkinsonism and tremor"),
    ("frailty_deficit", "peptic_ulcer"): pgettext_lazy("frailty deficit", "Peptic ulcer"),
    ("frailty_deficit", "peripheral_vascular_disease"): pgettext_lazy(
        "frailty deficit", "Peripheral vascular disease"
    ),
    ("frailty_deficit", "polypharmacy"): pgettext_lazy(
        "frailty deficit", "Polypharmacy (no source in PHT data)"
    ),
    ("frailty_deficit", "requirement_for_care"): pgettext_lazy("frailty deficit", "Requirement for care"),
    ("frailty_deficit", "respiratory_disease"): pgettext_lazy("frailty deficit", "Respiratory disease"),
    ("frailty_deficit", "skin_ulcer"): pgettext_lazy("frailty deficit", "Skin ulcer"),
    ("frailty_deficit", "sleep_disturbance"): pgettext_lazy("frailty deficit", "Sleep disturbance"),
    ("frailty_deficit", "social_vulnerability"): pgettext_lazy("frailty deficit", "Social vulnerability"),
    ("frailty_deficit", "thyroid_disease"): pgettext_lazy("frailty deficit", "Thyroid disease"),
    ("frailty_deficit", "urinary_incontinence"): pgettext_lazy("frailty deficit", "Urinary incontinence"),
    ("frailty_deficit", "urinary_system_disease"): pgettext_lazy("frailty deficit", "Urinary system disease"),
    ("frailty_deficit", "visual_impairment"): pgettext_lazy("frailty deficit", "Visual impairment"),
    ("frailty_deficit", "weight_loss_anorexia"): pgettext_lazy("frailty deficit", "Weight loss and anorexia"),
}


# One rendering for every app (pht.apps.accounts.reasons): the stored message through these tables.
CATALOGUE = ReasonCatalogue(TEMPLATES, TERMS, localise=True)


def display(stored: Mapping[str, object] | None, english: str) -> str:
    """A stored reason in the active language; ``english`` (the rule's sentence) for rows without a message
    or whose message no longer fits the templates (``ReasonCatalogue.display``)."""
    return CATALOGUE.display(stored, english)


# Refusals by rules: the workflow steps (pht.rules.workflow) and patient access (pht.apps.care.access).
REFUSAL_TEMPLATES: dict[str, StrPromise] = {
    # Translators: "workflow" is what changes status (care plan, task), "status" a status id.
    "workflow.unknown_status": _("%(workflow)s: unknown status '%(status)s'"),
    "workflow.no_step": _("%(workflow)s: no step from '%(current)s' to '%(target)s'"),
    # Translators: "possible" lists the statuses one may go to, joined by ", ".
    "workflow.no_step.possible": _(
        "%(workflow)s: no step from '%(current)s' to '%(target)s'; from '%(current)s' one may go to %(possible)s"
    ),
    # Translators: "allowed" and "held" list roles, joined by ", ".
    "workflow.needs_role": _(
        "%(workflow)s: '%(current)s' -> '%(target)s' needs one of the roles %(allowed)s; you have %(held)s"
    ),
    "workflow.needs_role.none_held": _(
        "%(workflow)s: '%(current)s' -> '%(target)s' needs one of the roles %(allowed)s; you have none"
    ),
    "workflow.allowed": _("%(workflow)s: '%(current)s' -> '%(target)s' allowed"),
    "workflow.roles.missing": _("this needs one of the roles %(roles)s"),
    "workflow.roles.held": _("has one of the roles %(roles)s"),
    "workflow.four_eyes.not_prepared": _(
        "%(what)s: nobody is recorded as having prepared it, so four eyes cannot be shown; prepare it first"
    ),
    "workflow.four_eyes.approver_unknown": _("%(what)s: the approver is not known"),
    "workflow.four_eyes.same_person": _("you prepared this %(what)s; %(others)s must approve it (four eyes)"),
    "workflow.four_eyes.passed": _("%(what)s: approved by someone other than the one who prepared it"),
    "care.see_patients.not_practice_staff": _("Only practice staff may see identifiable patient data."),
    "care.see_patients.other_practice": _("This patient is not on your practice's list."),
    "care.see_patients.role": _("Your role may not see patient records."),
    "care.see_patients.allowed": _("staff of the patient's practice"),
    "care.work.role": _("Only the GP, nurse or secretary may change care plans."),
    "care.work.allowed": _("clinical staff of the patient's practice"),
    "care.access_log.role": _("Only the practice administrator may list the access log."),
    "care.access_log.allowed": _("practice administrator"),
}

# The care workflows' vocabulary (pht.apps.care.workflow): names, statuses and every role (a refusal names
# the roles the user holds). Statuses and roles read as their ids in English, as in the API.
REFUSAL_TERMS: dict[tuple[str, str], StrPromise] = {
    ("workflow", "care_plan"): pgettext_lazy("workflow", "care_plan"),
    ("workflow", "care_task"): pgettext_lazy("workflow", "care_task"),
    ("status", "draft"): pgettext_lazy("status", "draft"),
    ("status", "active"): pgettext_lazy("status", "active"),
    ("status", "on_hold"): pgettext_lazy("status", "on_hold"),
    ("status", "completed"): pgettext_lazy("status", "completed"),
    ("status", "revoked"): pgettext_lazy("status", "revoked"),
    ("status", "open"): pgettext_lazy("status", "open"),
    ("status", "in_progress"): pgettext_lazy("status", "in_progress"),
    ("status", "done"): pgettext_lazy("status", "done"),
    ("status", "cancelled"): pgettext_lazy("status", "cancelled"),
    ("role", "case_officer"): pgettext_lazy("role", "case_officer"),
    ("role", "reviewer"): pgettext_lazy("role", "reviewer"),
    ("role", "finance_officer"): pgettext_lazy("role", "finance_officer"),
    ("role", "project_lead"): pgettext_lazy("role", "project_lead"),
    ("role", "gp"): pgettext_lazy("role", "gp"),
    ("role", "nurse"): pgettext_lazy("role", "nurse"),
    ("role", "secretary"): pgettext_lazy("role", "secretary"),
    ("role", "practice_admin"): pgettext_lazy("role", "practice_admin"),
    ("role", "evaluator"): pgettext_lazy("role", "evaluator"),
    ("role", "administrator"): pgettext_lazy("role", "administrator"),
}

REFUSALS = ReasonCatalogue(REFUSAL_TEMPLATES, REFUSAL_TERMS)
