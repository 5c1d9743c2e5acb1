"""Disclosure control: small counts withheld, and no withheld count recoverable.

Recoverability is checked here independently of the module's own checks: by subtraction
from each published total (the brief's test), and by linear algebra over every published
total at once (a reader combining rows and columns).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plainsight.report.disclosure import (
    WITHHELD,
    ProtectedGrid,
    lines,
    pinned_by_floor,
    protect,
    with_margins,
    withhold_all,
)
from plainsight.report.model import Report
from plainsight.report.render import render_html
from tests.report.conftest import html_tables


def recoverable_by_subtraction(grid: ProtectedGrid) -> set[tuple[int, int]]:
    """Withheld cells that are the only unknown in some line (members and total)."""
    n_rows, n_cols = grid.shape
    found = set()
    for members, total in lines(n_rows, n_cols):
        unknown = [cell for cell in [*members, total] if grid.is_withheld(*cell)]
        if len(unknown) == 1:
            found.add(unknown[0])
    return found


def recoverable_by_algebra(
    grid: ProtectedGrid, fixed: set[tuple[int, int]]
) -> set[tuple[int, int]]:
    """Withheld cells determined by the published totals taken together (least squares:
    a cell is determined when every solution of the published equations gives it one value,
    i.e. it is orthogonal to the null space of the equations over the unknowns)."""
    n_rows, n_cols = grid.shape
    hidden = sorted(cell for cell in grid.withheld if cell not in fixed)
    if not hidden:
        return set()
    at = {cell: i for i, cell in enumerate(hidden)}
    rows = []
    for members, total in lines(n_rows, n_cols):
        row = np.zeros(len(hidden))
        for cell in members:
            if cell in at:
                row[at[cell]] = 1
        if total in at:
            row[at[total]] = -1
        rows.append(row)
    matrix = np.array(rows)
    _, singular, vt = np.linalg.svd(matrix)
    rank = int((singular > 1e-9).sum())
    null = vt[rank:]
    return {cell for cell, i in at.items() if null.size == 0 or np.allclose(null[:, i], 0)}


tables = st.integers(1, 4).flatmap(
    lambda rows: st.integers(1, 5).flatmap(
        lambda cols: st.lists(
            st.lists(st.integers(0, 25), min_size=cols, max_size=cols),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=150, deadline=None)
@given(counts=tables, threshold=st.integers(2, 10))
def test_protected_tables_withhold_small_counts_and_hide_them(
    counts: list[list[int]], threshold: int
) -> None:
    grid = protect(counts, threshold=threshold)
    full = with_margins(counts)
    for r, row in enumerate(full):
        for c, value in enumerate(row):
            if 0 < value < threshold:
                assert grid.is_withheld(r, c), f"{value} at {(r, c)} is shown"
            if value == 0 and (r, c) in grid.primary:
                pytest.fail("a zero was withheld as small")
    assert not recoverable_by_subtraction(grid)
    assert not recoverable_by_algebra(grid, set())
    assert not pinned_by_floor(grid.values, grid.withheld)


@settings(max_examples=150, deadline=None)
@given(counts=tables, threshold=st.integers(2, 10))
def test_fixed_totals_stay_published_and_still_hide_nothing(
    counts: list[list[int]], threshold: int
) -> None:
    n_rows, n_cols = len(counts), len(counts[0])
    fixed = {(n_rows, c) for c in range(n_cols + 1)}
    try:
        grid = protect(counts, threshold=threshold, fixed=fixed)
    except ValueError:
        # only when withholding everything but the published totals still gives a value away
        everything = withhold_all(counts, threshold=threshold, fixed=fixed)
        assert recoverable_by_algebra(everything, fixed) or pinned_by_floor(
            everything.values, everything.withheld, fixed
        )
        return
    assert not (grid.withheld & fixed)
    unknown_lines = [
        [*members, total]
        for members, total in lines(*grid.shape)
        if sum(grid.is_withheld(*cell) for cell in [*members, total]) == 1
    ]
    assert not unknown_lines
    assert not recoverable_by_algebra(grid, fixed)
    assert not pinned_by_floor(grid.values, grid.withheld, fixed)


def test_the_seed_age_table_under_the_default_threshold() -> None:
    grid = protect([[3, 2, 4, 1, 0, 0, 0], [8, 11, 7, 2, 2, 1, 0]], threshold=10)
    shown = [[grid.shown(r, c) for c in range(8)] for r in range(3)]
    assert shown == [
        ["[c]", "[c]", "[c]", "[c]", "0", "0", "0", "10"],
        ["[c]", "[c]", "[c]", "[c]", "[c]", "[c]", "0", "31"],
        ["11", "13", "11", "[c]", "[c]", "[c]", "0", "41"],
    ]
    # 11 men aged 18-25 is not small, but alone it would give away the 2 women (13 - 11)
    assert (1, 1) in grid.secondary


def test_three_ones_under_a_published_total_of_three_are_not_left_alone() -> None:
    # A column of 1, 1, 1 and 0 whose total of 3 is published elsewhere: zeros being shown,
    # each [c] would have to be 1. Withholding the zero too leaves four [c] that add to 3.
    fixed = {(4, 0), (4, 1), (4, 2)}
    grid = protect([[1, 5], [1, 0], [1, 2], [0, 4]], threshold=10, fixed=fixed)
    assert grid.is_withheld(3, 0)
    assert not pinned_by_floor(grid.values, grid.withheld, fixed)
    # without the zero there is nothing to withhold that helps: refused, not half-protected
    with pytest.raises(ValueError, match="cannot be protected"):
        protect([[1, 5], [1, 0], [1, 2]], threshold=10, fixed={(3, 0), (3, 1), (3, 2)})


def test_bad_tables_are_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="same number of columns"):
        protect([[1, 2], [3]])
    with pytest.raises(ValueError, match="at least 1"):
        protect([[1]], threshold=0)


# --- the public report ---------------------------------------------------------------


@pytest.fixture(scope="module")
def public_html(public_report: Report) -> str:
    return render_html(public_report)


def test_public_tables_show_no_count_under_the_threshold(public_html: str) -> None:
    tables = html_tables(public_html)
    for key in ("victims-sex-age", "victims-sex-ethnicity", "outcomes-by-year"):
        rows = tables[key][1:]
        if key == "outcomes-by-year":
            rows = rows[:-1]  # its TOTAL row is the crimes in each year, published in full
        for row in rows:
            for text in row[1:]:
                if re.fullmatch(r"\d+", text):
                    assert text == "0" or int(text) >= 10, f"{key}: {text} shown in {row}"
    assert tables["victims-sex-age"][-1] == [
        "TOTAL",
        "11",
        "13",
        "11",
        "[c]",
        "[c]",
        "[c]",
        "0",
        "41",
    ]
    assert tables["outcomes-by-year"][-1] == ["TOTAL", "18", "5", "3", "6", "9", "41", ""]
    # a percentage only where its count is shown
    for row in tables["outcomes-by-year"][1:-1]:
        assert (row[-2] == WITHHELD) == (row[-1] == WITHHELD), row


def test_public_tables_are_protected_as_published(public_report: Report) -> None:
    for key in ("victims-sex-age", "victims-sex-ethnicity", "outcomes-by-year"):
        table = public_report.table(key)
        columns = [i for i, k in enumerate(table.column_keys) if k not in ("label", "percent")]
        values = tuple(tuple(int(row[i].value or 0) for i in columns) for row in table.rows)
        withheld = {
            (r, c)
            for r, row in enumerate(table.rows)
            for c, i in enumerate(columns)
            if row[i].withheld
        }
        grid = ProtectedGrid(values, frozenset(), frozenset(withheld), 10)
        assert values == with_margins([row[:-1] for row in values[:-1]]), key
        fixed = set()
        if key == "outcomes-by-year":
            fixed = {(grid.shape[0] - 1, c) for c in range(grid.shape[1])}
        assert withheld, key
        assert not recoverable_by_subtraction(grid), key
        assert not recoverable_by_algebra(grid, fixed), key
        assert not pinned_by_floor(grid.values, grid.withheld, fixed), key


def test_public_text_gives_no_withheld_number(public_report: Report) -> None:
    text = "\n".join([*public_report.summary, *public_report.highlights, *public_report.key_data])
    assert "The number of charges since 2019 is fewer than 10 and is not shown" in text
    assert "(n=7)" not in text  # unknown ethnicity (7) is withheld
    assert "of the 34 whose ethnicity was recorded" not in text  # 41 - 34 would give the 7
    assert "Of these 8 are male" not in text
    assert "the youngest was" not in text
    assert "typical profile" not in text  # its cells are withheld: the mode would bound them
    assert "second largest group" not in text
    assert "and a number (withheld) have outcome 14" in text
    assert "More males report being a victim of MDSHT at 76% (n=31)." in text  # 31 is shown
    assert "85% of victims are aged 35 or under (n=35)." in text  # 11 + 13 + 11, all shown


def test_public_version_leaves_out_charts_of_people_and_the_claim_check(
    public_report: Report, public_html: str
) -> None:
    assert [c.key for c in public_report.charts] == ["crimes-by-year", "crimes-by-month"]
    assert public_report.omitted_charts == ("victims by age and sex", "outcomes")
    assert public_report.claim_checks == ()
    assert "Disclosure control (public version)" in public_html
    assert "Public version: counts of people and outcomes under 10 are withheld" in public_html
