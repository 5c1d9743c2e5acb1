"""Importing Ordnance Survey Code-Point Open: every postcode unit in Great Britain.

Code-Point Open is published as one CSV per postcode area (``Data/CSV/ec.csv``...), with no
header row and ten columns (``Doc/Code-Point_Open_Column_Headers.csv``): postcode (seven
characters, the outward code padded: ``"E1  6AN"``, ``"EC1A1AA"``), positional quality,
easting, northing (British National Grid), then country and administrative area codes.

:func:`import_codepoint` reads the files as published, converts every point to WGS84 with one
vectorised pyproj call, flags the points inside the City of London, works out a centroid for
every postcode district, and writes two Parquet files (``postcodes.parquet`` and
``districts.parquet``) plus ``gazetteer.json`` (what was imported, when, what was skipped)
under the target folder, which :meth:`Gazetteer.load` reads. Rows it cannot use are skipped
and counted, never fatal: a wrong number of columns, a malformed postcode, coordinates that
are not numbers, and positional quality 90 (a postcode with no coordinates).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from plainsight.extract.gazetteer_grid import CityBoundary, to_wgs84

__all__ = ["COLUMNS", "CodepointImport", "codepoint_files", "import_codepoint", "read_codepoint"]

COLUMNS = (
    "postcode",
    "quality",
    "easting",
    "northing",
    "country",
    "nhs_region",
    "nhs_health_authority",
    "county",
    "district",
    "ward",
)
"""Code-Point Open's columns, in order (Doc/Code-Point_Open_Column_Headers.csv)."""

NO_COORDINATES = "90"
"""Positional quality 90: the postcode has no coordinates (they are published as 0, 0)."""

POSTCODE_PATTERN = r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$"
NUMBER_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
GB_BOX = (0.0, 0.0, 700_000.0, 1_300_000.0)
"""The British National Grid's extent: points outside it are errors."""

POSTCODE_SCHEMA = pa.schema(
    [
        ("postcode", pa.string()),
        ("easting", pa.float64()),
        ("northing", pa.float64()),
        ("lat", pa.float64()),
        ("lon", pa.float64()),
        ("in_city", pa.bool_()),
        ("admin_district", pa.string()),
    ]
)
DISTRICT_SCHEMA = pa.schema(
    [
        ("district", pa.string()),
        ("easting", pa.float64()),
        ("northing", pa.float64()),
        ("lat", pa.float64()),
        ("lon", pa.float64()),
        ("in_city", pa.bool_()),
        ("postcodes", pa.int64()),
    ]
)


@dataclass(frozen=True)
class CodepointImport:
    """What one file (or a whole import) yielded: usable postcodes and rows skipped."""

    table: pa.Table
    skipped: int


def codepoint_files(source: Path) -> list[Path]:
    """The Code-Point Open CSV files at ``source``: one file, ``Data/CSV/*.csv`` or ``*.csv``.

    Raises ``FileNotFoundError`` if there are none.
    """
    if source.is_file():
        return [source]
    for folder in (source / "Data" / "CSV", source / "CSV", source):
        files = sorted(p for p in folder.glob("*.csv") if p.is_file()) if folder.is_dir() else []
        files = [p for p in files if "column_headers" not in p.name.lower()]
        if files:
            return files
    raise FileNotFoundError(f"no Code-Point Open CSV files at {source}")


def read_codepoint(path: Path) -> CodepointImport:
    """One Code-Point Open CSV as a table of ``postcode, easting, northing, admin_district``.

    ``postcode`` is written the usual way (``"E1 6AN"``). Unusable rows are counted.
    """
    bad_shape = 0

    def skip(_row: object) -> str:
        nonlocal bad_shape
        bad_shape += 1
        return "skip"

    try:
        raw = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                column_names=list(COLUMNS), use_threads=True, encoding="latin-1"
            ),
            parse_options=pacsv.ParseOptions(invalid_row_handler=skip),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in COLUMNS},
                include_columns=["postcode", "quality", "easting", "northing", "district"],
                strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        raw, bad_shape = _read_leniently(path)
    return _clean(raw, bad_shape)


def _read_leniently(path: Path) -> tuple[pa.Table, int]:
    """The slow path for a file pyarrow cannot parse (bad encoding, stray quotes)."""
    columns: dict[str, list[str]] = {c: [] for c in ("postcode", "quality", "easting", "northing")}
    columns["district"] = []
    bad = 0
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        for row in csv.reader(_no_nul(handle)):
            if len(row) != len(COLUMNS):
                bad += bool(row)
                continue
            for name, value in zip(columns, (row[0], row[1], row[2], row[3], row[8]), strict=True):
                columns[name].append(value)
    return pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()}), bad


def _no_nul(lines: Iterable[str]) -> Iterable[str]:
    for line in lines:
        yield line.replace("\0", "")


def _clean(raw: pa.Table, bad_shape: int) -> CodepointImport:
    compact = pc.utf8_upper(pc.replace_substring(pc.utf8_trim_whitespace(raw["postcode"]), " ", ""))
    easting = pc.utf8_trim_whitespace(raw["easting"])
    northing = pc.utf8_trim_whitespace(raw["northing"])
    quality = pc.utf8_trim_whitespace(raw["quality"])
    usable = pc.and_(
        pc.and_(
            pc.match_substring_regex(compact, POSTCODE_PATTERN),
            pc.match_substring_regex(quality, r"^[0-9]+$"),
        ),
        pc.and_(
            pc.not_equal(quality, NO_COORDINATES),
            pc.and_(
                pc.match_substring_regex(easting, NUMBER_PATTERN),
                pc.match_substring_regex(northing, NUMBER_PATTERN),
            ),
        ),
    )
    compact = compact.filter(usable)
    x = pc.cast(easting.filter(usable), pa.float64())
    y = pc.cast(northing.filter(usable), pa.float64())
    west, south, east, north = GB_BOX
    inside = pc.and_(
        pc.and_(pc.greater(x, west), pc.less_equal(x, east)),
        pc.and_(pc.greater(y, south), pc.less_equal(y, north)),
    )
    compact, x, y = compact.filter(inside), x.filter(inside), y.filter(inside)
    outward = pc.utf8_slice_codeunits(compact, 0, -3)
    inward = pc.utf8_slice_codeunits(compact, -3)
    table = pa.table(
        {
            "postcode": pc.binary_join_element_wise(outward, inward, " "),
            "easting": x,
            "northing": y,
            "admin_district": raw["district"].filter(usable).filter(inside),
        }
    )
    return CodepointImport(table, bad_shape + raw.num_rows - table.num_rows)


def import_codepoint(
    source: Path,
    target: Path,
    on_progress: Callable[[int, int], None] | None = None,
    *,
    boundary: CityBoundary | None = None,
) -> int:
    """Import Code-Point Open from ``source`` into ``target``; return the postcodes imported.

    ``source`` is the unpacked product (the folder holding ``Data/CSV``), a folder of CSVs or
    one CSV. ``on_progress(files_done, files_total)`` is called after each file. A postcode
    present twice keeps its last row. Each file is replaced atomically (written aside, then
    renamed), so a reader never sees a half-written file.

    Raises ``FileNotFoundError`` if ``source`` holds no CSV files.

    Example::

        n = import_codepoint(Path("codepo_gb"), workspace / "gazetteer")
    """
    files = codepoint_files(source)
    boundary = boundary or CityBoundary.builtin()
    parts: list[pa.Table] = []
    skipped = 0
    for done, path in enumerate(files, start=1):
        part = read_codepoint(path)
        parts.append(part.table)
        skipped += part.skipped
        if on_progress is not None:
            on_progress(done, len(files))
    table = pa.concat_tables(parts) if parts else _empty_input()
    rows = table.num_rows
    table = _last_of_each(table)
    duplicates = rows - table.num_rows
    postcodes = _locate(table, boundary)
    districts = _districts(postcodes, boundary)
    target.mkdir(parents=True, exist_ok=True)
    _write_parquet(postcodes.cast(POSTCODE_SCHEMA), target / "postcodes.parquet")
    _write_parquet(districts.cast(DISTRICT_SCHEMA), target / "districts.parquet")
    manifest = {
        "source": str(source),
        "files": [p.name for p in files],
        "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "postcodes": postcodes.num_rows,
        "districts": districts.num_rows,
        "skipped_rows": skipped,
        "duplicate_rows": duplicates,
        "attribution": ATTRIBUTION,
    }
    _write_bytes(target / "gazetteer.json", orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    return int(postcodes.num_rows)


ATTRIBUTION = (
    "Contains OS data © Crown copyright and database right; "
    "Contains Royal Mail data © Royal Mail copyright and database right; "
    "Contains National Statistics data © Crown copyright and database right "
    "(Open Government Licence v3.0)"
)


def _empty_input() -> pa.Table:
    return pa.table(
        {
            "postcode": pa.array([], pa.string()),
            "easting": pa.array([], pa.float64()),
            "northing": pa.array([], pa.float64()),
            "admin_district": pa.array([], pa.string()),
        }
    )


def _last_of_each(table: pa.Table) -> pa.Table:
    """One row per postcode (the last seen), sorted by postcode."""
    if table.num_rows == 0:
        return table
    indexed = table.append_column("_row", pa.array(range(table.num_rows), pa.int64()))
    last = indexed.group_by("postcode").aggregate([("_row", "max")])
    keep = pc.sort_indices(last, sort_keys=[("postcode", "ascending")])
    rows = pc.take(last["_row_max"], keep)
    return table.take(rows)


def _locate(table: pa.Table, boundary: CityBoundary) -> pa.Table:
    x = table["easting"].to_numpy()
    y = table["northing"].to_numpy()
    lat, lon = to_wgs84(x, y)
    return pa.table(
        {
            "postcode": table["postcode"],
            "easting": x,
            "northing": y,
            "lat": lat,
            "lon": lon,
            "in_city": boundary.contains_many(x, y),
            "admin_district": table["admin_district"],
        }
    )


def _districts(postcodes: pa.Table, boundary: CityBoundary) -> pa.Table:
    """Every postcode district with the mean position of its postcodes."""
    outward = pc.utf8_slice_codeunits(postcodes["postcode"], 0, -4)
    grouped = (
        pa.table({"district": outward, "e": postcodes["easting"], "n": postcodes["northing"]})
        .group_by("district")
        .aggregate([("e", "mean"), ("n", "mean"), ("e", "count")])
        .sort_by("district")
    )
    x = grouped["e_mean"].to_numpy()
    y = grouped["n_mean"].to_numpy()
    lat, lon = to_wgs84(x, y)
    return pa.table(
        {
            "district": grouped["district"],
            "easting": x,
            "northing": y,
            "lat": lat,
            "lon": lon,
            "in_city": boundary.contains_many(x, y),
            "postcodes": grouped["e_count"],
        }
    )


def _write_parquet(table: pa.Table, path: Path) -> None:
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    _write_bytes(path, sink.getvalue())


def _write_bytes(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
