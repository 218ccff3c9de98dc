"""``finance.settle``: a month's or a year's settlement of the pilot practices, run as a background job.

Started by finance officers from the finance pages (``views.settlement_runs``). The job settles with the
engine (``pht.engine.finance.FinanceLake.settle``, the same rules as ``pht finance store``), one month at a
time so the page can show progress, and stores the statements at the end in one transaction as new
versions (``actions.store_settlements``): a re-run supersedes, never overwrites. One run per year at a
time (``scope``).

The finance app's other kind, ``finance.nation_whatif``, lives in ``nation_job`` and is registered by
importing it here (``JobsConfig.ready()`` imports each app's ``job_kinds`` module).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pht.apps.accounts.actions import ActionRefused
from pht.apps.finance import nation_job  # noqa: F401 - registers finance.nation_whatif
from pht.apps.finance.actions import can_store_settlements, store_settlements
from pht.apps.jobs.models import Job
from pht.apps.jobs.registry import Progress, job_kind
from pht.rules.financing import Period

KIND = "finance.settle"
QUARTER = 3


def lake_dir() -> Path:
    return Path(settings.PHT_FINANCE_LAKE)


def periods_of(params: Mapping[str, Any]) -> list[Period]:
    if params.get("period"):
        return [Period.parse(str(params["period"]))]
    from pht.engine.finance import periods_of_year

    return list(periods_of_year(int(params["year"])))


def validate(params: Mapping[str, Any]) -> dict[str, Any]:
    """Exactly one of ``period`` (YYYY-MM) or ``year``; the lake must exist and hold that year."""
    from pht.engine.finance import lake_has_year

    period, year = params.get("period") or None, params.get("year") or None
    if (period is None) == (year is None):
        raise ActionRefused(
            gettext_lazy("Settlement run: give either a month or a year, not both or neither.")
        )
    values: dict[str, Any] = {}
    if period is not None:
        try:
            parsed = Period.parse(str(period))
        except ValueError:
            raise ActionRefused(
                gettext_lazy("Settlement run: month %(value)s is not a month (YYYY-MM)."),
                {"value": str(period)[:20]},
            ) from None
        values["period"], check_year = str(parsed), parsed.year
    else:
        try:
            check_year = int(str(year))
        except ValueError:
            raise ActionRefused(
                gettext_lazy("Settlement run: year %(value)s is not a year."), {"value": str(year)[:20]}
            ) from None
        if not 2000 <= check_year <= datetime.date.today().year + 1:
            raise ActionRefused(
                gettext_lazy("Settlement run: year %(value)s is out of range."), {"value": str(check_year)}
            )
        values["year"] = check_year
    practices = params.get("practices")
    if practices:
        if not isinstance(practices, list) or not all(isinstance(p, str) and p.isdigit() for p in practices):
            raise ActionRefused(
                gettext_lazy("Settlement run: practices must be a list of organisation numbers.")
            )
        values["practices"] = sorted(set(practices))
    lake = lake_dir()
    if not lake.is_dir():
        raise ActionRefused(
            gettext_lazy("Settlement run: there is no data lake to settle from (%(lake)s)."),
            {"lake": str(lake)},
        )
    if not lake_has_year(lake, check_year):
        raise ActionRefused(
            gettext_lazy("Settlement run: the data lake holds no data for %(year)s."),
            {"year": str(check_year)},
        )
    return values


def scope(params: Mapping[str, Any]) -> str:
    """The year a (validated) run touches: at most one run per year waits or runs at a time.

    A second click on «Start» (or a resent form, or two officers at once) would queue the same run again
    and store every statement twice over as two versions. And a month run and a year run of the same
    year exclude each other too: both write new versions of the same statements, and whichever finished
    last would decide the current version. (A run of some practices excludes the whole year likewise.)
    ``start_job`` refuses the second start, naming the job in the way; the jobs table's constraint
    ``one_active_job_per_kind_and_scope`` holds it for starts at the same instant.
    """
    if params.get("period"):
        return str(Period.parse(str(params["period"])).year)
    return str(int(params["year"]))


@job_kind(KIND, permission=can_store_settlements, validate=validate, scope=scope)
def settle(job: Job, progress: Progress) -> dict[str, Any]:
    from pht.engine.finance import FinanceLake

    periods = periods_of(job.params)
    progress(2, _("Reading the data lake"))
    lake = FinanceLake(lake_dir())
    wanted = job.params.get("practices")
    if not wanted:
        pilot = lake.practices.filter(lake.practices.column("pilot"))
        wanted = pilot.column("practice_orgnr").to_pylist()
        if not wanted:
            raise ValueError(_("The data lake has no pilot practices to settle."))
    scope = lake.practice_ids(wanted)
    # A quarter per engine call: each call scans the lake once (about 3 s for the demo's pilot), so a
    # year in 12 single months would take three times as long as in four quarters, for a finer bar.
    chunks = [periods[i : i + QUARTER] for i in range(0, len(periods), QUARTER)]
    settled = []
    for done, chunk in enumerate(chunks):
        span = str(chunk[0]) if len(chunk) == 1 else f"{chunk[0]}–{chunk[-1]}"
        progress(5 + 85 * done // len(chunks), _("Settling %(month)s") % {"month": span})
        settled.extend(lake.settle(chunk, scope))
    progress(92, _("Storing the statements"))
    stored = store_settlements(
        job.created_by, settled, source=f"lake {lake_dir().name}, job {job.pk}", job=job
    )
    run = stored[0].run if stored else None
    return {
        "run": run.pk if run else None,
        "statements": len(stored),
        "superseded": run.superseded if run else 0,
        "practices": sorted({s.practice.orgnr for s in stored}),
        "periods": [str(p) for p in periods],
    }
