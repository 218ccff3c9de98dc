"""The evaluation app's to-dos for the start page (``EvaluationConfig.todos``): the evaluator's plans to
lock and runs that need a look. Each ``TodoQuery`` is both the count and the index page's filter."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.todos import Todo, TodoQuery
from pht.apps.evaluation.access import can_work
from pht.apps.evaluation.models import AnalysisPlan, Run
from pht.apps.jobs.models import Job


def _draft_plans(user: Any) -> QuerySet[AnalysisPlan]:
    return AnalysisPlan.objects.filter(status="draft")


def _runs_failed(user: Any) -> QuerySet[Run]:
    return Run.objects.filter(result__isnull=True, job__status=Job.Status.FAILED)


def _runs_unfinished(user: Any) -> QuerySet[Run]:
    return Run.objects.filter(result__isnull=True, job__status__in=(Job.Status.QUEUED, Job.Status.RUNNING))


DRAFTS = TodoQuery(
    "evaluation.plans.draft",
    _("Draft analysis plans to lock"),
    _draft_plans,
    "evaluation:index",
    "#plans-heading",
)
FAILED = TodoQuery(
    "evaluation.runs.failed", _("Failed runs"), _runs_failed, "evaluation:index", "#runs-heading", urgent=True
)
UNFINISHED = TodoQuery(
    "evaluation.runs.unfinished",
    _("Runs queued or running"),
    _runs_unfinished,
    "evaluation:index",
    "#runs-heading",
)
PLANS = (DRAFTS,)
RUNS = (FAILED, UNFINISHED)


def todos(user: Any) -> list[Todo]:
    # Directorate users read the workspace but do not work in it: no to-dos for them here.
    return [query.todo(user) for query in (*PLANS, *RUNS)] if can_work(user) else []
