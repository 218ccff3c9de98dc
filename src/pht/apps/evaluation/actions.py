"""Every state change of the evaluation app: permission, validation, one transaction, its audit row.

- ``record_extract`` (operational side: holds the pseudonym key) writes a pseudonymised extract of a
  lake and logs the access with its purpose;
- ``create_plan`` / ``update_plan`` / ``lock_plan`` / ``new_version``: analysis plans; a locked plan
  never changes (also refused by ``AnalysisPlan.save``), a deviation is a new version with its reason;
- ``start_power`` / ``start_run``: background jobs (``pht.apps.jobs``) computing the MDE on pre-period
  data, and running a locked plan on an extract; ``store_power`` / ``store_result`` are their writes.
"""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import pht
from pht.apps.accounts.actions import ActionRefused, require
from pht.apps.accounts.audit import record_event, snapshot
from pht.apps.accounts.permissions import roles_of
from pht.apps.accounts.validation import bounded_text
from pht.apps.evaluation.access import require_work
from pht.apps.evaluation.models import AnalysisPlan, Extract, Run
from pht.apps.evaluation.workflow import EDITABLE, PLAN
from pht.engine.evaluation.extract import write_extract
from pht.engine.evaluation.outcomes import KNOWN_OUTCOMES
from pht.engine.evaluation.plan import DEFAULT_PLAN, Plan, PlanError, deviations, load_plan, parse_plan
from pht.lake.files import LakeError
from pht.rules.pseudonym import MIN_KEY_LENGTH
from pht.rules.workflow import check_transition

PLAN_AUDIT = ["name", "version", "title", "status", "plan_hash", "locked_at", "previous", "deviation_reason"]
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


def _refuse_plan_error(exc: PlanError) -> ActionRefused:
    return ActionRefused(_("The plan is not valid: %(error)s"), {"error": str(exc)})


def parsed(document: dict[str, Any]) -> Plan:
    """The plan document checked field by field (a refusal names the field)."""
    try:
        return parse_plan(document, KNOWN_OUTCOMES)
    except PlanError as exc:
        raise _refuse_plan_error(exc) from exc


def default_document() -> dict[str, Any]:
    """PHT's default plan (the four HOD dimensions and their outcomes) as JSON-safe data."""
    return copy.deepcopy(load_plan(DEFAULT_PLAN, KNOWN_OUTCOMES).document)


# --- extracts (operational side) ----------------------------------------------------------------


def record_extract(user: Any, lake: Path | str, out: Path | str, purpose: str) -> Extract:
    """Write the pseudonymised extract of ``lake`` into ``out`` and record it, with the access event
    (who, which lake, for what purpose). The key (``PHT_PSEUDONYM_KEY``) never leaves this function."""
    purpose = bounded_text(purpose, Extract, "purpose").strip()
    if not purpose:
        raise ActionRefused(_("Extract: the purpose is required (field 'purpose')."))
    key = (settings.PHT_PSEUDONYM_KEY or "").encode()
    if len(key) < MIN_KEY_LENGTH:
        raise ActionRefused(
            _("PHT_PSEUDONYM_KEY is not set (at least %(n)s characters); no extract can be made."),
            {"n": MIN_KEY_LENGTH},
        )
    try:
        result = write_extract(lake, out, key)
    except LakeError as exc:
        raise ActionRefused(_("Extract: %(error)s"), {"error": str(exc)}) from exc
    try:
        with transaction.atomic():
            extract = Extract.objects.create(
                path=str(Path(result.path).resolve()),
                snapshot_hash=result.snapshot_hash,
                purpose=purpose,
                rows=result.rows,
                created_by=user if user is not None and user.pk else None,
            )
            record_event(
                user,
                "evaluation.extract",
                extract,
                after={
                    "access": "pseudonymised evaluation extract",
                    "purpose": purpose,
                    "source": str(Path(lake).resolve()),
                    "snapshot_hash": result.snapshot_hash,
                    "rows": result.rows,
                },
            )
    except BaseException:
        shutil.rmtree(result.path, ignore_errors=True)
        raise
    return extract


# --- plans ------------------------------------------------------------------------------------------


def _with_identity(document: dict[str, Any], name: str, version: int, title: str) -> dict[str, Any]:
    document = copy.deepcopy(document)
    document.setdefault("plan", {})
    document["plan"].update({"name": name, "version": str(version), "title": title})
    return document


def create_plan(user: Any, name: str, title: str = "") -> AnalysisPlan:
    """A new plan (version 1, draft) from PHT's default template."""
    require_work(user)
    name = (name or "").strip().lower()
    if not NAME.match(name):
        raise ActionRefused(
            _("Plan field 'name': %(name)s is not a short name (lower-case letters, digits and hyphens)."),
            {"name": name[:60] or "-"},
        )
    document = default_document()
    # Untitled: the template's title in the creator's language (its msgid is in presentation).
    title = bounded_text(title, AnalysisPlan, "title").strip() or str(_(str(document["plan"]["title"])))  # noqa: INT001
    with transaction.atomic():
        if AnalysisPlan.objects.filter(name=name).exists():
            raise ActionRefused(_("Plan field 'name': a plan named %(name)s exists already."), {"name": name})
        plan = AnalysisPlan.objects.create(
            name=name,
            version=1,
            title=title,
            document=_with_identity(document, name, 1, title),
            created_by=user,
        )
        plan.deviations = deviations(parsed(plan.document), parsed(default_document()))
        plan.save(update_fields=["deviations"])
        record_event(user, "evaluation.plan.create", plan, after=snapshot(plan, PLAN_AUDIT))
    return plan


def _reference(plan: AnalysisPlan) -> Plan:
    return parsed(plan.previous.document) if plan.previous is not None else parsed(default_document())


def update_plan(
    user: Any, plan: AnalysisPlan, document: dict[str, Any], title: str | None = None
) -> AnalysisPlan:
    """Replace a draft plan's document (checked field by field); a locked plan is refused."""
    require_work(user)
    with transaction.atomic():
        plan = AnalysisPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status not in EDITABLE:
            raise ActionRefused(
                _("Plan %(plan)s is %(status)s: it can no longer change; make a new version instead."),
                {"plan": str(plan), "status": plan.status},
            )
        before = snapshot(plan, [*PLAN_AUDIT, "document"])
        title = bounded_text(title if title is not None else plan.title, AnalysisPlan, "title").strip()
        if not title:
            raise ActionRefused(_("Plan field 'title' is required."))
        document = _with_identity(document, plan.name, plan.version, title)
        checked = parsed(document)
        plan.title = title
        plan.document = checked.document
        plan.deviations = deviations(checked, _reference(plan))
        plan.mde = None  # the power belongs to the plan as it was
        plan.save()
        record_event(
            user,
            "evaluation.plan.update",
            plan,
            before=before,
            after=snapshot(plan, [*PLAN_AUDIT, "document"]),
        )
    return plan


def lock_plan(user: Any, plan: AnalysisPlan) -> AnalysisPlan:
    """Pre-register the plan: its hash and the time are recorded; from now on it cannot change."""
    require_work(user)
    with transaction.atomic():
        plan = AnalysisPlan.objects.select_for_update().get(pk=plan.pk)
        require(check_transition(PLAN, plan.status, "locked", roles_of(user)))
        before = snapshot(plan, PLAN_AUDIT)
        checked = parsed(plan.document)
        plan.status = "locked"
        plan.plan_hash = checked.hash
        plan.locked_at = timezone.now()
        plan.locked_by = user
        plan.deviations = deviations(checked, _reference(plan))
        plan.save()
        record_event(user, "evaluation.plan.lock", plan, before=before, after=snapshot(plan, PLAN_AUDIT))
    return plan


def new_version(user: Any, plan: AnalysisPlan, reason: str) -> AnalysisPlan:
    """A deviation from a locked plan: a new draft version pointing to it, with the reason."""
    require_work(user)
    reason = bounded_text(reason, AnalysisPlan, "deviation_reason").strip()
    if not reason:
        raise ActionRefused(_("A new version needs the reason for the deviation (field 'reason')."))
    with transaction.atomic():
        plan = AnalysisPlan.objects.select_for_update().get(pk=plan.pk)
        if not plan.locked:
            raise ActionRefused(
                _("Plan %(plan)s is not locked: edit it instead of making a new version."),
                {"plan": str(plan)},
            )
        version = (AnalysisPlan.objects.filter(name=plan.name).aggregate(v=Max("version"))["v"] or 0) + 1
        document = _with_identity(plan.document, plan.name, version, plan.title)
        document["plan"]["deviations"] = [*document["plan"].get("deviations", []), f"v{version}: {reason}"]
        successor = AnalysisPlan.objects.create(
            name=plan.name,
            version=version,
            title=plan.title,
            document=parsed(document).document,
            previous=plan,
            deviation_reason=reason,
            created_by=user,
        )
        record_event(user, "evaluation.plan.new_version", successor, after=snapshot(successor, PLAN_AUDIT))
    return successor


# --- jobs -------------------------------------------------------------------------------------------


def start_power(user: Any, plan: AnalysisPlan, extract: Extract) -> Any:
    """Compute the MDE of every planned estimate on the extract's pre-period data, as a job."""
    from pht.apps.jobs.actions import start_job

    require_work(user)
    parsed(plan.document)
    job = start_job(user, "evaluation.power", {"plan": plan.pk, "extract": extract.pk})
    with transaction.atomic():
        AnalysisPlan.objects.filter(pk=plan.pk).update(mde_job=job)
        record_event(user, "evaluation.plan.power", plan, after={"job": job.pk, "extract": extract.pk})
    return job


def store_power(plan_id: int, extract: Extract, rows: list[dict[str, Any]], document: dict[str, Any]) -> None:
    """The power job's result, kept only if the plan is unchanged since the job started."""
    with transaction.atomic():
        plan = AnalysisPlan.objects.select_for_update().get(pk=plan_id)
        if plan.document != document:
            raise ActionRefused(_("The plan changed while its power was computed; compute it again."))
        AnalysisPlan.objects.filter(pk=plan_id).update(
            mde={"extract": extract.pk, "snapshot_hash": extract.snapshot_hash, "rows": rows}
        )
        record_event(
            None, "evaluation.plan.power_done", plan, after={"extract": extract.pk, "rows": len(rows)}
        )


def start_run(user: Any, plan: AnalysisPlan, extract: Extract) -> Run:
    """Run a locked plan on an extract, as a background job."""
    from pht.apps.jobs.actions import start_job

    require_work(user)
    if not plan.locked:
        raise ActionRefused(
            _("Plan %(plan)s is not locked: lock (pre-register) it before running it."), {"plan": str(plan)}
        )
    with transaction.atomic():
        run = Run.objects.create(
            plan=plan,
            extract=extract,
            created_by=user,
            pht_version=pht.__version__,
            seed=int(plan.document["inference"]["seed"]),
        )
        job = start_job(user, "evaluation.run", {"run": run.pk})
        run.job = job
        run.save(update_fields=["job"])
        record_event(
            user, "evaluation.run.start", run, after=snapshot(run, ["plan", "extract", "job", "seed"])
        )
    return run


def mark_started(run: Run) -> None:
    Run.objects.filter(pk=run.pk).update(started_at=timezone.now())


def store_result(run: Run, result: dict[str, Any]) -> Run:
    """The finished run's result, checked against the locked plan's hash, in one transaction."""
    with transaction.atomic():
        run = Run.objects.select_for_update().select_related("plan").get(pk=run.pk)
        if result.get("plan_hash") != run.plan.plan_hash:
            raise ActionRefused(
                _("Run %(run)s: the engine ran plan %(got)s, not the locked plan %(want)s."),
                {"run": run.pk, "got": str(result.get("plan_hash"))[:12], "want": run.plan.plan_hash[:12]},
            )
        run.result = result
        run.finished_at = timezone.now()
        run.save(update_fields=["result", "finished_at"])
        record_event(
            None,
            "evaluation.run.done",
            run,
            after={"plan_hash": run.plan.plan_hash, "estimates": len(result.get("estimates", []))},
        )
    return run
