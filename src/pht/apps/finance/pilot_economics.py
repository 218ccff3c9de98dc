"""The pilot's socio-economic summary (the evaluation's sixth goal): what the pilot cost, from the stored
statements and approved grant instalments, set against the effects the latest finished evaluation run
estimated (``pht.apps.evaluation.presentation.key_effects``). Shown on the finance page ``nation/`` and
in the evaluation report of every run.

The arithmetic is the pure ``pht.rules.financing.nation.pilot_summary``; this module reads its inputs
from the database and labels its rows in the page's language.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext_lazy

from pht.apps.finance.models import FinancingModel, Statement, StatementLine
from pht.apps.scheme.models import Instalment
from pht.rules.financing.nation import PilotCosts, pilot_summary

SUMMARY_LABELS = {
    "grants_paid": gettext_lazy("Grants paid to municipalities (approved instalments)"),
    "nurse_funding_fee": gettext_lazy("Nurse funding, fee model (nurse tariffs)"),
    "nurse_funding_capitation": gettext_lazy("Nurse funding, capitation model (nurse allowance)"),
    "fee_extra": gettext_lazy("Fee model's extra cost (the nurse tariffs)"),
    "capitation_extra": gettext_lazy("Capitation model's extra cost over its shadow fee settlement"),
    "total_cost": gettext_lazy("Total cost of the pilot (grants + both models' extra cost)"),
}


def pilot_costs() -> PilotCosts:
    """The pilot's costs from the stored statements and approved instalments."""
    grants = Instalment.objects.filter(status=Instalment.Status.APPROVED).aggregate(
        p=Sum("practice_amount"), m=Sum("municipality_amount")
    )
    own_fee = Statement.objects.filter(own_model=True, model=FinancingModel.FEE)
    own_cap = Statement.objects.filter(own_model=True, model=FinancingModel.CAPITATION)
    nurse_fee = own_fee.aggregate(s=Sum("nurse_reimbursement"))["s"] or Decimal("0.00")
    allowance = StatementLine.objects.filter(statement__in=own_cap, code="nurse_allowance").aggregate(
        s=Sum("amount")
    )["s"] or Decimal("0.00")
    shadow = {
        (s.practice_id, s.period): s.total
        for s in Statement.objects.filter(own_model=False, model=FinancingModel.FEE).only(
            "practice_id", "period", "total"
        )
    }
    capitation_extra = sum(
        (
            s.total - shadow[(s.practice_id, s.period)]
            for s in own_cap.only("practice_id", "period", "total")
            if (s.practice_id, s.period) in shadow
        ),
        Decimal("0.00"),
    )
    return PilotCosts(
        grants_paid=(grants["p"] or Decimal("0.00")) + (grants["m"] or Decimal("0.00")),
        nurse_funding_fee=nurse_fee,
        nurse_funding_capitation=allowance,
        fee_extra=nurse_fee,
        capitation_extra=capitation_extra,
    )


def cost_rows(costs: PilotCosts | None = None) -> list[dict[str, Any]]:
    """The cost rows of the summary (item, label in the active language, amount in kroner)."""
    rows = pilot_summary(costs or pilot_costs(), None)
    return [
        {"item": str(row["item"]), "label": str(SUMMARY_LABELS[str(row["item"])]), "amount": row["amount"]}
        for row in rows
        if row["item"] in SUMMARY_LABELS
    ]
