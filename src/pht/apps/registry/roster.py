"""Checks of a practice's actual roster against the scheme's rules (reads only; no state changes)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext_lazy

from pht.apps.accounts.todos import Todo, TodoQuery
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


def _lead_municipality(user: Any) -> Any:
    organisation = getattr(user, "organisation", None)
    if organisation is None or organisation.municipality_id is None or not user.has_role("project_lead"):
        return None
    return organisation.municipality


def practices_below_norm(user: Any) -> QuerySet[Practice]:
    """The practices of the project lead's municipality whose roster is below the nurse norm today."""
    from django.utils import timezone

    municipality = _lead_municipality(user)
    if municipality is None:
        return Practice.objects.none()
    today = timezone.localdate()
    practices = Practice.objects.filter(municipality=municipality)
    return Practice.objects.filter(pk__in=[p.pk for p in practices if not nurse_norm(p, today).met])


BELOW_NORM = TodoQuery(
    "registry.nurse_norm",
    gettext_lazy("Practices below the nurse norm"),
    practices_below_norm,
    "registry:municipality",
    urgent=True,
    url_args=lambda user: (_lead_municipality(user).kommunenummer,),
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
    if _lead_municipality(user) is not None:
        return [BELOW_NORM.todo(user)]
    return []
