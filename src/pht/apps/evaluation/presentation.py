"""What the results page and the report show of an evaluation run: charts, tables, texts.

``results_context(result, meta, language)`` turns the engine's result (``pht.engine.evaluation.
run.run()``, as ``pht evaluate run --out`` writes it) and the run's metadata into everything the
templates need: per outcome an event-study chart and a trend chart (treated vs matched controls),
forest plots by dimension with the naive comparison beside the design estimate, the balance plot,
the estimates with their uncertainty, pre-trend tests, deviations, limitations and the
reproducibility block. ``estimates_csv`` writes the estimates for download.

Every count (practices, persons) goes through small-cell suppression (``pht.rules.disclosure``):
below 5 it is written «<5». Texts are in the requested language (Norwegian bokmål by default).
"""

from __future__ import annotations

import csv
import io
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

import pht
from pht.apps.accounts.exports import export_row
from pht.charts import Chart, ForestRow, NumberFormat, Series, forest_chart, line_chart, number_format, words
from pht.charts.kinds import balance_chart
from pht.engine.evaluation.outcomes import CATALOGUE, DIMENSIONS
from pht.rules.disclosure import format_count

META_KEYS = (
    "plan_hash",
    "plan_version",
    "locked_at",
    "snapshot_hash",
    "pht_version",
    "seed",
    "run_id",
    "started_at",
    "finished_at",
)

# Words of the engine's result and catalogue, translated where shown (a test checks that every
# dimension and outcome title of the catalogue has its Norwegian translation).
ENGINE_WORDS = (
    gettext_noop("quarter"),
    gettext_noop("year"),
    gettext_noop("month"),
    gettext_noop("practice"),
    gettext_noop("events per person-month"),
    gettext_noop("mean score"),
    gettext_noop("share"),
    gettext_noop("rate difference per person-month"),
    gettext_noop("Health status and coping"),
    gettext_noop("Patient and user satisfaction"),
    gettext_noop("Coordinated and continuous services"),
    gettext_noop("Need for extensive health and care services"),
    gettext_noop("Use of the team"),
    gettext_noop("Self-rated health (PROM, 0–100)"),
    gettext_noop("Deaths"),
    gettext_noop("Overall satisfaction (PREM, 1–5)"),
    gettext_noop("Experienced continuity (PREM, 1–5)"),
    gettext_noop("Experienced coordination (PREM, 1–5)"),
    gettext_noop("Continuity with the regular GP (UPC)"),
    gettext_noop("Follow-up within 14 days of an acute discharge"),
    gettext_noop("Acute hospital admissions"),
    gettext_noop("Ambulatory-care-sensitive admissions"),
    gettext_noop("Out-of-hours contacts (legevakt)"),
    gettext_noop("Home care starts"),
    gettext_noop("Long-term nursing-home admissions"),
    gettext_noop("Nurse contacts (per 1,000 person-months)"),
    gettext_noop("GP consultations"),
    # The default plan template's title (refdata/plans/default.toml), an untitled plan's title.
    gettext_noop("Does the primary health team give patients a better service? (HOD's four dimensions)"),
)
POPULATIONS = {"all": gettext_noop("All listed patients"), "target": gettext_noop("Target groups")}
MONTHS_PER_PERIOD = {"month": 1, "quarter": 3, "year": 12}


class ResultError(ValueError):
    """A result document the presentation cannot read; the message names the field."""


def meta_from_result(result: dict[str, Any], **given: Any) -> dict[str, Any]:
    """The run's metadata where no database row provides it (the command line): what the result
    itself records, with ``given`` values taking precedence; unknown values are None."""
    plan = result.get("plan") or {}
    inference = (result.get("design") or {}).get("inference") or {}
    stated = given.get("plan_hash")
    if stated and result.get("plan_hash") and stated != result.get("plan_hash"):
        raise ResultError(
            f"the run's plan hash {stated} is not the hash of the plan in the result ({result.get('plan_hash')})"
        )
    meta: dict[str, Any] = {key: None for key in META_KEYS}
    meta.update(
        plan_hash=result.get("plan_hash"),
        plan_version=plan.get("version"),
        locked_at=plan.get("locked_at"),
        seed=inference.get("seed"),
        pht_version=pht.__version__,
    )
    meta.update({k: v for k, v in given.items() if v is not None})
    return meta


def period_unit(label: str) -> str:
    """The calendar unit of a period label: 2018Q2 a quarter, 2018 a year, 2018-04 a month."""
    if re.fullmatch(r"\d{4}Q[1-4]", label):
        return "quarter"
    if re.fullmatch(r"\d{4}", label):
        return "year"
    return "month"


def _check(result: Any) -> list[dict[str, Any]]:
    if not isinstance(result, dict):
        raise ResultError("the result must be a JSON object")
    for key in ("plan_hash", "plan", "design", "estimates"):
        if key not in result:
            raise ResultError(f"the result has no field {key!r}")
    estimates = result["estimates"]
    if not isinstance(estimates, list):
        raise ResultError("result field 'estimates' must be a list")
    needed = ("outcome", "dimension", "population", "scale", "estimate", "ci_low", "ci_high")
    for i, estimate in enumerate(estimates):
        if not isinstance(estimate, dict):
            raise ResultError(f"estimates[{i}] must be an object")
        for key in needed:
            if key not in estimate:
                raise ResultError(f"estimates[{i}] has no field {key!r}")
        if estimate["scale"] not in ("ratio", "difference"):
            raise ResultError(
                f"estimates[{i}].scale must be 'ratio' or 'difference', not {estimate['scale']!r}"
            )
    return estimates


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


class Writer:
    """Numbers, counts and labels in one language."""

    def __init__(self, language: str) -> None:
        self.language = "en" if language.lower().startswith("en") else "nb"
        self.fmt: NumberFormat = number_format(self.language)
        self.words = words(self.language)

    def number(self, value: Any, digits: int | None = None) -> str:
        return self.fmt.format(_num(value), digits)

    def count(self, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, int):
            return self.fmt.no_value
        return format_count(value, lambda n: self.fmt.format(n, 0))

    def p(self, value: Any) -> str:
        number = _num(value)
        if number is None:
            return self.fmt.no_value
        return "<" + self.fmt.format(0.001, 3) if number < 0.001 else self.fmt.format(number, 3)

    def interval(self, low: Any, high: Any) -> str:
        if _num(low) is None or _num(high) is None:
            return self.fmt.no_value
        return _("%(low)s to %(high)s") % {"low": self.number(low), "high": self.number(high)}

    def with_ci(self, estimate: Any, low: Any, high: Any) -> str:
        if _num(estimate) is None:
            return _("not estimable")
        return _("%(estimate)s (95%% CI %(interval)s)") % {
            "estimate": self.number(estimate),
            "interval": self.interval(low, high),
        }


def outcome_title(key: str) -> str:
    return _(CATALOGUE[key].title) if key in CATALOGUE else key


def dimension_title(key: str) -> str:
    return _(DIMENSIONS[key]) if key in DIMENSIONS else key


def population_title(key: str) -> str:
    return _(POPULATIONS[key]) if key in POPULATIONS else key


def scale_title(scale: str) -> str:
    return _("rate ratio") if scale == "ratio" else _("difference")


def period_title(key: str) -> str:
    """A plan's period (``quarter``, ``month``) in the page's language."""
    return {"quarter": _("quarter"), "month": _("month")}.get(key, key)


def _scale_label(estimate: dict[str, Any]) -> str:
    return scale_title(estimate["scale"])


def results_context(result: dict[str, Any], meta: dict[str, Any], language: str = "nb") -> dict[str, Any]:
    """Everything the results page and the report show, in ``language`` ("nb" or "en")."""
    estimates = _check(result)
    w = Writer(language)
    with translation.override(w.language):
        return _context(result, estimates, meta_from_result(result, **meta), w)


def _context(
    result: dict[str, Any], estimates: list[dict[str, Any]], meta: dict[str, Any], w: Writer
) -> dict[str, Any]:
    design = result["design"]
    plan = result["plan"]
    inference = design.get("inference", {})
    alpha = _num(inference.get("alpha")) or 0.05
    by_outcome: dict[str, list[dict[str, Any]]] = {}
    for estimate in estimates:
        by_outcome.setdefault(estimate["outcome"], []).append(estimate)

    rows = [_estimate_row(e, w, alpha) for e in estimates]
    dimensions = []
    for key in [d for d in DIMENSIONS if any(e["dimension"] == d for e in estimates)] + sorted(
        {e["dimension"] for e in estimates} - set(DIMENSIONS)
    ):
        outcomes = [o for o, es in by_outcome.items() if es[0]["dimension"] == key]
        dimensions.append(
            {
                "key": key,
                "title": dimension_title(key),
                "forests": _forests(key, [e for e in estimates if e["dimension"] == key], w),
                "outcomes": [_outcome(o, by_outcome[o], w, alpha) for o in outcomes],
                "rows": [r for r in rows if r["dimension_key"] == key],
            }
        )
    ratio_rows = [e for e in estimates if e["scale"] == "ratio"]
    overview = (
        _forest(
            ratio_rows,
            w,
            title=_("Rate ratios of all count outcomes, by dimension"),
            grouped_by_dimension=True,
        )
        if ratio_rows
        else None
    )
    significant = [r for r in rows if r["adjusted_significant"]]
    return {
        "language": w.language,
        "plan_hash": result["plan_hash"],
        "plan_name": plan.get("name", ""),
        "meta": meta,
        "reproducibility": _reproducibility(meta, w),
        "summary": _summary(result, estimates, significant, w, alpha),
        "design": _design(result, w),
        "balance_chart": _balance(design.get("balance") or {}, w),
        "balance_counts": _balance_counts(design.get("balance") or {}, w),
        "overview_forest": overview,
        "dimensions": dimensions,
        "estimate_columns": estimate_columns(),
        "estimates": rows,
        "pretrends": [r for r in rows if r["pretrend_p"] != w.fmt.no_value],
        "deviations": _deviations(plan, w),
        "limitations": _limitations(result, estimates, w, alpha),
        "alpha": w.number(alpha, 2),
        "costs": _costs(meta, w),
        "key_effects": key_effects(result, w.language),
    }


# The effects a cost is weighed against (the pilot's socio-economic summary): the outcomes that carry
# costs of their own (admissions, out-of-hours contacts, nursing-home stays) and the patients' own view
# (health, satisfaction), for all listed patients. The full table of estimates is the report's.
KEY_EFFECTS = (
    "acute_admissions",
    "out_of_hours_contacts",
    "nursing_home_long_starts",
    "prom_health_vas",
    "prem_overall",
)
KEY_POPULATION = "all"


def key_effects(result: dict[str, Any] | None, language: str = "nb") -> list[dict[str, str]]:
    """The key effects of a run's result (``KEY_EFFECTS``), each with its estimate and 95 % interval
    written in ``language``; outcomes the run did not estimate are left out."""
    estimates = [e for e in (result or {}).get("estimates") or [] if isinstance(e, dict)]
    found = {e.get("outcome"): e for e in estimates if e.get("population") == KEY_POPULATION}
    w = Writer(language)
    with translation.override(w.language):
        return [
            {
                "outcome": key,
                "label": f"{outcome_title(key)} ({population_title(KEY_POPULATION).lower()})",
                "scale": scale_title(str(found[key].get("scale", ""))),
                "value": w.with_ci(
                    found[key].get("estimate"), found[key].get("ci_low"), found[key].get("ci_high")
                ),
            }
            for key in KEY_EFFECTS
            if key in found
        ]


def _costs(meta: dict[str, Any], w: Writer) -> list[dict[str, str]]:
    """The pilot's cost rows the caller put in ``meta["pilot_costs"]`` (label, amount in kroner)."""
    rows = meta.get("pilot_costs") or []
    out = []
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            continue
        try:
            amount: float | None = float(Decimal(str(row.get("amount"))))
        except (InvalidOperation, ValueError):
            amount = None
        out.append(
            {
                "item": str(row.get("item", "")),
                "label": str(row.get("label") or row.get("item") or ""),
                "amount": w.number(amount, 2),
            }
        )
    return out


def estimate_columns() -> list[str]:
    return [
        _("Outcome"),
        _("Study population"),
        _("Scale"),
        _("Estimate (95% CI)"),
        _("p"),
        _("p adjusted"),
        _("Naive comparison"),
        _("MDE"),
        _("Treated practices"),
        _("Control practices"),
    ]


def _estimate_row(e: dict[str, Any], w: Writer, alpha: float) -> dict[str, Any]:
    pretrend = e.get("pretrend") or {}
    adjusted = _num(e.get("p_adjusted"))
    return {
        "dimension_key": e["dimension"],
        "dimension": dimension_title(e["dimension"]),
        "outcome_key": e["outcome"],
        "outcome": outcome_title(e["outcome"]),
        "population": population_title(e["population"]),
        "scale": _scale_label(e),
        "estimate": w.number(e["estimate"]),
        "ci": w.interval(e["ci_low"], e["ci_high"]),
        "estimate_with_ci": w.with_ci(e["estimate"], e["ci_low"], e["ci_high"]),
        "se": w.number(e.get("se")),
        "p": w.p(e.get("p_value")),
        "p_adjusted": w.p(e.get("p_adjusted")),
        "p_randomisation": w.p(e.get("p_value_randomisation")),
        "naive": w.number(e.get("naive_estimate")),
        "mde": _mde(e, w),
        "pretrend_p": w.p(pretrend.get("p_value")),
        "pretrend_statistic": w.number(pretrend.get("statistic")),
        "pretrend_rejected": (_num(pretrend.get("p_value")) or 1.0) < alpha,
        "treated": w.count(e.get("treated_practices")),
        "controls": w.count(e.get("control_practices")),
        "adjusted_significant": adjusted is not None and adjusted < alpha,
        "cells": [
            outcome_title(e["outcome"]),
            population_title(e["population"]),
            _scale_label(e),
            w.with_ci(e["estimate"], e["ci_low"], e["ci_high"]),
            w.p(e.get("p_value")),
            w.p(e.get("p_adjusted")),
            w.number(e.get("naive_estimate")),
            _mde(e, w),
            w.count(e.get("treated_practices")),
            w.count(e.get("control_practices")),
        ],
    }


def _mde(e: dict[str, Any], w: Writer) -> str:
    """The minimum detectable effect; for a rate ratio the engine gives ``1 - mde / baseline``,
    which is zero or negative when not even a 100 % reduction could be detected."""
    mde = _num(e.get("mde"))
    if e["scale"] == "ratio" and mde is not None and mde <= 0:
        return _("no reduction detectable")
    return w.number(mde)


def _months(estimate: dict[str, Any]) -> int:
    label = estimate.get("first_post_period") or ""
    return MONTHS_PER_PERIOD[period_unit(label)] if label else 3


def _outcome(key: str, estimates: list[dict[str, Any]], w: Writer, alpha: float) -> dict[str, Any]:
    title = outcome_title(key)
    first = estimates[0]
    log = first["scale"] == "ratio"
    months = _months(first)
    series = []
    described = []
    for e in estimates:
        points = [p for p in e.get("event_study") or [] if isinstance(p, dict) and "event_time" in p]
        series.append(
            Series(
                population_title(e["population"]),
                [int(p["event_time"]) * months for p in points],
                [p.get("estimate") for p in points],
                [p.get("ci_low") for p in points],
                [p.get("ci_high") for p in points],
            )
        )
        pre = sum(1 for p in points if int(p["event_time"]) < 0)
        described.append(
            _(
                "%(population)s: estimates before the start %(pre)s, after it %(post)s; overall "
                "estimate %(estimate)s."
            )
            % {
                "population": population_title(e["population"]),
                "pre": pre,
                "post": len(points) - pre,
                "estimate": w.with_ci(e["estimate"], e["ci_low"], e["ci_high"]),
            }
        )
    scale = first.get("event_study_scale") or _scale_label(first)
    event_chart = line_chart(
        series,
        title=_("Event study: %(outcome)s") % {"outcome": title},
        description=_(
            "Estimated effect (%(scale)s) by months since the team started, with 95%% confidence "
            "intervals; the dashed line marks the start, the solid line no effect (%(null)s)."
        )
        % {"scale": _(scale), "null": w.number(1.0 if log else 0.0, 0)}
        + " "
        + " ".join(described),
        x_label=_("Months since start"),
        y_label=_(scale),
        fmt=w.fmt,
        vocabulary=w.words,
        reference=1.0 if log else 0.0,
        marker_x=-months / 2,
        marker_label=_("start"),
        log=log,
        ident=f"event-{key}",
    )
    return {
        "key": key,
        "title": title,
        "definition": CATALOGUE[key].definition if key in CATALOGUE else "",
        "event_chart": event_chart,
        "trend_chart": _trend_chart(key, title, estimates, w),
        "estimates": [_estimate_row(e, w, alpha) for e in estimates],
    }


def _trend_chart(key: str, title: str, estimates: list[dict[str, Any]], w: Writer) -> Chart:
    labels: list[str] = []
    for e in estimates:
        for row in e.get("trends") or []:
            if row.get("period") not in labels:
                labels.append(str(row.get("period")))
    labels.sort()
    index = {label: float(i) for i, label in enumerate(labels)}
    series = []
    for e in estimates:
        rows = [r for r in e.get("trends") or [] if str(r.get("period")) in index]
        population = population_title(e["population"])
        for group, name in (("treated", _("pilot practices")), ("control", _("matched controls"))):
            series.append(
                Series(
                    f"{population}: {name}",
                    [index[str(r["period"])] for r in rows],
                    [r.get(group) for r in rows],
                )
            )
    measure = estimates[0].get("trend_measure") or ""
    start = estimates[0].get("first_post_period")
    marker = index[start] - 0.5 if start in index else None
    return line_chart(
        series,
        title=_("Trends: %(outcome)s, pilot practices and matched controls") % {"outcome": title},
        description=_(
            "%(measure)s by period for the pilot practices and their matched control practices, "
            "per population; the dashed line marks the first period after the start (%(start)s)."
        )
        % {"measure": _(measure).capitalize() if measure else title, "start": start or "–"},
        x_label=_("Period"),
        y_label=_(measure) if measure else title,
        fmt=w.fmt,
        vocabulary=w.words,
        x_names={v: k for k, v in index.items()},
        marker_x=marker,
        marker_label=_("start"),
        ident=f"trend-{key}",
    )


def _forest(estimates: list[dict[str, Any]], w: Writer, *, title: str, grouped_by_dimension: bool) -> Chart:
    log = estimates[0]["scale"] == "ratio"
    rows = [
        ForestRow(
            dimension_title(e["dimension"]) if grouped_by_dimension else outcome_title(e["outcome"]),
            (outcome_title(e["outcome"]) + ", " if grouped_by_dimension else "")
            + population_title(e["population"]).lower(),
            e["estimate"],
            e["ci_low"],
            e["ci_high"],
            e.get("naive_estimate"),
        )
        for e in estimates
    ]
    return forest_chart(
        rows,
        title=title,
        description=_(
            "Design estimate (filled circle) with its 95%% confidence interval and the naive comparison "
            "with all non-pilot practices (hollow diamond) for each outcome and population; the vertical "
            "line marks no effect (%(null)s)."
        )
        % {"null": w.number(1.0 if log else 0.0, 0)},
        x_label=_("rate ratio (log scale)") if log else _("difference"),
        fmt=w.fmt,
        vocabulary=w.words,
        null=1.0 if log else 0.0,
        log=log,
        ident="forest-" + re.sub(r"[^a-z0-9]+", "-", title.lower())[:40],
    )


def _forests(dimension: str, estimates: list[dict[str, Any]], w: Writer) -> list[Chart]:
    """Rate ratios share one axis; differences are in each outcome's own unit, so each
    difference outcome gets its own small forest plot."""
    charts = []
    ratios = [e for e in estimates if e["scale"] == "ratio"]
    if ratios:
        charts.append(
            _forest(
                ratios,
                w,
                title=_("Rate ratios: %(dimension)s") % {"dimension": dimension_title(dimension)},
                grouped_by_dimension=True,
            )
        )
    for outcome in dict.fromkeys(e["outcome"] for e in estimates if e["scale"] == "difference"):
        charts.append(
            _forest(
                [e for e in estimates if e["outcome"] == outcome],
                w,
                title=_("Difference: %(outcome)s") % {"outcome": outcome_title(outcome)},
                grouped_by_dimension=False,
            )
        )
    return charts


def _balance(balance: dict[str, Any], w: Writer) -> Chart:
    before = {r.get("variable"): r.get("smd") for r in balance.get("before") or [] if isinstance(r, dict)}
    after = {r.get("variable"): r.get("smd") for r in balance.get("after") or [] if isinstance(r, dict)}
    names = [str(n) for n in balance.get("covariates") or before]
    return balance_chart(
        [(_covariate(n), before.get(n), after.get(n)) for n in names],
        title=_("Balance of the matched controls"),
        description=_(
            "Standardised mean difference between pilot practices and control practices for each "
            "characteristic, before matching (all non-pilot practices, hollow diamond) and after "
            "matching (filled circle); dashed lines at ±0.1, the usual limit for good balance."
        ),
        x_label=_("standardised mean difference"),
        fmt=w.fmt,
        vocabulary=w.words,
        ident="balance",
    )


COVARIATES = {
    "list_size": gettext_noop("List size"),
    "share_female": gettext_noop("Share of women"),
    "share_aged_75_plus": gettext_noop("Share aged 75 or over"),
    "mean_chronic_conditions": gettext_noop("Chronic conditions per patient"),
    "log_municipality_population": gettext_noop("Municipality population (log)"),
    "share_target": gettext_noop("Share in target groups"),
}


def _covariate(name: str) -> str:
    if name in COVARIATES:
        return _(COVARIATES[name])
    for prefix, text in (
        ("pre_rate_", gettext_noop("Pre-period level: %(outcome)s")),
        ("pre_trend_", gettext_noop("Pre-period trend: %(outcome)s")),
    ):
        if name.startswith(prefix):
            return _(text) % {"outcome": outcome_title(name[len(prefix) :])}
    return name


def _balance_counts(balance: dict[str, Any], w: Writer) -> list[tuple[str, str]]:
    return [
        (_("Pilot practices"), w.count(balance.get("treated_practices"))),
        (_("Non-pilot practices (pool)"), w.count(balance.get("pool_practices"))),
        (_("Matched control practices"), w.count(balance.get("matched_control_practices"))),
        (_("Neighbours per pilot practice"), w.number(balance.get("neighbours_per_treated"), 0)),
    ]


def _design(result: dict[str, Any], w: Writer) -> list[tuple[str, str]]:
    design = result["design"]
    inference = design.get("inference") or {}
    window = design.get("study_window") or ["", ""]
    populations = design.get("populations") or {}
    estimators = {"callaway_santanna": "Callaway & Sant'Anna (2021)"}
    controls = {
        "notyet": _("not-yet-treated and never-treated practices"),
        "never": _("never-treated practices"),
    }
    return [
        (_("Estimator"), estimators.get(design.get("estimator", ""), str(design.get("estimator", "")))),
        (
            _("Controls"),
            controls.get(design.get("control", ""), str(design.get("control", "")))
            + ", "
            + _("matched on pre-period characteristics"),
        ),
        (_("Period"), _(str(design.get("period", "")))),
        (_("Study window"), f"{window[0]} – {window[-1]}"),
        (_("Baseline date"), str(design.get("baseline_date", ""))),
        (_("First post-period"), str(design.get("first_post_period", ""))),
        *(
            (_("Persons: %(population)s") % {"population": population_title(k)}, w.count(v))
            for k, v in populations.items()
        ),
        (
            _("Inference"),
            _("%(bootstrap)s, %(draws)s draws, clustered by %(cluster)s")
            % {
                "bootstrap": inference.get("bootstrap", ""),
                "draws": w.number(inference.get("draws"), 0),
                "cluster": _(str(inference.get("cluster", ""))),
            },
        ),
        (
            _("Multiple testing"),
            str(inference.get("multiple_testing", "")).replace("_", "–").title()
            + " "
            + _("within each dimension"),
        ),
        (_("Significance level"), w.number(inference.get("alpha"), 2)),
        (
            _("Power"),
            _("minimum detectable effect (MDE) per outcome from a placebo design on pre-period data"),
        ),
    ]


def _summary(
    result: dict[str, Any],
    estimates: list[dict[str, Any]],
    significant: list[dict[str, Any]],
    w: Writer,
    alpha: float,
) -> dict[str, Any]:
    balance = result["design"].get("balance") or {}
    outcomes = {e["outcome"] for e in estimates}
    return {
        "outcomes": len(outcomes),
        "estimates": len(estimates),
        "treated": w.count(balance.get("treated_practices")),
        "controls": w.count(balance.get("matched_control_practices")),
        "significant": significant,
        "text": _(
            "%(outcomes)s outcomes in %(dimensions)s dimensions were estimated for %(estimates)s "
            "outcome–population pairs, comparing %(treated)s pilot practices with %(controls)s matched "
            "control practices. %(significant)s estimates differ from no effect after adjustment for "
            "multiple testing within each dimension (adjusted p below %(alpha)s)."
        )
        % {
            "outcomes": len(outcomes),
            "dimensions": len({e["dimension"] for e in estimates}),
            "estimates": len(estimates),
            "treated": w.count(balance.get("treated_practices")),
            "controls": w.count(balance.get("matched_control_practices")),
            "significant": len(significant),
            "alpha": w.number(alpha, 2),
        },
    }


def _deviations(plan: dict[str, Any], w: Writer) -> dict[str, Any]:
    rows = [
        (str(d.get("field", "")), _value(d.get("default"), w), _value(d.get("plan"), w))
        for d in plan.get("deviations") or []
        if isinstance(d, dict)
    ]
    stated = [
        str(s.get("reason", s)) if isinstance(s, dict) else str(s)
        for s in plan.get("deviations_stated") or []
    ]
    return {"rows": rows, "stated": stated}


def _value(value: Any, w: Writer) -> str:
    if isinstance(value, bool) or value is None:
        return str(value) if value is not None else w.fmt.no_value
    if isinstance(value, int | float):
        return w.number(value, 0 if float(value).is_integer() else None)
    if isinstance(value, list):
        return ", ".join(_value(v, w) for v in value)
    return str(value)


def _limitations(
    result: dict[str, Any], estimates: list[dict[str, Any]], w: Writer, alpha: float
) -> list[str]:
    out = [
        _(
            "The design is observational: pilot practices were not randomised. Matching balances the "
            "characteristics listed above, not unobserved ones; the estimates rest on parallel trends "
            "of pilot and control practices in the absence of the pilot."
        )
    ]
    treated = (result["design"].get("balance") or {}).get("treated_practices")
    if isinstance(treated, int) and treated < 30:
        out.append(
            _(
                "Few pilot practices (%(treated)s): inference uses a cluster bootstrap by practice, "
                "and confidence intervals from few clusters can be too narrow; the randomisation "
                "p-values are shown beside them."
            )
            % {"treated": w.count(treated)}
        )
    rejected = sorted(
        {
            outcome_title(e["outcome"])
            for e in estimates
            if (_num((e.get("pretrend") or {}).get("p_value")) or 1.0) < alpha
        }
    )
    if rejected:
        out.append(
            _(
                "The pre-trend test rejects parallel pre-trends for: %(outcomes)s. Read these estimates with care."
            )
            % {"outcomes": ", ".join(rejected)}
        )
    underpowered = sorted(
        {
            outcome_title(e["outcome"])
            for e in estimates
            if e["scale"] == "difference"
            and _num(e.get("mde")) is not None
            and _num(e["estimate"]) is not None
            and abs(e["estimate"]) < e["mde"]
        }
    )
    if underpowered:
        out.append(
            _(
                "For %(outcomes)s the estimate is smaller than the minimum detectable effect: absence of "
                "a significant effect is not evidence of no effect."
            )
            % {"outcomes": ", ".join(underpowered)}
        )
    for name, rules in (result["design"].get("target_rules") or {}).items():
        if isinstance(rules, dict) and rules.get("assumptions"):
            out.append(
                _("Assumption: the rules for %(rules)s are PHT defaults, not published rules (%(source)s).")
                % {"rules": name.replace("_", " "), "source": rules.get("source", "")}
            )
    return out


def _reproducibility(meta: dict[str, Any], w: Writer) -> list[tuple[str, str]]:
    def text(key: str) -> str:
        value = meta.get(key)
        return _("not recorded") if value in (None, "") else str(value)

    return [
        (_("Plan hash"), text("plan_hash")),
        (_("Plan version"), text("plan_version")),
        (_("Plan locked"), text("locked_at")),
        (_("Data snapshot hash"), text("snapshot_hash")),
        (_("PHT version"), text("pht_version")),
        (_("Seed"), text("seed")),
        (_("Run"), text("run_id")),
        (_("Started"), text("started_at")),
        (_("Finished"), text("finished_at")),
    ]


CSV_FIELDS = (
    "dimension",
    "outcome",
    "population",
    "scale",
    "estimate",
    "ci_low",
    "ci_high",
    "se",
    "se_scale",
    "p_value",
    "p_adjusted",
    "p_value_randomisation",
    "naive_estimate",
    "mde",
    "pretrend_p_value",
    "treated_practices",
    "control_practices",
    "estimator",
)
COUNT_FIELDS = {"treated_practices", "control_practices"}


def estimates_csv(result: dict[str, Any], meta: dict[str, Any]) -> str:
    """The estimates as CSV (comma-separated, numbers with a decimal point, one row per outcome and
    population) with the plan hash and data snapshot hash on every row; counts below 5 as «<5»;
    text cells neutralised against spreadsheet formulas."""
    estimates = _check(result)
    meta = meta_from_result(result, **meta)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*CSV_FIELDS, "plan_hash", "snapshot_hash", "run_id"])

    def count(value: Any) -> str | None:
        return format_count(value) if isinstance(value, int) and not isinstance(value, bool) else None

    for e in estimates:
        values: list[Any] = []
        for field in CSV_FIELDS:
            if field == "pretrend_p_value":
                values.append(_num((e.get("pretrend") or {}).get("p_value")))
            elif field in COUNT_FIELDS:
                values.append(count(e.get(field)))
            else:
                value = e.get(field)
                values.append(_num(value) if isinstance(value, int | float) else value)
        values += [
            meta.get("plan_hash") or result["plan_hash"],
            meta.get("snapshot_hash"),
            meta.get("run_id"),
        ]
        writer.writerow(export_row(values))
    return out.getvalue()
