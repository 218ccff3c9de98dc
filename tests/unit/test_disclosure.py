"""Small-cell suppression: no count below 5 is ever shown, and no suppressed cell can be recomputed
from a shown total of its row or column."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pht.rules.disclosure import HIDDEN, format_count, is_suppressed, suppress_table, suppression_mask


def test_counts_below_five_are_written_less_than_five() -> None:
    assert [format_count(n) for n in (0, 1, 4, 5, 12)] == ["<5", "<5", "<5", "5", "12"]
    assert format_count(None) == "–"
    assert format_count(1234, lambda n: f"{n:,}".replace(",", "\u00a0")) == "1\u00a0234"
    assert is_suppressed(4) and not is_suppressed(5) and not is_suppressed(None)
    with pytest.raises(ValueError, match="negative"):
        format_count(-1)


def test_a_lonely_suppressed_cell_takes_the_smallest_neighbour_with_it() -> None:
    # row 0 total 30 shown: 3 alone could be recomputed as 30 - 20 - 7
    assert suppress_table([[3, 20, 7]], column_totals=False) == [["<5", "20", HIDDEN]]
    assert suppress_table([[3, 20, 7]], row_totals=False, column_totals=False) == [["<5", "20", "7"]]


def test_ragged_and_negative_tables_are_refused_with_the_place() -> None:
    with pytest.raises(ValueError, match="different lengths"):
        suppression_mask([[1, 2], [3]])
    with pytest.raises(ValueError, match="row 1, column 0"):
        suppression_mask([[10, 10], [-1, 10]])


tables = st.integers(1, 5).flatmap(
    lambda width: st.lists(
        st.lists(st.integers(0, 60), min_size=width, max_size=width), min_size=1, max_size=5
    )
)


@given(tables, st.booleans(), st.booleans())
def test_no_small_count_shows_and_no_suppressed_cell_can_be_recomputed(table, rows, columns) -> None:
    mask = suppression_mask(table, row_totals=rows, column_totals=columns)
    text = suppress_table(table, row_totals=rows, column_totals=columns)
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            if count < 5:
                assert mask[i][j] and text[i][j] == "<5"
            elif mask[i][j]:
                assert text[i][j] == HIDDEN
            else:
                assert text[i][j] == str(count)
    lines = []
    if rows:
        lines += [[mask[i][j] for j in range(len(table[0]))] for i in range(len(table))]
    if columns:
        lines += [[mask[i][j] for i in range(len(table))] for j in range(len(table[0]))]
    for line in lines:
        # one hidden cell beside shown ones is the total minus the others: never
        assert not (sum(line) == 1 and len(line) > 1)


@given(tables)
def test_without_totals_only_the_small_counts_are_hidden(table) -> None:
    mask = suppression_mask(table, row_totals=False, column_totals=False)
    assert mask == [[count < 5 for count in row] for row in table]
