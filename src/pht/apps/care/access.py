"""Who may see identifiable patient data, and the access log (Normen: "tjenstlig behov").

Only staff of the patient's own practice (GP, nurse, secretary, practice administrator) see identifiable
data; nobody else does, whatever their other rights (Directorate, evaluators, administrators included).
Every read of a patient's record goes through ``read_resident``, which writes exactly one access-log row.
Directorate users get aggregates (``aggregates``); evaluators get pseudonyms (``pseudonymised_memberships``).
Each verdict's reason is also a translatable ``Message`` (English templates: ``TEMPLATES``; the reason is
rendered from it), shown in the page's language through ``pht.apps.care.reasons.REFUSALS``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.models import OrganisationKind, Role, User
from pht.apps.care.models import AccessLogEntry, ListResident, TargetGroupMembership
from pht.apps.care.pseudonym import pseudonymise
from pht.rules.explain import Message, Verdict, render

CLINICAL_ROLES = (Role.GP, Role.NURSE, Role.SECRETARY)
PATIENT_ROLES = (Role.GP, Role.NURSE, Role.SECRETARY, Role.PRACTICE_ADMIN)


# English templates of the access verdicts' messages; the care app translates them (reasons.REFUSALS).
TEMPLATES: dict[str, str] = {
    "care.see_patients.not_practice_staff": "Only practice staff may see identifiable patient data.",
    "care.see_patients.other_practice": "This patient is not on your practice's list.",
    "care.see_patients.role": "Your role may not see patient records.",
    "care.see_patients.allowed": "staff of the patient's practice",
    "care.work.role": "Only the GP, nurse or secretary may change care plans.",
    "care.work.allowed": "clinical staff of the patient's practice",
    "care.access_log.role": "Only the practice administrator may list the access log.",
    "care.access_log.allowed": "practice administrator",
}


def _verdict(rule: str, passed: bool, key: str, inputs: dict[str, Any]) -> Verdict:
    """A verdict whose English reason is the message ``key`` rendered with ``TEMPLATES``."""
    message = Message(key)
    return Verdict(rule, passed, render(message, TEMPLATES.__getitem__), inputs, message)


def own_practice_id(user: Any) -> int | None:
    """The practice a user works at, if they are practice staff."""
    if not getattr(user, "is_authenticated", False) or user.organisation is None:
        return None
    if user.organisation.kind != OrganisationKind.PRACTICE:
        return None
    return int(user.organisation.practice_id) if user.organisation.practice_id else None


def can_see_patients(user: Any, practice_id: int) -> Verdict:
    own = own_practice_id(user)
    inputs = {"user": getattr(user, "pk", None), "practice": practice_id}
    if own is None:
        return _verdict("care.see_patients", False, "care.see_patients.not_practice_staff", inputs)
    if own != practice_id:
        return _verdict("care.see_patients", False, "care.see_patients.other_practice", inputs)
    if not user.has_role(*PATIENT_ROLES):
        return _verdict("care.see_patients", False, "care.see_patients.role", inputs)
    return _verdict("care.see_patients", True, "care.see_patients.allowed", inputs)


def can_work_with_patients(user: Any, practice_id: int) -> Verdict:
    """Clinical work (care plans, tasks, follow-up): GP, nurse or secretary of the practice."""
    seen = can_see_patients(user, practice_id)
    if not seen.passed:
        return seen
    if not user.has_role(*CLINICAL_ROLES):
        return _verdict("care.work", False, "care.work.role", dict(seen.inputs))
    return _verdict("care.work", True, "care.work.allowed", dict(seen.inputs))


def can_view_access_log(user: Any, practice_id: int) -> Verdict:
    seen = can_see_patients(user, practice_id)
    if not seen.passed:
        return seen
    if not user.has_role(Role.PRACTICE_ADMIN):
        return _verdict("care.access_log", False, "care.access_log.role", {})
    return _verdict("care.access_log", True, "care.access_log.allowed", dict(seen.inputs))


def visible_residents(user: Any) -> QuerySet[ListResident]:
    """Residents whose identifiable data the user may see (their own practice's list, or none)."""
    own = own_practice_id(user)
    if own is None or not can_see_patients(user, own).passed:
        return ListResident.objects.none()
    return ListResident.objects.filter(practice_id=own)


def read_resident(user: User, resident_id: int, purpose: str, channel: str) -> ListResident:
    """The resident's record for ``user``, writing one access-log row; refuses (no row) if not allowed.

    A resident of another practice is refused exactly like one that does not exist, so the answer does not
    reveal who is on other lists.
    """
    resident = ListResident.objects.select_related("practice", "gp").filter(pk=resident_id).first()
    if resident is None or not can_see_patients(user, resident.practice_id).passed:
        raise ActionRefused(_("No such patient on your practice's list."))
    AccessLogEntry.objects.create(user=user, resident=resident, purpose=purpose[:200], channel=channel)
    return resident


SMALL_CELL = 5


def aggregates(
    practice_ids: list[int] | None = None, suppress_below: int = SMALL_CELL
) -> list[dict[str, Any]]:
    """Counts per practice and target group: what the Directorate sees (no identifiers).

    Counts from 1 to ``suppress_below - 1`` are shown as ``"<5"``: a very small group in a small practice
    could point to a person (small-cell suppression, as in published health statistics).
    """
    memberships = TargetGroupMembership.objects.all()
    residents = ListResident.objects.all()
    if practice_ids is not None:
        memberships = memberships.filter(resident__practice_id__in=practice_ids)
        residents = residents.filter(practice_id__in=practice_ids)
    from django.utils import timezone

    from pht.apps.care.lists import open_on

    # on the list today: the same count as care.lists.list_size, in one query for all practices
    residents = residents.filter(open_on(timezone.localdate()))
    listed = dict(
        residents.values_list("practice_id").annotate(n=Count("id")).values_list("practice_id", "n")
    )
    rows = (
        memberships.values(
            "resident__practice_id", "resident__practice__name", "resident__practice__orgnr", "group"
        )
        .annotate(n=Count("id"))
        .order_by("resident__practice__name", "group")
    )
    out: dict[int, dict[str, Any]] = {}
    for row in rows:
        pid = row["resident__practice_id"]
        entry = out.setdefault(
            pid,
            {
                "practice": row["resident__practice__name"],
                "orgnr": row["resident__practice__orgnr"],
                "listed": listed.get(pid, 0),
                "groups": {},
            },
        )
        count = row["n"]
        entry["groups"][row["group"]] = f"<{suppress_below}" if 0 < count < suppress_below else count
    return list(out.values())


def pseudonymised_memberships(practice_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """Per resident: keyed-HMAC pseudonym, practice, age band, groups. The key never leaves this side."""
    key = settings.PHT_PSEUDONYM_KEY.encode()
    if not key:
        raise ActionRefused(_("PHT_PSEUDONYM_KEY is not set; pseudonymised export is unavailable."))
    residents = ListResident.objects.select_related("practice").prefetch_related("memberships")
    if practice_ids is not None:
        residents = residents.filter(practice_id__in=practice_ids)
    out = []
    for resident in residents.order_by("id"):
        out.append(
            {
                "pseudonym": pseudonymise(resident.fnr, key),
                "practice_orgnr": resident.practice.orgnr,
                "birth_year": resident.birth_date.year,
                "sex": resident.sex,
                "need_score": resident.need_score,
                "frailty_category": resident.frailty_category,
                "groups": sorted(m.group for m in resident.memberships.all()),
            }
        )
    return out
