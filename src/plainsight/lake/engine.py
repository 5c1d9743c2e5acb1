"""The engine interface: the four primitives every stage's SQL runs on.

Stage logic builds SQL in pure functions and hands it here; it never asks which engine it
is on. The shared work (binding lake tables, wrapping errors with the SQL that failed) sits
once in :class:`Engine`; an engine supplies the primitives. DuckDB is the default; Spark
arrives with the ``spark`` extra.
"""

from __future__ import annotations

import abc
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from plainsight.errors import EngineError
from plainsight.lake.catalog import Snapshot
from plainsight.lake.schemas import SCHEMAS


class Engine(abc.ABC):
    """Run SQL over registered tables."""

    name: str

    @abc.abstractmethod
    def _execute(self, sql: str, params: list[Any] | None) -> pa.Table: ...

    @abc.abstractmethod
    def _register_arrow(self, name: str, data: pa.Table) -> None: ...

    @abc.abstractmethod
    def _register_parquet(self, name: str, files: list[Path], schema: pa.Schema) -> None: ...

    @abc.abstractmethod
    def table_exists(self, name: str) -> bool: ...

    def run(self, sql: str, params: list[Any] | None = None) -> pa.Table:
        """Run one statement and return its result as Arrow.

        Raises:
            EngineError: the engine refused the statement; the error carries the SQL.
        """
        try:
            return self._execute(sql, params)
        except EngineError:
            raise
        except Exception as exc:
            raise EngineError(f"{self.name}: {exc}", sql) from exc

    def register(self, name: str, data: pa.Table) -> None:
        """Make an Arrow table queryable as ``name``."""
        self._register_arrow(name, data)

    def read_table(self, name: str) -> pa.Table:
        """The whole of a registered table, as Arrow."""
        return self.run(f'SELECT * FROM "{name}"')

    @abc.abstractmethod
    def close(self) -> None: ...

    def dialect(self, sql: str) -> str:
        """DuckDB-dialect SQL (a statement or an expression) in the engine's own dialect.

        For SQL another library runs for us, such as Splink's comparison conditions.
        """
        return sql

    @abc.abstractmethod
    def splink_api(self) -> Any:
        """Splink's database API on this engine's own connection or session."""

    def bind_files(self, name: str, files: list[Path]) -> None:
        """Register a lake table as the given Parquet files."""
        self._register_parquet(name, files, SCHEMAS.get(name, pa.schema([])))

    def bind(
        self, snapshot: Snapshot, lake_dir: Path, *, skip: frozenset[str] = frozenset()
    ) -> None:
        """Register every lake table of a snapshot (known tables even when still empty).

        A table the snapshot lists with no files and no known schema (a stage's own working
        table written empty, such as ``persona_pair_cache`` when no pair was scored) has no
        columns to declare, so it is left unbound rather than failing every reader. Tables
        in ``skip`` are left to the caller (the serving copy binds them).
        """
        for name in sorted((set(SCHEMAS) | set(snapshot.tables)) - skip):
            files = snapshot.files(lake_dir, name)
            if files or name in SCHEMAS:
                self.bind_files(name, files)


class DuckDBEngine(Engine):
    """The embedded default: DuckDB in this process, reading the lake's Parquet directly."""

    name = "duckdb"

    def __init__(self, threads: int = 0, memory_limit: str = "") -> None:
        config: dict[str, str | bool | int | float | list[str]] = {
            "autoinstall_known_extensions": False
        }
        config["autoload_known_extensions"] = False
        if threads:
            config["threads"] = threads
        if memory_limit:
            config["memory_limit"] = memory_limit
        self.con = duckdb.connect(":memory:", config=config)
        self.con.execute("SET enable_progress_bar = false")  # plainsight draws its own (Rich)

    def cursor(self) -> DuckDBEngine:
        """Another connection to this engine's database, for another thread: the tables
        already bound here, without binding them again (see :mod:`plainsight.lake.reader`)."""
        other = DuckDBEngine.__new__(DuckDBEngine)
        other.con = self.con.cursor()
        return other

    def _execute(self, sql: str, params: list[Any] | None) -> pa.Table:
        relation = self.con.sql(sql, params=params) if params else self.con.sql(sql)
        if relation is None:
            return pa.table({})
        result: pa.Table = relation.to_arrow_table()
        return result

    def _register_arrow(self, name: str, data: pa.Table) -> None:
        self.con.register(name, data)

    def _register_parquet(self, name: str, files: list[Path], schema: pa.Schema) -> None:
        self.con.execute(f'DROP VIEW IF EXISTS "{name}"')
        if files:
            listed = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
            self.con.execute(
                f'CREATE VIEW "{name}" AS SELECT * FROM read_parquet([{listed}], '
                "union_by_name = true)"
            )
        else:  # an empty table in the database (not a registration: cursors see it too)
            self.con.register("__empty_arrow", schema.empty_table())
            self.con.execute(
                f'CREATE OR REPLACE TABLE "__empty_{name}" AS SELECT * FROM "__empty_arrow"'
            )
            self.con.unregister("__empty_arrow")
            self.con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM "__empty_{name}"')

    def table_exists(self, name: str) -> bool:
        return name in {row[0] for row in self.con.execute("SHOW TABLES").fetchall()}

    def splink_api(self) -> Any:
        from splink import DuckDBAPI

        return DuckDBAPI(connection=self.con)

    def close(self) -> None:
        self.con.close()


def make_engine(kind: str, threads: int = 0, memory_limit: str = "") -> Engine:
    """The engine a setting names."""
    if kind == "duckdb":
        return DuckDBEngine(threads=threads, memory_limit=memory_limit)
    if kind == "spark":
        from plainsight.lake.spark import SparkEngine  # heavy: only when asked for

        return SparkEngine()
    raise ValueError(f"unknown engine {kind!r}; choose duckdb or spark")
