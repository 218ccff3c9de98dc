"""A practice's list size on a date: the one place it is computed.

The worklist, the practice page and the settlement statement's input all call ``list_size``, so the
same practice shows the same number everywhere. When the practice's list has been imported (list
episodes in ``ListResident``), the size is the number of episodes open on the date; until then it
is the sum of the list sizes its GPs are registered with in the registry, and says so (``source``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q

from pht.apps.care.models import ListResident

SOURCE_LIST = "list"  # episodes of the imported list open on the date
SOURCE_REGISTRY = "registry"  # no list imported: the GPs' registered list sizes


@dataclass(frozen=True)
class ListSize:
    practice_id: int
    on: datetime.date
    residents: int
    source: str
    by_gp: dict[int, int] = field(default_factory=dict)  # GP id -> residents on that GP's list

    def explain(self) -> dict[str, object]:
        return {
            "rule": "care.list_size",
            "on": self.on.isoformat(),
            "residents": self.residents,
            "source": self.source,
            "by_gp": {str(gp): n for gp, n in sorted(self.by_gp.items())},
        }


def open_on(on: datetime.date) -> Q:
    """List episodes open on ``on``: started on or before it and not ended before it."""
    return Q(list_from__lte=on) & (Q(list_to__isnull=True) | Q(list_to__gte=on))


def list_size(practice_id: int, on: datetime.date) -> ListSize:
    """How many residents are on the practice's GP lists on ``on``, in total and per GP."""
    from pht.apps.registry.models import GP

    episodes = ListResident.objects.filter(practice_id=practice_id)
    if episodes.exists():
        per_gp = dict(
            episodes.filter(open_on(on))
            .values_list("gp_id")
            .annotate(n=Count("id"))
            .values_list("gp_id", "n")
        )
        total = sum(per_gp.values())
        return ListSize(
            practice_id,
            on,
            total,
            SOURCE_LIST,
            {gp: n for gp, n in per_gp.items() if gp is not None},
        )
    by_gp = dict(GP.objects.filter(practice_id=practice_id).values_list("id", "list_size"))
    return ListSize(practice_id, on, sum(by_gp.values()), SOURCE_REGISTRY, by_gp)
