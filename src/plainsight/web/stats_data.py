"""The figures behind the statistics pages: the committee report, built as the CLI builds it.

``plainsight crime stats`` and ``plainsight crime report`` count the workspace's imported crime
records with :func:`~plainsight.stats.counts.crime_stats` and lay them out with
:func:`~plainsight.report.build.build_report`. The web pages do exactly that, once per lake
version, period and version (full or public), and keep the result in memory: the page, the
HTML, PDF and Word reports and the statistics JSON then all say the same thing.

The public statistics JSON is the contract's JSON with the report's disclosure control
applied: every count the public report withholds is ``null``, and the keys beyond the
contract (which word findings from small counts) are left out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from plainsight.crime.codes import PENDING, SEXES
from plainsight.crime.national import NationalComparison
from plainsight.crime.records import CrimeRecords
from plainsight.errors import PlainsightError
from plainsight.report.figures import Figures, figures_from_stats
from plainsight.report.model import Report, Table
from plainsight.settings import Settings
from plainsight.stats.counts import CONTRACT_KEYS
from plainsight.workspace import Workspace

THRESHOLD = 10
"""Counts of people and outcomes under this are withheld in the public version (the CLI's
``--threshold`` default)."""
"""The keys of the crime-data contract's statistics JSON (``shared/contracts/crime-data.md``)."""
_SYNTHETIC_MARK = "SYNTHETIC DATA"
_KEEP = 8  # reports kept in memory (periods x versions)


class PeriodError(PlainsightError):
    """The period asked for is not a pair of dates, in order."""


@dataclass(frozen=True)
class Built:
    """One period's statistics and report, as the CLI would make them."""

    lake_version: int
    records: CrimeRecords
    stats: dict[str, Any]
    figures: Figures
    report: Report
    national: NationalComparison | None


_lock = threading.Lock()
_building = threading.Lock()  # one build at a time: matplotlib's style settings are global
_records: dict[tuple[str, int], CrimeRecords] = {}
_built: OrderedDict[tuple[Any, ...], Built] = OrderedDict()


def has_records(ws: Workspace) -> bool:
    """Whether crime records have been imported into the workspace."""
    return bool(ws.lake.snapshot().tables.get("crime_imports"))


def records(ws: Workspace) -> tuple[int, CrimeRecords]:
    """The lake version and the crime records imported in it (read once per version).

    Raises :class:`~plainsight.crime.store.NoCrimeRecords` when nothing has been imported.
    """
    from plainsight.crime.store import load_workspace_records

    version = ws.lake.snapshot().version
    key = (str(ws.home), version)
    with _lock:
        found = _records.get(key)
    if found is None:
        found = load_workspace_records(ws)
        with _lock:
            _records.clear()
            _records[key] = found
    return version, found


def default_period(found: CrimeRecords) -> tuple[date, date]:
    """Whole calendar years: from 1 January of the first year with recorded crimes to
    31 December of the last complete one (or the last recorded day, if none is complete)."""
    days = [c.recorded_day for c in found.crimes if c.status == "recorded"]
    if not days:
        today = date.today()
        return date(today.year, 1, 1), today
    first, last = min(days), max(days)
    end = date(last.year, 12, 31) if last.month == 12 else date(last.year - 1, 12, 31)
    if end < first:
        end = last
    return date(first.year, 1, 1), end


def parse_period(start: str, end: str, default: tuple[date, date]) -> tuple[date, date]:
    """The period asked for (``YYYY-MM-DD``; blank for the default's end).

    Raises :class:`PeriodError` for a date that is not one, or a period that ends before it
    starts.
    """
    try:
        first = date.fromisoformat(start) if start.strip() else default[0]
        last = date.fromisoformat(end) if end.strip() else default[1]
    except ValueError:
        raise PeriodError("give the period's dates as YYYY-MM-DD") from None
    if last < first:
        raise PeriodError(f"the period ends ({last}) before it starts ({first})")
    return first, last


def build(ws: Workspace, start: date, end: date, *, public: bool) -> Built:
    """The statistics and committee report for ``start``..``end`` (full or public version).

    Built as ``plainsight crime report`` builds it from the workspace: the disruptions
    register included, the synthetic-data notice when the records are a synthetic world (and
    then the shipped synthetic national table for the national comparison unless the settings
    name the Home Office table, ``national_table``; the force is ``force_name``). Cached by lake
    version, period, version, the disruption figures and the day (the report is dated).
    """
    from plainsight.act.disruption_figures import disruption_figures

    version, found = records(ws)
    with ws.ops.session() as session:
        register = disruption_figures(session)
    empty = not register["rows"] and not register["live_operations"]["total"]
    response = None if empty else register
    key = (str(ws.home), version, start, end, public, repr(response), date.today())
    with _building:
        with _lock:
            if key in _built:
                _built.move_to_end(key)
                return _built[key]
        done = _build(found, version, start, end, public, response, ws.settings, is_synthetic(ws))
        with _lock:
            _built[key] = done
            while len(_built) > _KEEP:
                _built.popitem(last=False)
    return done


def _build(
    found: CrimeRecords,
    version: int,
    start: date,
    end: date,
    public: bool,
    response: dict[str, Any] | None,
    settings: Settings,
    synthetic: bool,
) -> Built:
    from plainsight.report.build import build_report
    from plainsight.stats.counts import crime_stats

    national = _national(settings, synthetic)
    stats = crime_stats(found, start, end)
    report = build_report(
        found,
        start,
        end,
        public=public,
        threshold=THRESHOLD,
        national=national,
        force_name=settings.force_name,
        synthetic=synthetic,
        stats=stats,
        disruptions=response,
    )
    return Built(version, found, stats, figures_from_stats(stats, found), report, national)


def is_synthetic(ws: Workspace) -> bool:
    """Whether the imported records are a synthetic world (``plainsight synth crime`` marks
    its folder with a README), as ``plainsight crime report`` decides it."""
    try:
        with ws.reading() as engine:
            imports = engine.read_table("crime_imports").to_pylist()
        readme = Path(imports[0]["folder"]) / "README.txt" if imports else None
        return bool(
            readme
            and readme.is_file()
            and readme.read_text("utf-8")[:200].startswith(_SYNTHETIC_MARK)
        )
    except (PlainsightError, OSError, LookupError, UnicodeDecodeError):
        return False


def _national(settings: Settings, synthetic: bool) -> NationalComparison | None:
    """The national comparison from the table named in the settings, else for a synthetic
    world the shipped synthetic table, else none; a table that cannot be read gives none."""
    from plainsight.crime.national import national_comparison
    from plainsight.crime.national_table import read_national_table, synthetic_national_table_path

    table = settings.national_table or (synthetic_national_table_path() if synthetic else None)
    if table is None:
        return None
    try:
        return national_comparison(read_national_table(table), force=settings.force_name)
    except PlainsightError:
        return None


def public_stats(stats: Mapping[str, Any], report: Report) -> dict[str, Any]:
    """The contract's statistics with the public report's disclosure control applied.

    Each count the public report withholds is ``null``; counts of crimes by year and month
    and the shares of all crime are published as they are (the report publishes them too).
    Keys beyond the contract are left out, and ``disclosure`` says what was done.
    """
    if not report.public:
        raise ValueError("public statistics come from the public report")
    out = {k: stats[k] for k in CONTRACT_KEYS}
    ages = report.table("victims-sex-age")
    bands = list(stats["victims_by_sex_age"]["bands"])
    out["victims_by_sex_age"] = {
        "bands": bands,
        **{s: [_shown(ages, s, b) for b in bands] for s in SEXES},
    }
    ethnicity = report.table("victims-sex-ethnicity")
    codes = list(stats["victims_by_sex_ethnicity"]["codes"])
    out["victims_by_sex_ethnicity"] = {
        "codes": codes,
        **{s: [_shown(ethnicity, s, c) for c in codes] for s in SEXES},
    }
    out["victims_by_sex"] = {s: _shown(ages, s, "total") for s in SEXES}
    out["victims"] = _shown(ages, "total", "total")
    outcomes = report.table("outcomes-by-year")
    out["outcomes_by_year"] = {
        code: {y: _shown(outcomes, code, y) for y in years}
        for code, years in stats["outcomes_by_year"].items()
        if code in outcomes.row_keys or code == PENDING
    }
    out["disclosure"] = {
        "public": True,
        "threshold": report.threshold,
        "withheld": "counts of people and outcomes from 1 to threshold - 1, and those that "
        "would give them away, are null",
    }
    return out


def _shown(table: Table, row: str, column: str) -> int | None:
    """A published count: ``None`` when withheld, 0 for a row or column the table leaves out
    (the report leaves out only what is zero throughout)."""
    if row not in table.row_keys or column not in table.column_keys:
        return 0
    cell = table.cell(row, column)
    if cell.withheld or cell.value is None:
        return None
    return int(cell.value)


def filename(kind: str, start: date, end: date, public: bool, suffix: str) -> str:
    """A download's file name: ``mdsht-report-2019-01-01-to-2023-12-31-public.pdf``."""
    return f"mdsht-{kind}-{start}-to-{end}{'-public' if public else ''}.{suffix}"
