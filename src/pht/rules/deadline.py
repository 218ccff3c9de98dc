"""The application deadline, written once: a call's deadline is the end of its deadline day, local time.

A deadline date and a time zone give the first instant *after* the deadline (the start of the next
local day); a moment is in time when it is before that instant. The eligibility rule
(``pht.rules.eligibility``) and the scheme's actions (submission, editing after submission) both use
this, so the page, the refusal and the verdict can never disagree.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo


def deadline_instant(deadline_date: datetime.date, timezone: str) -> datetime.datetime:
    """First instant after the deadline: midnight starting the day after ``deadline_date`` in ``timezone``.

    Where that midnight falls in a daylight-saving gap, the wall time is read with the offset in force
    before the gap (``fold=0``), which is the instant the next day starts."""
    next_day = deadline_date + datetime.timedelta(days=1)
    return datetime.datetime.combine(next_day, datetime.time(0), tzinfo=ZoneInfo(timezone))


def in_time(moment: datetime.datetime, deadline_date: datetime.date, timezone: str) -> bool:
    """Whether ``moment`` (timezone-aware) is before the end of ``deadline_date`` in ``timezone``."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("moment must be timezone-aware")
    return moment < deadline_instant(deadline_date, timezone)
