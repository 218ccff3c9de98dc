"""Job kinds: ``@job_kind("app.name")`` registers the function a worker runs for a job of that kind.

A kind's function takes the job and a ``progress(pct, message)`` callback and returns a JSON-able result
(stored on the job) or None. ``progress`` stores the percentage and current stage and the heartbeat, and
raises ``Cancelled`` once a cancel was requested. Any other exception fails the job: its message is
shown to the user, the traceback goes only to the log. Call ``progress`` outside ``transaction.atomic()``
(inside, nobody sees it until the block commits); do the writes at the end, in one atomic block, so a
cancelled or failed run leaves nothing half-written.

A kind may give a ``scope(params) -> str``: what a job of it works on (a year, a plan). While a job of
the kind is waiting or running for a scope, ``start_job`` refuses another for the same scope, and the
database holds this even for two starts at the same instant (``Job``'s constraint
``one_active_job_per_kind_and_scope``). An empty scope limits nothing.

Apps register their kinds in ``<app>/job_kinds.py``, imported by ``JobsConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pht.apps.accounts.models import User
    from pht.apps.jobs.models import Job
    from pht.rules.explain import Verdict

Progress = Callable[[int, str], None]
JobFunction = Callable[["Job", Progress], "dict[str, Any] | None"]
Scope = Callable[[Mapping[str, Any]], str]


class Cancelled(Exception):  # noqa: N818 - the name is the contract other apps code against
    """Raised by ``progress`` when the job's cancel was requested; the job ends as cancelled."""


@dataclass(frozen=True)
class JobKind:
    name: str
    function: JobFunction
    # Who may start it (a Verdict whose reason is shown); None lets any signed-in user.
    permission: Callable[[User], Verdict] | None = None
    # Checks and normalises the parameters before the job is queued; raises ActionRefused naming the field.
    validate: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None
    # What a job works on, from its validated parameters; one job per kind and scope at a time.
    # Shown in the refusal of a second start, so make it readable («2018»). None: no limit.
    scope: Scope | None = None


KINDS: dict[str, JobKind] = {}


def job_kind(
    name: str,
    *,
    permission: Callable[[User], Verdict] | None = None,
    validate: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None,
    scope: Scope | None = None,
) -> Callable[[JobFunction], JobFunction]:
    """Register ``function`` as the runner of jobs of kind ``name`` (unique across PHT)."""

    def register(function: JobFunction) -> JobFunction:
        existing = KINDS.get(name)
        if existing is not None and existing.function is not function:
            qualname = getattr(existing.function, "__qualname__", existing.function)
            same = getattr(function, "__qualname__", None) == qualname and getattr(
                function, "__module__", None
            ) == getattr(existing.function, "__module__", None)
            if not same:
                raise ValueError(f"job kind {name!r} is already registered by {qualname}")
        KINDS[name] = JobKind(name, function, permission, validate, scope)
        return function

    return register


def get_kind(name: str) -> JobKind | None:
    return KINDS.get(name)
