"""The workspace's tables as an Excel workbook: networks, personas, adverts, generic identifiers.

One sheet per table, each with a styled header row that stays in view (frozen) and a filter,
so an analyst can sort and filter in Excel. Written in openpyxl's streaming (write-only) mode
so a large lake does not become a large workbook in memory. Instants are UTC (Excel has no
time zones; the headers say so); lists are joined with "; ". Text from adverts is untrusted:
a cell beginning with ``=`` is written as text, never as a formula. A sheet longer than Excel
allows ends with a row that says how many rows were left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from plainsight.lake.engine import Engine

MAX_ROWS = 1_048_575
"""Excel's data rows per sheet (1,048,576 rows less the header)."""

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")

NETWORKS_SQL = """
SELECT rank, network_id, score, personas, adverts, numbers, sites, towns,
       age_min, age_max, hits, first_seen, last_seen, movement, summary
FROM network_scores WHERE personas > 1 ORDER BY rank
"""

PERSONAS_SQL = """
SELECT p.persona_id, n.network_id, count(*) AS adverts,
       list_sort(list_distinct(flatten(list(f.names)))) AS names,
       list_sort(list_distinct(flatten(list(f.phones)))) AS phones,
       list_sort(list_distinct(flatten(list(f.emails)))) AS emails,
       list_sort(list_distinct(flatten(list(f.towns)))) AS towns,
       min(f.first_captured_at) AS first_captured, max(f.last_captured_at) AS last_captured
FROM personas AS p
LEFT JOIN networks AS n ON n.persona_id = p.persona_id
LEFT JOIN advert_features AS f ON f.advert_id = p.advert_id
GROUP BY p.persona_id, n.network_id
ORDER BY n.network_id, p.persona_id
"""

ADVERTS_LINKED_SQL = """
SELECT a.advert_id, a.source, a.ad_id, p.persona_id, n.network_id, a.captures,
       a.first_captured_at, a.last_captured_at, f.names, f.phones, f.emails, f.towns
FROM adverts AS a
LEFT JOIN personas AS p ON p.advert_id = a.advert_id
LEFT JOIN networks AS n ON n.persona_id = p.persona_id
LEFT JOIN advert_features AS f ON f.advert_id = a.advert_id
ORDER BY n.network_id NULLS LAST, p.persona_id, a.advert_id
"""

ADVERTS_SQL = """
SELECT advert_id, source, ad_id, captures, first_captured_at, last_captured_at
FROM adverts ORDER BY advert_id
"""

GENERIC_SQL = """
SELECT kind, value, adverts, sites, other_phones, generic, decided_by, reason
FROM generic_identifiers ORDER BY generic DESC, adverts DESC, kind, value
"""

HEADINGS = {
    "first_seen": "first seen (UTC)",
    "last_seen": "last seen (UTC)",
    "first_captured": "first captured (UTC)",
    "last_captured": "last captured (UTC)",
    "first_captured_at": "first captured (UTC)",
    "last_captured_at": "last captured (UTC)",
}


def _value(ws: WriteOnlyWorksheet, value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # text from an advert, never a formula
        return cell
    return value


def _sheet(wb: Workbook, title: str, columns: list[str], rows: Iterable[dict[str, Any]]) -> int:
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    for number, column in enumerate(columns, start=1):
        width = 40 if column in ("summary", "movement", "reason", "names", "towns") else 18
        ws.column_dimensions[get_column_letter(number)].width = width
    ws.auto_filter.ref = f"A1:{get_column_letter(max(len(columns), 1))}1"
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=HEADINGS.get(column, column.replace("_", " ")))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        header.append(cell)
    ws.append(header)
    written = 0
    left_out = 0
    for row in rows:
        if written >= MAX_ROWS - 1:
            left_out += 1
            continue
        ws.append([_value(ws, row[c]) for c in columns])
        written += 1
    if left_out:
        ws.append([f"{left_out:,} more rows left out: Excel holds at most {MAX_ROWS + 1:,} rows"])
    return written


def _query(engine: Engine, sql: str) -> tuple[list[str], list[dict[str, Any]]]:
    result = engine.run(sql)
    rows: list[dict[str, Any]] = result.to_pylist()
    return list(result.column_names), rows


def write_xlsx(engine: Engine, output: Path) -> dict[str, int]:
    """Write the workbook; return each sheet's name and how many data rows it holds."""
    linked = all(engine.table_exists(t) for t in ("personas", "networks", "advert_features"))
    sheets: list[tuple[str, str | None]] = [
        ("Networks", NETWORKS_SQL if engine.table_exists("network_scores") else None),
        ("Personas", PERSONAS_SQL if linked else None),
        ("Adverts", ADVERTS_LINKED_SQL if linked else ADVERTS_SQL),
        (
            "Generic identifiers",
            GENERIC_SQL if engine.table_exists("generic_identifiers") else None,
        ),
    ]
    wb = Workbook(write_only=True)
    counts: dict[str, int] = {}
    for title, sql in sheets:
        if sql is None or (title == "Adverts" and not engine.table_exists("adverts")):
            note = [{"note": "not built yet: run `plainsight run`"}]
            _sheet(wb, title, ["note"], note)
            counts[title] = 0
            continue
        columns, rows = _query(engine, sql)
        counts[title] = _sheet(wb, title, columns, rows)
    output.parent.mkdir(parents=True, exist_ok=True)
    wb.save(output)
    return counts
