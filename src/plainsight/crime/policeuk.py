"""Street-level crimes and outcomes as data.police.uk publishes them.

Each force publishes, per month, ``YYYY-MM-<force>-street.csv`` (one row per crime or
anti-social behaviour incident, with an anonymised location) and ``YYYY-MM-<force>-
outcomes.csv`` (one row per outcome assigned that month, to a crime of that or an earlier
month). They are public, so they are a cross-check on a force's own figures and, where the
force's export is not to hand, an all-crime denominator for the MDSHT share.

What this module decides, and why:

- **Anti-social behaviour is not crime.** Incidents of anti-social behaviour are in the
  street files (with an empty Crime ID), but they are not notifiable offences and are not in
  police recorded crime. Every count here leaves them out unless ``include_asb=True``.
- **Each street row is a crime**, as on police.uk's own maps. A few Crime IDs appear on more
  than one row of a month (the same crime at several anonymised points); they are counted as
  police.uk counts them, and :func:`duplicate_crime_ids` says how many there are.
- **The latest outcome wins.** A crime's outcome is the last one the outcomes files give it
  (latest month; within a month, the later row: "Suspect charged" comes before the court's
  result), else the street file's "Last outcome category".
- **Where**: a crime is ``inside`` the City when its LSOA's name begins "City of London",
  ``outside`` when it has another LSOA (City of London Police records crimes just over its
  boundary), and ``unknown`` when it has none.

>>> data = read_police_uk([Path("tests/data/police-uk")])  # doctest: +SKIP
>>> all_crimes_by_year(data)  # doctest: +SKIP
{'2016': 798, '2023': 823}
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from plainsight.crime.records import Reject
from plainsight.errors import PlainsightError
from plainsight.stats.trends import financial_year

STREET_COLUMNS: tuple[str, ...] = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
OUTCOME_COLUMNS: tuple[str, ...] = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Outcome type",
)
ASB = "Anti-social behaviour"
CITY_LSOA_PREFIX = "City of London"
AREAS: tuple[str, ...] = ("inside", "outside", "unknown")
NO_OUTCOME = "No outcome published"

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_NAME = re.compile(r"\d{4}-\d{2}-.+-(street|outcomes)\.csv$", re.IGNORECASE)

Year = Literal["calendar", "financial"]


class PoliceUkError(PlainsightError):
    """The police.uk files cannot be found or read at all."""


@dataclass(frozen=True, slots=True)
class StreetCrime:
    """One row of a street file: a crime, or an anti-social behaviour incident."""

    crime_id: str  # empty for anti-social behaviour
    month: str  # "2023-05"
    reported_by: str
    falls_within: str
    longitude: float | None
    latitude: float | None
    location: str  # "On or near Fleet Street": a snap point, not an address
    lsoa_code: str
    lsoa_name: str
    crime_type: str
    last_outcome_category: str
    context: str
    file: str
    line: int

    @property
    def is_asb(self) -> bool:
        return self.crime_type.lower() == ASB.lower()

    @property
    def area(self) -> str:
        return area_of(self.lsoa_name)


@dataclass(frozen=True, slots=True)
class StreetOutcome:
    """One row of an outcomes file: an outcome given to a crime in ``month``."""

    crime_id: str
    month: str
    lsoa_code: str
    lsoa_name: str
    outcome_type: str
    file: str
    line: int


@dataclass(slots=True)
class PoliceUk:
    """What :func:`read_police_uk` read: crimes, outcomes, the files and what was set aside."""

    files: list[str] = field(default_factory=list)
    crimes: list[StreetCrime] = field(default_factory=list)
    outcomes: list[StreetOutcome] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)


def area_of(lsoa_name: str) -> str:
    """``inside`` (the City's LSOAs), ``outside`` (any other LSOA) or ``unknown`` (none)."""
    name = lsoa_name.strip()
    if not name:
        return "unknown"
    return "inside" if name.startswith(CITY_LSOA_PREFIX) else "outside"


# --- reading --------------------------------------------------------------------------------


def read_police_uk(paths: Sequence[Path]) -> PoliceUk:
    """Read police.uk street and outcomes CSVs: files, folders (searched below) or the
    ``.zip`` archives police.uk's download page gives.

    In a folder or archive, files named ``YYYY-MM-<force>-street.csv`` or ``-outcomes.csv``
    are read (stop-and-search files are not crimes and are ignored); a file named directly
    is recognised by its header. A row that cannot be read is set aside with its file, line
    and reason, and the rest are read.

    Raises:
        PoliceUkError: a path does not exist, or no street or outcomes file was found.
    """
    data = PoliceUk()
    sources: list[tuple[str, bytes | Path]] = []
    for path in paths:
        if not path.exists():
            raise PoliceUkError(f"{path}: no such file or folder")
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.csv") if _NAME.search(p.name))
            sources.extend((str(p.relative_to(path.parent)), p) for p in found)
        elif path.suffix.lower() == ".zip":
            sources.extend(_zip_members(path))
        else:
            sources.append((path.name, path))
    if not sources:
        raise PoliceUkError(
            "no police.uk street or outcomes files (YYYY-MM-<force>-street.csv) in "
            + ", ".join(str(p) for p in paths)
        )
    for name, source in sources:
        raw = source.read_bytes() if isinstance(source, Path) else source
        _read_file(data, name, raw)
    return data


def _zip_members(path: Path) -> list[tuple[str, bytes | Path]]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = sorted(n for n in archive.namelist() if _NAME.search(n.rsplit("/", 1)[-1]))
            return [(f"{path.name}/{n}", archive.read(n)) for n in names]
    except (zipfile.BadZipFile, OSError) as exc:
        raise PoliceUkError(f"{path}: not a readable zip archive ({exc})") from exc


def _key(cell: str) -> str:
    return " ".join(cell.split()).lower()


def _read_file(data: PoliceUk, name: str, raw: bytes) -> None:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    keys = [_key(c) for c in header or []]
    if all(_key(c) in keys for c in STREET_COLUMNS[:-1]):  # "Context" came later; optional
        kind, wanted = "street", STREET_COLUMNS
    elif all(_key(c) in keys for c in OUTCOME_COLUMNS):
        kind, wanted = "outcomes", OUTCOME_COLUMNS
    else:
        data.rejects.append(
            Reject(
                file=name,
                line=1,
                reason="not a police.uk street or outcomes file (its header does not match)",
                raw=",".join(header or [])[:500],
            )
        )
        return
    data.files.append(name)
    index = {c: keys.index(_key(c)) for c in wanted if _key(c) in keys}
    width = len(keys)
    line = 1
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        raw_line = ",".join(cells)
        if len(cells) != width:
            data.rejects.append(
                Reject(name, line, f"has {len(cells)} fields; the header has {width}", raw_line)
            )
            continue
        values = {c: cells[i].strip() for c, i in index.items()}
        reason = _read_row(data, kind, values, name, line)
        if reason:
            data.rejects.append(Reject(name, line, reason, raw_line))


def _coordinate(text: str) -> float | None:
    return float(text) if text else None


def _read_row(data: PoliceUk, kind: str, v: dict[str, str], file: str, line: int) -> str:
    """Add the row to ``data``; return why it was set aside, or "" when it was read."""
    month = v["Month"]
    if not _MONTH.fullmatch(month):
        return f"Month {month!r} is not like 2023-05"
    if kind == "outcomes":
        if not v["Crime ID"]:
            return "an outcome with no Crime ID"
        if not v["Outcome type"]:
            return "Outcome type is empty"
        data.outcomes.append(
            StreetOutcome(
                crime_id=v["Crime ID"],
                month=month,
                lsoa_code=v["LSOA code"],
                lsoa_name=v["LSOA name"],
                outcome_type=v["Outcome type"],
                file=file,
                line=line,
            )
        )
        return ""
    if not v["Crime type"]:
        return "Crime type is empty"
    try:
        longitude, latitude = _coordinate(v["Longitude"]), _coordinate(v["Latitude"])
    except ValueError:
        return f"Longitude {v['Longitude']!r} or Latitude {v['Latitude']!r} is not a number"
    data.crimes.append(
        StreetCrime(
            crime_id=v["Crime ID"],
            month=month,
            reported_by=v["Reported by"],
            falls_within=v["Falls within"],
            longitude=longitude,
            latitude=latitude,
            location=v["Location"],
            lsoa_code=v["LSOA code"],
            lsoa_name=v["LSOA name"],
            crime_type=v["Crime type"],
            last_outcome_category=v["Last outcome category"],
            context=v.get("Context", ""),
            file=file,
            line=line,
        )
    )
    return ""


# --- counting -------------------------------------------------------------------------------


def _crimes(data: PoliceUk, include_asb: bool) -> Iterable[StreetCrime]:
    return data.crimes if include_asb else (c for c in data.crimes if not c.is_asb)


def year_of_month(month: str, year: Year = "calendar") -> str:
    """``"2023"`` (calendar) or ``"2023/24"`` (financial) for a month such as ``"2023-05"``."""
    y, m = int(month[:4]), int(month[5:7])
    if year == "financial":
        return financial_year(date(y, m, 1))
    return str(y)


def crimes_by_month(data: PoliceUk, *, include_asb: bool = False) -> dict[str, int]:
    """Crimes per month (``"2023-05"``), in time order."""
    counts = Counter(c.month for c in _crimes(data, include_asb))
    return dict(sorted(counts.items()))


def all_crimes_by_year(
    data: PoliceUk, *, include_asb: bool = False, year: Year = "calendar"
) -> dict[str, int]:
    """Crimes per year, usable as the all-crime denominator of the MDSHT share.

    Anti-social behaviour is left out by default: it is not recorded crime. A year is only
    whole if all twelve of its months were read: :func:`months_by_year` says how many were.
    """
    counts = Counter(year_of_month(c.month, year) for c in _crimes(data, include_asb))
    return dict(sorted(counts.items()))


def months_by_year(data: PoliceUk, *, year: Year = "calendar") -> dict[str, int]:
    """How many months of street data each year has (12 for a whole year)."""
    months: dict[str, set[str]] = defaultdict(set)
    for c in data.crimes:
        months[year_of_month(c.month, year)].add(c.month)
    return {y: len(ms) for y, ms in sorted(months.items())}


def crimes_by_area(data: PoliceUk, *, include_asb: bool = False) -> dict[str, int]:
    """Crimes ``inside`` the City, ``outside`` it, and ``unknown`` (no LSOA)."""
    counts = Counter(c.area for c in _crimes(data, include_asb))
    return {area: counts.get(area, 0) for area in AREAS}


def crimes_by_type(data: PoliceUk, *, include_asb: bool = False) -> dict[str, int]:
    """Crimes per police.uk crime type, most common first."""
    counts = Counter(c.crime_type for c in _crimes(data, include_asb))
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def crimes_by_year_and(
    data: PoliceUk,
    what: Literal["type", "area"],
    *,
    include_asb: bool = False,
    year: Year = "calendar",
) -> dict[str, dict[str, int]]:
    """Crime type (or area) → year → crimes: the tables the CLI prints."""
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for c in _crimes(data, include_asb):
        table[c.crime_type if what == "type" else c.area][year_of_month(c.month, year)] += 1
    order = AREAS if what == "area" else crimes_by_type(data, include_asb=include_asb)
    return {key: dict(sorted(table[key].items())) for key in order if key in table}


def latest_outcomes(data: PoliceUk) -> dict[str, StreetOutcome]:
    """Each Crime ID's latest outcome in the outcomes files (latest month, then later row)."""
    order = {name: i for i, name in enumerate(data.files)}
    latest: dict[str, StreetOutcome] = {}
    for outcome in data.outcomes:
        seen = latest.get(outcome.crime_id)
        if seen is None or (outcome.month, order[outcome.file], outcome.line) > (
            seen.month,
            order[seen.file],
            seen.line,
        ):
            latest[outcome.crime_id] = outcome
    return latest


def outcomes_by_month(data: PoliceUk) -> dict[str, dict[str, int]]:
    """Month of the crime → outcome category → crimes, one count per Crime ID.

    The outcome is the latest in the outcomes files, else the street file's last outcome
    category, else :data:`NO_OUTCOME`. Anti-social behaviour (no Crime ID) has no outcomes
    and is not counted.
    """
    latest = latest_outcomes(data)
    seen: set[str] = set()
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for crime in data.crimes:
        if not crime.crime_id or crime.crime_id in seen:
            continue
        seen.add(crime.crime_id)
        outcome = latest.get(crime.crime_id)
        category = outcome.outcome_type if outcome else crime.last_outcome_category or NO_OUTCOME
        table[crime.month][category] += 1
    return {
        month: dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        for month, counts in sorted(table.items())
    }


def outcomes_without_crime(data: PoliceUk) -> int:
    """Crime IDs with outcomes whose crime is in none of the street files read (an earlier
    month not given)."""
    ids = {c.crime_id for c in data.crimes if c.crime_id}
    return len({o.crime_id for o in data.outcomes} - ids)


def duplicate_crime_ids(data: PoliceUk) -> int:
    """Crime IDs that appear on more than one street row."""
    counts = Counter(c.crime_id for c in data.crimes if c.crime_id)
    return sum(1 for n in counts.values() if n > 1)


def summary(
    data: PoliceUk, *, include_asb: bool = False, year: Year = "calendar"
) -> dict[str, Any]:
    """Everything the CLI shows, as one JSON-ready dictionary."""
    return {
        "files": len(data.files),
        "include_anti_social_behaviour": include_asb,
        "year": year,
        "crimes": sum(1 for _ in _crimes(data, include_asb)),
        "anti_social_behaviour": sum(1 for c in data.crimes if c.is_asb),
        "all_crimes_by_year": all_crimes_by_year(data, include_asb=include_asb, year=year),
        "months_by_year": months_by_year(data, year=year),
        "crimes_by_month": crimes_by_month(data, include_asb=include_asb),
        "crimes_by_area": crimes_by_area(data, include_asb=include_asb),
        "crimes_by_type": crimes_by_type(data, include_asb=include_asb),
        "crimes_by_year_and_area": crimes_by_year_and(
            data, "area", include_asb=include_asb, year=year
        ),
        "crimes_by_year_and_type": crimes_by_year_and(
            data, "type", include_asb=include_asb, year=year
        ),
        "outcomes_by_month": outcomes_by_month(data),
        "outcomes_without_crime": outcomes_without_crime(data),
        "duplicate_crime_ids": duplicate_crime_ids(data),
        "set_aside": len(data.rejects),
    }
