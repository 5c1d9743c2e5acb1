"""The statistics page's charts as inline SVG: shapes laid out here, drawn by a Jinja macro.

The page's Content Security Policy forbids inline styles, so every colour and position is a
presentation attribute (``fill=``, ``x=``). Each chart carries its title, a description
that gives its figures in words (the report's alt text where the report draws the same
chart) and the same figures as a table, for readers who cannot see it. Colours are the
report's (Okabe-Ito).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from plainsight.crime.codes import PENDING, outcome_name
from plainsight.report.charts import AVERAGE, BAR, FEMALE, INK, MALE, MONTHS
from plainsight.report.figures import Figures
from plainsight.report.model import Report
from plainsight.stats.trends import poisson_interval

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 28, 48
GRID = "#dddddd"


@dataclass
class SvgChart:
    """One chart: its shapes (dicts the macro draws) and its figures as a table."""

    key: str
    title: str
    description: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    width: int = WIDTH
    height: int = HEIGHT
    shapes: list[dict[str, Any]] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)

    def rect(self, x: float, y: float, w: float, h: float, fill: str, label: str) -> None:
        self.shapes.append(
            {
                "kind": "rect",
                "x": _r(x),
                "y": _r(y),
                "w": _r(w),
                "h": _r(h),
                "fill": fill,
                "label": label,
            }
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str, dash: str = "") -> None:
        self.shapes.append(
            {
                "kind": "line",
                "x1": _r(x1),
                "y1": _r(y1),
                "x2": _r(x2),
                "y2": _r(y2),
                "stroke": stroke,
                "dash": dash,
            }
        )

    def text(self, x: float, y: float, words: str, anchor: str = "middle") -> None:
        self.shapes.append(
            {"kind": "text", "x": _r(x), "y": _r(y), "text": words, "anchor": anchor}
        )

    def polyline(self, points: Sequence[tuple[float, float]], stroke: str) -> None:
        joined = " ".join(f"{_r(x)},{_r(y)}" for x, y in points)
        self.shapes.append({"kind": "polyline", "points": joined, "stroke": stroke})

    def dot(self, x: float, y: float, fill: str, label: str) -> None:
        self.shapes.append({"kind": "circle", "x": _r(x), "y": _r(y), "fill": fill, "label": label})


def _r(value: float) -> str:
    return f"{value:.1f}"


def nice_top(value: float) -> tuple[float, list[float]]:
    """An axis top at or above ``value`` and four or five round ticks up to it."""
    if value <= 0:
        return 1.0, [0.0, 1.0]
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if value >= 4 and step < 1:
        step = 1
    top = math.ceil(value / step) * step
    ticks = [i * step for i in range(round(top / step) + 1)]
    return top, ticks


def _tick(value: float) -> str:
    return f"{value:g}" if value >= 1 or value == 0 else f"{value:.2f}"


def _axes(chart: SvgChart, ticks: Sequence[float], top: float, x_label: str, y_label: str) -> None:
    """Horizontal grid lines with their values, and the axis labels."""
    plot_h = chart.height - TOP - BOTTOM
    for value in ticks:
        y = TOP + plot_h * (1 - value / top)
        chart.line(LEFT, y, chart.width - RIGHT, y, GRID)
        chart.text(LEFT - 6, y + 4, _tick(value), "end")
    chart.line(LEFT, chart.height - BOTTOM, chart.width - RIGHT, chart.height - BOTTOM, INK)
    chart.text((LEFT + chart.width - RIGHT) / 2, chart.height - 8, x_label)
    chart.text(4, 14, y_label, "start")


def bars(
    key: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float]]],
    *,
    x_label: str,
    y_label: str,
    errors: Sequence[tuple[float, float]] | None = None,
    reference: tuple[str, float] | None = None,
) -> SvgChart:
    """Vertical bars, one group per label and one bar per series (name, colour, values);
    ``errors`` are intervals drawn over a single series, ``reference`` a dashed line."""
    highest = max([v for _, _, values in series for v in values] + [0])
    if errors:
        highest = max(highest, *(hi for _, hi in errors))
    if reference:
        highest = max(highest, reference[1])
    top, ticks = nice_top(highest)
    columns = ("", *(name for name, _, _ in series))
    rows = [
        (label, *(_tick(values[i]) for _, _, values in series)) for i, label in enumerate(labels)
    ]
    if errors:
        columns = (*columns, "95% interval")
        rows = [(*row, f"{lo:.1f} to {hi:.1f}") for row, (lo, hi) in zip(rows, errors, strict=True)]
    chart = SvgChart(key, title, description, columns, rows)
    _axes(chart, ticks, top, x_label, y_label)
    plot_w = chart.width - LEFT - RIGHT
    plot_h = chart.height - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    bar_w = slot * 0.7 / max(len(series), 1)

    def y_of(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    for i, label in enumerate(labels):
        left = LEFT + slot * i + slot * 0.15
        for j, (name, colour, values) in enumerate(series):
            value = values[i]
            chart.rect(
                left + bar_w * j,
                y_of(value),
                bar_w,
                plot_h * value / top,
                colour,
                f"{label}: {_tick(value)}" + (f" {name.lower()}" if len(series) > 1 else ""),
            )
        if errors:
            lo, hi = errors[i]
            middle = LEFT + slot * (i + 0.5)
            chart.line(middle, y_of(lo), middle, y_of(hi), INK)
            chart.line(middle - 5, y_of(lo), middle + 5, y_of(lo), INK)
            chart.line(middle - 5, y_of(hi), middle + 5, y_of(hi), INK)
        chart.text(LEFT + slot * (i + 0.5), chart.height - BOTTOM + 16, label)
    if reference:
        name, value = reference
        chart.line(LEFT, y_of(value), chart.width - RIGHT, y_of(value), AVERAGE, "6 4")
        chart.legend.append((name, AVERAGE))
    if len(series) > 1:
        chart.legend[:0] = [(name, colour) for name, colour, _ in series]
    return chart


def hbars(
    key: str, title: str, description: str, labels: Sequence[str], values: Sequence[int]
) -> SvgChart:
    """Horizontal bars, largest first (for long labels such as outcome names)."""
    order = sorted(range(len(labels)), key=lambda i: (-values[i], i))
    row_h = 26
    label_w = 300
    height = TOP + row_h * len(labels) + BOTTOM
    chart = SvgChart(
        key,
        title,
        description,
        ("Outcome", "Crimes"),
        [(labels[i], str(values[i])) for i in order],
        height=height,
    )
    top, ticks = nice_top(max([*values, 0]))
    plot_w = chart.width - label_w - RIGHT
    for value in ticks:
        x = label_w + plot_w * value / top
        chart.line(x, TOP - 4, x, height - BOTTOM, GRID)
        chart.text(x, height - BOTTOM + 16, _tick(value))
    for row, i in enumerate(order):
        y = TOP + row_h * row
        short = labels[i] if len(labels[i]) <= 44 else labels[i][:43] + "…"
        chart.text(label_w - 6, y + row_h * 0.62, short, "end")
        chart.rect(
            label_w, y + 4, plot_w * values[i] / top, row_h - 8, BAR, f"{labels[i]}: {values[i]}"
        )
    chart.text(label_w + plot_w / 2, height - 8, "MDSHT crimes")
    return chart


def share_line(
    years: Sequence[str], shares: Sequence[float], national: tuple[str, float] | None
) -> SvgChart:
    """The MDSHT share of all recorded crime by year, as a line, with the national figure."""
    parts = [f"{y}: {s:.2f}%" for y, s in zip(years, shares, strict=True)]
    description = "Line chart of MDSHT crimes as a percentage of all crime recorded, by year. "
    description += "; ".join(parts) + "."
    if national:
        description += f" {national[0]}: {national[1]:.2f}%, drawn as a dashed line."
    rows: list[tuple[str, ...]] = [(y, f"{s:.2f}") for y, s in zip(years, shares, strict=True)]
    chart = SvgChart("share", "MDSHT share of all recorded crime", description, ("Year", "%"), rows)
    top, ticks = nice_top(max([*shares, national[1] if national else 0.0]) * 1.1)
    _axes(chart, ticks, top, "Year recorded", "% of all crime")
    plot_w = chart.width - LEFT - RIGHT
    plot_h = chart.height - TOP - BOTTOM
    slot = plot_w / max(len(years), 1)
    points = [(LEFT + slot * (i + 0.5), TOP + plot_h * (1 - s / top)) for i, s in enumerate(shares)]
    if len(points) > 1:
        chart.polyline(points, BAR)
    for (x, y), year, share in zip(points, years, shares, strict=True):
        chart.dot(x, y, BAR, f"{year}: {share:.2f}%")
        chart.text(x, chart.height - BOTTOM + 16, year)
    if national:
        y = TOP + plot_h * (1 - national[1] / top)
        chart.line(LEFT, y, chart.width - RIGHT, y, AVERAGE, "6 4")
        chart.legend = [("MDSHT % of all crime", BAR), (national[0], AVERAGE)]
        chart.rows.append((national[0], f"{national[1]:.2f}"))
    return chart


def charts_for(
    report: Report, figures: Figures, national_share: tuple[str, float] | None
) -> list[SvgChart]:
    """The page's charts for ``report`` (the public version leaves out the charts of people
    and outcomes, as the public report does)."""
    alts = {c.key: c.alt for c in report.charts}
    years = list(figures.years)
    counts = [figures.crimes_by_year[y] for y in years]
    drawn: list[SvgChart] = []
    if not report.public:
        bands = [b for b in figures.bands if b != "unknown" or figures.band_total(b)]
        drawn.append(
            bars(
                "victims-age-sex",
                "Victims by age and sex",
                alts.get("victims-age-sex", "Victims by age band and sex."),
                bands,
                [
                    (
                        "Female",
                        FEMALE,
                        [figures.sex_age["F"][figures.bands.index(b)] for b in bands],
                    ),
                    ("Male", MALE, [figures.sex_age["M"][figures.bands.index(b)] for b in bands]),
                ],
                x_label="Age band (years)",
                y_label="Victims",
            )
        )
    drawn.append(
        bars(
            "crimes-by-year",
            "MDSHT crimes by year (bars) with 95% intervals (lines)",
            alts.get("crimes-by-year", "MDSHT crimes by year."),
            years,
            [("MDSHT crimes", BAR, counts)],
            x_label="Year recorded",
            y_label="MDSHT crimes",
            errors=[poisson_interval(n) for n in counts],
        )
    )
    average = sum(figures.months) / 12
    drawn.append(
        bars(
            "crimes-by-month",
            "Monthly profile against the monthly average",
            alts.get("crimes-by-month", "MDSHT crimes by month of the year."),
            list(MONTHS),
            [("MDSHT crimes", BAR, list(figures.months))],
            x_label="Month the offence was committed",
            y_label="MDSHT crimes",
            reference=(f"Monthly average {average:.1f}", average),
        )
    )
    share_years = [y for y in years if y in figures.share_by_year]
    if share_years:
        drawn.append(
            share_line(share_years, [figures.share_by_year[y] for y in share_years], national_share)
        )
    codes = figures.outcome_codes
    if not report.public and codes:
        labels = ["Pending" if c == PENDING else f"{c}: {outcome_name(c)}" for c in codes]
        drawn.append(
            hbars(
                "outcomes",
                "Outcomes",
                alts.get("outcomes", "MDSHT crimes by outcome."),
                labels,
                [figures.outcome_total(c) for c in codes],
            )
        )
    return drawn
