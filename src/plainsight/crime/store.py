"""Keep a force's imported crime records in the workspace lake, and read them back.

An import is a whole snapshot of the force's export, not an addition to the last one: the
five ``crime_*`` tables (``docs/lake.md``) are replaced together in one catalog version.
A run killed part-way publishes nothing, so the previous import stays; running the same
import again gives the same tables. The CSV files go into evidence first, by SHA-256, so
every figure can be traced back to the file it was counted from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from plainsight.capture.evidence import sha256_file
from plainsight.crime.importer import (
    CRIMES,
    OUTCOMES,
    VICTIMS,
    CrimeDataError,
    find_file,
    load_records,
    paused_gc,
)
from plainsight.crime.records import (
    MDSHT_CODES_DEFAULT,
    Crime,
    CrimeRecords,
    Outcome,
    Reject,
    Victim,
    Where,
)
from plainsight.errors import PlainsightError
from plainsight.lake.schemas import (
    CRIME_IMPORTS,
    CRIME_OUTCOMES,
    CRIME_RECORDS,
    CRIME_REJECTS,
    CRIME_VICTIMS,
)

TABLES = ("crime_records", "crime_victims", "crime_outcomes", "crime_rejects", "crime_imports")


class NoCrimeRecords(PlainsightError):  # noqa: N818 - named for what is missing
    """The workspace holds no imported crime records."""

    def __init__(self, home: Path) -> None:
        super().__init__(
            f"no crime records have been imported into {home}: run `plainsight crime import "
            "DIR` first, or give --input DIR to read a folder directly"
        )


@dataclass(frozen=True)
class CrimeImport:
    """What :func:`import_records` kept: the records and where they came from."""

    records: CrimeRecords
    import_id: str
    files: dict[str, str]  # file name -> SHA-256
    lake_version: int

    @property
    def mdsht_crimes(self) -> int:
        """Recorded MDSHT crimes, all dates."""
        records = self.records
        return sum(1 for c in records.crimes if c.status == "recorded" and records.is_mdsht(c))


def import_records(
    workspace: Any,
    folder: Path,
    *,
    mdsht_codes: tuple[str, ...] = MDSHT_CODES_DEFAULT,
    progress: bool = False,
) -> CrimeImport:
    """Read ``folder`` (the crime-data contract) and make it the workspace's crime records.

    The files are stored in evidence, then all five ``crime_*`` tables are replaced in one
    lake version. Rows set aside are kept in ``crime_rejects``. Raises
    :class:`~plainsight.crime.importer.CrimeDataError` (nothing changes) when the folder
    cannot be read at all.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CrimeDataError(f"{folder} is not a folder of crime records (crimes.csv, victims.csv)")
    present = _files(folder)
    hashes = {name: sha256_file(path) for name, path in present.items()}
    records = load_records(folder, mdsht_codes=mdsht_codes, progress=progress)
    for name, path in present.items():
        workspace.evidence.put_file(path, hashes[name])
    import_id = hashlib.sha256("\n".join(hashes.values()).encode()).hexdigest()
    summary = pa.table(
        {
            "import_id": [import_id],
            "folder": [str(folder)],
            "files": [list(hashes)],
            "file_sha256": [list(hashes.values())],
            "mdsht_codes": [list(mdsht_codes)],
            "crimes": [len(records.crimes)],
            "victims": [len(records.victims)],
            "outcomes": [len(records.outcomes)],
            "rejects": [len(records.rejects)],
            "imported_at": [workspace.clock()],
            "imported_by": [workspace.settings.operator],
        },
        schema=CRIME_IMPORTS,
    )
    with workspace.lake.transaction(note=f"crime import {folder.name}") as tx:
        tx.replace("crime_records", crimes_table(records.crimes))
        tx.replace("crime_victims", victims_table(records.victims))
        tx.replace("crime_outcomes", outcomes_table(records.outcomes))
        tx.replace("crime_rejects", rejects_table(records.rejects))
        tx.replace("crime_imports", summary)
        version = tx.base.version + 1
    return CrimeImport(records, import_id, hashes, version)


def _files(folder: Path) -> dict[str, Path]:
    """The contract's files present in ``folder`` (names matched case-insensitively)."""
    found = {name: find_file(folder, name) for name in (CRIMES, VICTIMS, OUTCOMES)}
    return {name: path for name, path in found.items() if path is not None}


def _records_table(rows: Sequence[Crime | Victim | Outcome], schema: pa.Schema) -> pa.Table:
    """Records as a lake table, in file order: each column is the record's attribute of the
    same name, and ``file``/``line`` say where the row came from."""
    columns: dict[str, list[Any]] = {}
    for name in schema.names:
        if name in ("file", "line"):
            columns[name] = [getattr(r.where, name) for r in rows]
        else:
            columns[name] = [getattr(r, name) for r in rows]
    return pa.table(columns, schema=schema)


def crimes_table(crimes: Sequence[Crime]) -> pa.Table:
    """Crimes as the ``crime_records`` table."""
    return _records_table(crimes, CRIME_RECORDS)


def victims_table(victims: Sequence[Victim]) -> pa.Table:
    """Victims as the ``crime_victims`` table."""
    return _records_table(victims, CRIME_VICTIMS)


def outcomes_table(outcomes: Sequence[Outcome]) -> pa.Table:
    """Outcomes as the ``crime_outcomes`` table."""
    return _records_table(outcomes, CRIME_OUTCOMES)


def rejects_table(rejects: list[Reject]) -> pa.Table:
    """Rows set aside as the ``crime_rejects`` table."""
    return pa.table(
        {
            "file": [r.file for r in rejects],
            "line": [r.line for r in rejects],
            "reason": [r.reason for r in rejects],
            "raw": [r.raw for r in rejects],
        },
        schema=CRIME_REJECTS,
    )


_FILE_ORDER = "CASE file WHEN 'crimes.csv' THEN 0 WHEN 'victims.csv' THEN 1 ELSE 2 END"


def load_workspace_records(workspace: Any) -> CrimeRecords:
    """The crime records last imported into ``workspace``: the same objects
    :func:`~plainsight.crime.importer.load_records` gave from the folder.

    Raises :class:`NoCrimeRecords` when nothing has been imported.
    """
    snapshot = workspace.lake.snapshot()
    if not snapshot.tables.get("crime_imports"):
        raise NoCrimeRecords(workspace.home)
    with workspace.reading() as engine:
        imports = engine.read_table("crime_imports").to_pylist()
        crimes = engine.run("SELECT * FROM crime_records ORDER BY line")
        victims = engine.run("SELECT * FROM crime_victims ORDER BY line")
        outcomes = engine.run("SELECT * FROM crime_outcomes ORDER BY line")
        rejects = engine.run(f"SELECT * FROM crime_rejects ORDER BY {_FILE_ORDER}, line")
    with paused_gc():
        return CrimeRecords(
            crimes=_crimes(crimes),
            victims=_victims(victims),
            outcomes=_outcomes(outcomes),
            rejects=[
                Reject(r["file"], r["line"], r["reason"], r["raw"]) for r in rejects.to_pylist()
            ],
            mdsht_codes=tuple(imports[0]["mdsht_codes"]),
        )


def _columns(table: pa.Table, names: tuple[str, ...]) -> list[list[Any]]:
    return [table.column(name).to_pylist() for name in names]


def _crimes(table: pa.Table) -> list[Crime]:
    columns = _columns(table, tuple(CRIME_RECORDS.names))
    return [
        Crime(
            ref,
            _naive(recorded),
            recorded_day_only,
            _naive(reported),
            reported_day_only,
            committed,
            code,
            title,
            marker,
            status,
            lsoa,
            easting,
            northing,
            mo,
            Where(file, line),
        )
        for (
            ref,
            recorded,
            recorded_day_only,
            reported,
            reported_day_only,
            committed,
            code,
            title,
            marker,
            status,
            lsoa,
            easting,
            northing,
            mo,
            file,
            line,
        ) in zip(*columns, strict=True)
    ]


def _naive(value: datetime | None) -> Any:
    """The stored wall-clock time (an engine that adds a time zone has it taken off)."""
    if value is None or value.tzinfo is None:
        return value
    return value.replace(tzinfo=None)


def _victims(table: pa.Table) -> list[Victim]:
    columns = _columns(table, tuple(CRIME_VICTIMS.names))
    return [
        Victim(ref, person, sex, age, born, ic, sde, nationality, kind, Where(file, line))
        for ref, person, sex, age, born, ic, sde, nationality, kind, file, line in zip(
            *columns, strict=True
        )
    ]


def _outcomes(table: pa.Table) -> list[Outcome]:
    columns = _columns(table, tuple(CRIME_OUTCOMES.names))
    return [
        Outcome(ref, code, when, Where(file, line))
        for ref, code, when, file, line in zip(*columns, strict=True)
    ]
