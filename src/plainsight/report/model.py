"""The committee report as data: what :func:`~plainsight.report.build.build_report` makes.

Types only. The renderers (HTML, PDF, Word) read these and never compute a figure, so the
three formats always say the same thing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Cell:
    """One table cell: the text shown, and the number behind it (``None`` for a label).

    ``withheld`` says the number is not published (shown as ``[c]``); ``value`` still holds
    it, for the checks, and no renderer may print it.
    """

    text: str
    value: float | None = None
    withheld: bool = False
    header: bool = False


@dataclass(frozen=True)
class Table:
    """A table of the report: columns with keys, rows with keys, cells in row order.

    ``columns[0]`` is the label column's header (for example ``AGE``). ``row_keys`` and
    ``column_keys`` let key points and tests find a cell without parsing the text.
    """

    key: str
    caption: str
    columns: tuple[str, ...]
    column_keys: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    row_keys: tuple[str, ...]
    total_row: bool = True
    notes: tuple[str, ...] = ()

    def cell(self, row_key: str, column_key: str) -> Cell:
        """The cell at a row and column key; ``KeyError`` if either is not in the table."""
        try:
            r = self.row_keys.index(row_key)
            c = self.column_keys.index(column_key)
        except ValueError as exc:
            raise KeyError(f"{self.key}: no cell ({row_key!r}, {column_key!r})") from exc
        return self.rows[r][c]


@dataclass(frozen=True)
class Chart:
    """A chart drawn twice from the same figure: SVG for HTML and PDF, PNG for Word."""

    key: str
    title: str
    alt: str
    svg: bytes
    png: bytes


@dataclass(frozen=True)
class Section:
    """A titled run of paragraphs and bullet points (the methods note is a list of these)."""

    title: str
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClaimCheck:
    """One published claim of an earlier report, checked against the records."""

    claim: str
    stated: str
    computed: str
    agrees: bool
    message: str


@dataclass(frozen=True)
class Report:
    """Everything the committee paper says, ready to render."""

    title: str
    force_name: str
    start: date
    end: date
    produced_on: date
    synthetic: bool
    public: bool
    threshold: int
    summary: tuple[str, ...]
    key_data: tuple[str, ...]
    highlights: tuple[str, ...]
    trends: tuple[str, ...]
    tables: tuple[Table, ...]
    charts: tuple[Chart, ...]
    methods: tuple[Section, ...]
    claim_checks: tuple[ClaimCheck, ...] = ()
    omitted_charts: tuple[str, ...] = ()
    national: tuple[Table, ...] = ()
    disruptions: tuple[Table, ...] = ()
    disruption_points: tuple[str, ...] = ()

    @property
    def period_words(self) -> str:
        """The period as the committee reads it: ``1 January 2019 to 31 December 2023``."""
        return f"{long_date(self.start)} to {long_date(self.end)}"

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(f"the report has no table {key!r}")


def long_date(day: date) -> str:
    """A date as British English writes it: ``22 February 2024``."""
    return f"{day.day} {day:%B %Y}"


def percent(part: float, whole: float) -> str:
    """``part`` of ``whole`` as a whole-number percentage, rounded half up: ``"76%"``.

    Whole numbers in the text (the seed report's style): a decimal would claim more precision
    than a few dozen crimes carry. ``"less than 1%"`` rather than ``"0%"`` for a few.
    """
    if whole <= 0:
        return "–"
    value = part / whole * 100
    if 0 < value < 0.5:
        return "less than 1%"
    return f"{math.floor(value + 0.5)}%"
