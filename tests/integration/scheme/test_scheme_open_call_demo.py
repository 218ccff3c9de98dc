"""The demo's open call (issue 11): published with a deadline after the day the demo is built, so a
project lead applies, submits and gets the rules' verdicts without touching a clock."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pht.apps.scheme import actions
from pht.apps.scheme import models as m
from pht.apps.scheme.actions.calls import date_order_refusal
from pht.apps.scheme.demo import OPEN_CALL_CODE, _open_call, open_call_dates


@given(st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2090, 12, 31)))
def test_open_call_dates_are_in_order_and_open_on_the_build_day(today: datetime.date) -> None:
    dates = open_call_dates(today)
    assert dates["announcement_date"] == today
    assert dates["deadline_date"] == today + datetime.timedelta(days=30)
    assert dates["pilot_start"].day == 1 and dates["pilot_start"] > dates["deadline_date"]
    assert date_order_refusal(dates) is None


@pytest.mark.django_db
def test_project_lead_applies_to_the_open_call(world: dict[str, Any], full_data: Any) -> None:
    from pht.apps.accounts.models import AuditEvent

    officer = world["officer"]
    officer.username = "saksbehandler"
    officer.save()
    said: list[str] = []
    _open_call(said.append)
    call = m.Call.objects.get(code=OPEN_CALL_CODE)
    assert call.status == "published" and call.copied_from == world["call"]
    assert actions.deadline_of(call) > datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=29)
    lead = world["lead_seljord"]
    application = actions.create_application(lead, call, full_data(world["seljord_practices"]))
    actions.submit_application(lead, application)
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.rules_eligible is True, [v for v in application.verdicts if not v["passed"]]
    # Built again: left as it is.
    before = AuditEvent.objects.count()
    _open_call(said.append)
    assert "left as it is" in said[-1] and AuditEvent.objects.count() == before
