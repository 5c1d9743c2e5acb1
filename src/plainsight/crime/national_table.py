"""The Home Office's police recorded crime open-data table, read as published.

One row per financial year, quarter, force and offence, with the columns
:data:`COLUMNS`, from CSV, ODS or XLSX: title rows, notes sheets and several data sheets are
allowed (every sheet and row with these headers is found). Unreadable rows are set aside as
:class:`~plainsight.crime.records.Reject` with the reason; cells the Home Office marks as not
published (``..``, ``[x]``...) are counted as such. :mod:`plainsight.crime.national` turns the
table into the comparison.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from plainsight.crime.records import Reject
from plainsight.errors import PlainsightError

COLUMNS: tuple[str, ...] = (
    "Financial Year",
    "Financial Quarter",
    "Force Name",
    "Offence Description",
    "Offence Group",
    "Offence Subgroup",
    "Offence Code",
    "Number of Offences",
)
"""The published table's headers, in its order (matched ignoring case, spacing and notes)."""


_NOT_PUBLISHED = {"", "..", "[x]", "[z]", "[c]", "[u]", "n/a", "na", ":"}
_SCAN_ROWS = 60  # how far down a sheet to look for the header row
_SYNTHETIC = "national-synthetic.csv"


class NationalTableError(PlainsightError):
    """The national table cannot be read, or does not hold what was asked for."""


@dataclass(frozen=True, slots=True)
class NationalRow:
    """One row of the table: offences of one kind, for one force, in one quarter."""

    financial_year: str  # "2022/23"
    financial_quarter: int | None  # 1..4 (April–June is 1); None in a table of whole years
    force_name: str
    offence_description: str
    offence_group: str
    offence_subgroup: str
    offence_code: str  # trimmed, upper case: "106", "8N"
    offences: int
    file: str
    line: int


@dataclass(slots=True)
class NationalTable:
    """What :func:`read_national_table` read.

    ``rejects`` are rows set aside as unreadable (with the reason). ``not_published`` are
    rows whose "Number of Offences" is blank or ``..`` (the Home Office's mark for a figure
    not available): they are not errors, but they are not counted either, so they are kept
    to be shown.
    """

    source: str
    sheets: list[str] = field(default_factory=list)
    rows: list[NationalRow] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    not_published: list[Reject] = field(default_factory=list)

    def years(self) -> list[str]:
        """The financial years present, oldest first."""
        return sorted({r.financial_year for r in self.rows})

    def forces(self) -> list[str]:
        """The force names present, as written in the table."""
        return sorted({r.force_name for r in self.rows})


def read_national_table(path: Path) -> NationalTable:
    """Read the Home Office police recorded crime open data table (CSV, ODS or XLSX).

    Every sheet whose first rows include the eight headers (:data:`COLUMNS`; case, spacing
    and bracketed notes such as ``[note 2]`` do not matter) is read from the row after the
    headers; other sheets (cover, notes, contents) are skipped. Rows with nothing in them, or
    a single note, are skipped silently. A row that cannot be read is set aside with its file,
    row number and reason; the rest are read.

    Raises:
        NationalTableError: the file is missing, not a spreadsheet or CSV plainsight can
            read, or has no sheet with the eight headers.
    """
    if not path.is_file():
        raise NationalTableError(f"{path}: no such file")
    table = NationalTable(source=str(path))
    found = False
    for sheet, rows in _sheets(path):
        header = _find_header(rows)
        if header is None:
            continue
        found = True
        index, columns = header
        label = path.name if sheet is None else f"{path.name} [{sheet}]"
        if sheet is not None:
            table.sheets.append(sheet)
        for offset, cells in enumerate(rows[index + 1 :], start=index + 2):
            _read_row(table, label, offset, cells, columns)
    if not found:
        raise NationalTableError(
            f"{path}: no sheet has the Home Office table's headers ({', '.join(COLUMNS)})"
        )
    return table


def _sheets(path: Path) -> Iterable[tuple[str | None, list[list[Any]]]]:
    suffix = path.suffix.lower()
    if suffix in {".ods", ".xlsx", ".xlsm", ".xls"}:
        from python_calamine import CalamineError, load_workbook

        try:
            workbook = load_workbook(str(path))
            sheets = [
                (name, workbook.get_sheet_by_name(name).to_python(skip_empty_area=False))
                for name in workbook.sheet_names
            ]
        except (CalamineError, ValueError, OSError) as exc:
            raise NationalTableError(f"{path}: cannot read it as a spreadsheet ({exc})") from exc
        return sheets
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    if "\x00" in text:
        raise NationalTableError(f"{path}: not a CSV file (binary content)")
    return [(None, list(csv.reader(io.StringIO(text, newline=""))))]


def _header_key(cell: Any) -> str:
    text = re.sub(r"\[[^\]]*\]", " ", str(cell or ""))  # "[note 3]"
    return " ".join(text.split()).lower()


def _find_header(rows: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    wanted = {name.lower(): name for name in COLUMNS}
    for index, row in enumerate(rows[:_SCAN_ROWS]):
        positions: dict[str, int] = {}
        for col, cell in enumerate(row):
            key = _header_key(cell)
            if key in wanted and wanted[key] not in positions:
                positions[wanted[key]] = col
        if len(positions) == len(COLUMNS):
            return index, positions
    return None


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return " ".join(str(cell).split())


def _read_row(
    table: NationalTable, file: str, line: int, cells: list[Any], columns: dict[str, int]
) -> None:
    values = {name: _text(cells[col]) if col < len(cells) else "" for name, col in columns.items()}
    if sum(1 for v in values.values() if v) <= 1:
        return  # a blank row, or a note under the table
    raw = ",".join(values[name] for name in COLUMNS)

    def reject(reason: str) -> None:
        table.rejects.append(Reject(file=file, line=line, reason=reason, raw=raw))

    year = normalise_financial_year(values["Financial Year"])
    if year is None:
        return reject(f"Financial Year {values['Financial Year']!r} is not like 2022/23")
    quarter_text = values["Financial Quarter"].upper().removeprefix("Q")
    quarter: int | None = None
    if quarter_text:
        if quarter_text not in {"1", "2", "3", "4"}:
            return reject(f"Financial Quarter {values['Financial Quarter']!r} is not 1 to 4")
        quarter = int(quarter_text)
    force = values["Force Name"]
    if not force:
        return reject("Force Name is empty")
    code = values["Offence Code"].upper()
    if not code:
        return reject("Offence Code is empty")
    number = values["Number of Offences"]
    if number.lower() in _NOT_PUBLISHED:
        table.not_published.append(
            Reject(file=file, line=line, reason="Number of Offences not published", raw=raw)
        )
        return None
    count = _count(cells[columns["Number of Offences"]], number)
    if count is None:
        return reject(f"Number of Offences {number!r} is not a whole number of 0 or more")
    table.rows.append(
        NationalRow(
            financial_year=year,
            financial_quarter=quarter,
            force_name=force,
            offence_description=values["Offence Description"],
            offence_group=values["Offence Group"],
            offence_subgroup=values["Offence Subgroup"],
            offence_code=code,
            offences=count,
            file=file,
            line=line,
        )
    )
    return None


def _count(cell: Any, text: str) -> int | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return cell if cell >= 0 else None
    if isinstance(cell, float):
        return int(cell) if cell.is_integer() and cell >= 0 else None
    digits = text.replace(",", "").replace(" ", "")
    if re.fullmatch(r"\d+(\.0+)?", digits):
        return int(digits.split(".")[0])
    return None


def normalise_financial_year(text: str) -> str | None:
    """``"2022/23"`` from ``2022/23``, ``2022-23``, ``2022/2023``, ``2022 to 2023``; else None.

    >>> normalise_financial_year("2022 to 2023"), normalise_financial_year("2022/24")
    ('2022/23', None)
    """
    match = re.fullmatch(r"(\d{4})\s*(?:/|-|–|to)\s*(\d{2}|\d{4})", text.strip().lower())
    if not match:
        return None
    start, end = int(match.group(1)), match.group(2)
    if int(end) % 100 != (start + 1) % 100 or (len(end) == 4 and int(end) != start + 1):
        return None
    return f"{start}/{(start + 1) % 100:02d}"


# --- comparing ------------------------------------------------------------------------------


def synthetic_national_table_path() -> Path:
    """The synthetic table that ships with plainsight (invented counts, published layout).

    For 2022/23 the City of London's share is 0.13% (9 of 6,923) and the other territorial
    forces' pooled share 0.24%, as in the seed committee report; see its README.
    """
    return Path(str(resources.files("plainsight.crime").joinpath("data", _SYNTHETIC)))
