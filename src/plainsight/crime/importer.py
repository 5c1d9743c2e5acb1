"""Read a force's crime records from a folder of CSV files (``docs/contracts/crime-data.md``).

``crimes.csv`` and ``victims.csv`` are required, ``outcomes.csv`` is optional. Headers are
matched case-insensitively, a byte-order mark is ignored, values are trimmed and unknown
columns are ignored. Dates are ISO 8601 (a date or a date-time) or the UK's day-first
``dd/mm/yyyy`` (never month first). A row that cannot be read is set aside whole as a
:class:`~plainsight.crime.records.Reject` with the reason, and the rest is imported; a missing
file or required column is a :class:`CrimeDataError`, because then nothing can be counted.

Plain ``csv`` and careful parsing: an export of 200,000 crimes with their outcomes loads in
under two seconds. Dates are parsed once per distinct string.
"""

from __future__ import annotations

import csv
import gc
import io
import operator
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import date
from pathlib import Path
from typing import Any

from plainsight.crime.codes import EXPLOITATION_TYPES, SEX_WORDS, STATUSES
from plainsight.crime.records import (
    MDSHT_CODES_DEFAULT,
    Crime,
    CrimeRecords,
    Outcome,
    Reject,
    Victim,
    Where,
)
from plainsight.crime.values import (
    FLAGS,
    CellError,
    Dates,
    age_on,
    ic_code,
    not_a_date,
    outcome_code,
    parse_age,
    parse_number,
)
from plainsight.errors import PlainsightError

CRIMES, VICTIMS, OUTCOMES = "crimes.csv", "victims.csv", "outcomes.csv"

#: The columns each file must have (the contract's required columns).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    CRIMES: ("crime_ref", "recorded_date", "ho_offence_code"),
    VICTIMS: ("crime_ref", "victim_ref"),
    OUTCOMES: ("crime_ref", "outcome_code"),
}
#: Every column the contract names, required or not; others are ignored.
KNOWN_COLUMNS: dict[str, tuple[str, ...]] = {
    CRIMES: (
        "crime_ref",
        "recorded_date",
        "reported_date",
        "committed_date",
        "ho_offence_code",
        "offence_title",
        "ms_flag",
        "status",
        "lsoa_code",
        "easting",
        "northing",
        "mo_text",
    ),
    VICTIMS: (
        "crime_ref",
        "victim_ref",
        "sex",
        "age",
        "date_of_birth",
        "ethnicity_ic",
        "ethnicity_sde",
        "nationality",
        "exploitation_type",
    ),
    OUTCOMES: ("crime_ref", "outcome_code", "outcome_date"),
}


class CrimeDataError(PlainsightError):
    """A crime-records folder that cannot be read at all: a missing file or required column."""


def load_records(
    folder: Path,
    *,
    mdsht_codes: tuple[str, ...] = MDSHT_CODES_DEFAULT,
    progress: bool = False,
) -> CrimeRecords:
    """Read ``crimes.csv``, ``victims.csv`` and (if present) ``outcomes.csv`` from ``folder``.

    Returns every row that could be normalised as a record and every other row as a
    :class:`Reject` (file, line, reason, the row as written). Victims and outcomes of a crime
    that is not in ``crimes.csv`` (or was set aside) are set aside too; so is a second row with
    a crime reference already seen. Raises :class:`CrimeDataError` when a required file or
    column is missing or a file is not UTF-8 text.

    >>> records = load_records(Path("force-export"))  # doctest: +SKIP
    >>> len(records.crimes), len(records.rejects)  # doctest: +SKIP
    (38206, 2)
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CrimeDataError(f"{folder} is not a folder of crime records (crimes.csv, victims.csv)")
    records = CrimeRecords(mdsht_codes=mdsht_codes)
    dates = Dates()
    bar = _progress_bar() if progress else None
    with bar if bar is not None else nullcontext(), paused_gc():
        tick = _ticker(bar)
        crime_table = _table(folder, CRIMES, required=True)
        victim_table = _table(folder, VICTIMS, required=True)
        assert crime_table is not None and victim_table is not None
        crimes = _read_crimes(crime_table, dates, records, tick)
        _read_victims(victim_table, crimes, dates, records, tick)
        outcomes = _table(folder, OUTCOMES, required=False)
        if outcomes is not None:
            _read_outcomes(outcomes, crimes, dates, records, tick)
    return records


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while building many small records.

    Records hold no reference cycles, but each allocation counts towards a collection, and
    collections walk the growing lists again and again: pausing them cuts a large load's
    time by about a third. Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Table:
    """One CSV file: its known columns' positions and its rows, read lazily.

    :meth:`rows` yields ``(line, values, overflow)``: the row's first physical line, the
    trimmed values of the contract's columns in :data:`KNOWN_COLUMNS` order ("" where the file
    lacks the column or the row is short), and a reason if the row has more values than the
    header. :meth:`raw` gives a row as written, for a reject.
    """

    def __init__(self, name: str, header: list[str], lines: list[str], reader: Any) -> None:
        self.name = name
        self.width = len(header)
        self.lines = lines
        self._reader = reader
        self._ends: dict[int, int] = {}
        found: dict[str, int] = {}
        for index, cell in enumerate(header):
            key = cell.strip().lower()
            if key in KNOWN_COLUMNS[name] and key in found:
                raise CrimeDataError(f"{name} has the column '{key}' twice")
            found.setdefault(key, index)
        missing = [c for c in REQUIRED_COLUMNS[name] if c not in found]
        if missing:
            listed = ", ".join(repr(h.strip()) for h in header) or "none"
            raise CrimeDataError(
                f"{name} has no column {', '.join(repr(m) for m in missing)} "
                f"(columns found: {listed})"
            )
        # a column the file lacks reads the always-empty cell appended after the last one
        self.positions = tuple(found.get(c, self.width) for c in KNOWN_COLUMNS[name])
        self.total = len(lines) - 1

    def rows(self) -> Iterator[tuple[int, list[str], str]]:
        reader, width, ends = self._reader, self.width, self._ends
        pick = operator.itemgetter(*self.positions)
        strip = str.strip
        start = reader.line_num
        try:
            for cells in reader:
                end = reader.line_num
                if not cells:
                    start = end
                    continue
                overflow = ""
                size = len(cells)
                if size == width:
                    cells.append("")
                elif size < width:
                    cells.extend([""] * (width + 1 - size))
                else:
                    if any(c.strip() for c in cells[width:]):
                        overflow = (
                            f"row has {size} values but the header has {width} columns "
                            "(an unquoted comma?)"
                        )
                    cells[width:] = [""]
                if end - start > 1:
                    ends[start + 1] = end
                yield start + 1, list(map(strip, pick(cells))), overflow
                start = end
        except csv.Error as exc:
            raise CrimeDataError(f"{self.name} line {reader.line_num}: {exc}") from None

    def raw(self, line: int) -> str:
        """The row that starts on ``line`` exactly as written (without its line ending)."""
        end = self._ends.get(line, line)
        return "".join(self.lines[line - 1 : end]).rstrip("\r\n")


def find_file(folder: Path, name: str) -> Path | None:
    """The contract file ``name`` in ``folder``, its name matched case-insensitively."""
    exact = folder / name
    if exact.is_file():
        return exact
    for path in folder.iterdir():  # exports from Windows may say Crimes.CSV
        if path.name.lower() == name and path.is_file():
            return path
    return None


def _table(folder: Path, name: str, *, required: bool) -> _Table | None:
    path = find_file(folder, name)
    if path is None:
        if required:
            raise CrimeDataError(f"{folder} has no {name} (required by the crime-data contract)")
        return None
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CrimeDataError(
            f"{name} is not UTF-8 text (byte {exc.start}); save it as 'CSV UTF-8'"
        ) from None
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise CrimeDataError(f"{name} is empty: it needs a header row") from None
    except csv.Error as exc:
        raise CrimeDataError(f"{name} line 1: {exc}") from None
    return _Table(name, header, lines, reader)


def _read_crimes(
    table: _Table, dates: Dates, records: CrimeRecords, tick: Callable[[str, int, int], None]
) -> dict[str, Crime | Reject]:
    """Crimes by reference; a reference whose first row was set aside maps to its reject."""
    seen: dict[str, Crime | Reject] = {}
    first_line: dict[str, int] = {}
    for count, (line, values, overflow) in enumerate(table.rows()):
        if count % 20_000 == 0:
            tick(table.name, count, table.total)
        crime = _crime(values, dates, Where(table.name, line))
        problems = crime if isinstance(crime, list) else []
        ref = values[0]
        if ref in first_line:
            problems.insert(
                0, f"crime_ref {ref} appears again (first on line {first_line[ref]}); set aside"
            )
        elif ref:
            first_line[ref] = line
        if overflow:
            problems.append(overflow)
        if problems or isinstance(crime, list):
            reject = Reject(table.name, line, "; ".join(problems), table.raw(line))
            records.rejects.append(reject)
            seen.setdefault(ref, reject)
        else:
            records.crimes.append(crime)
            seen[ref] = crime
    tick(table.name, table.total, table.total)
    return seen


def _crime(values: list[str], dates: Dates, where: Where) -> Crime | list[str]:
    """A crime row, normalised, or every reason it cannot be (:func:`_crime_problems`).

    Written for speed, as a force's export can hold hundreds of thousands of crimes: the
    common case is straight-line code; anything irregular goes to the thorough check.
    """
    ref, recorded, reported, committed, code, title, flag, status, lsoa, east, north, mo = values
    moment = dates.moment
    when = moment(recorded) if recorded else None
    first = moment(reported) if reported else _NO_MOMENT
    began = dates.day(committed) if committed else None
    marker = FLAGS.get(flag.lower(), False) if flag else None
    status = status.lower() if status else "recorded"
    try:
        easting = float(east) if east else None
        northing = float(north) if north else None
    except ValueError:
        return _crime_problems(values, dates)
    if (
        ref
        and code
        and when is not None
        and first is not None
        and (began is not None or not committed)
        and (not flag or flag.lower() in FLAGS)
        and status in STATUSES
    ):
        return Crime(
            ref,
            when[0],
            when[1],
            first[0],
            first[1],
            began,
            code.upper(),
            title,
            marker,
            status,
            lsoa,
            easting,
            northing,
            mo,
            where,
        )
    return _crime_problems(values, dates)


_NO_MOMENT: tuple[None, bool] = (None, False)


def _crime_problems(values: list[str], dates: Dates) -> list[str]:
    """Every reason a crime row cannot be read."""
    ref, recorded, reported, committed, code, _, flag, status, _, east, north, _ = values
    problems: list[str] = []
    if not ref:
        problems.append("missing crime_ref")
    if not recorded:
        problems.append("missing recorded_date")
    elif dates.moment(recorded) is None:
        problems.append(not_a_date("recorded_date", recorded))
    if reported and dates.moment(reported) is None:
        problems.append(not_a_date("reported_date", reported))
    if committed and dates.day(committed) is None:
        problems.append(not_a_date("committed_date", committed))
    if not code:
        problems.append("missing ho_offence_code")
    if flag and flag.lower() not in FLAGS:
        problems.append(f"ms_flag '{flag}' is not Y or N")
    if status and status.lower() not in STATUSES:
        problems.append(f"status '{status}' is not recorded, cancelled or transferred")
    parse_number(east, "easting", problems)
    parse_number(north, "northing", problems)
    return problems


def _read_victims(
    table: _Table,
    crimes: dict[str, Crime | Reject],
    dates: Dates,
    records: CrimeRecords,
    tick: Callable[[str, int, int], None],
) -> None:
    pairs: dict[tuple[str, str], int] = {}
    for line, values, overflow in table.rows():
        problems: list[str] = []
        ref, victim_ref = values[0], values[1]
        crime = _crime_of(ref, crimes, problems)
        if not victim_ref:
            problems.append("missing victim_ref")
        elif ref and (ref, victim_ref) in pairs:
            problems.append(
                f"victim {victim_ref} is already listed for crime {ref} "
                f"(line {pairs[ref, victim_ref]}); set aside"
            )
        else:
            pairs[ref, victim_ref] = line
        victim = None
        try:
            victim = _victim(values, crime, dates, Where(table.name, line))
        except CellError as exc:
            problems.append(str(exc))
        if overflow:
            problems.append(overflow)
        if problems or victim is None:
            records.rejects.append(Reject(table.name, line, "; ".join(problems), table.raw(line)))
        else:
            records.victims.append(victim)
    tick(table.name, table.total, table.total)


def _crime_of(ref: str, crimes: dict[str, Crime | Reject], problems: list[str]) -> Crime | None:
    """The accepted crime a victim or outcome row belongs to, or a reason it has none."""
    if not ref:
        problems.append("missing crime_ref")
        return None
    crime = crimes.get(ref)
    if crime is None:
        problems.append(f"crime {ref} is not in crimes.csv")
        return None
    if isinstance(crime, Reject):
        problems.append(f"crime {ref} was set aside ({crime.file} line {crime.line})")
        return None
    return crime


def _victim(values: list[str], crime: Crime | None, dates: Dates, where: Where) -> Victim:
    """A victim row, normalised; raises :class:`CellError` with every problem found."""
    ref, victim_ref, written_sex, written_age, dob, ic, sde, nationality, kind = values
    problems: list[str] = []
    sex = SEX_WORDS.get(written_sex.lower())
    if sex is None:
        problems.append(f"sex '{written_sex}' is not F, M or U")
    born: date | None = None
    if dob and (born := dates.day(dob)) is None:
        problems.append(not_a_date("date_of_birth", dob))
    age: int | None = None
    try:
        age = parse_age(written_age)
        if age is None and born is not None and crime is not None:
            age = age_on(born, crime.committed or crime.recorded_day)
    except CellError as exc:
        problems.append(str(exc))
    ethnicity = ic_code(ic)
    if ethnicity is None:
        problems.append(f"ethnicity_ic '{ic}' is not IC1–IC6 or IC9")
    exploitation = kind.lower().replace(" ", "_").replace("-", "_")
    if exploitation and exploitation not in EXPLOITATION_TYPES:
        problems.append(
            f"exploitation_type '{kind}' is not one of " + ", ".join(EXPLOITATION_TYPES)
        )
    if problems or sex is None or ethnicity is None:
        raise CellError("; ".join(problems))
    return Victim(
        crime_ref=ref,
        victim_ref=victim_ref,
        sex=sex,
        age=age,
        date_of_birth=born,
        ethnicity_ic=ethnicity,
        ethnicity_sde=sde,
        nationality=nationality,
        exploitation_type=exploitation,
        where=where,
    )


def _read_outcomes(
    table: _Table,
    crimes: dict[str, Crime | Reject],
    dates: Dates,
    records: CrimeRecords,
    tick: Callable[[str, int, int], None],
) -> None:
    name, append, day = table.name, records.outcomes.append, dates.day
    for count, (line, values, overflow) in enumerate(table.rows()):
        if count % 20_000 == 0:
            tick(name, count, table.total)
        ref, written, text = values
        code = outcome_code(written)
        when = day(text) if text else None
        if (
            code is not None
            and (when is not None or not text)
            and not overflow
            and type(crimes.get(ref)) is Crime
        ):
            append(Outcome(ref, code, when, Where(name, line)))
            continue
        problems: list[str] = []
        _crime_of(ref, crimes, problems)
        if not written:
            problems.append("missing outcome_code")
        elif code is None:
            problems.append(f"outcome_code '{written}' is not a Home Office outcome type (0–22)")
        if text and when is None:
            problems.append(not_a_date("outcome_date", text))
        if overflow:
            problems.append(overflow)
        records.rejects.append(Reject(name, line, "; ".join(problems), table.raw(line)))
    tick(name, table.total, table.total)


def _progress_bar() -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
    )


def _ticker(bar: Any) -> Callable[[str, int, int], None]:
    """Progress as rows read per file (nothing at all without a bar)."""
    tasks: dict[str, Any] = {}

    def tick(name: str, done: int, total: int) -> None:
        if bar is None:
            return
        if name not in tasks:
            tasks[name] = bar.add_task(name, total=total)
        bar.update(tasks[name], completed=done)

    return tick
