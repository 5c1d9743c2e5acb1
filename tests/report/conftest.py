"""Fixtures for the committee report: the synthetic crime world, its reports, and a reader
of HTML tables (the tests read the report as a committee member would: the rendered cells).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from plainsight.crime.importer import load_records
from plainsight.crime.national import NationalComparison, national_comparison
from plainsight.crime.national_table import read_national_table, synthetic_national_table_path
from plainsight.crime.records import CrimeRecords
from plainsight.report.build import build_report
from plainsight.report.model import Report
from plainsight.synth.crime import generate_crime

FROM, TO = date(2019, 1, 1), date(2023, 12, 31)
PRODUCED = date(2024, 2, 12)


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crime-world")
    generate_crime(folder, seed=0)
    return folder


@pytest.fixture(scope="session")
def records(world: Path) -> CrimeRecords:
    return load_records(world)


@pytest.fixture(scope="session")
def national() -> NationalComparison:
    table = read_national_table(synthetic_national_table_path())
    return national_comparison(table, force="City of London Police")


@pytest.fixture(scope="session")
def report(records: CrimeRecords, national: NationalComparison) -> Report:
    return build_report(records, FROM, TO, national=national, synthetic=True, produced_on=PRODUCED)


@pytest.fixture(scope="session")
def public_report(records: CrimeRecords) -> Report:
    return build_report(records, FROM, TO, public=True, synthetic=True, produced_on=PRODUCED)


@dataclass
class _Tables(HTMLParser):
    """Every ``<table id=...>`` of a page as rows of cell texts (header row first)."""

    tables: dict[str, list[list[str]]] = field(default_factory=dict)
    _current: str | None = None
    _row: list[str] | None = None
    _cell: list[str] | None = None

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._current = dict(attrs).get("id") or f"table-{len(self.tables)}"
            self.tables[self._current] = []
        elif tag == "tr" and self._current is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._current is not None and self._row is not None:
            self.tables[self._current].append(self._row)
            self._row = None
        elif tag == "table":
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_tables(html: str) -> dict[str, list[list[str]]]:
    """The tables of an HTML page by id, each a list of rows of cell texts."""
    parser = _Tables()
    parser.feed(html)
    parser.close()
    return parser.tables
