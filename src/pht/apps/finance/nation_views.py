"""Finance page ``nation/``: the national what-if and the pilot's socio-economic summary.

The what-if is a long job over a nation-scale lake, not a web request: the Directorate starts it here
(a POST of the year starts a ``finance.nation_whatif`` background job, ``nation_job``, on the lake at
``PHT_NATION_LAKE``; the page follows its progress), or it is computed by ``pht nation whatif --lake
DIR --out VAR_DIR/nation_whatif.json``. Either writes the result file this page shows. The pilot's
summary is computed here from the stored statements and approved grant instalments by the pure
``pht.rules.financing.nation.pilot_summary``.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pht.apps.accounts.actions import ActionRefused, show_refusal
from pht.apps.accounts.assumptions import shown_assumptions
from pht.apps.accounts.models import User
from pht.apps.accounts.permissions import sees_everything
from pht.apps.finance.actions import can_run_nation_whatif
from pht.apps.finance.models import FinancingModel, Statement, StatementLine
from pht.apps.finance.nation_job import (
    KIND,
    RESULT_FILE,
    AlreadyRunning,
    active_job,
    lake_dir,
    lake_years,
    latest_evaluation_run,
    result_path,
)
from pht.apps.finance.reasons import ASSUMPTION_LABELS, REFUSALS
from pht.apps.jobs.access import visible_jobs
from pht.apps.jobs.actions import start_job
from pht.apps.scheme.models import Instalment
from pht.charts import EN, NB, WORDS, Chart, bar_chart
from pht.rules.financing.nation import PilotCosts, pilot_summary

MODEL_KEYS = ("fee", "capitation", "best")


class WhatifForm(forms.Form):
    # Any whole number: the job's validation says which years the lake holds.
    year = forms.IntegerField(label=gettext_lazy("Year"))


def _dec(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def load_result(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The stored what-if, or None and why not (never an exception for a bad file)."""
    if not path.exists():
        return None, None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("totals"), dict):
            raise ValueError("not a what-if result")
        for model in MODEL_KEYS:
            if not isinstance(data["totals"].get(model), dict):
                raise ValueError(f"no totals for {model}")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return None, str(exc)
    return data, None


def _model_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    labels = {
        "fee": _("Fee model with team"),
        "capitation": _("Capitation model with team"),
        "best": _("Each practice's better model"),
    }
    rows = []
    for model in MODEL_KEYS:
        t = data["totals"][model]
        rows.append(
            {
                "label": labels[model],
                **{k: _dec(t.get(k)) for k in ("income", "change", "for_team", "state", "municipality")},
                "gainers": t.get("gainers"),
                "losers": t.get("losers"),
            }
        )
    return rows


def _groups(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    rows = []
    for group in data.get(key, []) or []:
        if not isinstance(group, dict):
            continue
        name = next((v for k, v in group.items() if k not in ("practices", *MODEL_KEYS)), "")
        rows.append(
            {
                "name": name,
                "practices": group.get("practices"),
                **{m: _dec(group.get(m, {}).get("change")) for m in MODEL_KEYS},
                **{f"{m}_losers": group.get(m, {}).get("losers") for m in MODEL_KEYS},
            }
        )
    return rows


def _charts(
    counties: list[dict[str, Any]], size_classes: list[dict[str, Any]], request: HttpRequest
) -> list[Chart]:
    """Change in income by county and by size class under each model, in million NOK (bar charts;
    the tables beside them hold the same figures)."""
    language = "en" if (getattr(request, "LANGUAGE_CODE", "nb") or "nb").startswith("en") else "nb"
    fmt, vocabulary = (EN if language == "en" else NB), WORDS[language]
    names = {"fee": _("Fee model"), "capitation": _("Capitation model"), "best": _("Better model")}
    charts = []
    for ident, groups, title in (
        ("nation-chart-county", counties, _("Change in income by county")),
        ("nation-chart-size", size_classes, _("Change in income by municipality size class")),
    ):
        millions = [
            (names[m], [None if g[m] is None else float(g[m]) / 1e6 for g in groups]) for m in MODEL_KEYS
        ]
        charts.append(
            bar_chart(
                [str(g["name"]) for g in groups],
                millions,
                title=str(title),
                description=str(
                    _(
                        "Change from today's income under each model, million NOK a year; the table below holds the figures."
                    )
                ),
                y_label=str(_("Million NOK")),
                fmt=fmt,
                vocabulary=vocabulary,
                digits=1,
                ident=ident,
            )
        )
    return charts


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


SUMMARY_LABELS = {
    "grants_paid": gettext_lazy("Grants paid to municipalities (approved instalments)"),
    "nurse_funding_fee": gettext_lazy("Nurse funding, fee model (nurse tariffs)"),
    "nurse_funding_capitation": gettext_lazy("Nurse funding, capitation model (nurse allowance)"),
    "fee_extra": gettext_lazy("Fee model's extra cost (the nurse tariffs)"),
    "capitation_extra": gettext_lazy("Capitation model's extra cost over its shadow fee settlement"),
    "total_cost": gettext_lazy("Total cost of the pilot (grants + both models' extra cost)"),
    "effects": gettext_lazy("Estimated effects"),
}


def _start(request: HttpRequest, user: User, form: WhatifForm) -> tuple[HttpResponse | None, int]:
    """A POST: start the job (redirect to follow it), or the status of the page that says why not."""
    if not can_run_nation_whatif(user).passed:
        raise PermissionDenied("Only the Directorate and administrators may run the national what-if.")
    if not form.is_valid():
        return None, 400
    try:
        job = start_job(user, KIND, {"year": form.cleaned_data["year"]})
    except AlreadyRunning as refusal:
        show_refusal(request, refusal, REFUSALS)
        return None, 409
    except ActionRefused as refusal:
        show_refusal(request, refusal, REFUSALS)
        return None, 400
    return redirect(f"{request.path}?job={job.pk}"), 302


def _runs(user: User) -> dict[str, Any]:
    """The start form's context: the lake, its years, the job to follow, the evaluation run to be used."""
    lake = lake_dir()
    years = lake_years(lake) if lake.is_dir() else []
    job = visible_jobs(user).filter(kind=KIND).select_related("created_by").first()
    active = active_job()
    return {
        "lake": str(lake),
        "lake_exists": lake.is_dir(),
        "lake_years": ", ".join(str(y) for y in years),
        "may_start": can_run_nation_whatif(user).passed,
        "job": job,
        # a run someone else started (this user does not see their jobs) is waiting or running
        "active_elsewhere": active if active is not None and (job is None or job.pk != active.pk) else None,
        "next_evaluation": latest_evaluation_run(),
        "default_year": years[-1] if years else None,
    }


@login_required
def nation(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or not sees_everything(user):
        raise PermissionDenied(_("The national what-if is for the Directorate."))
    runs = _runs(user)
    form = WhatifForm(request.POST or None, initial={"year": runs["default_year"]})
    status = 200
    if request.method == "POST":
        response, status = _start(request, user, form)
        if response is not None:
            return response
    path = result_path()
    data, problem = load_result(path)
    effects: dict[str, object] | None = None
    context: dict[str, Any] = {"problem": problem, "result_file": RESULT_FILE, "data": data, "form": form}
    context.update(runs)
    if data is not None:
        context.update(
            models=_model_rows(data),
            counties=_groups(data, "by_county"),
            size_classes=_groups(data, "by_size_class"),
            nurse=data.get("nurse_fte", {}),
            frame=data.get("frame", {}),
            evaluation=data.get("evaluation", {}),
            assumptions=shown_assumptions(data.get("assumptions"), ASSUMPTION_LABELS),
            practices=len(data.get("practices", []) or []),
            today=_dec(data["totals"].get("today")),
        )
        context["charts"] = _charts(context["counties"], context["size_classes"], request)
        evaluation = data.get("evaluation") or {}
        estimate = evaluation.get("admissions_estimate") if isinstance(evaluation, dict) else None
        if estimate:
            effects = {
                "acute_admissions_rate_ratio": f"{estimate.get('estimate')} ({estimate.get('ci_low')}–{estimate.get('ci_high')})"
            }
    summary = pilot_summary(pilot_costs(), effects)
    context["summary"] = [
        {
            **row,
            "label": SUMMARY_LABELS.get(str(row["item"]), str(row["item"])),
            # the pure rule's notes are English; the labels say what a cost row is, and an effect
            # row's note is its value
            "note": (
                _("No evaluation result given")
                if row["item"] == "effects"
                else (row["note"] if str(row["item"]).startswith("effect:") else "")
            ),
        }
        for row in summary
    ]
    return render(request, "finance/nation.html", context, status=status)
