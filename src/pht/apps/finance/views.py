"""Finance pages: statements with drill-down, what-if, exports (the comparison: ``comparison_views``).

Read-only over stored statements (written by ``actions.store_settlements``); every query goes
through ``visible_practices`` so a practice sees only its own statements.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pht.apps.accounts.actions import ActionRefused, show_refusal
from pht.apps.accounts.assumptions import shown_assumptions
from pht.apps.accounts.exports import export_row
from pht.apps.accounts.forms import DayField
from pht.apps.accounts.numbers import DecimalTextField
from pht.apps.accounts.permissions import visible_practices
from pht.apps.accounts.templatetags.pht_format import format_number
from pht.apps.finance import actions
from pht.apps.finance.actions import can_store_settlements
from pht.apps.finance.models import FinancingModel, Statement, StatementPayment
from pht.apps.finance.reasons import ASSUMPTION_LABELS, REFUSALS
from pht.rules.financing import COMPONENTS

TARIFF_COMPONENTS = frozenset({"fee_reimbursement", "nurse_reimbursement"})

COMPONENT_LABELS = {
    "base_grant": gettext_lazy("Base grant (basistilskudd)"),
    "fee_reimbursement": gettext_lazy("GP fee reimbursement"),
    "nurse_reimbursement": gettext_lazy("Nurse reimbursement"),
    "capitation": gettext_lazy("Capitation (listeinnbyggertilskudd)"),
    "quality_grant": gettext_lazy("Quality grant"),
    "copayments": gettext_lazy("Copayments"),
    "total": gettext_lazy("Total"),
}


def visible_statements(user: Any) -> QuerySet[Statement]:
    return Statement.objects.filter(practice__in=visible_practices(user)).select_related("practice")


def _periods(statements: QuerySet[Statement]) -> list[str]:
    return sorted(set(statements.values_list("period", flat=True)), reverse=True)


def _pairs(statements: QuerySet[Statement]) -> list[dict[str, Any]]:
    """One row per practice-month: own and shadow statement and the difference."""
    grouped: dict[tuple[int, str], dict[str, Statement]] = defaultdict(dict)
    for statement in statements:
        grouped[(statement.practice_id, statement.period)][statement.model] = statement
    rows = []
    for (_pid, period), models in sorted(grouped.items(), key=lambda item: (item[0][1], item[0][0])):
        own = next((s for s in models.values() if s.own_model), None) or models.get(FinancingModel.FEE)
        shadow = next((s for s in models.values() if s is not own), None)
        if own is None:
            continue
        rows.append(
            {
                "practice": own.practice,
                "period": period,
                "own": own,
                "shadow": shadow,
                "difference": (shadow.total - own.total) if shadow else None,
            }
        )
    return rows


@login_required
def statement_list(request: HttpRequest) -> HttpResponse:
    statements = visible_statements(request.user)
    periods = _periods(statements)
    period = request.GET.get("period") or (periods[0] if periods else "")
    if period:
        statements = statements.filter(period=period)
    rows = _pairs(statements.order_by("practice__name", "model"))
    return render(
        request,
        "finance/statement_list.html",
        {"rows": rows, "periods": periods, "period": period},
    )


class PaymentForm(forms.Form):
    """A payment that paid the settled month (``actions.link_payment``)."""

    reference = forms.CharField(label=gettext_lazy("Payment reference"), max_length=60)
    paid_on = DayField(label=gettext_lazy("Paid on"))
    amount = DecimalTextField(
        label=gettext_lazy("Amount paid (NOK)"), max_digits=16, decimal_places=2, min_value=Decimal("0.01")
    )


@login_required
def statement_detail(request: HttpRequest, orgnr: str, period: str, model: str) -> HttpResponse:
    """A statement (its current version, or ``?version=N``), its lines, how it differs from the
    version before it, and the payments the month was paid by."""
    return _statement_page(request, orgnr, period, model)


@login_required
@require_POST
def link_payment(request: HttpRequest, orgnr: str, period: str, model: str) -> HttpResponse:
    """Link a payment to the month's current own-model statement (finance officers)."""
    user: Any = request.user
    if not can_store_settlements(user).passed:
        raise PermissionDenied("Only finance officers, case officers and administrators link payments.")
    statement = (
        Statement.objects.filter(practice__in=visible_practices(user))
        .filter(practice__orgnr=orgnr, period=period, model=model)
        .first()
    )
    if statement is None:
        raise Http404("no such statement")
    form = PaymentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.link_payment(user, statement, data["reference"], data["paid_on"], data["amount"])
        except actions.PaymentRefused as refusal:  # shown at the input to correct, after its label
            form.add_error(refusal.input, refusal.display(REFUSALS))
        except ActionRefused as refusal:
            show_refusal(request, refusal, REFUSALS)
        else:
            messages.success(request, _("The payment is linked to the month."))
            return redirect(reverse("finance:statement", args=[orgnr, period, model]) + "#payments")
    return _statement_page(request, orgnr, period, model, form=form, status=400)


def _statement_page(
    request: HttpRequest,
    orgnr: str,
    period: str,
    model: str,
    *,
    form: PaymentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user  # signed in (login_required)
    versions = list(
        Statement.versions.filter(practice__in=visible_practices(user))
        .filter(practice__orgnr=orgnr, period=period, model=model)
        .select_related("practice", "run", "run__started_by")
        .order_by("version")
    )
    if not versions:
        raise Http404("no such statement")
    wanted = request.GET.get("version", "")
    if wanted:
        statement = next((v for v in versions if str(v.version) == wanted), None)
        if statement is None:
            raise Http404("no such version")
    else:
        statement = next((v for v in versions if v.is_current), versions[-1])
    previous = next((v for v in reversed(versions) if v.version < statement.version), None)
    other = (
        visible_statements(request.user)
        .filter(practice=statement.practice, period=period)
        .exclude(model=statement.model)
        .first()
    )
    lines = list(statement.lines.all())
    # the month's payments, of every version (a payment stays with the version it paid)
    payments = list(
        StatementPayment.objects.filter(statement__in=versions)
        .select_related("statement", "recorded_by")
        .order_by("paid_on", "id")
    )
    paid = sum((p.amount for p in payments), Decimal("0.00"))
    current = next((v for v in versions if v.is_current), None)
    by_component: dict[str, list[Any]] = defaultdict(list)
    for line in lines:
        by_component[line.component].append(line)
    components = [
        {
            "name": name,
            "label": COMPONENT_LABELS[name],
            "amount": getattr(statement, name),
            "lines": by_component[name],
            # tariff codes (2ad, PHT1) are what a reader looks up; the other lines' codes are internal keys
            # (``copayment_patient``, ``F:45-66:m2:0828``), kept as ``data-code`` and described in words
            "coded": name in TARIFF_COMPONENTS,
        }
        for name in COMPONENTS
        if name != "total"
    ]
    changes = (
        [
            {
                "name": name,
                "label": COMPONENT_LABELS[name],
                "before": getattr(previous, name),
                "after": getattr(statement, name),
                "difference": getattr(statement, name) - getattr(previous, name),
            }
            for name in COMPONENTS
        ]
        if previous is not None
        else []
    )
    return render(
        request,
        "finance/statement_detail.html",
        {
            "statement": statement,
            "other": other,
            "components": components,
            "lines_total": sum((line.amount for line in lines), Decimal("0.00")),
            "versions": versions,
            "previous": previous,
            "changes": changes,
            "payments": payments,
            "paid": paid,
            "unpaid": current.total - paid if current is not None and statement.own_model else None,
            "payment_form": (form or PaymentForm())
            if statement.is_current and statement.own_model and can_store_settlements(user).passed
            else None,
        },
        status=status,
    )


# --- what-if ------------------------------------------------------------------------------------

BANDS = ("0-5", "6-15", "16-44", "45-66", "67-79", "80+")
ACTIVITY_CODES = ("2ad", "2ak", "2ae", "1ad", "11ad", "PHT1", "PHT2", "PHT3")


class WhatIfForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2015, max_value=2030, initial=2018)
    municipality = forms.CharField(label=gettext_lazy("Municipality number"), max_length=4, initial="0828")
    morbidity_1 = DecimalTextField(label=gettext_lazy("Share with 1 chronic condition"), min_value=0, max_value=1,
                                  initial=Decimal("0.20"))  # fmt: skip
    morbidity_2 = DecimalTextField(label=gettext_lazy("Share with 2 chronic conditions"), min_value=0, max_value=1,
                                  initial=Decimal("0.07"))  # fmt: skip
    morbidity_3 = DecimalTextField(label=gettext_lazy("Share with 3 or more"), min_value=0, max_value=1,
                                  initial=Decimal("0.03"))  # fmt: skip
    state_copayment_share = DecimalTextField(
        label=gettext_lazy("Share of copayments paid by the state (above the ceiling)"), min_value=0, max_value=1,
        initial=Decimal("0.10"),
    )  # fmt: skip
    quality_attainment = DecimalTextField(
        label=gettext_lazy("Quality attainment (0 = lower threshold, 1 = upper)"), min_value=0, max_value=1,
        initial=Decimal("0.50"),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        defaults = {"16-44": 380, "45-66": 300, "67-79": 110, "80+": 45, "0-5": 70, "6-15": 120}
        for sex, sex_label in (("F", _("women")), ("M", _("men"))):
            for band in BANDS:
                self.fields[f"res_{sex}_{band}"] = forms.IntegerField(
                    label=f"{sex_label} {band}", min_value=0, max_value=10_000_000, initial=defaults[band]
                )
        yearly = {
            "2ad": 3300,
            "2ak": 150,
            "2ae": 400,
            "1ad": 2500,
            "11ad": 40,
            "PHT1": 450,
            "PHT2": 60,
            "PHT3": 300,
        }
        for code in ACTIVITY_CODES:
            self.fields[f"act_{code}"] = forms.IntegerField(
                label=_("%(code)s per year") % {"code": code},
                min_value=0,
                max_value=100_000_000,
                initial=yearly[code],
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        shares = [data.get(f"morbidity_{k}") or Decimal(0) for k in (1, 2, 3)]
        if sum(shares) > 1:
            raise forms.ValidationError(_("The chronic-condition shares add up to more than 1."))
        return data


@login_required
def what_if(request: HttpRequest) -> HttpResponse:
    from pht.engine.finance_params import national_divisor, what_if_parameters
    from pht.rules.financing import CapitationRate, assumptions_of
    from pht.rules.financing.whatif import WhatIf, what_if_year

    source = request.GET.get("from_practice")
    if source:
        # pick the list composition and activity of a practice (its latest stored month, x 12)
        prefill = _prefill_from_statements(request, source)
        form = WhatIfForm(prefill)
    else:
        form = WhatIfForm(request.GET or None)
    result = None
    assumptions: dict[str, object] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            base, schedules, params = what_if_parameters(data["year"])
        except (ValueError, LookupError) as exc:
            form.add_error("year", str(exc))
        else:
            shares = [data[f"morbidity_{k}"] for k in (1, 2, 3)]
            scenario = WhatIf(
                residents={(sex, band): data[f"res_{sex}_{band}"] for sex in "FM" for band in BANDS},
                activity={code: data[f"act_{code}"] for code in ACTIVITY_CODES},
                morbidity_shares=(Decimal(1) - sum(shares), *shares),
                municipality=data["municipality"],
                state_copayment_share=data["state_copayment_share"],
                quality_attainment=data["quality_attainment"],
            )
            rate = CapitationRate(params.capitation.rate_per_year, national_divisor(params.capitation), False)
            result = what_if_year(
                scenario, data["year"], base, schedules, params.capitation, rate, params.quality
            )
            assumptions.update(assumptions_of(params.provenance()))
            assumptions["what_if.capitation_rate"] = _(
                "The what-if pays capitation at the parameters' default rate of %(rate)s kr per weighted list "
                "resident per year (not budget-neutral: no lake here) and normalises weights on Norway's 2017 "
                "population by age and sex."
            ) % {"rate": format_number(params.capitation.rate_per_year, 0)}
    components = [
        {"label": COMPONENT_LABELS[n], "fee": result.fee[n], "capitation": result.capitation[n], "name": n}
        for n in COMPONENTS
    ] if result else []  # fmt: skip
    practices = (
        visible_practices(request.user).filter(statements__isnull=False).distinct().order_by("name")  # type: ignore[arg-type]
    )
    return render(
        request,
        "finance/what_if.html",
        {"form": form, "result": result, "components": components,
         "assumptions": shown_assumptions(assumptions, ASSUMPTION_LABELS),
         "practices": practices, "from_practice": source or ""},
    )  # fmt: skip


def _prefill_from_statements(request: HttpRequest, orgnr: str) -> dict[str, Any]:
    """Form data from a visible practice's latest capitation and fee statements (activity x 12)."""
    statements = visible_statements(request.user).filter(practice__orgnr=orgnr)
    latest = statements.order_by("-period").first()
    if latest is None:
        raise Http404("no statements for this practice")
    form = WhatIfForm()
    data: dict[str, Any] = {name: field.initial for name, field in form.fields.items()}
    data["year"] = int(latest.period[:4])
    data["municipality"] = latest.practice.municipality.kommunenummer
    for key in data:
        if key.startswith(("res_", "act_")):
            data[key] = 0
    capitation = statements.filter(period=latest.period, model=FinancingModel.CAPITATION).first()
    fee = statements.filter(period=latest.period, model=FinancingModel.FEE).first()
    levels = [0, 0, 0, 0]
    if capitation is not None:
        for line in capitation.lines.filter(component="capitation"):
            d = line.details
            residents = int(d.get("residents", 0))
            key = f"res_{d.get('sex')}_{d.get('age_band')}"
            if key in data:
                data[key] += residents
            levels[min(int(d.get("morbidity_level", 0)), 3)] += residents
    total = sum(levels)
    if total:
        for k in (1, 2, 3):
            data[f"morbidity_{k}"] = (Decimal(levels[k]) / total).quantize(Decimal("0.001"))
    if fee is not None:
        for line in fee.lines.filter(component__in=["fee_reimbursement", "nurse_reimbursement"]):
            if f"act_{line.code}" in data:
                data[f"act_{line.code}"] = int(line.count) * 12
    return data


# --- exports ------------------------------------------------------------------------------------

EXPORT_HEADER = (
    "practice_orgnr",
    "practice",
    "period",
    "model",
    "own_model",
    "residents",
    "resident_days",
    *COMPONENTS,
)


def _export_rows(request: HttpRequest) -> list[list[Any]]:
    statements = visible_statements(request.user).order_by("practice__name", "period", "model")
    if request.GET.get("period"):
        statements = statements.filter(period=request.GET["period"])
    if request.GET.get("practice"):
        statements = statements.filter(practice__orgnr=request.GET["practice"])
    return [
        [s.practice.orgnr, s.practice.name, s.period, s.model, s.own_model, s.residents, s.resident_days,
         *[getattr(s, n) for n in COMPONENTS]]
        for s in statements
    ]  # fmt: skip


@login_required
def export(request: HttpRequest, kind: str) -> HttpResponse:
    rows = _export_rows(request)
    if kind == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(export_row(EXPORT_HEADER))
        writer.writerows([export_row(row) for row in rows])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="statements.csv"'
        return response
    if kind == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "statements"
        sheet.append(export_row(EXPORT_HEADER))
        for row in rows:
            sheet.append(export_row(row, numbers_as_text=False))
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula
            for cell in sheet[sheet.max_row][len(EXPORT_HEADER) - len(COMPONENTS) :]:
                cell.number_format = "#,##0.00"
        output = io.BytesIO()
        book.save(output)
        response = HttpResponse(
            output.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="statements.xlsx"'
        return response
    raise Http404("unknown export format")
