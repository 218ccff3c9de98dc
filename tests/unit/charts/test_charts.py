"""pht.charts: accessible, CSP-safe SVG whose table holds every data point, whatever the input."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pht.charts import (
    EN,
    NB,
    PALETTE,
    ChartError,
    ForestRow,
    Series,
    balance_chart,
    bar_chart,
    contrast,
    forest_chart,
    line_chart,
    number_format,
)
from pht.charts.core import MUTED, TEXT

SVG = "{http://www.w3.org/2000/svg}"
COORDINATE_ATTRIBUTES = ("x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "width", "height", "r")

values = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e9, max_value=1e9),
    st.integers(min_value=-(10**6), max_value=10**6),
)
labels = st.text(min_size=1, max_size=20)


def check_svg(chart) -> ET.Element:
    """Well-formed SVG, role img, title and desc referenced by aria, nothing CSP would block, and
    every coordinate finite and inside the viewBox."""
    assert "<script" not in chart.svg and "style=" not in chart.svg and " on" not in chart.svg.split(">")[0]
    root = ET.fromstring(chart.svg)
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == chart.title
    assert desc is not None and desc.text == chart.description
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    _x, _y, width, height = (float(v) for v in root.get("viewBox").split())
    for element in root.iter():
        for name in COORDINATE_ATTRIBUTES:
            if element.get(name) is not None:
                value = float(element.get(name))
                assert math.isfinite(value)
                limit = width if name in ("x", "x1", "x2", "cx", "width") else height
                assert -0.05 <= value <= limit + 0.05, (element.tag, name, value)
        if element.get("points"):
            for pair in element.get("points").split():
                px, py = (float(v) for v in pair.split(","))
                # markers may stick out of the plot by their size, never out of the picture
                assert 0 <= px <= width and 0 <= py <= height, pair
    return root


def test_numbers_are_written_in_the_language_of_the_page() -> None:
    assert NB.format(1234.5, 1) == "1\u00a0234,5"
    assert EN.format(1234.5, 1) == "1,234.5"
    assert NB.format(-0.25, 2) == "\u22120,25"
    assert NB.format(-0.0001, 2) == "0,00"  # no minus on a number that rounds to zero
    assert NB.format(None) == NB.format(float("nan")) == "–"
    assert NB.format(0.002805) == "0,00281"  # three significant digits by default
    assert EN.format(1234567) == "1,234,567"
    assert number_format("en-gb") is EN and number_format("nb") is NB and number_format("nn") is NB


@given(st.floats(min_value=-1e9, max_value=1e9), st.integers(min_value=0, max_value=4))
def test_formatted_numbers_read_back(value: float, digits: int) -> None:
    for fmt, parse in (
        (NB, lambda s: s.replace("\u00a0", "").replace(",", ".")),
        (EN, lambda s: s.replace(",", "")),
    ):
        written = fmt.format(value, digits)
        assert abs(float(parse(written).replace("\u2212", "-")) - value) <= 0.5 * 10**-digits + 1e-6 * abs(
            value
        )


def test_palette_and_text_have_wcag_contrast_on_white() -> None:
    assert all(contrast(colour, "#ffffff") >= 3.0 for colour in PALETTE)  # SC 1.4.11
    assert contrast(TEXT, "#ffffff") >= 4.5 and contrast(MUTED, "#ffffff") >= 4.5  # SC 1.4.3


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(labels, st.lists(st.tuples(st.integers(-40, 40), values, values, values), max_size=12)),
        max_size=3,
    ),
    st.booleans(),
)
def test_line_chart_holds_every_point_in_its_table(data, log: bool) -> None:
    series = [
        Series(name, [p[0] for p in pts], [p[1] for p in pts], [p[2] for p in pts], [p[3] for p in pts])
        for name, pts in data
    ]
    chart = line_chart(series, title="T", description="D", x_label="x", y_label="y", fmt=NB, log=log)
    check_svg(chart)
    expected = [
        [name, NB.format(x, 0), NB.format(y), NB.format(lo), NB.format(hi)]
        for name, pts in data
        for x, y, lo, hi in pts
    ]
    if not any(pts for _n, pts in data):
        assert chart.rows == []
    else:
        assert chart.rows == expected
    drawable = [
        y
        for _n, pts in data
        for _x, y, _l, _h in pts
        if isinstance(y, int | float) and math.isfinite(y) and (y > 0 or not log)
    ]
    if not drawable:
        assert "No data" in chart.svg


def test_line_chart_draws_named_periods_band_and_start() -> None:
    chart = line_chart(
        [Series("Treated", [0, 1, 2], [1.5, 2.5, None], [1.0, 2.0, None], [2.0, 3.0, None])],
        title="Trend",
        description="Mean by quarter",
        x_label="Quarter",
        y_label="Rate",
        x_names={0: "2017Q4", 1: "2018Q1", 2: "2018Q2"},
        marker_x=1,
        marker_label="start",
        fmt=EN,
    )
    root = check_svg(chart)
    assert chart.rows[1] == ["Treated", "2018Q1", "2.50", "2.00", "3.00"]
    assert chart.rows[2] == ["Treated", "2018Q2", "–", "–", "–"]
    assert root.findall(f".//{SVG}polygon")  # the CI band
    assert root.findall(f".//{SVG}polyline")
    assert "2017Q4" in chart.svg and "start" in chart.svg


def test_mismatched_series_name_the_field() -> None:
    with pytest.raises(ChartError, match=r"series 0 \(Treated\) y: 1 values for 2 points"):
        line_chart([Series("Treated", [0, 1], [1.0])], title="T", description="D", x_label="x", y_label="y")
    with pytest.raises(ChartError, match="series B values"):
        bar_chart(["a", "b"], [("B", [1.0])], title="T", description="D", y_label="y")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(labels, labels, values, values, values, values), max_size=10), st.booleans())
def test_forest_chart_holds_every_row(data, log: bool) -> None:
    rows = [ForestRow(g, label, e, lo, hi, n) for g, label, e, lo, hi, n in data]
    chart = forest_chart(
        rows, title="F", description="D", x_label="x", fmt=EN, null=1.0 if log else 0.0, log=log
    )
    check_svg(chart)
    assert [r[:5] for r in chart.rows] == [
        [g, label, EN.format(e), EN.format(lo), EN.format(hi)] for g, label, e, lo, hi, _n in data
    ]
    if any(isinstance(n, int | float) and math.isfinite(n) for *_r, n in data):
        assert [r[5] for r in chart.rows] == [EN.format(n) for *_r, n in data]


def test_forest_chart_shows_naive_beside_design() -> None:
    chart = forest_chart(
        [ForestRow("Extensive care", "Acute admissions", 0.9, 0.8, 1.1, 0.7)],
        title="F",
        description="D",
        x_label="Rate ratio",
        null=1.0,
        log=True,
    )
    root = check_svg(chart)
    assert len(root.findall(f".//{SVG}circle")) >= 1 and len(root.findall(f".//{SVG}polygon")) >= 1
    assert chart.rows == [["Extensive care", "Acute admissions", "0,900", "0,800", "1,10", "0,700"]]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(labels, values, values), max_size=14))
def test_balance_chart_holds_every_covariate(data) -> None:
    chart = balance_chart(data, title="B", description="D", x_label="SMD", fmt=NB)
    check_svg(chart)
    assert chart.rows == [[label, NB.format(b), NB.format(a)] for label, b, a in data]


def test_balance_chart_draws_the_reference_lines() -> None:
    chart = balance_chart([("list size", 1.08, 0.05)], title="B", description="D", x_label="SMD")
    root = check_svg(chart)
    dashed = [e for e in root.iter(f"{SVG}line") if e.get("stroke-dasharray")]
    assert len(dashed) == 2  # ±0.1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(labels, values, values), max_size=12))
def test_bar_chart_holds_every_bar(data) -> None:
    chart = bar_chart(
        [c for c, _a, _b in data],
        [("A", [a for _c, a, _b in data]), ("B", [b for _c, _a, b in data])],
        title="Bars",
        description="D",
        y_label="NOK",
        fmt=NB,
        digits=0,
    )
    root = check_svg(chart)
    assert chart.rows == [[c, NB.format(a, 0), NB.format(b, 0)] for c, a, b in data]
    drawn = sum(1 for _c, a, b in data for v in (a, b) if isinstance(v, int | float) and math.isfinite(v))
    assert (
        len(
            [
                r
                for r in root.iter(f"{SVG}rect")
                if r.get("height")
                and r.get("y")
                and r.get("x") != "0"
                and r.get("fill") != "#ffffff"
                and r.get("width") != r.get("height")
            ]
        )
        >= 0
    )
    assert (
        len(re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="#', chart.svg))
        >= drawn
    )


def test_labels_are_escaped() -> None:
    chart = bar_chart(
        ["<script>alert(1)</script>"], [("A&B", [1.0])], title="<b>", description='"q"', y_label="y"
    )
    check_svg(chart)
    assert "<script>" not in chart.svg and "&lt;script&gt;" in chart.svg
