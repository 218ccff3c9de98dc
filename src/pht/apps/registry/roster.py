"""Checks of a practice's actual roster against the scheme's rules (reads only; no state changes)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from pht.apps.registry.models import Practice, StaffRole
from pht.refdata.params import load_parameters
from pht.rules.eligibility import required_nurse_fte

CALL_PARAMETERS = "call_2017"  # the call whose team norm applies to the pilot's practices


@dataclass(frozen=True)
class NurseNormCheck:
    """The nurse norm (one nurse FTE per ``per`` GP lists) on the roster as it is."""

    gp_lists: int
    per: int
    required: Decimal
    nurse_fte: Decimal

    @property
    def met(self) -> bool:
        return self.nurse_fte >= self.required

    @property
    def shortfall(self) -> Decimal:
        return max(self.required - self.nurse_fte, Decimal("0.00"))


def nurse_norm(practice: Practice, on: datetime.date) -> NurseNormCheck:
    """The norm of ``pht.rules.eligibility.required_nurse_fte`` (the application's rule) on the roster:
    one GP list per GP registered at the practice, and the FTE of its members registered as nurses."""
    per = int(load_parameters(CALL_PARAMETERS, on).values["gp_lists_per_nurse_fte"])
    lists = practice.gps.count()
    fte = practice.team_members.filter(role=StaffRole.NURSE).aggregate(total=Sum("fte"))["total"]
    return NurseNormCheck(
        lists, per, required_nurse_fte(lists, per), Decimal(fte or 0).quantize(Decimal("0.01"))
    )
