"""The one deadline rule (``pht.rules.deadline``): a moment is in time exactly when its local date is on
or before the deadline date, in every time zone, across daylight-saving changes and skipped days."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pht.rules.deadline import deadline_instant, in_time
from pht.rules.eligibility import EligibilityContext
from pht.rules.size_class import SizeClassThresholds

# Oslo (the scheme's zone), zones whose clocks change at midnight (Santiago, Havana), one that
# skipped a whole day (Apia, 30 Dec 2011), a half-hour offset, and UTC.
ZONES = ("Europe/Oslo", "America/Santiago", "America/Havana", "Pacific/Apia", "Asia/Kolkata", "UTC")


@given(
    zone=st.sampled_from(ZONES),
    deadline=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2040, 12, 31)),
    offset=st.integers(min_value=-3 * 86_400, max_value=3 * 86_400),
)
def test_in_time_exactly_when_local_date_is_not_after_the_deadline(
    zone: str, deadline: datetime.date, offset: int
) -> None:
    # Moments around the deadline, built in UTC so they exist whatever the zone's clock did.
    noon = datetime.datetime.combine(deadline, datetime.time(12), tzinfo=datetime.UTC)
    moment = noon + datetime.timedelta(seconds=offset)
    expected = moment.astimezone(ZoneInfo(zone)).date() <= deadline
    assert in_time(moment, deadline, zone) is expected
    assert (moment < deadline_instant(deadline, zone)) is expected


@given(
    zone=st.sampled_from(ZONES),
    deadline=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 1, 1)),
)
def test_the_instant_is_the_start_of_a_later_local_day(zone: str, deadline: datetime.date) -> None:
    instant = deadline_instant(deadline, zone)
    just_before = instant - datetime.timedelta(microseconds=1)
    assert just_before.astimezone(ZoneInfo(zone)).date() <= deadline
    assert instant.astimezone(ZoneInfo(zone)).date() > deadline


def test_oslo_2017_call_ends_at_midnight_cest() -> None:
    # 15 Oct 2017 is summer time in Oslo (UTC+2): the deadline passes at 22:00 UTC.
    instant = deadline_instant(datetime.date(2017, 10, 15), "Europe/Oslo")
    assert instant.astimezone(datetime.UTC) == datetime.datetime(2017, 10, 15, 22, 0, tzinfo=datetime.UTC)
    last_second = datetime.datetime(2017, 10, 15, 23, 59, 59, tzinfo=ZoneInfo("Europe/Oslo"))
    assert in_time(last_second, datetime.date(2017, 10, 15), "Europe/Oslo")
    assert not in_time(
        last_second + datetime.timedelta(seconds=1), datetime.date(2017, 10, 15), "Europe/Oslo"
    )


def test_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        in_time(datetime.datetime(2017, 10, 15, 12), datetime.date(2017, 10, 15), "Europe/Oslo")


@given(
    zone=st.sampled_from(ZONES),
    deadline=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 1, 1)),
)
def test_eligibility_context_uses_the_same_rule(zone: str, deadline: datetime.date) -> None:
    ctx = EligibilityContext(
        deadline_date=deadline,
        timezone=zone,
        registry_gps={},
        known_municipalities=frozenset(),
        size_thresholds=SizeClassThresholds(small_below=5000, large_above=20000),
    )
    assert ctx.deadline == deadline_instant(deadline, zone)
