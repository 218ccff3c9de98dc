"""Plans for the small test lake (2016-2019)."""

from __future__ import annotations

import datetime
import tomllib

from pht.engine.evaluation.outcomes import KNOWN_OUTCOMES
from pht.engine.evaluation.plan import DEFAULT_PLAN, Plan, parse_plan


def small_plan() -> Plan:
    document = tomllib.loads(DEFAULT_PLAN.read_text(encoding="utf-8"))
    document["design"]["study_end"] = datetime.date(2019, 12, 31)
    return parse_plan(document, KNOWN_OUTCOMES)
