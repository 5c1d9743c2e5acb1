"""The lake's catalog: which Parquet files make up each table, one atomic commit at a time.

A table is a list of Parquet files under ``lake/tables/<name>/``. The catalog is a log of
numbered versions in ``lake/_log/``; each version names every table's files. A writer holds
the lake's lock, writes new files, then publishes the next version with one atomic link, so
several tables change together or not at all and readers never see half a run. Files no
version refers to (left by a killed writer) are removed when the next writer starts.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from plainsight.errors import WorkspaceError

LOG_DIR = "_log"
TABLES_DIR = "tables"
LOCK_FILE = ".writer.lock"


@dataclass(frozen=True)
class Snapshot:
    """One published version of the lake: table name to its files (relative to the lake)."""

    version: int
    committed_at: str
    tables: dict[str, list[str]]
    note: str = ""

    def files(self, lake_dir: Path, table: str) -> list[Path]:
        return [lake_dir / rel for rel in self.tables.get(table, [])]


def _version_path(log_dir: Path, version: int) -> Path:
    return log_dir / f"{version:012d}.json"


def read_latest(lake_dir: Path) -> Snapshot:
    """The newest published version (version 0, empty, before the first commit)."""
    log_dir = lake_dir / LOG_DIR
    versions = sorted(p for p in log_dir.glob("*.json")) if log_dir.is_dir() else []
    if not versions:
        return Snapshot(version=0, committed_at="", tables={})
    raw = orjson.loads(versions[-1].read_bytes())
    return Snapshot(
        version=int(raw["version"]),
        committed_at=str(raw["committed_at"]),
        tables={str(k): [str(f) for f in v] for k, v in raw["tables"].items()},
        note=str(raw.get("note", "")),
    )


@dataclass
class Transaction:
    """Changes to several tables, published together by :meth:`Lake.transaction`."""

    lake_dir: Path
    base: Snapshot
    tables: dict[str, list[str]] = field(default_factory=dict)
    note: str = ""
    written: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.tables = {k: list(v) for k, v in self.base.tables.items()}

    def _write(self, table: str, data: pa.Table) -> str | None:
        if data.num_rows == 0:
            return None
        folder = self.lake_dir / TABLES_DIR / table
        folder.mkdir(parents=True, exist_ok=True)
        rel = f"{TABLES_DIR}/{table}/{uuid.uuid4().hex}.parquet"
        tmp = self.lake_dir / f"{rel}.tmp"
        pq.write_table(data, tmp, compression="zstd")
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        tmp.replace(self.lake_dir / rel)
        self.written.append(self.lake_dir / rel)
        return rel

    def append(self, table: str, data: pa.Table) -> None:
        """Add rows to a table (creating it if new)."""
        rel = self._write(table, data)
        files = self.tables.setdefault(table, [])
        if rel:
            files.append(rel)

    def replace(self, table: str, data: pa.Table) -> None:
        """Make ``data`` the whole of a table."""
        rel = self._write(table, data)
        self.tables[table] = [rel] if rel else []


class Lake:
    """The Parquet tables of a workspace (``lake/``)."""

    def __init__(self, lake_dir: Path) -> None:
        self.dir = lake_dir
        (lake_dir / LOG_DIR).mkdir(parents=True, exist_ok=True)
        (lake_dir / TABLES_DIR).mkdir(parents=True, exist_ok=True)

    def snapshot(self) -> Snapshot:
        return read_latest(self.dir)

    @contextlib.contextmanager
    def transaction(self, note: str = "") -> Iterator[Transaction]:
        """Hold the writer lock, collect changes, publish them as one new version on exit.

        If the block raises, nothing is published and the files it wrote are removed.
        """
        lock_path = self.dir / LOCK_FILE
        with lock_path.open("a+") as lock:
            try:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise WorkspaceError(
                    f"another plainsight process is writing to {self.dir}; wait for it to finish"
                ) from exc
            try:
                base = self.snapshot()
                self._collect_orphans(base)
                tx = Transaction(self.dir, base, note=note)
                try:
                    yield tx
                except BaseException:
                    for path in tx.written:
                        path.unlink(missing_ok=True)
                    raise
                self._publish(tx)
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _publish(self, tx: Transaction) -> None:
        version = tx.base.version + 1
        body: dict[str, Any] = {
            "version": version,
            "committed_at": datetime.now(UTC).isoformat(timespec="microseconds"),
            "note": tx.note,
            "tables": tx.tables,
        }
        log_dir = self.dir / LOG_DIR
        tmp = log_dir / f".{version:012d}.{uuid.uuid4().hex}.tmp"
        tmp.write_bytes(orjson.dumps(body, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        try:
            os.link(tmp, _version_path(log_dir, version))  # fails if the version exists
        finally:
            tmp.unlink(missing_ok=True)
        dir_fd = os.open(log_dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def _collect_orphans(self, base: Snapshot) -> None:
        """Remove files a killed writer left: temporaries and files no version refers to."""
        for tmp in (self.dir / LOG_DIR).glob(".*.tmp"):
            tmp.unlink(missing_ok=True)
        referenced: set[str] = set()
        for path in (self.dir / LOG_DIR).glob("*.json"):
            for files in orjson.loads(path.read_bytes())["tables"].values():
                referenced.update(files)
        tables_dir = self.dir / TABLES_DIR
        for path in tables_dir.rglob("*"):
            if not path.is_file():
                continue
            rel = path.relative_to(self.dir).as_posix()
            if rel not in referenced:
                path.unlink(missing_ok=True)
