"""The report's charts, drawn with matplotlib off-screen (Agg) and embedded, never fetched.

Each chart is drawn once and saved twice: SVG for the HTML and PDF (crisp at any size) and
PNG for Word. Every chart comes with alt text that gives its figures in words, so a reader
who cannot see it loses nothing. Colours are from the Okabe-Ito palette, which stays
distinguishable with the common colour-vision deficiencies.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from plainsight.report.model import Chart

FEMALE = "#E69F00"
MALE = "#0072B2"
BAR = "#0072B2"
AVERAGE = "#D55E00"
INK = "#333333"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def age_sex_chart(bands: Sequence[str], female: Sequence[int], male: Sequence[int]) -> Chart:
    """Victims by age band, female and male side by side."""
    parts = [
        f"{band}: {f} female, {m} male" for band, f, m in zip(bands, female, male, strict=True)
    ]
    alt = "Bar chart of victims by age band and sex. " + "; ".join(parts) + "."
    positions = list(range(len(bands)))
    width = 0.38
    with _drawing() as (figure, axes):
        axes.bar([p - width / 2 for p in positions], female, width, label="Female", color=FEMALE)
        axes.bar([p + width / 2 for p in positions], male, width, label="Male", color=MALE)
        axes.set_xticks(positions, list(bands))
        axes.set_xlabel("Age band (years)")
        axes.set_ylabel("Victims")
        axes.legend(frameon=False)
        _integer_axis(axes)
        return _chart("victims-age-sex", "Victims by age and sex", alt, figure)


def year_chart(
    years: Sequence[str],
    counts: Sequence[int],
    intervals: Sequence[tuple[float, float]],
    *,
    level: float = 0.95,
) -> Chart:
    """Crimes by year with exact Poisson intervals as error bars."""
    percent = f"{level:.0%}"
    parts = [
        f"{year}: {count} (interval {lo:.1f} to {hi:.1f})"
        for year, count, (lo, hi) in zip(years, counts, intervals, strict=True)
    ]
    alt = (
        f"Bar chart of MDSHT crimes recorded each year, with {percent} exact Poisson "
        "intervals as error bars. " + "; ".join(parts) + "."
    )
    low = [count - lo for count, (lo, _) in zip(counts, intervals, strict=True)]
    high = [hi - count for count, (_, hi) in zip(counts, intervals, strict=True)]
    with _drawing() as (figure, axes):
        axes.bar(list(years), counts, color=BAR, width=0.6)
        axes.errorbar(
            list(years), counts, yerr=[low, high], fmt="none", ecolor=INK, capsize=4, lw=1
        )
        axes.set_xlabel("Year recorded")
        axes.set_ylabel("MDSHT crimes")
        axes.set_title(f"Bars: crimes recorded; lines: {percent} interval", fontsize=8, loc="left")
        _integer_axis(axes)
        return _chart("crimes-by-year", "MDSHT crimes by year", alt, figure)


def month_chart(counts: Sequence[int]) -> Chart:
    """Crimes by month of the year against the monthly average."""
    if len(counts) != 12:
        raise ValueError("a monthly profile has twelve months")
    average = sum(counts) / 12
    parts = [f"{name} {count}" for name, count in zip(MONTH_NAMES, counts, strict=True)]
    alt = (
        "Bar chart of MDSHT crimes by month of the year, all years together, with the "
        f"monthly average of {average:.1f} as a dashed line. " + "; ".join(parts) + "."
    )
    with _drawing() as (figure, axes):
        axes.bar(list(MONTHS), counts, color=BAR, width=0.6)
        axes.axhline(
            average, color=AVERAGE, lw=1.5, ls="--", label=f"Monthly average {average:.1f}"
        )
        axes.set_xlabel("Month the offence was committed")
        axes.set_ylabel("MDSHT crimes")
        axes.legend(frameon=False)
        _integer_axis(axes)
        return _chart("crimes-by-month", "Monthly profile against the monthly average", alt, figure)


def outcome_chart(labels: Sequence[str], counts: Sequence[int]) -> Chart:
    """Crimes by outcome, largest at the top."""
    order = sorted(range(len(labels)), key=lambda i: (counts[i], -i))
    parts = [f"{labels[i]}: {counts[i]}" for i in reversed(order)]
    alt = "Horizontal bar chart of MDSHT crimes by outcome. " + "; ".join(parts) + "."
    with _drawing(height=max(2.4, 0.9 + 0.55 * len(labels))) as (figure, axes):
        axes.barh(
            [textwrap.fill(labels[i], 40) for i in order],
            [counts[i] for i in order],
            color=BAR,
            height=0.6,
        )
        axes.set_xlabel("MDSHT crimes")
        axes.tick_params(axis="y", labelsize=7.5)
        _integer_axis(axes, axis="x")
        return _chart("outcomes", "Outcomes", alt, figure)


@contextmanager
def _drawing(height: float = 2.8) -> Iterator[tuple[Figure, Axes]]:
    """A figure and its axes in the report's style (the style holds until it is saved)."""
    with matplotlib.rc_context(
        {
            "font.family": "DejaVu Sans",
            "font.size": 9.0,
            "svg.hashsalt": "plainsight",  # stable ids: the same figures give the same file
            "svg.fonttype": "path",
        }
    ):
        figure = Figure(figsize=(6.3, height), dpi=150, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        yield figure, axes


def _integer_axis(axes: Axes, axis: str = "y") -> None:
    target = axes.yaxis if axis == "y" else axes.xaxis
    target.set_major_locator(MaxNLocator(integer=True))


def _chart(key: str, title: str, alt: str, figure: Figure) -> Chart:
    svg = io.BytesIO()
    figure.savefig(svg, format="svg", metadata={"Date": None})
    png = io.BytesIO()
    figure.savefig(png, format="png", metadata={"Software": None})
    return Chart(key=key, title=title, alt=alt, svg=svg.getvalue(), png=png.getvalue())
