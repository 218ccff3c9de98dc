"""The finance app's to-do for the start page (``FinanceConfig.todos``): the finance officer's months not
yet settled. The same list is the settlement-runs page's filter (``?todo=finance.months.unsettled``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.models import Role
from pht.apps.accounts.todos import Todo, TodoQuery


def unsettled_months(user: Any = None, today: datetime.date | None = None) -> list[str]:
    """Months ("YYYY-MM") from the start of the first accepted grant up to the last whole month, with
    claims in the finance lake and no statement stored: the settlements still to run."""
    from pht.apps.finance.job_kinds import lake_dir
    from pht.apps.finance.models import Statement
    from pht.apps.scheme.models import GrantDecision
    from pht.engine.finance import lake_has_year

    first = (
        GrantDecision.objects.filter(status=GrantDecision.Status.ACCEPTED)
        .order_by("period_start")
        .values_list("period_start", flat=True)
        .first()
    )
    if first is None:
        return []
    today = today or timezone.localdate()
    last = today.replace(day=1) - datetime.timedelta(days=1)  # the last whole month
    lake = lake_dir()
    settled = set(Statement.objects.values_list("period", flat=True).distinct())
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        if not lake_has_year(lake, year):
            year, month = year + 1, 1  # no claims that year: nothing to settle in it
            continue
        period = f"{year}-{month:02d}"
        if period not in settled:
            months.append(period)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


UNSETTLED = TodoQuery(
    "finance.months.unsettled",
    _("Months with claims not yet settled"),
    unsettled_months,
    "finance:runs",
    "#unsettled-heading",
)


def todos(user: Any) -> list[Todo]:
    return [UNSETTLED.todo(user)] if user.has_role(Role.FINANCE_OFFICER) else []
