"""Every state change of the care app: permission, validation, one transaction, its audit row.

Refusals: a rule's verdict (``require``: access, workflow steps) carries its message; every other refusal is
a lazy gettext text (English msgids, the app's convention), so pages show it in their language
(``pht.apps.accounts.actions.show_refusal`` with ``reasons.REFUSALS``) and the API and logs in English.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.actions import ActionRefused, require
from pht.apps.accounts.audit import record_event, snapshot
from pht.apps.accounts.permissions import roles_of
from pht.apps.accounts.validation import bounded_text
from pht.apps.care import access
from pht.apps.care.importing import (
    ContactRow,
    DiagnosisRow,
    FileKind,
    ImportRefused,
    ParsedFile,
    Problem,
    ResidentRow,
    natural_key,
    parse_file,
)
from pht.apps.care.models import (
    CarePlan,
    CareTask,
    ImportBatch,
    ListResident,
    ResidentContact,
    ResidentDiagnosis,
    TargetGroupMembership,
    TeamRole,
)
from pht.apps.care.pseudonym import pseudonymise
from pht.apps.care.workflow import CARE_PLAN, OPEN_PLAN_STATUSES, TASK
from pht.rules.target_groups import Contact, ContactKind, Diagnosis, ResidentHistory
from pht.rules.workflow import check_transition


def _key(row: ContactRow | DiagnosisRow) -> str:
    return "|".join(str(part) for part in natural_key(row)[1:])


def _require_importer(user: Any, practice: Any) -> None:
    if user is None:  # the demo and management commands import as the system
        return
    if getattr(user, "is_superuser", False) and access.own_practice_id(user) is None:
        raise ActionRefused(_("Imports are done by the practice's own staff."))
    require(access.can_see_patients(user, practice.pk))


def import_file(user: Any, practice: Any, parsed: ParsedFile) -> ImportBatch:
    """Store one parsed file for ``practice``: all rows or none. Re-importing the same file changes nothing.

    When the file changed anything, the practice's list is stratified again on its extract date
    (``reference_date``).
    """
    _require_importer(user, practice)
    from pht.apps.registry.models import GP

    with transaction.atomic():
        problems: list[Problem] = []
        added = updated = 0
        touched: set[int] = set()
        closed: list[tuple[ListResident, dict[str, Any]]] = []  # other practices' episodes this file ends
        if parsed.kind is FileKind.RESIDENTS:
            gps = {gp.hpr: gp for gp in GP.objects.filter(practice=practice)}
            episodes: dict[str, list[ListResident]] = {}
            for episode in ListResident.objects.filter(fnr__in=[row.fnr for row in parsed.rows]).order_by(
                "list_from", "pk"
            ):
                episodes.setdefault(episode.fnr, []).append(episode)
            key = settings.PHT_PSEUDONYM_KEY.encode()
            for row in parsed.rows:
                assert isinstance(row, ResidentRow)
                if row.practice_orgnr != practice.orgnr:
                    problems.append(
                        Problem(row.line, "practice_orgnr", f"{row.practice_orgnr} is not {practice.orgnr}")
                    )
                    continue
                values = {
                    "practice": practice,
                    "gp": gps.get(row.gp_hpr),
                    "gp_hpr": row.gp_hpr,
                    "birth_date": row.birth_date,
                    "sex": row.sex,
                    "list_from": row.list_from,
                    "list_to": row.list_to,
                }
                own = [e for e in episodes.get(row.fnr, []) if e.practice_id == practice.pk]
                current = own[0] if own else None
                problem = _relist(row, practice, episodes.get(row.fnr, []), closed)
                if problem is not None:
                    problems.append(problem)
                    continue
                if current is None:
                    # A person new to this practice starts a new list episode here, even when they were
                    # listed elsewhere before: nothing of another practice's episode comes along.
                    pseudonym = pseudonymise(row.fnr, key) if key else ""
                    created = ListResident.objects.create(fnr=row.fnr, pseudonym=pseudonym, **values)
                    episodes.setdefault(row.fnr, []).append(created)
                    touched.add(created.pk)
                    added += 1
                    continue
                changed = {
                    name: value
                    for name, value in values.items()
                    if getattr(current, name if name not in ("practice", "gp") else f"{name}_id")
                    != (value.pk if hasattr(value, "pk") else value)
                }
                if changed:
                    for name, value in changed.items():
                        setattr(current, name, value)
                    current.save()
                    touched.add(current.pk)
                    updated += 1
        else:
            residents = dict(ListResident.objects.filter(practice=practice).values_list("fnr", "id"))
            # One query for what is already stored, one bulk insert for what is new: re-import adds nothing.
            known_contacts = set(
                ResidentContact.objects.filter(resident__practice=practice).values_list(
                    "resident_id", "source_key"
                )
            )
            known_diagnoses = set(
                ResidentDiagnosis.objects.filter(resident__practice=practice).values_list(
                    "resident_id", "icpc2", "diagnosed_on"
                )
            )
            new_contacts: list[ResidentContact] = []
            new_diagnoses: list[ResidentDiagnosis] = []
            for row in parsed.rows:
                assert isinstance(row, ContactRow | DiagnosisRow)
                resident_id = residents.get(row.fnr)
                if resident_id is None:
                    problems.append(
                        Problem(row.line, "fnr", "is not on this practice's list (import residents first)")
                    )
                    continue
                if isinstance(row, ContactRow):
                    if (resident_id, _key(row)) in known_contacts:
                        continue
                    new_contacts.append(
                        ResidentContact(
                            resident_id=resident_id,
                            source_key=_key(row),
                            contact_date=row.contact_date,
                            kind=row.kind.value,
                            icpc2=row.icpc2,
                            gp_hpr=row.gp_hpr,
                        )
                    )
                else:
                    if (resident_id, row.icpc2, row.diagnosed_on) in known_diagnoses:
                        continue
                    new_diagnoses.append(
                        ResidentDiagnosis(
                            resident_id=resident_id, icpc2=row.icpc2, diagnosed_on=row.diagnosed_on
                        )
                    )
                touched.add(resident_id)
            if not problems:
                ResidentContact.objects.bulk_create(new_contacts, batch_size=2000)
                ResidentDiagnosis.objects.bulk_create(new_diagnoses, batch_size=2000)
                added = len(new_contacts) + len(new_diagnoses)
        if problems:
            # Raising inside atomic() rolls back everything this file wrote: the database stays as it was.
            raise ImportRefused(parsed.source, problems)
        batch = ImportBatch.objects.create(
            practice=practice,
            kind=parsed.kind.value,
            source=parsed.source[:300],
            sha256=parsed.sha256,
            rows=len(parsed.rows),
            added=added,
            updated=updated,
            imported_by=user if user is not None and user.pk else None,
        )
        if touched:
            # The extract's date may have moved with this file: stratify the whole list on it, not just
            # the residents this file touched, so every membership on the list describes the same day.
            stratify_residents(ListResident.objects.filter(practice=practice), reference_date(practice))
        # Audit rows last: appending locks the audit chain's head until this transaction commits.
        for episode, before in closed:
            after = snapshot(episode, ["list_to"])
            record_event(user, "care.list_episode.close", episode, before=before, after=after)
        record_event(user, "care.import", batch, after=snapshot(batch))
    return batch


def _relist(
    row: ResidentRow,
    practice: Any,
    episodes: list[ListResident],
    closed: list[tuple[ListResident, dict[str, Any]]],
) -> Problem | None:
    """The re-listing rule: a person is on one GP list at a time.

    Another practice's open episode that the new one overlaps is closed the day before the new one
    starts (the newer list wins, as in the GP register), with an audit row; its records stay where they
    are. A new episode that starts on or before the other practice's open episode is refused: the files
    disagree about who the person's GP is. Closed episodes are added to ``closed`` (with their state
    before) for the import's audit rows.
    """
    for other in episodes:
        if other.practice_id == practice.pk or other.list_to is not None:
            continue
        if row.list_to is not None and row.list_to < other.list_from:
            continue  # an earlier, closed episode here: no overlap
        if row.list_from <= other.list_from:
            return Problem(
                row.line,
                "list_from",
                f"{row.list_from.isoformat()}: the person is listed with another practice from "
                f"{other.list_from.isoformat()}; a move must start later",
            )
        before = snapshot(other, ["list_to"])
        other.list_to = row.list_from - datetime.timedelta(days=1)
        other.save(update_fields=["list_to"])
        closed.append((other, before))
    return None


def import_bytes(user: Any, practice: Any, data: bytes, name: str, kind: str) -> ImportBatch:
    parsed = parse_file(data, name, kind, allow_synthetic=settings.PHT_ALLOW_SYNTHETIC_IDS)
    return import_file(user, practice, parsed)


def import_from_lake(user: Any, practice: Any, lake: Path | str, on: datetime.date) -> list[ImportBatch]:
    """A practice's residents, contacts and diagnoses from the lake, through the same validated import."""
    import pyarrow.parquet as pq

    from pht.engine.care import practice_extract

    extract = practice_extract(lake, [practice.orgnr], on)
    batches = []
    for kind in ("residents", "contacts", "diagnoses"):
        buffer = io.BytesIO()
        pq.write_table(extract[kind], buffer)
        batches.append(
            import_bytes(user, practice, buffer.getvalue(), f"lake:{Path(lake).name}/{kind}.parquet", kind)
        )
    return batches


def reference_date(practice: Any) -> datetime.date:
    """The date an extract describes: its latest contact (records are as of then), else today."""
    from django.db.models import Max

    latest = ResidentContact.objects.filter(resident__practice=practice, recorded_by__isnull=True).aggregate(
        latest=Max("contact_date")
    )["latest"]
    return latest or timezone.localdate()


def history_of(resident: ListResident) -> ResidentHistory:
    diagnoses = [Diagnosis(d.icpc2, d.diagnosed_on) for d in resident.diagnoses.all()]
    contacts = []
    for c in resident.contacts.all():
        contacts.append(Contact(c.contact_date, ContactKind(c.kind)))
        if c.icpc2:
            diagnoses.append(Diagnosis(c.icpc2, c.contact_date))
    return ResidentHistory(str(resident.pk), resident.birth_date, tuple(diagnoses), tuple(contacts))


def stratify_residents(residents: Iterable[ListResident], on: datetime.date | None = None) -> int:
    """Run the target-group rules for these residents and store memberships with their explanations.

    Part of the import's (or the caller's) transaction; derived data, so no audit row per resident.
    """
    from pht.refdata.params import load_parameters
    from pht.rules.frailty import FrailtyIndexParameters
    from pht.rules.target_groups import TargetGroupParameters, new_memberships, stratify

    on = on or timezone.localdate()
    groups_set = load_parameters("target_groups", on)
    frailty_set = load_parameters("frailty_index", on)
    parameters = TargetGroupParameters.from_mapping(groups_set.values)
    frailty = FrailtyIndexParameters.from_mapping(frailty_set.values)
    provenance = {"target_groups": groups_set.provenance(), "frailty_index": frailty_set.provenance()}
    if hasattr(residents, "prefetch_related"):
        residents = residents.prefetch_related("contacts", "diagnoses")
    chosen = list(residents)
    memberships: list[TargetGroupMembership] = []
    with transaction.atomic():
        for resident in chosen:
            history = history_of(resident)
            result = stratify(history, on, parameters, frailty)
            since, new = new_memberships(history, result, parameters, frailty, resident.list_from)
            memberships += [
                TargetGroupMembership(
                    resident=resident,
                    group=verdict.rule.removeprefix("target_group."),
                    rule=verdict.rule,
                    reason=verdict.reason,
                    message=verdict.message.as_dict() if verdict.message else {},
                    inputs=_json(verdict.inputs),
                    computed_on=on,
                    new_since=since if verdict.rule.removeprefix("target_group.") in new else None,
                    provenance=provenance,
                )
                for verdict in result.memberships
            ]
            resident.need_score = result.need_score
            resident.frailty_category = result.frailty.value.value
            resident.frailty_reason = result.frailty.reason
            resident.frailty_message = result.frailty.message.as_dict() if result.frailty.message else {}
            resident.stratified_on = on
        TargetGroupMembership.objects.filter(resident__in=[r.pk for r in chosen]).delete()
        TargetGroupMembership.objects.bulk_create(memberships, batch_size=2000)
        ListResident.objects.bulk_update(
            chosen,
            ["need_score", "frailty_category", "frailty_reason", "frailty_message", "stratified_on"],
            batch_size=1000,
        )
    count = len(chosen)
    return count


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _clean_role(role: str) -> str:
    if role not in TeamRole.values:
        raise ActionRefused(
            _("Unknown role '%(role)s'; choose one of %(roles)s."),
            {"role": role, "roles": ", ".join(TeamRole.values)},
        )
    return role


def create_care_plan(
    user: Any,
    resident: ListResident,
    *,
    title: str,
    goals: str,
    responsible_role: str,
    next_review: datetime.date | None = None,
    activities: str = "",
    status: str = "active",
) -> CarePlan:
    require(access.can_work_with_patients(user, resident.practice_id))
    bounded_text(title.strip(), CarePlan, "title")
    bounded_text(goals, CarePlan, "goals")
    bounded_text(activities, CarePlan, "activities")
    if not title.strip():
        raise ActionRefused(_("A care plan needs a title."))
    if not goals.strip():
        raise ActionRefused(_("A care plan needs at least one goal."))
    if status not in ("draft", "active"):
        raise ActionRefused(_("A new care plan is a draft or active."))
    if next_review is not None and next_review < timezone.localdate():
        raise ActionRefused(_("The next review date cannot be in the past."))
    role = _clean_role(responsible_role)
    with transaction.atomic():
        # The patient's row is locked first: a second request for the same patient (a double click, a
        # form sent again) waits here until this one commits, then finds its plan below. The constraint
        # ``care_one_open_plan`` holds where no row lock is taken (SQLite serialises writers instead).
        ListResident.objects.select_for_update().filter(pk=resident.pk).first()
        existing = _open_plan(resident)
        if existing is not None:
            raise OpenPlanExists(existing)
        try:
            with transaction.atomic():
                plan = CarePlan.objects.create(
                    resident=resident,
                    title=title.strip()[:200],
                    goals=goals.strip(),
                    activities=activities.strip(),
                    responsible_role=role,
                    next_review=next_review,
                    status=status,
                    created_by=user,
                )
        except IntegrityError:
            existing = _open_plan(resident)
            if existing is None:
                raise
            raise OpenPlanExists(existing) from None
        record_event(user, "care.plan.create", plan, after=snapshot(plan))
    return plan


class OpenPlanExists(ActionRefused):
    """A new care plan for a patient who has an open one (draft, active or on hold) already: ``plan``.

    One open plan per patient (list episode, and so per practice's team): the page offers the form only
    without one, so this is mostly the same form sent twice (a double click); the page shows ``plan``.
    """

    def __init__(self, plan: CarePlan) -> None:
        self.plan = plan
        super().__init__(
            _("The patient already has an open care plan (%(title)s); no second plan was created."),
            {"title": plan.title},
        )


def _open_plan(resident: ListResident) -> CarePlan | None:
    return CarePlan.objects.filter(resident=resident, status__in=OPEN_PLAN_STATUSES).order_by("pk").first()


def add_task(
    user: Any, plan: CarePlan, *, description: str, role: str, due: datetime.date | None
) -> CareTask:
    require(access.can_work_with_patients(user, plan.resident.practice_id))
    if plan.status in ("completed", "revoked"):
        raise ActionRefused(_("A completed or revoked care plan takes no new tasks."))
    bounded_text(description.strip(), CareTask, "description")
    if not description.strip():
        raise ActionRefused(_("A task needs a description."))
    with transaction.atomic():
        task = CareTask.objects.create(
            plan=plan, description=description.strip()[:300], role=_clean_role(role), due=due, created_by=user
        )
        record_event(user, "care.task.create", task, after=snapshot(task))
    return task


def change_plan_status(user: Any, plan: CarePlan, target: str) -> CarePlan:
    require(access.can_work_with_patients(user, plan.resident.practice_id))
    require(check_transition(CARE_PLAN, plan.status, target, roles_of(user)))
    with transaction.atomic():
        locked = CarePlan.objects.select_for_update().get(pk=plan.pk)
        require(check_transition(CARE_PLAN, locked.status, target, roles_of(user)))
        before = snapshot(locked, ["status"])
        locked.status = target
        locked.save(update_fields=["status", "updated_at"])
        record_event(user, "care.plan.status", locked, before=before, after=snapshot(locked, ["status"]))
    return locked


def change_task_status(user: Any, task: CareTask, target: str) -> CareTask:
    require(access.can_work_with_patients(user, task.plan.resident.practice_id))
    with transaction.atomic():
        locked = CareTask.objects.select_for_update().get(pk=task.pk)
        require(check_transition(TASK, locked.status, target, roles_of(user)))
        before = snapshot(locked, ["status"])
        locked.status = target
        locked.save(update_fields=["status"])
        record_event(user, "care.task.status", locked, before=before, after=snapshot(locked, ["status"]))
    return locked


def record_follow_up(
    user: Any, resident: ListResident, *, on: datetime.date, kind: str, note: str
) -> ResidentContact:
    """The nurse (or GP) records a follow-up contact with the patient."""
    require(access.can_work_with_patients(user, resident.practice_id))
    if kind not in (ContactKind.NURSE, ContactKind.GP, ContactKind.HOME_VISIT):
        raise ActionRefused(_("A follow-up is a nurse, GP or home-visit contact."))
    if on > timezone.localdate():
        raise ActionRefused(_("A follow-up cannot be dated in the future."))
    bounded_text(note, ResidentContact, "note")
    with transaction.atomic():
        contact = ResidentContact.objects.create(
            resident=resident,
            contact_date=on,
            kind=kind,
            note=note.strip(),
            recorded_by=user,
            source_key=f"followup|{timezone.now().isoformat()}|{user.pk}",
        )
        record_event(user, "care.follow_up", contact, after=snapshot(contact, ["contact_date", "kind"]))
    return contact
