"""Checks of a practice's actual roster against the scheme's rules (reads only; no state changes)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from pht.apps.accounts.todos import Todo
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


def todos(user: Any) -> list[Todo]:
    """Start-page to-dos (``RegistryConfig.todos``): rosters below the nurse norm that the user answers for:
    practice staff their own practice, a project lead the practices of the municipality."""
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    organisation = getattr(user, "organisation", None)
    if organisation is None:
        return []
    today = timezone.localdate()
    if organisation.practice_id is not None and user.has_role("gp", "nurse", "secretary", "practice_admin"):
        practice = organisation.practice
        short = 0 if nurse_norm(practice, today).met else 1
        url = reverse("registry:practice", args=[practice.orgnr])
        return [
            Todo(
                "registry.nurse_norm", _("Your practice's roster below the nurse norm"), short, url, short > 0
            )
        ]
    if organisation.municipality_id is not None and user.has_role("project_lead"):
        municipality = organisation.municipality
        practices = Practice.objects.filter(municipality=municipality).prefetch_related("gps", "team_members")
        short = sum(1 for practice in practices if not nurse_norm(practice, today).met)
        url = reverse("registry:municipality", args=[municipality.kommunenummer])
        return [Todo("registry.nurse_norm", _("Practices below the nurse norm"), short, url, short > 0)]
    return []
