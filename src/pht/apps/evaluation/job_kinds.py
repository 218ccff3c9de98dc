"""The evaluation app's background jobs (``pht.apps.jobs``): power before the lock, and runs.

Progress is reported outside any transaction; the result is written at the end in one atomic block
(``actions.store_power`` / ``actions.store_result``), so a failed or cancelled job leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pht.apps.accounts.actions import ActionRefused
from pht.apps.evaluation import actions
from pht.apps.evaluation.access import evaluator_verdict
from pht.apps.evaluation.models import AnalysisPlan, Extract, Run
from pht.apps.jobs.registry import Progress, job_kind

# The engine's stages, in order, with the share of the run done when each begins.
RUN_STAGES = (
    ("reading populations", 5),
    ("matching controls", 15),
    ("power from pre-period data", 30),
    ("plan locked", 45),
    ("estimating", 60),
)


def _ids(params: Mapping[str, Any], *names: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in names:
        value = params.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ActionRefused("Job parameter %(name)s: expected a record id.", {"name": name})
        out[name] = value
    return out


def _power_params(params: Mapping[str, Any]) -> dict[str, Any]:
    return _ids(params, "plan", "extract")


def _run_params(params: Mapping[str, Any]) -> dict[str, Any]:
    return _ids(params, "run")


@job_kind("evaluation.power", permission=evaluator_verdict, validate=_power_params)
def power(job: Any, progress: Progress) -> dict[str, Any]:
    from pht.engine.evaluation.power import power_table

    plan = AnalysisPlan.objects.get(pk=job.params["plan"])
    extract = Extract.objects.get(pk=job.params["extract"])
    document = plan.document
    rows = power_table(extract.path, actions.parsed(document), progress)
    progress(98, "storing the power table")
    actions.store_power(plan.pk, extract, rows, document)
    return {"plan": plan.pk, "rows": len(rows)}


@job_kind("evaluation.run", permission=evaluator_verdict, validate=_run_params)
def run(job: Any, progress: Progress) -> dict[str, Any]:
    from pht.engine.evaluation.run import run as run_engine

    evaluation = Run.objects.select_related("plan", "extract").get(pk=job.params["run"])
    actions.mark_started(evaluation)
    progress(2, "opening the extract")

    def say(message: str) -> None:
        pct = max((share for stage, share in RUN_STAGES if message.startswith(stage)), default=50)
        progress(pct, message)

    result = run_engine(
        evaluation.extract.path, actions.parsed(evaluation.plan.document), progress=say, threads=1
    )
    progress(95, "storing the estimates")
    actions.store_result(evaluation, result)
    return {"run": evaluation.pk, "estimates": len(result["estimates"])}
