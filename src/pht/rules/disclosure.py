"""Small-cell suppression of counts, as in Norwegian official statistics.

**Primary rule.** A count below the threshold (5) is never shown: it is written «<5». Zero is
suppressed too, so a zero cannot be told apart from one to four (stricter than some tables of
Statistics Norway, and simple: no count below 5 ever appears).

**Secondary rule.** In a table whose rows or columns carry a shown total, one suppressed cell in a
line could be recomputed as the total minus the others. So every line with a total has either no
suppressed cell or at least two: where only one is suppressed, the smallest shown cell of that line
is suppressed as well, repeated until rows and columns are stable. A suppressed total is its own
primary suppression (a total below 5 is «<5» like any count). What this does not prevent: the sum
of the suppressed cells of a line is still known (total minus the rest); that is accepted, as in
the usual cell-suppression practice.

Pure: counts in, masks and text out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

THRESHOLD = 5
SUPPRESSED = "<5"


def is_suppressed(count: int | None, threshold: int = THRESHOLD) -> bool:
    """True for a count that must not be shown (below the threshold, zero included)."""
    return count is not None and count < threshold


def format_count(
    count: int | None,
    number: Callable[[int], str] = str,
    *,
    threshold: int = THRESHOLD,
    missing: str = "–",
) -> str:
    """A count as text: «<5» below the threshold, otherwise ``number(count)`` (the page's number
    format); ``missing`` for None."""
    if count is None:
        return missing
    if count < 0:
        raise ValueError(f"a count cannot be negative: {count}")
    if count < threshold:
        return SUPPRESSED if threshold == THRESHOLD else f"<{threshold}"
    return number(count)


def suppression_mask(
    table: Sequence[Sequence[int]],
    *,
    row_totals: bool = True,
    column_totals: bool = True,
    threshold: int = THRESHOLD,
) -> list[list[bool]]:
    """Which cells of ``table`` (rows of counts) to suppress: the primary rule, then the secondary
    rule on every row (if the rows' totals are shown) and every column (if the columns' totals
    are shown), until no line with a total has exactly one suppressed cell that another cell
    could hide."""
    widths = {len(row) for row in table}
    if len(widths) > 1:
        raise ValueError(f"table rows have different lengths: {sorted(widths)}")
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            if count < 0:
                raise ValueError(f"row {i}, column {j}: a count cannot be negative ({count})")
    mask = [[count < threshold for count in row] for row in table]
    lines: list[list[tuple[int, int]]] = []
    if row_totals:
        lines += [[(i, j) for j in range(len(row))] for i, row in enumerate(table)]
    if column_totals and table:
        lines += [[(i, j) for i in range(len(table))] for j in range(len(table[0]))]
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [cell for cell in line if mask[cell[0]][cell[1]]]
            shown = [cell for cell in line if not mask[cell[0]][cell[1]]]
            if len(hidden) == 1 and shown:
                i, j = min(shown, key=lambda cell: (table[cell[0]][cell[1]], cell))
                mask[i][j] = True
                changed = True
    return mask


def suppress_table(
    table: Sequence[Sequence[int]],
    number: Callable[[int], str] = str,
    *,
    row_totals: bool = True,
    column_totals: bool = True,
    threshold: int = THRESHOLD,
) -> list[list[str]]:
    """``table`` as text with :func:`suppression_mask` applied: a count below the threshold is
    «<5», a cell hidden by the secondary rule is «:» (its value is 5 or more, so «<5» would be
    false), every other cell is ``number(count)``."""
    mask = suppression_mask(table, row_totals=row_totals, column_totals=column_totals, threshold=threshold)
    return [
        [
            (format_count(count, number, threshold=threshold) if count < threshold else HIDDEN)
            if hidden
            else number(count)
            for count, hidden in zip(row, hidden_row, strict=True)
        ]
        for row, hidden_row in zip(table, mask, strict=True)
    ]


# A cell hidden by the secondary rule (its own value is 5 or more), as Statistics Norway writes a
# value that is not shown for confidentiality.
HIDDEN = ":"
