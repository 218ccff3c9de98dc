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
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pht.apps.accounts.actions import ActionRefused, show_refusal
from pht.apps.accounts.assumptions import shown_assumptions
from pht.apps.accounts.models import User
from pht.apps.accounts.permissions import sees_everything
from pht.apps.accounts.templatetags.pht_format import amount
from pht.apps.finance.actions import can_run_nation_whatif
from pht.apps.finance.comparison_views import page_language
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
from pht.apps.finance.pilot_economics import cost_rows
from pht.apps.finance.reasons import ASSUMPTION_LABELS, REFUSALS
from pht.apps.jobs.access import visible_jobs
from pht.apps.jobs.actions import start_job
from pht.apps.registry.models import SIZE_CLASS_CHOICES
from pht.charts import EN, NB, WORDS, Chart, bar_chart

MODEL_KEYS = ("fee", "capitation", "best")
SIZE_CLASS_NAMES = dict(SIZE_CLASS_CHOICES)


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


def _frame_text(frame: Any) -> str:
    """The capitation frame's arithmetic in the page's language, from the result's figures (its own
    ``explanation`` is the engine's English)."""
    if not isinstance(frame, dict):
        return ""
    figures = {
        k: _dec(frame.get(k))
        for k in ("frame", "reference_income", "nurse_allowance", "quality_pool", "needs_pool")
    }
    if any(v is None for v in figures.values()):
        return str(frame.get("explanation", ""))
    return _(
        "frame %(frame)s = the reference year's income under the fee model %(reference_income)s (base grant "
        "and GP reimbursements, without nurse tariffs) + the nurse allowance %(nurse_allowance)s; of the "
        "frame, the quality grant %(quality_pool)s and the needs-weighted capitation %(needs_pool)s."
    ) % {k: amount(v, 0) for k, v in figures.items()}


def _groups(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    rows = []
    for group in data.get(key, []) or []:
        if not isinstance(group, dict):
            continue
        name = next((v for k, v in group.items() if k not in ("practices", *MODEL_KEYS)), "")
        if key == "by_size_class":  # «liten», «mellomstor», «stor», as the municipality list says
            name = SIZE_CLASS_NAMES.get(str(name), name)
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
    language = page_language(request)
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
        # a start that lost the race to another one at the same instant is a conflict too
        return None, 409 if active_job() is not None else 400
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


def _net_cost_rows(evaluation: Any) -> list[dict[str, Any]]:
    """The what-if's net cost per avoided admission, a row per model under its name, numbers as Decimals."""
    labels = {"fee": _("Fee model"), "capitation": _("Capitation model"), "best": _("Better model")}
    models = evaluation.get("models") if isinstance(evaluation, dict) else None
    rows = []
    for key, figures in (models or {}).items():
        if not isinstance(figures, dict):
            continue

        def at(bound: str, field: str, figures: dict[str, Any] = figures) -> Decimal | None:
            value = figures.get(bound)
            return (
                _dec(value.get(field)) if isinstance(value, dict) and value.get(field) is not None else None
            )

        rows.append(
            {
                "label": labels.get(str(key), str(key)),
                "avoided": at("estimate", "avoided_admissions"),
                "net_cost": at("estimate", "net_cost"),
                "per_avoided": at("estimate", "net_cost_per_avoided_admission"),
                "per_avoided_low": at("low", "net_cost_per_avoided_admission"),
                "per_avoided_high": at("high", "net_cost_per_avoided_admission"),
            }
        )
    return rows


def _pilot_summary(request: HttpRequest) -> dict[str, Any]:
    """The pilot's costs (table and chart) and the key effects of the latest evaluation run."""
    from pht.apps.evaluation.presentation import key_effects

    language = page_language(request)
    costs = cost_rows()
    # the parts the total is the sum of, under names short enough for the axis
    short = {
        "grants_paid": _("Grants paid"),
        "fee_extra": _("Fee model's extra cost"),
        "capitation_extra": _("Capitation model's extra cost"),
    }
    parts = [row for row in costs if row["item"] in short]
    chart = bar_chart(
        [str(short[row["item"]]) for row in parts],
        [(str(_("Cost")), [float(row["amount"]) / 1e6 for row in parts])],
        title=str(_("What the pilot cost")),
        description=str(
            _(
                "Grants paid and each financing model's extra cost, million NOK; the table beside holds the figures."
            )
        ),
        y_label=str(_("Million NOK")),
        fmt=EN if language == "en" else NB,
        vocabulary=WORDS[language],
        digits=2,
        ident="pilot-cost-chart",
    )
    run = latest_evaluation_run()
    return {
        "effects_columns": [_("Outcome"), _("Scale"), _("Estimate (95% CI)")],
        "summary": costs,
        "summary_chart": chart,
        "effects_run": run,
        "effects": key_effects(run.result, language) if run is not None else [],
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
    context: dict[str, Any] = {"problem": problem, "result_file": RESULT_FILE, "data": data, "form": form}
    context.update(runs)
    if data is not None:
        context.update(
            models=_model_rows(data),
            counties=_groups(data, "by_county"),
            size_classes=_groups(data, "by_size_class"),
            nurse=data.get("nurse_fte", {}),
            frame=data.get("frame", {}),
            frame_text=_frame_text(data.get("frame")),
            evaluation=data.get("evaluation", {}),
            assumptions=shown_assumptions(data.get("assumptions"), ASSUMPTION_LABELS),
            practices=len(data.get("practices", []) or []),
            today=_dec(data["totals"].get("today")),
        )
        context["charts"] = _charts(context["counties"], context["size_classes"], request)
        context["net_cost"] = _net_cost_rows(context["evaluation"])
    context.update(_pilot_summary(request))
    return render(request, "finance/nation.html", context, status=status)
