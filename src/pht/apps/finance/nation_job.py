"""``finance.nation_whatif``: the national what-if on the nation-scale lake, run as a background job.

Started by the Directorate (and administrators) from the page ``finance:nation`` (``nation_views``). The
job runs the engine (``pht.engine.nation.whatif``, the same as ``pht nation whatif``) on the lake at
``PHT_NATION_LAKE``, reports its stages as progress, and writes the result atomically to
``VAR_DIR/nation_whatif.json``, the file the page shows (the CLI's ``--out`` writes the same file).

The evaluation's estimates: the latest evaluation run with a stored result (``evaluation.Run.result``,
the dict of ``pht.engine.evaluation.run.run``, whose ``estimates`` are those of ``pht evaluate run
--format json``) is chosen when the job is started and named in its parameters; without one the
what-if is computed without the net cost per avoided admission, as the CLI does without ``--evaluation``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pht.apps.accounts.actions import ActionRefused
from pht.apps.finance.actions import can_run_nation_whatif
from pht.apps.jobs.models import Job
from pht.apps.jobs.registry import Progress, job_kind

KIND = "finance.nation_whatif"
RESULT_FILE = "nation_whatif.json"
THREADS = 2  # DuckDB threads, as the CLI's default
YEAR = gettext_lazy("Year")
# Each engine stage's share of the progress bar (from, to) and what the page says meanwhile.
STAGES: dict[str, tuple[int, int, Any]] = {
    "settlement": (5, 70, gettext_lazy("Settling the year for every practice")),
    "practices": (70, 92, gettext_lazy("Each practice's income under each model")),
    "evaluation": (92, 95, gettext_lazy("Net cost per avoided admission")),
}
# What the page says while each of the settlement's own stages runs (``SETTLEMENT_STAGES``); the engine
# reports each as it ends, so the page names the one that comes next.
SETTLEMENT_MESSAGES: dict[str, Any] = {
    "cells": gettext_lazy("Settling the year: residents on the lists and capitation cells"),
    "claims": gettext_lazy("Settling the year: claims and the copayment ceiling"),
    "indicators": gettext_lazy("Settling the year: quality indicators"),
    "reference": gettext_lazy("Settling the year: the reference year's totals"),
    "money": gettext_lazy("Settling the year: amounts by the rules"),
}


class AlreadyRunning(ActionRefused):
    """A national what-if is already waiting or running (the page answers 409 Conflict)."""


def result_path() -> Path:
    return Path(settings.VAR_DIR) / RESULT_FILE


def lake_dir() -> Path:
    return Path(settings.PHT_NATION_LAKE)


def lake_years(lake: Path) -> list[int]:
    """The years the lake holds claims for (its ``claims/year=YYYY`` partitions), oldest first."""
    claims = lake / "claims"
    if not claims.is_dir():
        return []
    years = []
    for child in claims.iterdir():
        name = child.name.removeprefix("year=")
        if child.is_dir() and child.name.startswith("year=") and name.isdigit():
            years.append(int(name))
    return sorted(years)


def latest_evaluation_run() -> Any:
    """The evaluation run finished last with a stored result, or None."""
    from pht.apps.evaluation.models import Run

    return (
        Run.objects.filter(result__isnull=False, finished_at__isnull=False)
        .select_related("plan")
        .order_by("-finished_at", "-pk")
        .first()
    )


def active_job() -> Job | None:
    return (
        Job.objects.filter(kind=KIND, status__in=(Job.Status.QUEUED, Job.Status.RUNNING))
        .order_by("pk")
        .first()
    )


def validate(params: Mapping[str, Any]) -> dict[str, Any]:
    """``year`` (the lake must hold it); refused while another national what-if waits or runs."""
    raw = params.get("year")
    if raw is None or str(raw).strip() == "":
        raise ActionRefused(gettext_lazy("give the year to compute."), field=YEAR)
    try:
        year = int(str(raw).strip())
    except ValueError:
        raise ActionRefused(
            gettext_lazy("%(value)s is not a year."), {"value": str(raw)[:20]}, field=YEAR
        ) from None
    lake = lake_dir()
    if not lake.is_dir():
        raise ActionRefused(
            gettext_lazy("National what-if: there is no nation-scale data lake at %(lake)s."),
            {"lake": str(lake)},
        )
    years = lake_years(lake)
    if year not in years:
        raise ActionRefused(
            gettext_lazy("the data lake holds no data for %(year)s (it holds %(years)s)."),
            {"year": str(year), "years": ", ".join(str(y) for y in years) or "-"},
            field=YEAR,
        )
    # One at a time: two runs would read the whole lake twice over and write the same file.
    active = active_job()
    if active is not None:
        raise AlreadyRunning(
            gettext_lazy("National what-if: a run is already waiting or running (job %(job)s)."),
            {"job": str(active.pk)},
        )
    run = latest_evaluation_run()
    return {"year": year, "evaluation_run": run.pk if run is not None else None}


def evaluation_input(run_id: int | None) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The estimates of the evaluation run chosen at the start (as ``--evaluation`` reads them), and
    where they come from; (None, None) without one."""
    if run_id is None:
        return None, None
    from pht.apps.evaluation.models import Run
    from pht.apps.evaluation.results import estimates

    run = Run.objects.select_related("plan").filter(pk=run_id).first()
    if run is None or not run.result:
        raise ValueError(_("Evaluation run %(run)s has no stored result any more.") % {"run": run_id})
    source = {
        "run": run.pk,
        "plan": run.plan.name,
        "plan_version": run.plan.version,
        "plan_hash": run.result.get("plan_hash"),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }
    return {"estimates": estimates(run)}, source


def scope(params: Mapping[str, Any]) -> str:
    """Every year writes the same result file: one national what-if at a time, whatever its year (held
    by the jobs' constraint when two starts pass ``validate``'s check at once)."""
    return "nation"


@job_kind(KIND, permission=can_run_nation_whatif, validate=validate, scope=scope)
def nation_whatif(job: Job, progress: Progress) -> dict[str, Any]:
    from pht.engine.finance import SETTLEMENT_STAGES
    from pht.engine.nation import whatif, write_json

    year = int(job.params["year"])
    evaluation, source = evaluation_input(job.params.get("evaluation_run"))

    order = [name for name, _weight in SETTLEMENT_STAGES]

    def report(stage: str, fraction: float) -> None:
        main, _dot, sub = stage.partition(".")
        start, end, message = STAGES[main]
        if sub:  # a settlement stage ended: say which one runs now
            following = order[order.index(sub) + 1 :]
            if not following:  # the settlement is done; the next stage reports at once
                return
            message = SETTLEMENT_MESSAGES[following[0]]
        elif main == "settlement":
            message = SETTLEMENT_MESSAGES[order[0]]
        progress(start + int((end - start) * fraction), str(message))

    result = whatif(lake_dir(), year, threads=THREADS, evaluation=evaluation, progress=report)
    if source is not None:
        result["evaluation"]["source"] = source
    result["job"] = job.pk
    progress(96, _("Writing the result"))
    path = write_json(result, result_path())
    return {
        "file": str(path),
        "year": year,
        "practices": result["totals"]["practices"],
        "evaluation_run": source["run"] if source is not None else None,
    }
