"""Build the committee report's key-data section from a force's crime records.

:func:`build_report` counts the period with :func:`plainsight.stats.counts.crime_stats`,
lays the figures out as the seed committee report lays them out (key points, highlights,
tables), adds charts, trends with their uncertainty, the national comparison and a methods
note, and, for the public version, applies disclosure control. The result is a
:class:`~plainsight.report.model.Report`; :mod:`plainsight.report.render` and
:mod:`plainsight.report.word` turn it into HTML, PDF or Word.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from itertools import pairwise
from typing import Any

from plainsight.crime.codes import PENDING, outcome_name
from plainsight.crime.national import NationalComparison
from plainsight.crime.records import CrimeRecords
from plainsight.report import charts, tables
from plainsight.report.claims import check_claims, load_claims
from plainsight.report.disruptions import disruption_points, disruption_table
from plainsight.report.figures import Figures, figures_from_stats
from plainsight.report.keypoints import highlight_points, latest_share_year, summary_points
from plainsight.report.methods import claims_section, methods_note
from plainsight.report.model import Cell, Chart, ClaimCheck, Report, Table, long_date
from plainsight.stats.trends import Change, compare, poisson_interval

TITLE = "Modern Slavery and Human Trafficking: key data"
DEFAULT_FORCE = "City of London Police"


def build_report(
    records: CrimeRecords,
    start: date,
    end: date,
    *,
    public: bool = False,
    threshold: int = 10,
    national: NationalComparison | None = None,
    force_name: str = DEFAULT_FORCE,
    synthetic: bool = False,
    produced_on: date | None = None,
    stats: Mapping[str, Any] | None = None,
    level: float = 0.95,
    disruptions: Mapping[str, Any] | None = None,
) -> Report:
    """The report for MDSHT crimes recorded from ``start`` to ``end`` (inclusive).

    ``public`` applies disclosure control with ``threshold`` (counts of people and outcomes
    from 1 to ``threshold - 1`` withheld). ``national`` adds the comparison with the other
    forces. ``synthetic`` says the records are a synthetic world (the report then says so).
    ``stats`` reuses statistics already counted for the same records and period.

    >>> report = build_report(records, date(2019, 1, 1), date(2023, 12, 31))  # doctest: +SKIP
    >>> report.table("victims-sex-age").cell("M", "total").text  # doctest: +SKIP
    '31'

    Raises:
        ValueError: the period ends before it starts, or ``threshold`` is under 1.
        ReportDataError: the statistics lack a key the report needs.
    """
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    if threshold < 1:
        raise ValueError(f"the disclosure threshold must be at least 1, not {threshold}")
    if stats is None:
        from plainsight.stats.counts import crime_stats

        stats = crime_stats(records, start, end)
    figures = figures_from_stats(stats, records)
    limit = threshold if public else None

    exposure = _exposures(figures)
    changes = _year_changes(figures, exposure, level)
    span = _span_change(figures, exposure, level)
    year_table = tables.crimes_by_year(figures, changes, lambda y: exposure[y], level)
    built = [
        tables.victims_by_sex_age(figures, limit),
        tables.victims_by_sex_ethnicity(figures, limit),
        tables.outcomes_by_year(figures, limit),
        year_table,
    ]
    by_key = {t.key: t for t in built}

    chart_list, omitted = _charts(figures, public, level)
    claim_checks: list[ClaimCheck] = []
    methods = methods_note(
        figures,
        records,
        threshold=limit,
        national=national,
        synthetic=synthetic,
        level=level,
        omitted_charts=omitted,
    )
    response = disruption_table(disruptions, start, end) if disruptions else None
    claims = load_claims()
    # Not in the public version: confirming a published claim can confirm a withheld count.
    if not public and claims.applies_to(force_name, start, end):
        claim_checks = check_claims(claims, figures, national)
        methods.append(claims_section(claims.source, claims.title, claim_checks))
    return Report(
        title=TITLE,
        force_name=force_name,
        start=start,
        end=end,
        produced_on=produced_on or date.today(),
        synthetic=synthetic,
        public=public,
        threshold=threshold,
        summary=tuple(
            summary_points(
                figures, by_key, threshold=limit, force_name=force_name, national=national
            )
            if figures.crimes
            else [f"No MDSHT crimes were recorded by {force_name} in the period."]
        ),
        key_data=tuple(_key_data(figures, force_name, national)),
        highlights=tuple(
            highlight_points(
                figures,
                by_key,
                threshold=limit,
                span_change=span,
                last_change=changes[-1] if changes else None,
            )
            if figures.crimes
            else []
        ),
        trends=tuple(change.words for change in changes),
        tables=tuple(built),
        charts=tuple(chart_list),
        methods=tuple(methods),
        claim_checks=tuple(claim_checks),
        omitted_charts=tuple(omitted),
        national=(national_table(national),) if national is not None else (),
        disruptions=(response,) if response is not None else (),
        disruption_points=tuple(disruption_points(disruptions, response) if disruptions else ()),
    )


def _exposures(figures: Figures) -> dict[str, float]:
    """The fraction of each calendar year the period covers (1.0 for a whole year)."""
    out: dict[str, float] = {}
    for year in figures.years:
        y = int(year)
        first, last = max(figures.start, date(y, 1, 1)), min(figures.end, date(y, 12, 31))
        days = (date(y + 1, 1, 1) - date(y, 1, 1)).days
        out[year] = ((last - first).days + 1) / days
    return out


def _year_changes(figures: Figures, exposure: dict[str, float], level: float) -> list[Change]:
    """Each year against the one before, part years compared by their rate."""
    return [_compare_years(figures, exposure, a, b, level) for a, b in pairwise(figures.years)]


def _span_change(figures: Figures, exposure: dict[str, float], level: float) -> Change | None:
    """The first year against the last, when the period spans more than two years."""
    years = figures.years
    if len(years) < 3:
        return None
    return _compare_years(figures, exposure, years[0], years[-1], level)


def _compare_years(
    figures: Figures, exposure: dict[str, float], a: str, b: str, level: float
) -> Change:
    def label(year: str) -> str:
        return year if exposure[year] >= 1 else f"{year} (part year)"

    return compare(
        figures.crimes_by_year[a],
        figures.crimes_by_year[b],
        label_a=label(a),
        label_b=label(b),
        level=level,
        exposure_a=exposure[a],
        exposure_b=exposure[b],
    )


def _charts(figures: Figures, public: bool, level: float) -> tuple[list[Chart], list[str]]:
    """The charts, and (public version) the names of those left out."""
    years = list(figures.years)
    counts = [figures.crimes_by_year[y] for y in years]
    drawn = [
        charts.year_chart(years, counts, [poisson_interval(n, level) for n in counts], level=level),
        charts.month_chart(figures.months),
    ]
    if public:
        return drawn, ["victims by age and sex", "outcomes"]
    bands = [b for b in figures.bands if b != "unknown" or figures.band_total(b)]
    drawn.insert(
        0,
        charts.age_sex_chart(
            bands,
            [figures.sex_age["F"][figures.bands.index(b)] for b in bands],
            [figures.sex_age["M"][figures.bands.index(b)] for b in bands],
        ),
    )
    codes = figures.outcome_codes
    if codes:
        labels = ["Pending" if c == PENDING else f"{c}: {outcome_name(c)}" for c in codes]
        drawn.append(charts.outcome_chart(labels, [figures.outcome_total(c) for c in codes]))
    return drawn, []


def _key_data(figures: Figures, force_name: str, national: NationalComparison | None) -> list[str]:
    whole_years = (figures.start.month, figures.start.day) == (1, 1) and (
        figures.end.month,
        figures.end.day,
    ) == (12, 31)
    if whole_years:
        n = len(figures.years)
        span = f"{n} year{'s' if n != 1 else ''} ({figures.start:%b %Y} – {figures.end:%b %Y})"
    else:
        span = f"{long_date(figures.start)} to {long_date(figures.end)}"
    paragraphs = [
        f"{span}. This data covers Home Office recordable crimes and does not include "
        f"incidents: {figures.crimes:,} MDSHT crimes with {figures.victims:,} victims."
    ]
    year = latest_share_year(figures)
    if year is not None:
        text = (
            f"{figures.share_by_year[year]:.2f}% of all crime recorded by {force_name} in "
            f"{year} was MDSHT (n={figures.crimes_by_year[year]:,} of "
            f"{figures.all_crimes_by_year[year]:,})."
        )
        if national is not None and national.share is not None:
            text += " " + national.headline
        paragraphs.append(text)
    elif national is not None:
        paragraphs.append(national.headline)
    return paragraphs


def national_table(c: NationalComparison) -> Table:
    """The force against the other territorial forces, from the national table."""

    def share(value: float | None) -> Cell:
        return Cell("" if value is None else f"{value:.2f}", value)

    interval = (
        ""
        if c.share_low is None or c.share_high is None
        else f"{c.share_low:.2f} to {c.share_high:.2f}"
    )
    rows = (
        (
            Cell(c.force, header=True),
            Cell(f"{c.mdsht:,}", c.mdsht),
            Cell(f"{c.all_crime:,}", c.all_crime),
            share(c.share),
            Cell(interval),
        ),
        (
            Cell(f"Other territorial forces together ({c.others})", header=True),
            Cell(f"{c.others_mdsht:,}", c.others_mdsht),
            Cell(f"{c.others_all_crime:,}", c.others_all_crime),
            share(c.others_pooled_share),
            Cell(""),
        ),
        (
            Cell("Average of the other forces' shares", header=True),
            Cell(""),
            Cell(""),
            share(c.others_mean_share),
            Cell(""),
        ),
    )
    return Table(
        key="national",
        caption=f"MDSHT share of recorded crime, financial year {c.financial_year}",
        columns=("FORCE", "MDSHT CRIMES", "ALL CRIMES", "MDSHT %", f"{c.level:.0%} INTERVAL"),
        column_keys=("label", "mdsht", "all", "share", "interval"),
        rows=rows,
        row_keys=("force", "others", "mean"),
        total_row=False,
        notes=("Source: Home Office police recorded crime open data, police force areas.",),
    )
