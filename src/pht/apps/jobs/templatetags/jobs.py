from __future__ import annotations

from django import template

from pht.apps.accounts.models import User
from pht.apps.jobs.actions import can_cancel
from pht.apps.jobs.models import Job

register = template.Library()


@register.filter
def cancellable_by(job: Job, user: object) -> bool:
    """The job can still be cancelled, and ``user`` may do it (its creator or an administrator)."""
    return isinstance(user, User) and job.cancellable and can_cancel(user, job)
