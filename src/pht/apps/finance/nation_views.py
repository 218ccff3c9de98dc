"""Finance page ``nation/``: the national what-if (read-only) and the pilot's socio-economic summary.

The what-if is computed by ``pht nation whatif --lake DIR --out VAR_DIR/nation_whatif.json`` (a
long job over a nation-scale lake, not a web request); this page shows the stored result. The
pilot's summary is computed here from the stored statements and approved grant instalments by
the pure ``pht.rules.financing.nation.pilot_summary``.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from pht.apps.accounts.assumptions import shown_assumptions
from pht.apps.accounts.permissions import sees_everything
from pht.apps.finance.pilot_economics import SUMMARY_LABELS, pilot_costs
from pht.apps.finance.reasons import ASSUMPTION_LABELS
from pht.charts import EN, NB, WORDS, Chart, bar_chart
from pht.rules.financing.nation import pilot_summary

RESULT_FILE = "nation_whatif.json"
MODEL_KEYS = ("fee", "capitation", "best")


def result_path() -> Path:
    return Path(settings.VAR_DIR) / RESULT_FILE


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


@login_required
def nation(request: HttpRequest) -> HttpResponse:
    if not sees_everything(request.user):  # type: ignore[arg-type]
        raise PermissionDenied(_("The national what-if is for the Directorate."))
    path = result_path()
    data, problem = load_result(path)
    effects: dict[str, object] | None = None
    context: dict[str, Any] = {"problem": problem, "result_file": RESULT_FILE, "data": data}
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
    return render(request, "finance/nation.html", context)
