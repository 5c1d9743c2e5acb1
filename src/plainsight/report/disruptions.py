"""The committee report's disruptions section, from the force's disruptions register.

The seed report gives the force's response as disruption claims (Major / Moderate / Minor,
by financial year) and as live operations with an MDSHT link ("two out of 75 live jobs").
:func:`plainsight.act.disruption_figures.disruption_figures` counts them from the register;
this module turns those figures into the report's table and sentences. Claims count police
activity, not people, so disclosure control leaves them as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from plainsight.report.model import Cell, Table

CATEGORIES = ("major", "moderate", "minor")
MDSHT = "mdsht"


def _financial_year_overlaps(label: str, start: date, end: date) -> bool:
    """Whether the financial year ``"2023/24"`` (April to March) meets ``start``..``end``."""
    first_year = int(label.split("/")[0])
    return date(first_year, 4, 1) <= end and date(first_year + 1, 3, 31) >= start


def disruption_table(figures: Mapping[str, Any], start: date, end: date) -> Table | None:
    """Approved MDSHT claims by financial year and category, for the years the period
    meets; ``None`` when there are none."""
    counts: dict[str, dict[str, int]] = {}
    for row in figures.get("rows", []):
        year = str(row["financial_year"])
        if row["crime_type"] != MDSHT or not _financial_year_overlaps(year, start, end):
            continue
        counts.setdefault(year, dict.fromkeys(CATEGORIES, 0))[row["category"]] += int(row["claims"])
    if not counts:
        return None
    years = sorted(counts)
    rows = []
    for year in years:
        values = [counts[year][c] for c in CATEGORIES]
        rows.append((Cell(year, header=True), *(Cell(str(v), v) for v in values),
                     Cell(str(sum(values)), sum(values))))  # fmt: skip
    totals = [sum(counts[y][c] for y in years) for c in CATEGORIES]
    rows.append((Cell("TOTAL", header=True), *(Cell(str(v), v) for v in totals),
                 Cell(str(sum(totals)), sum(totals))))  # fmt: skip
    return Table(
        key="disruptions",
        caption="Approved MDSHT disruption claims by financial year and category",
        columns=("YEAR", "MAJOR", "MODERATE", "MINOR", "TOTAL"),
        column_keys=("label", *CATEGORIES, "total"),
        rows=tuple(rows),
        row_keys=(*years, "total"),
        notes=(
            "Source: the force's disruptions register (plainsight disruptions). One claim per "
            "activity, under one crime type; Major is recorded at sentencing.",
        ),
    )


def disruption_points(figures: Mapping[str, Any], table: Table | None) -> list[str]:
    """Sentences on the force's response: claims, and live operations with an MDSHT link."""
    points = []
    if table is not None:
        total = table.cell("total", "total").value or 0
        major = table.cell("total", "major").value or 0
        points.append(
            f"{int(total)} approved MDSHT disruption claim(s) in the financial years of the "
            f"period, {int(major)} of them Major."
        )
    live = figures.get("live_operations", {})
    if live.get("total"):
        points.append(
            f"{live['mdsht_link']} out of {live['total']} live operations have an MDSHT link "
            "(the register as it stands today)."
        )
    waiting = figures.get("claims", {}).get("awaiting_approval", 0)
    if waiting:
        points.append(f"{waiting} claim(s) are awaiting a supervisor's approval and not counted.")
    return points
