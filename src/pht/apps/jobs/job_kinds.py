"""The jobs app's own kind: ``jobs.selftest``, a few timed steps to check that a worker runs jobs.

Administrators only. ``pht worker`` operators start one from the shell to see a worker pick it up."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.actions import ActionRefused
from pht.apps.accounts.models import User
from pht.apps.jobs.access import is_admin
from pht.apps.jobs.models import Job
from pht.apps.jobs.registry import Progress, job_kind
from pht.rules.explain import Message, Verdict


def _admin_only(user: User) -> Verdict:
    allowed = is_admin(user)
    reason = "administrator" if allowed else "Only administrators may start the worker self-test."
    return Verdict("jobs.selftest", allowed, reason, {"user": user.pk}, Message("jobs.selftest"))


def _validate(params: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, default, top in (("steps", 5, 1000), ("seconds", 0.5, 60)):
        raw = params.get(name, default)
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise ActionRefused(
                _("jobs.selftest: %(field)s must be a number, not %(value)s"), {"field": name, "value": raw}
            ) from None
        if not 0 <= number <= top:
            raise ActionRefused(
                _("jobs.selftest: %(field)s must be between 0 and %(top)s"), {"field": name, "top": top}
            )
        values[name] = int(number) if name == "steps" else number
    return values


@job_kind("jobs.selftest", permission=_admin_only, validate=_validate)
def selftest(job: Job, progress: Progress) -> dict[str, Any]:
    steps, seconds = int(job.params["steps"]), float(job.params["seconds"])
    for step in range(steps):
        progress(step * 100 // max(steps, 1), f"step {step + 1} of {steps}")
        time.sleep(seconds)
    return {"steps": steps, "attempt": Job.objects.get(pk=job.pk).attempts}
