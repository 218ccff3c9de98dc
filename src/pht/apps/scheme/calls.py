"""Load a call from its parameter file (``src/pht/refdata/params/call_*.toml``) into the database."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from pht.apps.scheme import models as m
from pht.refdata.params import load_parameters

GRANT_KEYS = (
    "grant_per_gp_per_year",
    "municipality_base_per_year",
    "municipality_per_gp_per_year",
    "instalment_months",
    "report_due_month_day",
)
TARGET_KEYS = (
    "target_small", "target_medium", "target_large", "target_gps", "gps_min", "gps_max",
    "min_per_model_fee", "min_per_model_capitation",
)  # fmt: skip


def load_call(name: str = "call_2017", on: datetime.date = datetime.date(2017, 10, 15)) -> m.Call:
    """Create or update the call from parameter set ``name``; keeps an edited extension."""
    params = load_parameters(name, on)
    v: dict[str, Any] = dict(params.values)
    tz = ZoneInfo(v["timezone"])
    meeting = v.get("information_meeting")
    with transaction.atomic():
        scheme, _ = m.Scheme.objects.get_or_create(name=v["scheme"])
        call, created = m.Call.objects.update_or_create(
            code=name.replace("_", "-"),
            defaults={
                "scheme": scheme,
                "title": v["call_title"],
                "parameter_set": name,
                "invitation_date": v.get("invitation_date"),
                "announcement_date": v["announcement_date"],
                "information_meeting": meeting.replace(tzinfo=tz)
                if isinstance(meeting, datetime.datetime)
                else None,
                "deadline_date": v["deadline_date"],
                "timezone": v["timezone"],
                "pilot_start": v["pilot_start"],
                "pilot_end": v["pilot_end"],
                "targets": {k: v[k] for k in TARGET_KEYS if k in v},
                "criteria": list(v["criteria"]),
                "grant_parameters": {k: v[k] for k in GRANT_KEYS if k in v},
                "financing_models": list(v["financing_models"]),
                "gp_lists_per_nurse_fte": int(v["gp_lists_per_nurse_fte"]),
                "attachment_max_bytes": int(v["attachment_max_bytes"]),
                "assumptions": dict(params.assumptions),
                "source": params.source,
            },
        )
        if created:
            # A call from a parameter file is an official, published call; later loads keep its status.
            call.status = m.Call.Status.PUBLISHED
            call.save(update_fields=["status"])
    return call
