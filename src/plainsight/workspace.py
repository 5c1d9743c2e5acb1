"""A workspace: the folder that holds ``evidence/``, ``lake/`` and ``ops.db``.

Opening a workspace creates what is missing and brings the operational database's schema
up to date, so every command can start from ``Workspace.open(settings)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cached_property

from plainsight.capture.evidence import EvidenceStore
from plainsight.errors import WorkspaceError
from plainsight.lake.catalog import Lake
from plainsight.lake.engine import Engine, make_engine
from plainsight.lake.reader import SharedReader
from plainsight.ops.db import OpsDatabase
from plainsight.settings import SETTINGS_FILE, Settings

Clock = Callable[[], datetime]

SETTINGS_TEMPLATE = """\
# plainsight workspace settings. Precedence: these < environment (PLAINSIGHT_*) < flags.
# Every setting is described in docs/settings.md; uncomment a line to change it.
# engine = "duckdb"
# database_url = "postgresql+psycopg://plainsight@localhost/plainsight"
# import_batch_lines = 20000
# duckdb_threads = 0
# duckdb_memory_limit = ""
"""


def utc_now() -> datetime:
    return datetime.now(UTC)


class Workspace:
    """Evidence, lake and operational database of one deployment."""

    def __init__(self, settings: Settings, clock: Clock = utc_now) -> None:
        self.settings = settings
        self.home = settings.home
        self.clock = clock
        self.evidence = EvidenceStore(self.home / "evidence")
        self.lake = Lake(self.home / "lake")
        self._shared: SharedReader | None = None

    @classmethod
    def open(cls, settings: Settings, clock: Clock = utc_now) -> Workspace:
        """Open (creating if needed) the workspace the settings name.

        Raises:
            WorkspaceError: the folder cannot be created or written.
        """
        home = settings.home
        try:
            home.mkdir(parents=True, exist_ok=True)
            settings_file = home / SETTINGS_FILE
            if not settings_file.exists():
                settings_file.write_text(SETTINGS_TEMPLATE, encoding="utf-8")
        except OSError as exc:
            raise WorkspaceError(f"cannot create the workspace at {home}: {exc}") from exc
        return cls(settings, clock)

    @cached_property
    def ops(self) -> OpsDatabase:
        """The operational database, migrated to the newest schema on first use."""
        database = OpsDatabase(self.settings.database)
        database.migrate()
        return database

    def engine(self) -> Engine:
        """An engine with every lake table of the newest version registered."""
        engine = make_engine(
            self.settings.engine,
            threads=self.settings.duckdb_threads,
            memory_limit=self.settings.duckdb_memory_limit,
        )
        engine.bind(self.lake.snapshot(), self.lake.dir)
        return engine

    def share_reads(self) -> None:
        """From now on :meth:`reading` gives cursors on one database bound once per lake
        version, reading the serving copy where it is current (for many short readers, such
        as the web app's requests; :class:`~plainsight.lake.reader.SharedReader`). Readers
        must then only read. DuckDB only: with Spark, nothing changes."""
        if self.settings.engine == "duckdb" and self._shared is None:
            self._shared = SharedReader(
                self.lake,
                threads=self.settings.duckdb_threads,
                memory_limit=self.settings.duckdb_memory_limit,
            )

    @contextmanager
    def reading(self) -> Iterator[Engine]:
        """An engine over the newest version, closed when the block ends."""
        if self._shared is not None:
            with self._shared.reading() as shared:
                yield shared
            return
        engine = self.engine()
        try:
            yield engine
        finally:
            engine.close()
