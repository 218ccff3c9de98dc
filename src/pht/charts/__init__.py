"""Server-rendered, accessible SVG charts (pure: no Django, no I/O).

Every chart is a :class:`Chart`: an ``<svg role="img">`` with ``<title>`` and ``<desc>`` referenced
by ``aria-labelledby``/``aria-describedby``, and the same data as table rows to show beside it.
Numbers are written in the page's language (:data:`NB` ``1 234,5``, :data:`EN` ``1,234.5``). No
inline scripts or ``style=`` attributes: charts are safe under the site's Content-Security-Policy.
"""

from pht.charts.core import EN, NB, PALETTE, Chart, ChartError, NumberFormat, contrast, number_format
from pht.charts.kinds import (
    WORDS,
    ForestRow,
    Series,
    Words,
    balance_chart,
    bar_chart,
    diverging_chart,
    forest_chart,
    line_chart,
    words,
)

__all__ = [
    "EN",
    "NB",
    "PALETTE",
    "WORDS",
    "Chart",
    "ChartError",
    "ForestRow",
    "NumberFormat",
    "Series",
    "Words",
    "balance_chart",
    "bar_chart",
    "diverging_chart",
    "contrast",
    "forest_chart",
    "line_chart",
    "number_format",
    "words",
]
