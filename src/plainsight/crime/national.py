"""The national comparison: a force's MDSHT share of crime against the other forces'.

The seed committee report says "MDSHT currently accounts for 0.13% of crime within the City
of London compared to the national average of all other forces at 0.24%". The national side
of that sentence comes from the Home Office's *police recorded crime open data table* for
police force areas, which has one row per financial year, quarter, force and offence:

    Financial Year, Financial Quarter, Force Name, Offence Description, Offence Group,
    Offence Subgroup, Offence Code, Number of Offences

:func:`read_national_table` reads that table as published, from CSV, ODS or XLSX (title rows,
notes sheets and several data sheets are allowed: it finds every sheet and row with these
headers); :func:`national_comparison` turns it into the comparison.

**Which "national average".** Two averages of the other territorial forces are given:

- the *pooled* share: all their MDSHT crimes ÷ all their crimes. This is the share of crime
  recorded outside the force that is MDSHT, the figure "nationally" means in a sentence like
  the seed's, and it is the one the report's headline uses;
- the *mean of per-force shares*: each force counts once, whatever its size, so a small
  force with an unusual share moves it as much as the Metropolitan Police does. It is shown
  beside the pooled share for context, never instead of it.

British Transport Police, the fraud recording bodies (Action Fraud, CIFAS, UK Finance, the
National Fraud Intelligence Bureau) and any aggregate row (England, Wales, totals) are not
territorial forces and are left out of both, and listed as left out.

A synthetic table in the published layout ships with plainsight for demonstrations and tests
(:func:`synthetic_national_table_path`); its counts are invented.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from scipy import stats

from plainsight.crime.records import MDSHT_CODES_DEFAULT, Reject
from plainsight.errors import PlainsightError
from plainsight.stats.trends import poisson_interval

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

DEFAULT_FORCE = "London, City of"
"""How the Home Office names the City of London Police's force area."""

NON_TERRITORIAL: dict[str, str] = {
    "british transport police": "not a territorial force (it polices the railways)",
    "btp": "not a territorial force (it polices the railways)",
    "action fraud": "fraud recording body, not a territorial force",
    "cifas": "fraud recording body, not a territorial force",
    "uk finance": "fraud recording body, not a territorial force",
    "national fraud intelligence bureau": "fraud recording body, not a territorial force",
    "nfib": "fraud recording body, not a territorial force",
}
"""Force names (lower case) that are in the table but are not territorial police forces."""

_AGGREGATES = {"england", "wales", "england and wales", "england & wales"}
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


@dataclass(frozen=True, slots=True)
class ForceShare:
    """One territorial force's MDSHT crimes as a share of its crime (``share`` in %)."""

    rank: int  # 1 = the highest share
    force: str
    mdsht: int
    all_crime: int
    share: float | None  # None when the force recorded no crime at all


@dataclass(frozen=True, slots=True)
class NationalComparison:
    """A force's MDSHT share against the other territorial forces', for one financial year.

    Shares are percentages, unrounded. ``share_low``..``share_high`` is the exact Poisson
    interval for the force's share (its count is small, so it is wide). ``p_value`` is the
    exact binomial test of the force's count against the others' pooled share. ``headline``
    uses the pooled share (see the module's documentation for why).
    """

    financial_year: str
    quarters: tuple[int, ...]  # quarters of the year present in the table; () if not given
    force: str
    mdsht_codes: tuple[str, ...]
    mdsht: int
    all_crime: int
    share: float | None
    share_low: float | None
    share_high: float | None
    others: int  # how many other territorial forces
    others_mdsht: int
    others_all_crime: int
    others_pooled_share: float | None
    others_mean_share: float | None
    p_value: float | None
    forces: list[ForceShare]
    excluded: list[tuple[str, str]]  # (force name, why it is left out)
    years: list[str]
    headline: str
    level: float = 0.95


# --- reading --------------------------------------------------------------------------------


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


def _force_key(name: str) -> tuple[str, ...]:
    """Words of a force name, sorted, without "police": "London, City of" = "City of London
    Police"."""
    words = re.findall(r"[a-z0-9&]+", name.lower())
    return tuple(sorted(w for w in words if w not in {"police", "constabulary", "service"}))


def _resolve_force(table: NationalTable, force: str) -> str:
    names = table.forces()
    for name in names:
        if name.lower() == force.strip().lower():
            return name
    matches = [name for name in names if _force_key(name) == _force_key(force)]
    if len(matches) == 1:
        return matches[0]
    import difflib

    close = difflib.get_close_matches(force, names, n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise NationalTableError(f"no force named {force!r} in {table.source}{hint}")


def _why_excluded(name: str) -> str | None:
    key = " ".join(name.lower().split())
    if key in NON_TERRITORIAL:
        return NON_TERRITORIAL[key]
    if key in _AGGREGATES or "total" in key:
        return "an aggregate of forces, not a force"
    return None


def is_mdsht_code(code: str, mdsht_codes: Sequence[str] = MDSHT_CODES_DEFAULT) -> bool:
    """The crime-data contract's rule: a listed code, or one beginning ``code/``."""
    return any(code == c or code.startswith(c + "/") for c in mdsht_codes)


def _pct(part: float, whole: float) -> float | None:
    return None if whole <= 0 else part / whole * 100.0


def national_comparison(
    table: NationalTable,
    *,
    force: str = DEFAULT_FORCE,
    financial_year: str | None = None,
    mdsht_codes: Sequence[str] = MDSHT_CODES_DEFAULT,
    level: float = 0.95,
) -> NationalComparison:
    """Compare ``force``'s MDSHT share of recorded crime with the other territorial forces'.

    ``financial_year`` (``"2022/23"``) defaults to the latest year in which the force has
    rows. ``force`` matches the table's name ignoring case, word order and the word "Police"
    (``"City of London Police"`` finds ``"London, City of"``).

    >>> table = read_national_table(synthetic_national_table_path())
    >>> c = national_comparison(table)
    >>> c.financial_year, round(c.share or 0, 2), round(c.others_pooled_share or 0, 2)
    ('2022/23', 0.13, 0.24)

    Raises:
        NationalTableError: no such force or year in the table.
    """
    name = _resolve_force(table, force)
    codes = tuple(str(c).strip().upper() for c in mdsht_codes)
    force_years = sorted({r.financial_year for r in table.rows if r.force_name == name})
    if financial_year is None:
        year = force_years[-1]
    else:
        wanted = normalise_financial_year(financial_year)
        if wanted is None or wanted not in force_years:
            raise NationalTableError(
                f"no rows for {name} in financial year {financial_year!r}; "
                f"the table has {', '.join(force_years)}"
            )
        year = wanted
    mdsht: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    quarters: set[int] = set()
    for row in table.rows:
        if row.financial_year != year:
            continue
        total[row.force_name] += row.offences
        if is_mdsht_code(row.offence_code, codes):
            mdsht[row.force_name] += row.offences
        if row.financial_quarter is not None:
            quarters.add(row.financial_quarter)
    excluded: list[tuple[str, str]] = []
    territorial: list[str] = []
    for other in sorted(total):
        why = _why_excluded(other)
        if why is None:
            territorial.append(other)
        elif other != name:
            excluded.append((other, why))
    if name not in territorial:
        territorial.append(name)  # compared as asked, even if the name looks non-territorial
    others = [f for f in territorial if f != name]
    others_mdsht = sum(mdsht[f] for f in others)
    others_all = sum(total[f] for f in others)
    pooled = _pct(others_mdsht, others_all)
    shares = [s for f in others if (s := _pct(mdsht[f], total[f])) is not None]
    mean = sum(shares) / len(shares) if shares else None
    count, crimes = mdsht[name], total[name]
    share = _pct(count, crimes)
    low, high = poisson_interval(count, level)
    share_low, share_high = _pct(low, crimes), _pct(high, crimes)
    p_value: float | None = None
    if crimes > 0 and pooled is not None and 0 < pooled < 100:
        p_value = float(stats.binomtest(count, crimes, pooled / 100.0).pvalue)

    def highest_share_first(force: str) -> tuple[float, str]:
        share = _pct(mdsht[force], total[force])
        return (1.0 if share is None else -share, force)  # no crime at all: last

    ranked = sorted(territorial, key=highest_share_first)
    forces = [
        ForceShare(
            rank=i,
            force=f,
            mdsht=mdsht[f],
            all_crime=total[f],
            share=_pct(mdsht[f], total[f]),
        )
        for i, f in enumerate(ranked, start=1)
    ]
    comparison = NationalComparison(
        financial_year=year,
        quarters=tuple(sorted(quarters)),
        force=name,
        mdsht_codes=codes,
        mdsht=count,
        all_crime=crimes,
        share=share,
        share_low=share_low,
        share_high=share_high,
        others=len(others),
        others_mdsht=others_mdsht,
        others_all_crime=others_all,
        others_pooled_share=pooled,
        others_mean_share=mean,
        p_value=p_value,
        forces=forces,
        excluded=excluded,
        years=force_years,
        headline="",
        level=level,
    )
    return replace(comparison, headline=_headline(comparison))


def _p(share: float | None) -> str:
    return "no crime recorded" if share is None else f"{share:.2f}%"


def _headline(c: NationalComparison) -> str:
    """The comparison in words, with the uncertainty the force's small count carries."""
    part_year = ""
    if c.quarters and c.quarters != (1, 2, 3, 4):
        part_year = f" (quarters {', '.join(str(q) for q in c.quarters)} only)"
    codes = ", ".join(c.mdsht_codes)
    if c.share is None:
        return f"{c.force} has no recorded crime in {c.financial_year}{part_year}."
    text = (
        f"In {c.financial_year}{part_year}, MDSHT offences (Home Office codes {codes}) were "
        f"{_p(c.share)} of crime recorded in {c.force} ({c.mdsht:,} of {c.all_crime:,})"
    )
    if c.others == 0 or c.others_pooled_share is None:
        return text + "; the table has no other territorial force to compare with."
    text += (
        f", compared with {_p(c.others_pooled_share)} across the other {c.others} territorial "
        f"forces taken together ({c.others_mdsht:,} of {c.others_all_crime:,}; the average of "
        f"their separate shares is {_p(c.others_mean_share)})."
    )
    level = f"{round(c.level * 100)}%"
    text += (
        f" With {c.mdsht:,} offences, its share could plausibly be anywhere from "
        f"{_p(c.share_low)} to {_p(c.share_high)} ({level} interval)"
    )
    if c.p_value is None:
        return text + "."
    if c.p_value < 1 - c.level:
        return text + (
            f"; a difference this large is unlikely from chance alone (p = {c.p_value:.2g})."
        )
    return text + (f"; the difference is within what chance alone gives (p = {c.p_value:.2g}).")


def synthetic_national_table_path() -> Path:
    """The synthetic table that ships with plainsight (invented counts, published layout).

    For 2022/23 the City of London's share is 0.13% (9 of 6,923) and the other territorial
    forces' pooled share 0.24%, as in the seed committee report; see its README.
    """
    return Path(str(resources.files("plainsight.crime").joinpath("data", _SYNTHETIC)))
