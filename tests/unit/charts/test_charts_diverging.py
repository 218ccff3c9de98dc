"""Charts of the finance comparison: the diverging ranking and hatched bars (own vs shadow without colour)."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st
from test_charts import SVG, check_svg, labels, values

from pht.charts import EN, NB, PALETTE, bar_chart, diverging_chart


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(labels, values), max_size=20))
def test_diverging_chart_holds_every_row(data) -> None:
    chart = diverging_chart(data, title="Rank", description="D", x_label="NOK", positive="gain",
                            negative="loss", value_label="Difference", fmt=NB, digits=0)  # fmt: skip
    check_svg(chart)
    assert chart.rows == [[label, NB.format(v, 0)] for label, v in data]


def test_diverging_chart_tells_gains_from_losses_without_colour() -> None:
    chart = diverging_chart(
        [("Vinner", 1500.0), ("Taper", -2500.0)],
        title="Forskjell",
        description="Skygge minus egen",
        x_label="kr",
        positive="Tjener",
        negative="Taper",
        value_label="Forskjell",
        digits=0,
        ident="rank",
    )
    root = check_svg(chart)
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("height") == "16"]
    assert [b.get("fill") for b in bars] == [PALETTE[0], "url(#rank-hatch-negative)"]
    gain, loss = bars
    # the gain goes right of the zero line, the loss left of it, each with its signed value written
    assert float(gain.get("x")) + 0.5 >= float(loss.get("x")) + float(loss.get("width"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "+1\u00a0500" in texts and "\u22122\u00a0500" in texts
    assert root.find(f".//{SVG}pattern").get("id") == "rank-hatch-negative"
    assert "Tjener" in texts and "Taper" in texts  # the legend


def test_hatched_series_differ_by_pattern_in_bars_and_legend() -> None:
    chart = bar_chart(
        ["jan", "feb"],
        [("Egen", [1.0, 2.0]), ("Skygge", [3.0, None])],
        title="T",
        description="D",
        y_label="kr",
        hatched=(False, True),
        ident="m",
        fmt=EN,
        digits=0,
    )
    root = check_svg(chart)
    fills = [r.get("fill") for r in root.iter(f"{SVG}rect")]
    # two solid bars and the legend's square; the one hatched bar and the legend's hatched swatch
    assert fills.count("url(#m-hatch-1)") == 2
    assert fills.count(PALETTE[0]) == 3
    assert chart.rows == [["jan", "1", "3"], ["feb", "2", "–"]]


def test_no_data_diverging_chart_is_still_accessible() -> None:
    chart = diverging_chart([("A", None), ("B", math.nan)], title="T", description="D", x_label="x",
                            positive="p", negative="n", value_label="v")  # fmt: skip
    root = ET.fromstring(chart.svg)
    assert root.find(f"{SVG}title").text == "T" and chart.rows == [["A", "–"], ["B", "–"]]
