"""Actions of the finance app: storing settlements as statements (one function per state change).

Refusals: ``can_store_settlements`` gives its reason as a translatable message (English templates:
``TEMPLATES``, rendered through ``pht.apps.finance.reasons.REFUSALS`` on a page); other refusals are lazy
gettext texts (English msgids). The command line shows the English ``reason``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.actions import ActionRefused, require
from pht.apps.accounts.audit import record_event
from pht.apps.accounts.models import Role, User
from pht.apps.finance.models import Statement, StatementLine
from pht.apps.registry.models import Practice
from pht.engine.finance import SettledMonth
from pht.rules.explain import Message, Verdict, render
from pht.rules.financing import COMPONENTS, Settlement

RATE_PLACES = Decimal("0.00000001")

# English templates of the permission verdict's messages; the finance app translates them (reasons.REFUSALS).
TEMPLATES: dict[str, str] = {
    "finance.store_settlements.system": "system job (command line)",
    "finance.store_settlements.allowed": "finance officer, case officer or administrator",
    "finance.store_settlements.refused": (
        "Only finance officers, case officers and administrators may store settlements."
    ),
}


def _verdict(passed: bool, key: str, inputs: dict[str, object]) -> Verdict:
    message = Message(key)
    return Verdict(
        "finance.store_settlements", passed, render(message, TEMPLATES.__getitem__), inputs, message
    )


def can_store_settlements(user: User | None) -> Verdict:
    """Finance officers, case officers and administrators store settlements; ``None`` is the system (CLI)."""
    if user is None:
        return _verdict(True, "finance.store_settlements.system", {})
    allowed = user.is_authenticated and (
        user.is_superuser or user.has_role(Role.FINANCE_OFFICER, Role.CASE_OFFICER, Role.ADMINISTRATOR)
    )
    key = "finance.store_settlements.allowed" if allowed else "finance.store_settlements.refused"
    return _verdict(bool(allowed), key, {"user": user.pk})


def store_settlements(
    actor: User | None, settled: Sequence[SettledMonth], source: str = ""
) -> list[Statement]:
    """Store both models' statements of each practice-month (replacing earlier ones), all or nothing.

    Every practice must exist in the registry; an unknown one refuses the whole batch, naming it."""
    require(can_store_settlements(actor))
    if not settled:
        return []
    orgnrs = sorted({item.month.practice for item in settled})
    practices = {p.orgnr: p for p in Practice.objects.filter(orgnr__in=orgnrs)}
    missing = [o for o in orgnrs if o not in practices]
    if missing:
        raise ActionRefused(
            _("practices not in the registry: %(practices)s"), {"practices": ", ".join(missing)}
        )
    stored: list[Statement] = []
    with transaction.atomic():
        for item in settled:
            practice = practices[item.month.practice]
            for settlement in (item.fee, item.capitation):
                stored.append(_store_one(practice, item, settlement, source))
        periods = sorted({str(i.month.period) for i in settled})
        summary = {"statements": len(stored), "practices": orgnrs, "periods": periods, "source": source}
        record_event(actor, "finance.store_settlements", stored[0], after=summary)
    return stored


def _store_one(practice: Practice, item: SettledMonth, settlement: Settlement, source: str) -> Statement:
    Statement.objects.filter(practice=practice, period=settlement.period, model=settlement.model).delete()
    statement = Statement(
        practice=practice,
        period=settlement.period,
        model=settlement.model,
        own_model=item.own_model == settlement.model,
        residents=item.month.residents,
        resident_days=item.month.resident_days,
        explanation=[e.as_dict() for e in settlement.explanation],
        assumptions=settlement.assumptions(),
        source=source[:300],
        **{name: settlement.components[name] for name in COMPONENTS},
    )
    statement.explanation = [
        {k: (str(v) if k == "value" else v) for k, v in e.items()} for e in statement.explanation
    ]
    statement.save()
    StatementLine.objects.bulk_create(
        StatementLine(
            statement=statement,
            position=position,
            component=line.component,
            code=line.code[:60],
            description=line.description[:300],
            count=line.count,
            rate=line.rate.quantize(RATE_PLACES),
            amount=line.amount,
            details=dict(line.details),
            message=line.message.as_dict() if line.message else {},
        )
        for position, line in enumerate(settlement.lines, start=1)
    )
    return statement
