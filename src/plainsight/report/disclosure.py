"""Statistical disclosure control for the public version of the committee report.

A table of counts about people is published with small counts withheld, so that nobody in
it can be picked out. The rules, after the Government Statistical Service's guidance on
tables of counts:

- **Primary suppression.** A count from 1 to ``threshold - 1`` is shown as ``[c]``. A zero is
  shown: that no-one falls in a cell is not, on its own, about any person.
- **Secondary suppression.** A table is published with its totals, and each row and column
  is an equation (its cells add up to its total). A line with exactly one withheld value
  would give that value away by subtraction, so the smallest other count in the line is
  withheld too (a non-zero one when there is one). This repeats until no line has exactly one
  withheld value, and then until no withheld value can be worked out from *any* combination
  of the published totals (checked by linear algebra, :func:`recoverable`), nor pinned down
  by a reader who reasons that, zeros being shown, every ``[c]`` is at least 1
  (:func:`pinned_by_floor`).
- **Fixed values.** A value published elsewhere (the crimes in each year, which appear in
  their own table) is never withheld, and counts as known when checking recoverability.

>>> grid = protect([[3, 12], [15, 20]], threshold=10)
>>> [[grid.shown(r, c) for c in range(3)] for r in range(3)]
[['[c]', '[c]', '15'], ['[c]', '[c]', '35'], ['18', '32', '50']]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

WITHHELD = "[c]"
"""What a withheld value looks like in a table (the ONS and GSS convention: confidential)."""

Cell = tuple[int, int]


@dataclass(frozen=True)
class ProtectedGrid:
    """A table of counts with its margins, and which values are withheld.

    ``values`` is the full grid, ``(rows + 1) x (columns + 1)``: the last column holds the row
    totals, the last row the column totals, the corner the grand total. ``primary`` are the
    values withheld for being small; ``withheld`` adds the secondary ones.
    """

    values: tuple[tuple[int, ...], ...]
    primary: frozenset[Cell]
    withheld: frozenset[Cell]
    threshold: int
    protectable: bool = True  # False: every count withheld, as nothing less would do

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.values), len(self.values[0])

    def is_withheld(self, row: int, column: int) -> bool:
        return (row, column) in self.withheld

    def shown(self, row: int, column: int) -> str:
        """The value as published: the count, or ``[c]``."""
        if self.is_withheld(row, column):
            return WITHHELD
        return str(self.values[row][column])

    @property
    def secondary(self) -> frozenset[Cell]:
        return self.withheld - self.primary


def with_margins(counts: Sequence[Sequence[int]]) -> tuple[tuple[int, ...], ...]:
    """The grid of ``counts`` with a total column, a total row and the grand total."""
    if not counts or not counts[0]:
        raise ValueError("a table needs at least one row and one column")
    width = len(counts[0])
    if any(len(row) != width for row in counts):
        raise ValueError("every row of a table needs the same number of columns")
    if any(value < 0 for row in counts for value in row):
        raise ValueError("counts cannot be negative")
    rows = [(*row, sum(row)) for row in counts]
    totals = tuple(sum(row[c] for row in rows) for c in range(width + 1))
    return (*(tuple(r) for r in rows), totals)


def protect(
    counts: Sequence[Sequence[int]],
    *,
    threshold: int = 10,
    fixed: Iterable[Cell] = (),
) -> ProtectedGrid:
    """Withhold small counts of ``counts`` (inner cells, no margins) and protect them.

    ``fixed`` are positions in the full grid (margins included) that are published anyway.
    Raises ``ValueError`` for a threshold under 1 or a ragged or negative table.
    """
    if threshold < 1:
        raise ValueError(f"the disclosure threshold must be at least 1, not {threshold}")
    grid = with_margins(counts)
    keep = frozenset(fixed)
    n_rows, n_cols = len(grid), len(grid[0])
    primary = {
        (r, c)
        for r in range(n_rows)
        for c in range(n_cols)
        if 0 < grid[r][c] < threshold and (r, c) not in keep
    }
    withheld = set(primary)
    while True:
        _close_lines(grid, withheld, keep)
        exposed = recoverable(grid, withheld, keep) or pinned_by_floor(grid, withheld, keep)
        if not exposed:
            break
        before = len(withheld)
        every_line = lines(n_rows, n_cols)
        for cell in sorted(exposed):
            partner = _partner(grid, withheld, keep, _lines_through(cell, n_rows, n_cols))
            if partner is None:  # nothing left in its own lines: anywhere in the table
                partner = _partner(grid, withheld, keep, every_line)
            if partner is not None:
                withheld.add(partner)
        if len(withheld) == before:  # everything but the fixed values is withheld already
            raise ValueError("the table cannot be protected without withholding fixed values")
    return ProtectedGrid(grid, frozenset(primary), frozenset(withheld), threshold)


def withhold_all(
    counts: Sequence[Sequence[int]], *, threshold: int, fixed: Iterable[Cell] = ()
) -> ProtectedGrid:
    """Every value withheld but the fixed ones, zeros too: for a table that cannot be
    protected otherwise (one outcome row under published yearly totals gives itself away)."""
    grid = with_margins(counts)
    keep = frozenset(fixed)
    primary = {
        (r, c)
        for r, row in enumerate(grid)
        for c, value in enumerate(row)
        if 0 < value < threshold and (r, c) not in keep
    }
    everything = {
        (r, c) for r, row in enumerate(grid) for c in range(len(row)) if (r, c) not in keep
    }
    return ProtectedGrid(grid, frozenset(primary), frozenset(everything), threshold, False)


def lines(n_rows: int, n_cols: int) -> list[tuple[list[Cell], Cell]]:
    """Every equation of a grid with margins: (the cells of a line, the line's total)."""
    out: list[tuple[list[Cell], Cell]] = []
    for r in range(n_rows):
        out.append(([(r, c) for c in range(n_cols - 1)], (r, n_cols - 1)))
    for c in range(n_cols):
        out.append(([(r, c) for r in range(n_rows - 1)], (n_rows - 1, c)))
    return out


def recoverable(
    grid: Sequence[Sequence[int]], withheld: Iterable[Cell], fixed: Iterable[Cell] = ()
) -> set[Cell]:
    """The withheld values that the published values determine exactly.

    Each line of the grid is an equation; the published values are known. A withheld value
    is determined when its indicator vector lies in the row space of the equations over the
    withheld values (so subtraction from one total, or any combination of totals, finds it).
    """
    hidden = sorted(set(withheld) - set(fixed))
    if not hidden:
        return set()
    n_rows, n_cols = len(grid), len(grid[0])
    index = {cell: i for i, cell in enumerate(hidden)}
    equations = []
    for members, total in lines(n_rows, n_cols):
        row = np.zeros(len(hidden))
        for cell in members:
            if cell in index:
                row[index[cell]] += 1.0
        if total in index:
            row[index[total]] -= 1.0
        if row.any():
            equations.append(row)
    if not equations:
        return set()
    system = np.array(equations)
    rank = np.linalg.matrix_rank(system)
    found: set[Cell] = set()
    for cell, i in index.items():
        unit = np.zeros(len(hidden))
        unit[i] = 1.0
        if np.linalg.matrix_rank(np.vstack([system, unit])) == rank:
            found.add(cell)
    return found


def pinned_by_floor(
    grid: Sequence[Sequence[int]], withheld: Iterable[Cell], fixed: Iterable[Cell] = ()
) -> set[Cell]:
    """Withheld values a reader could pin down knowing that a shown zero means ``[c]`` ≥ 1.

    Zeros are published, so a reader may assume every ``[c]`` is at least 1. Then three
    ``[c]`` in a column whose published total leaves 3 are each exactly 1. For each withheld
    value this solves two linear programmes (its least and greatest value given the
    published totals and every ``[c]`` ≥ 1); equal bounds give it away. When the assumption
    cannot hold (a ``[c]`` hides a secondary zero, so the programme is infeasible), the reader
    learns only that one of them is 0, and nothing is pinned.
    """
    from scipy.optimize import linprog

    hidden = sorted(set(withheld) - set(fixed))
    if not hidden:
        return set()
    n_rows, n_cols = len(grid), len(grid[0])
    index = {cell: i for i, cell in enumerate(hidden)}
    rows: list[list[float]] = []
    rhs: list[float] = []
    for members, total in lines(n_rows, n_cols):
        row = [0.0] * len(hidden)
        known = 0.0
        for cell in members:
            if cell in index:
                row[index[cell]] += 1.0
            else:
                known += grid[cell[0]][cell[1]]
        if total in index:
            row[index[total]] -= 1.0
        else:
            known -= grid[total[0]][total[1]]
        if any(row):
            rows.append(row)
            rhs.append(-known)
    if not rows:
        return set()
    pinned: set[Cell] = set()
    bounds = [(1.0, None)] * len(hidden)
    for cell, i in index.items():
        objective = [0.0] * len(hidden)
        objective[i] = 1.0
        low = linprog(objective, A_eq=rows, b_eq=rhs, bounds=bounds, method="highs")
        if low.status == 2:  # infeasible: some [c] hides a zero
            return set()
        high = linprog([-x for x in objective], A_eq=rows, b_eq=rhs, bounds=bounds, method="highs")
        if low.status == 0 and high.status == 0 and abs(low.fun + high.fun) < 0.5:
            pinned.add(cell)
    return pinned


def _close_lines(grid: Sequence[Sequence[int]], withheld: set[Cell], keep: frozenset[Cell]) -> None:
    """Withhold a partner in every line with exactly one withheld value, to a fixed point."""
    n_rows, n_cols = len(grid), len(grid[0])
    changed = True
    while changed:
        changed = False
        for members, total in lines(n_rows, n_cols):
            line = [*members, total]
            if sum(1 for cell in line if cell in withheld) != 1:
                continue
            partner = _partner(grid, withheld, keep, [(members, total)])
            if partner is not None:
                withheld.add(partner)
                changed = True


def _partner(
    grid: Sequence[Sequence[int]],
    withheld: set[Cell],
    keep: frozenset[Cell],
    candidate_lines: Sequence[tuple[list[Cell], Cell]],
) -> Cell | None:
    """The smallest published count in the lines (non-zero first), else a line's total."""
    options = [
        cell
        for members, _ in candidate_lines
        for cell in members
        if cell not in withheld and cell not in keep
    ]
    if not options:
        options = [
            total for _, total in candidate_lines if total not in withheld and total not in keep
        ]
    if not options:
        return None
    return min(
        options, key=lambda cell: (grid[cell[0]][cell[1]] == 0, grid[cell[0]][cell[1]], cell)
    )


def _lines_through(cell: Cell, n_rows: int, n_cols: int) -> list[tuple[list[Cell], Cell]]:
    return [
        (members, total)
        for members, total in lines(n_rows, n_cols)
        if cell in members or cell == total
    ]
