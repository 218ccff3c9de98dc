"""Finance pages ``comparison/`` and ``comparison/<orgnr>/``: the practice's own model vs the shadow.

Read-only over the stored statements; the arithmetic (totals, differences, the component that
explains most, the list characteristics that stand out) is the pure
``pht.rules.financing.comparison.compare``. For finance officers (and the other roles that run
settlements) and the Directorate and evaluation team; each sees the practices it may see
(``visible_practices``). Sign convention, stated on the pages: difference = shadow − own.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pht.apps.accounts.models import User
from pht.apps.accounts.permissions import sees_everything, visible_practices
from pht.apps.accounts.templatetags.pht_format import bokmal_page, month
from pht.apps.finance.actions import can_store_settlements
from pht.apps.finance.models import FinancingModel, Statement, StatementLine
from pht.apps.finance.views import COMPONENT_LABELS
from pht.charts import EN, NB, WORDS, Chart, bar_chart, diverging_chart
from pht.rules.financing.comparison import COMPARED, Comparison, PracticeComparison, PracticeInput, compare

YEAR = re.compile(r"\d{4}")
ORGNR = re.compile(r"\d{9}")
OLD = ("67-79", "80+")

# The list characteristics compared with the pilot average, and how each is shown.
CHARACTERISTICS: dict[str, tuple[Any, str]] = {
    "list_size": (gettext_lazy("List size (residents)"), "number"),
    "share_67": (gettext_lazy("Share aged 67 or over"), "percent"),
    "share_80": (gettext_lazy("Share aged 80 or over"), "percent"),
    "chronic": (gettext_lazy("Share with a chronic condition"), "percent"),
    "socio_economic_factor": (gettext_lazy("Socio-economic factor"), "factor"),
}


def can_compare(user: object) -> bool:
    """Those who run settlements (the finance actions' rule) and those who see every practice."""
    return isinstance(user, User) and (can_store_settlements(user).passed or sees_everything(user))


def _user(request: HttpRequest) -> User:
    if not can_compare(request.user):
        raise PermissionDenied(_("The comparison is for finance officers and the Directorate."))
    return request.user  # type: ignore[return-value]


def _year(request: HttpRequest, years: list[str]) -> str:
    """The year asked for (400 if malformed, 404 if nothing is stored for it), else the latest."""
    raw = request.GET.get("year", "")
    if not raw:
        return years[0] if years else ""
    if not YEAR.fullmatch(raw):
        raise BadRequest("year must be four digits")
    if raw not in years:
        raise Http404("no statements for this year")
    return raw


def _years(statements: QuerySet[Statement]) -> list[str]:
    return sorted({p[:4] for p in statements.values_list("period", flat=True).distinct()}, reverse=True)


def _characteristics(statements: QuerySet[Statement]) -> dict[int, dict[str, Decimal]]:
    """Per practice: list size (mean residents a month) and, from the capitation statements' cells
    (weighted by resident-days), the shares aged 67+ and 80+ and with a chronic condition, and the
    municipality's socio-economic factor."""
    sizes: dict[int, list[int]] = defaultdict(list)
    for practice_id, residents in statements.filter(own_model=True).values_list("practice_id", "residents"):
        sizes[practice_id].append(residents)
    cells = (
        StatementLine.objects.filter(
            statement__in=statements.filter(model=FinancingModel.CAPITATION), component="capitation"
        )
        .exclude(code="nurse_allowance")
        .values(
            "statement__practice_id",
            "details__age_band",
            "details__morbidity_level",
            "details__socio_economic_factor",
        )
        .annotate(days=Sum("count"))
    )
    days: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    socio: dict[int, Decimal] = {}
    for cell in cells:
        pid, count = cell["statement__practice_id"], cell["days"] or Decimal(0)
        d = days[pid]
        d["all"] += count
        if cell["details__age_band"] in OLD:
            d["67"] += count
        if cell["details__age_band"] == "80+":
            d["80"] += count
        if int(cell["details__morbidity_level"] or 0) >= 1:
            d["chronic"] += count
        if cell["details__socio_economic_factor"] not in (None, ""):
            socio[pid] = Decimal(str(cell["details__socio_economic_factor"]))
    out: dict[int, dict[str, Decimal]] = {}
    for pid in set(sizes) | set(days):
        values: dict[str, Decimal] = {}
        if sizes.get(pid):
            values["list_size"] = Decimal(sum(sizes[pid])) / len(sizes[pid])
        found = days.get(pid)
        if found and found["all"]:
            total = found["all"]
            values.update(
                share_67=found["67"] / total, share_80=found["80"] / total, chronic=found["chronic"] / total
            )
        if pid in socio:
            values["socio_economic_factor"] = socio[pid]
        out[pid] = values
    return out


def _inputs(statements: QuerySet[Statement]) -> tuple[list[PracticeInput], dict[str, Any]]:
    """The pure comparison's input per practice, and the practices by orgnr. A practice with no
    statement marked as its own model is taken as paid by the fee model (as the statement list does)."""
    rows: dict[int, dict[str, Any]] = {}
    for s in statements.select_related("practice"):
        entry = rows.setdefault(
            s.practice_id, {"practice": s.practice, "own": None, "by_model": defaultdict(dict)}
        )
        entry["by_model"][s.model][s.period] = s.components()
        if s.own_model:
            entry["own"] = s.model
    characteristics = _characteristics(statements)
    inputs = []
    for pid, entry in sorted(rows.items(), key=lambda item: item[1]["practice"].name):
        own = entry["own"] or FinancingModel.FEE
        shadow = FinancingModel.CAPITATION if own == FinancingModel.FEE else FinancingModel.FEE
        inputs.append(
            PracticeInput(
                practice=entry["practice"].orgnr,
                name=entry["practice"].name,
                own_model=own,
                shadow_model=shadow,
                own=entry["by_model"].get(own, {}),
                shadow=entry["by_model"].get(shadow, {}),
                characteristics=characteristics.get(pid, {}),
            )
        )
    return inputs, {entry["practice"].orgnr: entry["practice"] for entry in rows.values()}


def page_language(request: HttpRequest) -> str:
    return "en" if (getattr(request, "LANGUAGE_CODE", "nb") or "nb").startswith("en") else "nb"


def _thousands(value: Decimal) -> float:
    return float(value) / 1000


def _model_label(model: str) -> str:
    return str(FinancingModel(model).label)


def _standouts(p: PracticeComparison) -> list[dict[str, Any]]:
    return [
        {
            "label": CHARACTERISTICS.get(s.name, (s.name, "number"))[0],
            "kind": CHARACTERISTICS.get(s.name, (s.name, "number"))[1],
            "value": s.value,
            "average": s.average,
            "higher": s.higher,
        }
        for s in p.standouts
    ]


def _row(p: PracticeComparison) -> dict[str, Any]:
    main, against = p.main_amounts, p.offsetting_amounts
    return {
        "p": p,
        "own_label": _model_label(p.own_model),
        "shadow_label": _model_label(p.shadow_model),
        "main_label": COMPONENT_LABELS.get(p.main_component or "", ""),
        "main_difference": main.difference if main else None,
        "offset_label": COMPONENT_LABELS.get(p.offsetting_component or "", ""),
        "offset_difference": against.difference if against else None,
        "standouts": _standouts(p),
    }


def _component_rows(amounts: list[Any]) -> list[dict[str, Any]]:
    return [{"label": COMPONENT_LABELS[a.key], "a": a} for a in amounts]


def _month_label(period: str) -> str:
    """A month on a chart's axis, short: «mai 2018» in bokmål, «May 2018» in English (tables write the
    month in full with ``month``)."""
    if month(period) == period:  # not a month: as it is
        return period
    short = str(MONTHS_3[int(period[5:7])])
    return f"{short if bokmal_page() else short.capitalize()} {period[:4]}"


def _pair_charts(
    result_by_month: list[Any],
    by_component: list[Any],
    own: str,
    shadow: str,
    request: HttpRequest,
    prefix: str,
) -> list[Chart]:
    """Own vs shadow by month and by component, thousand NOK; the shadow's bars are hatched."""
    language = page_language(request)
    fmt, vocabulary = (EN if language == "en" else NB), WORDS[language]
    unit = str(_("Thousand NOK"))
    months = bar_chart(
        [_month_label(m.key) for m in result_by_month],
        [
            (own, [_thousands(m.own) for m in result_by_month]),
            (shadow, [_thousands(m.shadow) for m in result_by_month]),
        ],
        title=str(_("Own model and shadow by month")),
        description=str(
            _(
                "Income per month under %(own)s (solid bars) and %(shadow)s (hatched bars), thousand NOK; the table beside holds the figures."
            )
            % {"own": own, "shadow": shadow}
        ),
        y_label=unit,
        fmt=fmt,
        vocabulary=vocabulary,
        digits=0,
        ident=f"{prefix}-months",
        hatched=(False, True),
    )
    components = bar_chart(
        [str(COMPONENT_LABELS[c.key]).split(" (")[0] for c in by_component],
        [
            (own, [_thousands(c.own) for c in by_component]),
            (shadow, [_thousands(c.shadow) for c in by_component]),
        ],
        title=str(_("Own model and shadow by component")),
        description=str(
            _(
                "Income for the year by component under %(own)s (solid bars) and %(shadow)s (hatched bars), thousand NOK; the table beside holds the figures."
            )
            % {"own": own, "shadow": shadow}
        ),
        y_label=unit,
        fmt=fmt,
        vocabulary=vocabulary,
        digits=0,
        ident=f"{prefix}-components",
        hatched=(False, True),
    )
    return [months, components]  # fmt: skip


@login_required
def comparison(request: HttpRequest) -> HttpResponse:
    """All visible practices: the ranking by difference, winners and losers and why, and the sums."""
    user = _user(request)
    statements = Statement.objects.filter(practice__in=visible_practices(user))
    years = _years(statements)
    year = _year(request, years)
    inputs, _practices = _inputs(statements.filter(period__startswith=f"{year}-")) if year else ([], {})
    result: Comparison = compare(inputs)
    language = page_language(request)
    fmt, vocabulary = (EN if language == "en" else NB), WORDS[language]
    ranked = result.ranked
    charts: list[Chart] = []
    if ranked:
        charts.append(
            diverging_chart(
                [(p.name, _thousands(p.difference)) for p in ranked],
                title=str(_("Difference per practice, shadow − own")),
                description=str(
                    _("Practices ranked by the shadow model's total minus the own model's total for %(year)s, thousand NOK: solid bars to the right gain under the shadow model, hatched bars to the left lose; the table beside holds the figures.")
                    % {"year": year}
                ),
                x_label=str(_("Thousand NOK")),
                positive=str(_("Would gain (shadow pays more)")),
                negative=str(_("Would lose (shadow pays less)")),
                value_label=str(_("Difference (thousand NOK)")),
                fmt=fmt,
                vocabulary=vocabulary,
                digits=0,
                ident="comparison-rank",
            )
        )  # fmt: skip
        charts += _pair_charts(
            result.by_month,
            result.by_component,
            str(_("Own models")),
            str(_("Shadow models")),
            request,
            "comparison",
        )
    return render(
        request,
        "finance/comparison.html",
        {
            "result": result,
            "years": years,
            "year": year,
            "ranked": [_row(p) for p in ranked],
            "winners": [_row(p) for p in result.winners],
            "losers": [_row(p) for p in result.losers],
            "charts": charts,
            "months": [{"label": month(m.key), "a": m} for m in result.by_month],
            "components": _component_rows(result.by_component),
            "characteristics": [
                {"label": label, "kind": kind, "average": result.averages.get(name)}
                for name, (label, kind) in CHARACTERISTICS.items()
                if name in result.averages
            ],
        },
    )


@login_required
def practice_comparison(request: HttpRequest, orgnr: str) -> HttpResponse:
    """One practice: own model vs shadow by month and by component, and why it gains or loses."""
    user = _user(request)
    if not ORGNR.fullmatch(orgnr):
        raise BadRequest("an organisation number is nine digits")
    visible = visible_practices(user)
    if not visible.filter(orgnr=orgnr).exists():
        raise Http404("no such practice")
    statements = Statement.objects.filter(practice__in=visible)
    years = _years(statements.filter(practice__orgnr=orgnr))
    if not years:
        raise Http404("no statements for this practice")
    year = _year(request, years)
    # every visible practice of the year, so the characteristics are set against the pilot average
    inputs, practices = _inputs(statements.filter(period__startswith=f"{year}-"))
    result = compare(inputs)
    p = next(x for x in result.practices if x.practice == orgnr)
    row = _row(p)
    charts = _pair_charts(
        p.by_month,
        p.by_component,
        _("%(model)s (own)") % {"model": row["own_label"]},
        _("%(model)s (shadow)") % {"model": row["shadow_label"]},
        request,
        "practice",
    )
    return render(
        request,
        "finance/comparison_practice.html",
        {
            "practice": practices[orgnr],
            "row": row,
            "p": p,
            "years": years,
            "year": year,
            "charts": charts,
            "months": [{"label": month(m.key), "period": m.key, "a": m} for m in p.by_month],
            "components": _component_rows(p.by_component),
            "characteristics": [
                {
                    "label": label,
                    "kind": kind,
                    "value": p.characteristics.get(name),
                    "average": result.averages.get(name),
                }
                for name, (label, kind) in CHARACTERISTICS.items()
                if name in p.characteristics
            ],
            "compared": COMPARED,
        },
    )
