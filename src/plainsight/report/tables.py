"""The report's tables, laid out as the seed committee report lays them out.

Victims by sex and age band, victims by sex and ethnicity, outcomes by year (with totals
and the share of each outcome) and crimes by year. Row and column labels follow the seed
report (``FEMALE``, ``MALE``, ``TOTAL``; ``WHITE SE`` ... ``UNKNOWN``), except that age bands
keep the contract's labels (``0-17``, ``66+``) and outcomes their Home Office names.

A row or column of people that is empty throughout (unknown sex, unknown age, a rare
ethnicity code) is left out, as the seed report leaves them out; the age bands are a scale
and are always all shown.

With disclosure control (``threshold`` given) the victim tables and the outcome table are
protected by :func:`plainsight.report.disclosure.protect`; the crimes in each year are
published as they are (see ``docs/report.md``: counts of offences, not of people), so they
are fixed values the protection works around.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from plainsight.crime.codes import IC_UNKNOWN, PENDING, outcome_name
from plainsight.report.disclosure import WITHHELD, ProtectedGrid, protect, withhold_all
from plainsight.report.figures import UNKNOWN_BAND, Figures
from plainsight.report.model import Cell, Table
from plainsight.stats.trends import Change, poisson_interval

SEX_LABELS = {"F": "FEMALE", "M": "MALE", "U": "UNKNOWN"}
TOTAL = "total"

#: The seed report's ethnicity columns, in its order, with IC6 where the seed has none.
ETHNICITY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("IC2", "WHITE SE"),
    ("IC1", "WHITE NE"),
    ("IC3", "BLACK"),
    ("IC4", "ASIAN"),
    ("IC5", "SE ASIAN"),
    ("IC6", "ARAB / N AFRICAN"),
    ("IC9", "UNKNOWN"),
)


def count_text(n: float) -> str:
    return f"{int(n):,}"


def percent_text(value: float, decimals: int = 2) -> str:
    return f"{value:.{decimals}f}"


def victims_by_sex_age(figures: Figures, threshold: int | None) -> Table:
    """Victims by sex (rows) and age band (columns)."""
    columns = [
        (band, band)
        for i, band in enumerate(figures.bands)
        if band != UNKNOWN_BAND or any(row[i] for row in figures.sex_age.values())
    ]
    index = {band: i for i, band in enumerate(figures.bands)}
    return _cross_table(
        key="victims-sex-age",
        caption="Victims by sex and age band (years, at the offence)",
        corner="AGE",
        columns=columns,
        counts={s: [row[index[b]] for b, _ in columns] for s, row in figures.sex_age.items()},
        threshold=threshold,
        notes=("Age is the victim's age in whole years when the offence was committed.",),
    )


def victims_by_sex_ethnicity(figures: Figures, threshold: int | None) -> Table:
    """Victims by sex (rows) and officer-observed ethnicity (columns)."""
    index = {code: i for i, code in enumerate(figures.codes)}
    columns = [
        (code, label)
        for code, label in ETHNICITY_COLUMNS
        if code != "IC6" or any(row[index[code]] for row in figures.sex_ethnicity.values())
    ]
    names = "; ".join(f"{label} {code}" for code, label in columns if code != IC_UNKNOWN)
    return _cross_table(
        key="victims-sex-ethnicity",
        caption="Victims by sex and ethnicity (officer-observed IC codes)",
        corner="ETHNICITY",
        columns=columns,
        counts={s: [row[index[c]] for c, _ in columns] for s, row in figures.sex_ethnicity.items()},
        threshold=threshold,
        notes=(
            f"Codes: {names}; UNKNOWN is IC9 or not recorded. WHITE NE is White – North "
            "European, WHITE SE White – South European, SE ASIAN Chinese, Japanese or other "
            "South East Asian.",
        ),
    )


def outcomes_by_year(figures: Figures, threshold: int | None) -> Table:
    """Crimes by outcome (rows) and year recorded (columns), with totals and shares."""
    codes = figures.outcome_codes
    counts = [[figures.outcomes_by_year[c].get(y, 0) for y in figures.years] for c in codes]
    if not codes:
        counts = [[0 for _ in figures.years]]
    n_rows = len(counts)
    fixed = [(n_rows, j) for j in range(len(figures.years) + 1)]  # crimes by year: published
    grid = _protect(counts, threshold, fixed)
    notes = [
        "Home Office outcome types; where a crime has had several, the latest counts. "
        "Pending: no outcome has been assigned yet."
    ]
    if threshold is not None and not grid.protectable:
        notes.append(
            "Every outcome count is withheld: with the crimes in each year published, no "
            "smaller set of withheld counts would protect them."
        )
    grand = grid.values[-1][-1]
    rows: list[tuple[Cell, ...]] = []
    for r, code in enumerate(codes):
        label = "Pending (no outcome yet)" if code == PENDING else f"{code}: {outcome_name(code)}"
        total = grid.values[r][-1]
        withheld = grid.is_withheld(r, len(figures.years))
        share = Cell("")
        if grand > 0:
            value = total / grand * 100
            hidden = withheld or (threshold is not None and grand < threshold)
            share = Cell(WITHHELD if hidden else percent_text(value), value, hidden)
        rows.append((Cell(label, header=True), *_grid_row(grid, r), share))
    rows.append((Cell("TOTAL", header=True), *_grid_row(grid, n_rows), Cell("")))
    return Table(
        key="outcomes-by-year",
        caption="Outcomes of MDSHT crimes by the year the crime was recorded",
        columns=("OUTCOME", *figures.years, "TOTAL", "% OUTCOME"),
        column_keys=("label", *figures.years, TOTAL, "percent"),
        rows=tuple(rows),
        row_keys=(*codes, TOTAL),
        notes=tuple(notes),
    )


def crimes_by_year(
    figures: Figures,
    changes: Sequence[Change],
    exposure: Callable[[str], float],
    level: float = 0.95,
) -> Table:
    """MDSHT crimes by year, with an exact interval, the share of all crime and the change."""
    percent = f"{level:.0%}"
    by_change = {c.label_b: c for c in changes}
    rows: list[tuple[Cell, ...]] = []
    for year in figures.years:
        n = figures.crimes_by_year[year]
        lo, hi = poisson_interval(n, level)
        all_crimes = figures.all_crimes_by_year.get(year)
        share = figures.share_by_year.get(year)
        change = by_change.get(year)
        label = year if exposure(year) >= 1 else f"{year} (part)"
        rows.append(
            (
                Cell(label, header=True),
                Cell(count_text(n), n),
                Cell(f"{lo:.1f} to {hi:.1f}"),
                Cell("" if all_crimes is None else count_text(all_crimes), all_crimes),
                Cell("" if share is None else percent_text(share), share),
                Cell(_change_text(change)),
            )
        )
    lo, hi = poisson_interval(figures.crimes, level)
    known = [y for y in figures.years if y in figures.all_crimes_by_year]
    total_all = sum(figures.all_crimes_by_year[y] for y in known)
    complete = len(known) == len(figures.years) and total_all > 0
    rows.append(
        (
            Cell("TOTAL", header=True),
            Cell(count_text(figures.crimes), figures.crimes),
            Cell(f"{lo:.1f} to {hi:.1f}"),
            Cell(count_text(total_all) if complete else "", total_all if complete else None),
            Cell(percent_text(figures.crimes / total_all * 100) if complete else ""),
            Cell(""),
        )
    )
    return Table(
        key="crimes-by-year",
        caption="MDSHT crimes by the year they were recorded",
        columns=(
            "YEAR",
            "MDSHT CRIMES",
            f"{percent} INTERVAL",
            "ALL RECORDED CRIMES",
            "MDSHT % OF ALL CRIME",
            "CHANGE ON PREVIOUS YEAR",
        ),
        column_keys=("label", "crimes", "interval", "all", "share", "change"),
        rows=tuple(rows),
        row_keys=(*figures.years, TOTAL),
        notes=(
            f"The interval is the exact (Garwood) {percent} Poisson interval for the "
            "underlying yearly rate: the range of rates that could plausibly have produced "
            "the count.",
        ),
    )


def _change_text(change: Change | None) -> str:
    if change is None:
        return ""
    sign = "+" if change.difference > 0 else "−" if change.difference < 0 else "±"
    text = f"{sign}{abs(change.difference)}"
    if change.percent is not None and change.difference != 0:
        text += f" ({'+' if change.percent > 0 else '−'}{abs(change.percent):.0f}%)"
    return text + ("" if change.beyond_chance else "; within chance")


def _cross_table(
    *,
    key: str,
    caption: str,
    corner: str,
    columns: Sequence[tuple[str, str]],
    counts: dict[str, list[int]],
    threshold: int | None,
    notes: tuple[str, ...],
) -> Table:
    sexes = [s for s in ("F", "M", "U") if s != "U" or any(counts.get(s, ()))]
    grid = _protect([counts[s] for s in sexes], threshold, ())
    rows = [(Cell(SEX_LABELS[s], header=True), *_grid_row(grid, r)) for r, s in enumerate(sexes)]
    rows.append((Cell("TOTAL", header=True), *_grid_row(grid, len(sexes))))
    return Table(
        key=key,
        caption=caption,
        columns=(corner, *(label for _, label in columns), "TOTAL"),
        column_keys=("label", *(k for k, _ in columns), TOTAL),
        rows=tuple(rows),
        row_keys=(*sexes, TOTAL),
        notes=notes,
    )


def _protect(
    counts: Sequence[Sequence[int]], threshold: int | None, fixed: Sequence[tuple[int, int]]
) -> ProtectedGrid:
    """The table with margins, protected when there is a threshold (else nothing withheld)."""
    if threshold is None:
        return protect(counts, threshold=1)  # no count is below 1: nothing is withheld
    try:
        return protect(counts, threshold=threshold, fixed=fixed)
    except ValueError:
        return withhold_all(counts, threshold=threshold, fixed=fixed)


def _grid_row(grid: ProtectedGrid, r: int) -> tuple[Cell, ...]:
    return tuple(
        Cell(
            WITHHELD if grid.is_withheld(r, c) else count_text(grid.values[r][c]),
            grid.values[r][c],
            grid.is_withheld(r, c),
        )
        for c in range(grid.shape[1])
    )
