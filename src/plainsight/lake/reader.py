"""Many short readers of the newest lake version, sharing one DuckDB database.

Opening an engine binds every lake table: DuckDB reads the footer of each Parquet file of
each table, which at a million adverts costs 50–150 ms, before any query runs. A web app
opens a reader per request, so :class:`SharedReader` binds the newest version once and
gives each reader its own cursor on that database (a DuckDB connection of its own, safe in
its own thread), and DuckDB's caches outlive a request. A newer version published by a
writer, or a newer serving copy (:mod:`plainsight.lake.serving`: the tables pages look things
up in, sorted and indexed), is bound on the next :meth:`SharedReader.reading`; readers already
open keep theirs.

Readers must only read: a view or table one of them creates would be seen by all. The
stages, which write, open their own engine (:meth:`plainsight.workspace.Workspace.reading`).

Example::

    reader = SharedReader(ws.lake)
    with reader.reading() as engine:
        engine.run("SELECT count(*) AS n FROM adverts").to_pylist()
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from plainsight.lake import serving
from plainsight.lake.catalog import Lake, Snapshot
from plainsight.lake.engine import DuckDBEngine, Engine


class SharedReader:
    """The newest version of ``lake``, bound once per version, a cursor per reader."""

    def __init__(self, lake: Lake, *, threads: int = 0, memory_limit: str = "") -> None:
        self.lake = lake
        self.threads = threads
        self.memory_limit = memory_limit
        self._lock = threading.Lock()
        self._base: DuckDBEngine | None = None
        self._version = -1
        self._copy: Path | None = None
        self.served: frozenset[str] = frozenset()
        """The tables read from the serving copy in the version bound now."""

    @property
    def version(self) -> int:
        """The lake version bound now (-1 before the first reader)."""
        return self._version

    def _current(self) -> DuckDBEngine:
        snapshot = self.lake.snapshot()
        copy = serving.latest(self.lake)
        with self._lock:
            if self._base is None or (snapshot.version, copy) != (self._version, self._copy):
                base = DuckDBEngine(threads=self.threads, memory_limit=self.memory_limit)
                served = _attach_serving(base, self.lake, snapshot)
                base.bind(snapshot, self.lake.dir, skip=served)
                self.served = served
                # the old database is closed when its last open cursor is
                self._base, self._version, self._copy = base, snapshot.version, copy
            return self._base

    @contextmanager
    def reading(self) -> Iterator[Engine]:
        """An engine over the newest version, its cursor closed when the block ends."""
        engine = self._current().cursor()
        try:
            yield engine
        finally:
            engine.close()


def _attach_serving(engine: DuckDBEngine, lake: Lake, snapshot: Snapshot) -> frozenset[str]:
    """Attach the newest serving copy (:mod:`plainsight.lake.serving`) and make a view of
    each table it holds whose files are still the snapshot's; the tables so bound."""
    path = serving.latest(lake)
    if path is None:
        return frozenset()
    try:
        held = serving.served_signatures(path)
    except duckdb.Error:  # a copy being removed, or not a copy: read the Parquet instead
        return frozenset()
    current = {t for t, sig in held.items() if sig == serving.signature(snapshot, t)}
    if not current:
        return frozenset()
    engine.con.execute(f"ATTACH '{path}' AS serving (READ_ONLY)")
    for table in sorted(current):
        engine.con.execute(f'CREATE VIEW "{table}" AS SELECT * FROM serving."{table}"')
    return frozenset(current)
