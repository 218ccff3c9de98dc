"""Actions of the finance app: storing settlements as statements, linking a settled month to its
payments (one function per state change).

Refusals: ``can_store_settlements`` gives its reason as a translatable message (English templates:
``TEMPLATES``, rendered through ``pht.apps.finance.reasons.REFUSALS`` on a page); other refusals are lazy
gettext texts (English msgids). The command line shows the English ``reason``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from pht.apps.accounts.actions import ActionRefused, require
from pht.apps.accounts.audit import record_event
from pht.apps.accounts.models import Role, User
from pht.apps.finance.models import SettlementRun, Statement, StatementLine, StatementPayment
from pht.apps.jobs.models import Job
from pht.apps.registry.models import Practice
from pht.engine.finance import SettledMonth
from pht.rules.explain import Message, Verdict, render
from pht.rules.financing import COMPONENTS, Settlement

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

RATE_PLACES = Decimal("0.00000001")

# English templates of the permission verdict's messages; the finance app translates them (reasons.REFUSALS).
TEMPLATES: dict[str, str] = {
    "finance.store_settlements.system": "system job (command line)",
    "finance.store_settlements.allowed": "finance officer, case officer or administrator",
    "finance.store_settlements.refused": (
        "Only finance officers, case officers and administrators may store settlements."
    ),
    "finance.nation_whatif.allowed": "the Directorate or an administrator",
    "finance.nation_whatif.refused": "Only the Directorate and administrators may run the national what-if.",
}


def _verdict(
    passed: bool, key: str, inputs: dict[str, object], rule: str = "finance.store_settlements"
) -> Verdict:
    message = Message(key)
    return Verdict(rule, passed, render(message, TEMPLATES.__getitem__), inputs, message)


def can_store_settlements(user: User | None) -> Verdict:
    """Finance officers, case officers and administrators store settlements; ``None`` is the system (CLI)."""
    if user is None:
        return _verdict(True, "finance.store_settlements.system", {})
    allowed = user.is_authenticated and (
        user.is_superuser or user.has_role(Role.FINANCE_OFFICER, Role.CASE_OFFICER, Role.ADMINISTRATOR)
    )
    key = "finance.store_settlements.allowed" if allowed else "finance.store_settlements.refused"
    return _verdict(bool(allowed), key, {"user": user.pk})


def can_run_nation_whatif(user: User) -> Verdict:
    """Users of the Directorate and administrators run the national what-if (the evaluation team, who
    may read its page, do not start it)."""
    allowed = user.is_authenticated and (
        user.is_superuser or user.has_role(Role.ADMINISTRATOR) or user.is_directorate
    )
    key = "finance.nation_whatif.allowed" if allowed else "finance.nation_whatif.refused"
    return _verdict(bool(allowed), key, {"user": user.pk}, rule="finance.nation_whatif")


def store_settlements(
    actor: User | None, settled: Sequence[SettledMonth], source: str = "", job: Job | None = None
) -> list[Statement]:
    """Store both models' statements of each practice-month as a new version, all or nothing.

    A month settled before is never overwritten: its current statement is marked superseded and the
    new one is stored as the next version, and the run writes a second audit row naming what it
    superseded. Every practice must exist in the registry; an unknown one refuses the whole batch,
    naming it. The statements are recorded as one ``SettlementRun`` (with ``job`` when a background
    job ran it)."""
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
    periods = sorted({str(i.month.period) for i in settled})
    with transaction.atomic():
        run = SettlementRun.objects.create(
            periods=periods, practices=orgnrs, source=source[:300], started_by=actor, job=job
        )
        current = {
            (s.practice_id, s.period, s.model): s
            for s in Statement.objects.select_for_update().filter(
                practice__in=practices.values(), period__in=periods
            )
        }
        superseded: list[Statement] = []
        for item in settled:
            practice = practices[item.month.practice]
            for settlement in (item.fee, item.capitation):
                previous = current.get((practice.pk, str(settlement.period), settlement.model))
                if previous is not None:
                    superseded.append(previous)
                    Statement.versions.filter(pk=previous.pk).update(is_current=False)
                version = previous.version + 1 if previous is not None else 1
                stored.append(_store_one(practice, item, settlement, source, run, version))
        run.statements, run.superseded = len(stored), len(superseded)
        run.save(update_fields=["statements", "superseded"])
        summary = {
            "run": run.pk,
            "job": job.pk if job is not None else None,
            "statements": len(stored),
            "practices": orgnrs,
            "periods": periods,
            "source": source,
        }
        record_event(actor, "finance.store_settlements", run, after=summary)
        if superseded:
            record_event(
                actor,
                "finance.supersede_statements",
                run,
                before={
                    "statements": [
                        {
                            "id": s.pk,
                            "practice": s.practice_id,
                            "period": s.period,
                            "model": s.model,
                            "version": s.version,
                            "total": s.total,
                        }
                        for s in superseded
                    ]
                },  # fmt: skip
                after={"run": run.pk, "superseded": len(superseded)},
            )
    return stored


def _store_one(
    practice: Practice,
    item: SettledMonth,
    settlement: Settlement,
    source: str,
    run: SettlementRun,
    version: int,
) -> Statement:
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
        run=run,
        version=version,
        is_current=True,
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


class PaymentRefused(ActionRefused):
    """A refused payment link that concerns one input (``input``: reference, paid_on or amount), so a form
    can show the refusal at that input."""

    def __init__(self, input: str, text: StrOrPromise, params: dict[str, object] | None = None) -> None:
        super().__init__(text, params)
        self.input = input


def link_payment(
    actor: User | None, statement: Statement, reference: str, paid_on: datetime.date, amount: Decimal
) -> StatementPayment:
    """Link a payment (the payment system's reference, date, amount) to a settled month: the current
    version of the practice's own-model statement. A shadow statement is not paid, a superseded
    version is linked no more, and a reference is linked once per month (any version). Audited."""
    require(can_store_settlements(actor))
    reference = reference.strip()
    if not reference or len(reference) > 60:
        raise PaymentRefused("reference", _("A payment needs its reference (at most 60 characters)."))
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")) or amount >= Decimal("1e14"):
        raise PaymentRefused("amount", _("The amount paid must be positive, in whole øre."))
    if paid_on > datetime.date.today():
        raise PaymentRefused("paid_on", _("A payment date cannot be in the future."))
    with transaction.atomic():
        statement = Statement.versions.select_for_update().get(pk=statement.pk)
        if not statement.own_model:
            raise ActionRefused(
                _("A shadow settlement is not paid; link the payment to the own model's statement.")
            )
        if not statement.is_current:
            raise ActionRefused(
                _("Version %(version)s has been superseded; link the payment to the current version."),
                {"version": statement.version},
            )
        month = Statement.versions.filter(
            practice_id=statement.practice_id, period=statement.period, model=statement.model
        )
        if StatementPayment.objects.filter(statement__in=month, reference=reference).exists():
            raise PaymentRefused(
                "reference",
                _("Payment %(reference)s is already linked to this month."),
                {"reference": reference},
            )
        payment = StatementPayment.objects.create(
            statement=statement, reference=reference, paid_on=paid_on, amount=amount, recorded_by=actor
        )
        record_event(
            actor,
            "finance.link_payment",
            statement,
            after={
                "payment": payment.pk,
                "reference": reference,
                "paid_on": paid_on.isoformat(),
                "amount": str(amount),
                "practice": statement.practice_id,
                "period": statement.period,
                "version": statement.version,
            },
        )
    return payment
