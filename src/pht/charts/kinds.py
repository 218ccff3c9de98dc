"""The chart kinds: line (with CI band), forest, balance (dot plot of SMDs), grouped bars.

Each function takes plain data and the words and number format of the page's language, and
returns a :class:`~pht.charts.core.Chart`. Missing values (None, NaN, infinity) are not drawn but
stay in the table as a dash; no drawable value at all gives a "no data" chart, never an exception.
Mismatched input (series of different lengths) is a :class:`ChartError` naming the field.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeGuard

from pht.charts.core import (
    BACKGROUND,
    DASHES,
    GRID,
    MUTED,
    NB,
    PALETTE,
    SHAPES,
    TEXT,
    Chart,
    ChartError,
    NumberFormat,
    Scale,
    as_float,
    chart_id,
    domain,
    finite,
    hatch_pattern,
    legend,
    legend_lines,
    marker,
    no_data_chart,
    svg_document,
    text,
    tick_decimals,
)

Number = float | int | None


@dataclass(frozen=True)
class Words:
    """The few words charts write themselves (table headers, legend, no data)."""

    series: str = "Series"
    low: str = "Lower limit"
    high: str = "Upper limit"
    no_data: str = "No data"
    group: str = "Group"
    row: str = "Row"
    estimate: str = "Estimate"
    naive: str = "Naive comparison"
    design: str = "Design estimate"
    before: str = "Before matching"
    after: str = "After matching"
    covariate: str = "Covariate"
    category: str = "Category"
    interval: str = "95% confidence interval"


WORDS = {
    "en": Words(),
    "nb": Words(
        series="Serie",
        low="Nedre grense",
        high="Øvre grense",
        no_data="Ingen data",
        group="Gruppe",
        row="Rad",
        estimate="Estimat",
        naive="Naiv sammenligning",
        design="Designestimat",
        before="Før matching",
        after="Etter matching",
        covariate="Kjennetegn",
        category="Kategori",
        interval="95 % konfidensintervall",
    ),
}


def words(language: str) -> Words:
    return WORDS["en"] if language.lower().startswith("en") else WORDS["nb"]


def _values(values: Sequence[Number] | None, n: int, field: str) -> list[float | None]:
    if values is None:
        return [None] * n
    if len(values) != n:
        raise ChartError(f"{field}: {len(values)} values for {n} points")
    return [as_float(v) for v in values]


def _drawable(value: float | None, log: bool) -> TypeGuard[float]:
    return value is not None and (value > 0 or not log)


# -- line ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    name: str
    x: Sequence[float]
    y: Sequence[Number]
    low: Sequence[Number] | None = None
    high: Sequence[Number] | None = None


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    description: str,
    x_label: str,
    y_label: str,
    fmt: NumberFormat = NB,
    vocabulary: Words = WORDS["en"],
    x_names: Mapping[float, str] | None = None,
    reference: float | None = None,
    marker_x: float | None = None,
    marker_label: str = "",
    log: bool = False,
    ident: str | None = None,
) -> Chart:
    """Lines over x (event time, period index), each with an optional CI band (low/high);
    ``x_names`` gives the x values' labels (period names), ``reference`` a horizontal line (0 or
    1), ``marker_x`` a vertical line (the start)."""
    has_ci = any(s.low is not None for s in series)
    columns = [vocabulary.series, x_label, y_label] + ([vocabulary.low, vocabulary.high] if has_ci else [])
    clean = []
    for i, s in enumerate(series):
        n = len(s.x)
        xs = _values(s.x, n, f"series {i} ({s.name}) x")
        clean.append(
            (
                s.name,
                xs,
                _values(s.y, n, f"series {i} ({s.name}) y"),
                _values(s.low, n, f"series {i} ({s.name}) low"),
                _values(s.high, n, f"series {i} ({s.name}) high"),
            )
        )

    def x_name(x: float | None) -> str:
        if x is None:
            return fmt.no_value
        if x_names and x in x_names:
            return x_names[x]
        return fmt.format(x, 0 if float(x).is_integer() else None)

    rows = []
    for name, xs, ys, lows, highs in clean:
        for x, y, lo, hi in zip(xs, ys, lows, highs, strict=True):
            row = [name, x_name(x), fmt.format(y)]
            if has_ci:
                row += [fmt.format(lo), fmt.format(hi)]
            rows.append(row)
    points = [
        (x, y)
        for _n, xs, ys, _l, _h in clean
        for x, y in zip(xs, ys, strict=True)
        if x is not None and _drawable(y, log)
    ]
    if not points:
        chart = no_data_chart(title, description, vocabulary.no_data, columns, ident)
        return Chart(chart.svg, chart.title, chart.description, columns, rows)

    items = [
        (s.name, PALETTE[i % len(PALETTE)], "line", DASHES[i % len(DASHES)]) for i, s in enumerate(series)
    ]
    lines = legend_lines(items, 72, 624)
    width, height, left, right, top, bottom = 640, 312 + 18 * lines, 72, 16, 32 + 18 * lines, 52
    xs_all = [p[0] for p in points] + ([marker_x] if marker_x is not None and finite(marker_x) else [])
    x_low, x_high = min(xs_all), max(xs_all)
    if x_high == x_low:
        x_low, x_high = x_low - 1, x_high + 1
    x_scale = Scale(x_low, x_high, left + 10, width - right - 10)
    bounds = [v for _n, _x, ys, lows, highs in clean for v in (*ys, *lows, *highs) if _drawable(v, log)]
    y_low, y_high = domain(bounds, include=[reference] if reference is not None else [], log=log)
    y_scale = Scale(y_low, y_high, height - bottom, top, log=log)

    body = _y_axis(y_scale, left, width - right, fmt, y_label, top)
    body += _x_ticks(x_scale, sorted({p[0] for p in points}), height - bottom, x_name)
    body.append(text((left + width - right) / 2, height - 8, x_label, anchor="middle"))
    if reference is not None and y_low <= reference <= y_high:
        y = y_scale(reference)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{MUTED}" stroke-width="1.5"/>'
        )
    if marker_x is not None and finite(marker_x):
        x = x_scale(marker_x)
        body.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - bottom}" stroke="{MUTED}" '
            f'stroke-width="1.5" stroke-dasharray="4 3"/>'
        )
        if marker_label:
            body.append(text(x + 4, top + 12, marker_label, size=11, fill=MUTED))
    for i, (_name, xs, ys, lows, highs) in enumerate(clean):
        colour, dash = PALETTE[i % len(PALETTE)], DASHES[i % len(DASHES)]
        band = [
            (x, lo, hi)
            for x, lo, hi in zip(xs, lows, highs, strict=True)
            if x is not None and _drawable(lo, log) and _drawable(hi, log)
        ]
        if len(band) > 1:
            upper = " ".join(f"{x_scale(x):.1f},{y_scale(hi):.1f}" for x, _lo, hi in band)
            lower = " ".join(f"{x_scale(x):.1f},{y_scale(lo):.1f}" for x, lo, _hi in reversed(band))
            body.append(
                f'<polygon points="{upper} {lower}" fill="{colour}" fill-opacity="0.15" stroke="none"/>'
            )
        for x, lo, hi in band:  # whiskers: the interval stays readable where the band is thin
            px = x_scale(x)
            body.append(
                f'<line x1="{px:.1f}" y1="{y_scale(lo):.1f}" x2="{px:.1f}" y2="{y_scale(hi):.1f}" '
                f'stroke="{colour}" stroke-width="1"/>'
            )
        segment: list[str] = []
        segments = []
        for x, y in zip(xs, ys, strict=True):
            if x is not None and _drawable(y, log):
                segment.append(f"{x_scale(x):.1f},{y_scale(y):.1f}")
            elif segment:
                segments.append(segment)
                segment = []
        if segment:
            segments.append(segment)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for seg in segments:
            if len(seg) > 1:
                body.append(
                    f'<polyline points="{" ".join(seg)}" fill="none" stroke="{colour}" stroke-width="2.5"{dash_attr}/>'
                )
        shape = SHAPES[i % len(SHAPES)]
        for x, y in zip(xs, ys, strict=True):
            if x is not None and _drawable(y, log):
                body.append(marker(shape, x_scale(x), y_scale(y), colour, 3.5))
    body += legend(items, left, 20, width - right)
    return Chart(
        svg_document(width, height, title, description, body, ident), title, description, columns, rows
    )


def _y_axis(scale: Scale, left: float, right: float, fmt: NumberFormat, label: str, top: float) -> list[str]:
    out = []
    for tick in scale.ticks():
        y = scale(tick)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(text(left - 6, y + 4, fmt.format(tick, tick_decimals(tick)), anchor="end", size=11))
    out.append(
        f'<line x1="{left}" y1="{scale.end:.1f}" x2="{left}" y2="{scale.start:.1f}" stroke="{TEXT}" stroke-width="1"/>'
    )
    out.append(text(left - 60, top - 10, label, size=11, fill=TEXT))
    return out


def _x_ticks(
    scale: Scale, xs: Sequence[float], baseline: float, name: Callable[[float | None], str]
) -> list[str]:
    step = max(1, math.ceil(len(xs) / 12))
    out = [
        f'<line x1="{scale.start - 10:.1f}" y1="{baseline:.1f}" x2="{scale.end + 10:.1f}" y2="{baseline:.1f}" '
        f'stroke="{TEXT}" stroke-width="1"/>'
    ]
    for x in xs[::step]:
        px = scale(x)
        out.append(
            f'<line x1="{px:.1f}" y1="{baseline:.1f}" x2="{px:.1f}" y2="{baseline + 4:.1f}" stroke="{TEXT}"/>'
        )
        out.append(text(px, baseline + 17, name(x), anchor="middle", size=11))
    return out


def _label_width(labels: Sequence[str], indent: int) -> int:
    """Room for the longest row label at 11px (about 6 px a character), within 140-420 px."""
    longest = max((len(label) for label in labels), default=0)
    return int(min(420, max(140, indent + 6.2 * longest + 16)))


# -- forest -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForestRow:
    group: str
    label: str
    estimate: Number
    low: Number = None
    high: Number = None
    naive: Number = None


def forest_chart(
    rows: Sequence[ForestRow],
    *,
    title: str,
    description: str,
    x_label: str,
    fmt: NumberFormat = NB,
    vocabulary: Words = WORDS["en"],
    null: float = 0.0,
    log: bool = False,
    ident: str | None = None,
) -> Chart:
    """Point and CI per row, rows grouped (by dimension), a vertical line at ``null`` (0 for
    differences, 1 on the log axis of ratios); the naive estimate as a hollow diamond beside the
    design estimate's filled circle."""
    has_naive = any(finite(r.naive) for r in rows)
    columns = [vocabulary.group, vocabulary.row, vocabulary.estimate, vocabulary.low, vocabulary.high]
    columns += [vocabulary.naive] if has_naive else []
    table = []
    for r in rows:
        line = [r.group, r.label, fmt.format(r.estimate), fmt.format(r.low), fmt.format(r.high)]
        table.append(line + ([fmt.format(r.naive)] if has_naive else []))
    values = [v for r in rows for v in map(as_float, (r.estimate, r.low, r.high, r.naive)) if v is not None]
    if not any(_drawable(v, log) for v in values):
        chart = no_data_chart(title, description, vocabulary.no_data, columns, ident)
        return Chart(chart.svg, chart.title, chart.description, columns, table)

    groups: list[str] = []
    for r in rows:
        if r.group not in groups:
            groups.append(r.group)
    label_width, plot_width, right = _label_width([r.label for r in rows], 20), 330, 20
    width = label_width + plot_width + right
    top, row_h, group_h = 44, 22, 24
    height = top + row_h * len(rows) + group_h * len(groups) + 44
    low, high = domain([v for v in values if _drawable(v, log)], include=[null], log=log)
    scale = Scale(low, high, label_width + 8, label_width + plot_width - 8, log=log)
    plot_bottom = height - 40
    body = []
    for tick in scale.ticks():
        x = scale(tick)
        body.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{plot_bottom}" stroke="{GRID}" stroke-width="1"/>'
        )
        body.append(
            text(x, plot_bottom + 16, fmt.format(tick, tick_decimals(tick)), anchor="middle", size=11)
        )
    if low <= null <= high:
        x = scale(null)
        body.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{plot_bottom}" stroke="{MUTED}" stroke-width="1.5"/>'
        )
    body.append(text(label_width + plot_width / 2, height - 6, x_label, anchor="middle"))
    y = top
    for group in groups:
        y += group_h
        body.append(text(8, y - 6, group, size=12, extra=' font-weight="bold"'))
        for r in (r for r in rows if r.group == group):
            centre = y + row_h / 2
            body.append(text(20, centre + 4, r.label, size=11))
            lo, hi, est, naive = (as_float(v) for v in (r.low, r.high, r.estimate, r.naive))
            if _drawable(lo, log) and _drawable(hi, log):
                body.append(
                    f'<line x1="{scale(lo):.1f}" y1="{centre - 3:.1f}" x2="{scale(hi):.1f}" y2="{centre - 3:.1f}" '
                    f'stroke="{PALETTE[0]}" stroke-width="2"/>'
                )
            if _drawable(est, log):
                body.append(marker("circle", scale(est), centre - 3, PALETTE[0]))
            if _drawable(naive, log):
                body.append(marker("diamond", scale(naive), centre + 4, PALETTE[1], 3.5))
            y += row_h
    items = [(vocabulary.design, PALETTE[0], "circle", "")]
    items += [(vocabulary.naive, PALETTE[1], "diamond", "")] if has_naive else []
    body += legend(items, label_width, 20)
    return Chart(
        svg_document(width, height, title, description, body, ident), title, description, columns, table
    )


# -- balance ------------------------------------------------------------------------------------


def balance_chart(
    rows: Sequence[tuple[str, Number, Number]],
    *,
    title: str,
    description: str,
    x_label: str,
    fmt: NumberFormat = NB,
    vocabulary: Words = WORDS["en"],
    threshold: float = 0.1,
    ident: str | None = None,
) -> Chart:
    """Standardised mean difference per covariate before and after matching, with reference lines
    at 0 and ±``threshold``."""
    columns = [vocabulary.covariate, vocabulary.before, vocabulary.after]
    table = [[label, fmt.format(before), fmt.format(after)] for label, before, after in rows]
    values = [v for _l, b, a in rows for v in map(as_float, (b, a)) if v is not None]
    if not values:
        chart = no_data_chart(title, description, vocabulary.no_data, columns, ident)
        return Chart(chart.svg, chart.title, chart.description, columns, table)
    label_width, plot_width, right = _label_width([label for label, _b, _a in rows], 8), 350, 20
    width = label_width + plot_width + right
    top, row_h = 44, 22
    height = top + row_h * len(rows) + 48
    low, high = domain(values, include=[-threshold, threshold])
    scale = Scale(low, high, label_width + 8, label_width + plot_width - 8)
    plot_bottom = height - 42
    body = []
    for tick in scale.ticks():
        x = scale(tick)
        body.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{plot_bottom}" stroke="{GRID}" stroke-width="1"/>'
        )
        body.append(
            text(x, plot_bottom + 16, fmt.format(tick, tick_decimals(tick)), anchor="middle", size=11)
        )
    for ref, dash in ((0.0, ""), (-threshold, "4 3"), (threshold, "4 3")):
        x = scale(ref)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{plot_bottom}" stroke="{MUTED}" stroke-width="1.5"{dash_attr}/>'
        )
    body.append(text(label_width + plot_width / 2, height - 8, x_label, anchor="middle"))
    for i, (label, before, after) in enumerate(rows):
        centre = top + row_h * i + row_h / 2
        body.append(text(8, centre + 4, label, size=11))
        b, a = as_float(before), as_float(after)
        if b is not None and a is not None:
            body.append(
                f'<line x1="{scale(b):.1f}" y1="{centre:.1f}" x2="{scale(a):.1f}" y2="{centre:.1f}" stroke="{GRID}" stroke-width="2"/>'
            )
        if b is not None:
            body.append(marker("diamond", scale(b), centre, PALETTE[1], 3.5))
        if a is not None:
            body.append(marker("circle", scale(a), centre, PALETTE[0]))
    body += legend(
        [(vocabulary.before, PALETTE[1], "diamond", ""), (vocabulary.after, PALETTE[0], "circle", "")],
        label_width,
        20,
    )
    return Chart(
        svg_document(width, height, title, description, body, ident), title, description, columns, table
    )


# -- bars ---------------------------------------------------------------------------------------


def bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    *,
    title: str,
    description: str,
    y_label: str,
    fmt: NumberFormat = NB,
    vocabulary: Words = WORDS["en"],
    digits: int | None = None,
    ident: str | None = None,
    hatched: Sequence[bool] = (),
) -> Chart:
    """Grouped vertical bars per category, one bar per series; negative values go below the zero
    line (diverging), so differences and comparisons read at once. A series marked in ``hatched``
    is drawn with diagonal hatching (and so in the legend), told apart from solid bars without colour."""
    columns = [vocabulary.category] + [name for name, _v in series]
    clean = [(name, _values(values, len(categories), f"series {name} values")) for name, values in series]
    table = [
        [category] + [fmt.format(values[i], digits) for _n, values in clean]
        for i, category in enumerate(categories)
    ]
    values = [v for _n, vs in clean for v in vs if v is not None]
    if not values:
        chart = no_data_chart(title, description, vocabulary.no_data, columns, ident)
        return Chart(chart.svg, chart.title, chart.description, columns, table)
    ident = ident or chart_id(title, description)
    hatch = [j < len(hatched) and bool(hatched[j]) for j in range(len(clean))]
    fills = [f"url(#{ident}-hatch-{j})" if hatch[j] else PALETTE[j % len(PALETTE)] for j in range(len(clean))]
    items = [
        (name, PALETTE[j % len(PALETTE)], "hatch", f"{ident}-hatch-{j}")
        if hatch[j]
        else (name, PALETTE[j % len(PALETTE)], "square", "")
        for j, (name, _v) in enumerate(clean)
    ]
    # wider (up to 960) when the category labels need it, so they do not run into each other
    longest = max((len(c) for c in categories), default=0)
    width = int(min(960, max(640, 96 + len(categories) * (6.2 * longest + 12))))
    lines = legend_lines(items, 80, width - 16)
    left, right, top, bottom = 80, 16, 32 + 18 * lines, 56
    height = 312 + 18 * lines
    low, high = domain(values, include=[0.0])
    scale = Scale(low, high, height - bottom, top)
    body = [
        hatch_pattern(f"{ident}-hatch-{j}", PALETTE[j % len(PALETTE)]) for j in range(len(clean)) if hatch[j]
    ]
    body += _y_axis(scale, left, width - right, fmt, y_label, top)
    zero = scale(0.0)
    body.append(
        f'<line x1="{left}" y1="{zero:.1f}" x2="{width - right}" y2="{zero:.1f}" stroke="{TEXT}" stroke-width="1.5"/>'
    )
    slot = (width - left - right) / max(len(categories), 1)
    bar = min(28.0, slot * 0.8 / max(len(clean), 1))
    step = max(1, math.ceil(len(categories) * 70 / (width - left - right)))
    for i, category in enumerate(categories):
        x0 = left + slot * i + (slot - bar * len(clean)) / 2
        for j, (_name, vals) in enumerate(clean):
            v = vals[i]
            if v is None:
                continue
            y = scale(v)
            top_y, h = min(y, zero), abs(zero - y)
            body.append(
                f'<rect x="{x0 + bar * j:.1f}" y="{top_y:.1f}" width="{bar * 0.92:.1f}" height="{h:.1f}" '
                f'fill="{fills[j]}" stroke="{PALETTE[j % len(PALETTE)] if hatch[j] else BACKGROUND}" '
                f'stroke-width="{1.5 if hatch[j] else 0.5}"/>'
            )
        if i % step == 0:
            body.append(
                text(left + slot * (i + 0.5), height - bottom + 16, category, anchor="middle", size=11)
            )
    body += legend(items, left, 20, width - right)
    return Chart(
        svg_document(width, height, title, description, body, ident), title, description, columns, table
    )


# -- diverging ranking --------------------------------------------------------------------------


def diverging_chart(
    rows: Sequence[tuple[str, Number]],
    *,
    title: str,
    description: str,
    x_label: str,
    positive: str,
    negative: str,
    value_label: str,
    fmt: NumberFormat = NB,
    vocabulary: Words = WORDS["en"],
    digits: int | None = None,
    ident: str | None = None,
) -> Chart:
    """One horizontal bar per row from a zero line, rows in the order given (rank them first):
    positive values solid to the right, negative values hatched to the left, each with its signed
    value written at the bar's end, so the sign reads without colour."""
    columns = [vocabulary.row, value_label]
    table = [[label, fmt.format(value, digits)] for label, value in rows]
    values = [x for _l, v in rows if (x := as_float(v)) is not None]
    if not values:
        chart = no_data_chart(title, description, vocabulary.no_data, columns, ident)
        return Chart(chart.svg, chart.title, chart.description, columns, table)
    ident = ident or chart_id(title, description)
    pattern = f"{ident}-hatch-negative"
    label_width, plot_width, right = _label_width([label for label, _v in rows], 8), 360, 90
    width = label_width + plot_width + right
    top, row_h = 52, 22
    height = top + row_h * len(rows) + 48
    low, high = domain(values, include=[0.0])
    scale = Scale(low, high, label_width + 70, label_width + plot_width)
    plot_bottom = top + row_h * len(rows)
    body = [hatch_pattern(pattern, PALETTE[1])]
    for tick in scale.ticks(4):
        x = scale(tick)
        body.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{plot_bottom}" stroke="{GRID}" stroke-width="1"/>'
        )
        body.append(
            text(x, plot_bottom + 16, fmt.format(tick, tick_decimals(tick)), anchor="middle", size=11)
        )
    zero = scale(0.0)
    body.append(
        f'<line x1="{zero:.1f}" y1="{top - 4}" x2="{zero:.1f}" y2="{plot_bottom}" stroke="{TEXT}" stroke-width="1.5"/>'
    )
    body.append(text(label_width + (plot_width + 70) / 2, height - 8, x_label, anchor="middle"))
    for i, (label, value) in enumerate(rows):
        y = top + row_h * i
        body.append(text(8, y + row_h / 2 + 4, label, size=11))
        v = as_float(value)
        if v is None:
            continue
        x = scale(v)
        left_x, w = min(x, zero), abs(x - zero)
        fill, stroke = (PALETTE[0], BACKGROUND) if v >= 0 else (f"url(#{pattern})", PALETTE[1])
        body.append(
            f'<rect x="{left_x:.1f}" y="{y + 3:.1f}" width="{w:.1f}" height="{row_h - 6}" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="1.5"/>'
        )
        shown = ("+" if v > 0 else "") + fmt.format(v, digits)
        if v >= 0:
            body.append(text(max(x, zero) + 4, y + row_h / 2 + 4, shown, size=11))
        else:
            body.append(text(min(x, zero) - 4, y + row_h / 2 + 4, shown, anchor="end", size=11))
    body += legend(
        [(positive, PALETTE[0], "square", ""), (negative, PALETTE[1], "hatch", pattern)],
        label_width,
        22,
        width - 8,
    )
    return Chart(
        svg_document(width, height, title, description, body, ident), title, description, columns, table
    )
