"""The pieces every chart shares: the result type, number formats, scales, colours, SVG text.

Pure: no Django, no I/O. Charts are SVG strings styled only with presentation attributes
(``fill=``, ``stroke=``, ``font-size=``), never ``style=`` or ``<script>``, so they pass the site's
Content-Security-Policy (``style-src 'self'``, ``script-src 'self'``) when inlined in a page.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr


class ChartError(ValueError):
    """Input a chart cannot draw (mismatched lengths, unknown scale); the message names the field."""


@dataclass(frozen=True)
class Chart:
    """An accessible chart: the SVG (``role="img"`` with ``<title>`` and ``<desc>``) and the same
    data as a table (``columns`` and text ``rows``) to show beside it."""

    svg: str
    title: str
    description: str
    columns: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class NumberFormat:
    """How numbers are written: decimal mark, digit-group separator, minus sign."""

    decimal: str
    group: str
    minus: str = "\u2212"
    no_value: str = "–"

    def format(self, value: float | int | None, digits: int | None = None) -> str:
        """``value`` with ``digits`` decimals (default: three significant digits, at most six
        decimals); a dash for None, NaN or infinity."""
        if value is None or isinstance(value, bool):
            return self.no_value
        value = float(value)
        if not math.isfinite(value):
            return self.no_value
        if digits is None:
            digits = significant_decimals(value)
        text = f"{abs(value):,.{digits}f}"
        whole, _, fraction = text.partition(".")
        out = whole.replace(",", self.group) + (self.decimal + fraction if fraction else "")
        negative = value < 0 and any(c in "123456789" for c in text)
        return (self.minus if negative else "") + out

    def percent(self, value: float | None, digits: int = 1) -> str:
        if value is None or not math.isfinite(value):
            return self.no_value
        return f"{self.format(value * 100, digits)}\u00a0%"


NB = NumberFormat(decimal=",", group="\u00a0")
EN = NumberFormat(decimal=".", group=",")


def number_format(language: str) -> NumberFormat:
    """The format of a language code ("nb", "en", "en-gb", …); Norwegian bokmål unless English."""
    return EN if language.lower().startswith("en") else NB


def tick_decimals(value: float) -> int:
    """The fewest decimals that write an axis tick exactly (0.25 -> 2, 1.5 -> 1, 20 -> 0)."""
    for digits in range(7):
        if abs(round(value, digits) - value) < 1e-9 * max(1.0, abs(value)):
            return digits
    return 6


def significant_decimals(value: float, significant: int = 3) -> int:
    if value == 0 or not math.isfinite(value):
        return 0
    return max(0, min(6, significant - 1 - math.floor(math.log10(abs(value)))))


def as_float(value: object) -> float | None:
    """``value`` as a finite float, or None (None, NaN, infinity, booleans, non-numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def finite(value: object) -> bool:
    return as_float(value) is not None


# Colours for marks on a white background, each with at least 3:1 contrast (WCAG 2.1 SC 1.4.11,
# non-text contrast); text uses TEXT (at least 4.5:1, SC 1.4.3). Series differ by shape or dash too,
# never by colour alone (SC 1.4.1).
BACKGROUND = "#ffffff"
TEXT = "#1f1f1f"
MUTED = "#595959"
GRID = "#d0d0d0"
PALETTE = ("#0b5394", "#b3470b", "#2e7d32", "#6a3d9a", "#4d4d4d", "#a3195b")
BAND = "#0b5394"  # CI bands: PALETTE colour at low opacity, the line itself carries the contrast
DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2")


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@dataclass(frozen=True)
class Scale:
    """Data to pixel along one axis, linear or logarithmic (for ratios)."""

    low: float
    high: float
    start: float
    end: float
    log: bool = False

    def _t(self, value: float) -> float:
        return math.log(value) if self.log else value

    def __call__(self, value: float) -> float:
        lo, hi = self._t(self.low), self._t(self.high)
        span = hi - lo or 1.0
        pixel = self.start + (self._t(value) - lo) / span * (self.end - self.start)
        if not math.isfinite(pixel):
            return self.start
        # never outside the plot, whatever the data: a value beyond the domain sits on its edge
        return min(max(pixel, min(self.start, self.end)), max(self.start, self.end))

    def ticks(self, count: int = 5) -> list[float]:
        if self.log:
            candidates = [t for t in LOG_TICKS if self.low <= t <= self.high]
            if not candidates:
                return [self.low, self.high]
            gap = (math.log(self.high) - math.log(self.low)) / (count + 2)
            chosen = [1.0] if 1.0 in candidates else [candidates[0]]
            for t in candidates:  # keep ticks apart, outwards from 1
                if all(abs(math.log(t) - math.log(c)) >= gap for c in chosen):
                    chosen.append(t)
            return sorted(chosen)
        return nice_ticks(self.low, self.high, count)


LIMIT = 1e15
LOG_TICKS = (0.1, 0.2, 0.25, 0.5, 0.67, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 5.0, 10.0, 20.0, 50.0, 100.0)


def nice_step(span: float, count: int) -> float:
    raw = span / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high <= low:
        return [low]
    step = nice_step(high - low, count)
    first = math.ceil(low / step - 1e-9) * step
    ticks: list[float] = []
    value = first
    while value <= high + step * 1e-9 and len(ticks) < 50:
        ticks.append(round(value, 12) + 0.0)
        value += step
    return ticks


def domain(
    values: Iterable[float | None], *, include: Sequence[float] = (), log: bool = False
) -> tuple[float, float]:
    """Padded, rounded range covering ``values`` (finite ones) and ``include``; for a log scale,
    only positive values count."""
    # beyond ±1e15 nothing is readable on an axis anyway: such values sit on its edge
    points = [min(max(p, -LIMIT), LIMIT) for p in map(as_float, values) if p is not None] + list(include)
    if log:
        points = [p for p in points if p > 0]
        if not points:
            return 0.5, 2.0
        low, high = min(points), max(points)
        if high / low < 1.2:
            low, high = low / 1.1, high * 1.1
        return low / 1.05, high * 1.05
    if not points:
        return 0.0, 1.0
    low, high = min(points), max(points)
    if high - low < 1e-12:
        pad = abs(low) * 0.1 or 1.0
        return low - pad, high + pad
    step = nice_step(high - low, 5)
    return math.floor(low / step) * step, math.ceil(high / step) * step


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(content: str) -> str:
    """``content`` escaped for SVG, without the characters XML 1.0 forbids."""
    return escape(_NOT_XML.sub("", content))


def text(
    x: float,
    y: float,
    content: str,
    *,
    anchor: str = "start",
    size: int = 12,
    fill: str = TEXT,
    extra: str = "",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{extra}>'
        f"{xml_text(content)}</text>"
    )


def chart_id(title: str, description: str) -> str:
    return "chart-" + hashlib.sha1(f"{title}\n{description}".encode()).hexdigest()[:10]


def svg_document(
    width: int, height: int, title: str, description: str, body: Sequence[str], ident: str | None
) -> str:
    ident = ident or chart_id(title, description)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" class="chart" font-family="sans-serif" '
        f"aria-labelledby={quoteattr(ident + '-title')} aria-describedby={quoteattr(ident + '-desc')}>"
        f"<title id={quoteattr(ident + '-title')}>{xml_text(title)}</title>"
        f"<desc id={quoteattr(ident + '-desc')}>{xml_text(description)}</desc>"
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="{BACKGROUND}"/>'
        + "".join(body)
        + "</svg>"
    )


def no_data_chart(title: str, description: str, message: str, columns: list[str], ident: str | None) -> Chart:
    width, height = 480, 120
    body = [text(width / 2, height / 2, message, anchor="middle", size=14, fill=MUTED)]
    return Chart(
        svg=svg_document(width, height, title, f"{description} {message}".strip(), body, ident),
        title=title,
        description=f"{description} {message}".strip(),
        columns=columns,
        rows=[],
    )


def marker(shape: str, x: float, y: float, colour: str, size: float = 4.5) -> str:
    """Filled circle, hollow diamond, filled square or hollow triangle: shapes tell series apart."""
    if shape == "diamond":
        s = size * 1.3
        return (
            f'<polygon points="{x:.1f},{y - s:.1f} {x + s:.1f},{y:.1f} {x:.1f},{y + s:.1f} {x - s:.1f},{y:.1f}" '
            f'fill="{BACKGROUND}" stroke="{colour}" stroke-width="2"/>'
        )
    if shape == "square":
        return f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{2 * size:.1f}" height="{2 * size:.1f}" fill="{colour}"/>'
    if shape == "triangle":
        s = size * 1.2
        return (
            f'<polygon points="{x:.1f},{y - s:.1f} {x + s:.1f},{y + s:.1f} {x - s:.1f},{y + s:.1f}" '
            f'fill="{BACKGROUND}" stroke="{colour}" stroke-width="2"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" fill="{colour}"/>'


SHAPES = ("circle", "diamond", "square", "triangle")


def hatch_pattern(pattern_id: str, colour: str) -> str:
    """A ``<defs>`` pattern of diagonal lines in ``colour`` on white: a bar filled with it differs
    from a solid bar by texture, not only by colour (WCAG 2.1 SC 1.4.1)."""
    return (
        f'<defs><pattern id={quoteattr(pattern_id)} patternUnits="userSpaceOnUse" width="6" height="6" '
        f'patternTransform="rotate(45)"><rect x="0" y="0" width="6" height="6" fill="{BACKGROUND}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{colour}" stroke-width="3"/></pattern></defs>'
    )


def _legend_width(label: str) -> float:
    return 34 + 7 * len(label)


def legend_lines(items: Sequence[tuple[str, str, str, str]], x: float, max_x: float) -> int:
    """How many rows the legend takes between x and max_x."""
    lines, position = 1, x
    for label, *_rest in items:
        if position > x and position + _legend_width(label) > max_x:
            lines, position = lines + 1, x
        position += _legend_width(label)
    return lines


def legend(
    items: Sequence[tuple[str, str, str, str]], x: float, y: float, max_x: float = 10_000.0
) -> list[str]:
    """(label, colour, shape or "line", dash) in rows of 18 px starting at (x, y), wrapped at max_x;
    shape "hatch" is a swatch filled with the pattern whose id is given as ``dash``."""
    out = []
    start = x
    for label, colour, shape, dash in items:
        if x > start and x + _legend_width(label) > max_x:
            x, y = start, y + 18
        if shape == "line":
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(
                f'<line x1="{x:.1f}" y1="{y - 4:.1f}" x2="{x + 18:.1f}" y2="{y - 4:.1f}" stroke="{colour}" stroke-width="2.5"{dash_attr}/>'
            )
        elif shape == "hatch":
            out.append(
                f'<rect x="{x + 3:.1f}" y="{y - 11:.1f}" width="13" height="13" fill="url(#{dash})" '
                f'stroke="{colour}" stroke-width="1.5"/>'
            )
        else:
            out.append(marker(shape, x + 9, y - 4, colour))
        out.append(text(x + 24, y, label, size=12))
        x += _legend_width(label)
    return out
