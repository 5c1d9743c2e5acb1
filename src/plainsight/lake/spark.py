"""The Spark engine: the same stage SQL, transpiled from DuckDB's dialect by sqlglot, on Spark.

For data beyond one machine (``pip install 'plainsight[spark]'``). Tests run it in local
mode. Nothing is downloaded: the session is local, with its UI off, and the only extra jar
is the string-similarity jar that Splink ships inside its own package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import sqlglot

from plainsight.errors import MissingExtra
from plainsight.lake.engine import Engine

try:
    from pyspark.sql import SparkSession
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise MissingExtra("spark", "pyspark") from exc


def _splink_jar() -> str | None:
    try:
        import splink
    except ImportError:
        return None
    jars = sorted(
        (Path(splink.__file__).parent / "internals" / "files" / "spark_jars").glob("*spark4*.jar")
    )
    return str(jars[-1]) if jars else None


def local_session(cores: int = 2) -> Any:
    """A local Spark session that makes no request off this machine."""
    builder = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("plainsight")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(max(2, cores * 2)))
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.ansi.enabled", "false")
    )
    jar = _splink_jar()
    if jar:
        builder = builder.config("spark.jars", jar)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def to_spark(sql: str) -> str:
    """DuckDB-dialect SQL as Spark SQL."""
    return ";\n".join(sqlglot.transpile(sql, read="duckdb", write="spark"))


class SparkEngine(Engine):
    """Spark SQL over the lake's Parquet files."""

    name = "spark"

    def __init__(self, session: Any | None = None) -> None:
        self.session = session or local_session()

    def _execute(self, sql: str, params: list[Any] | None) -> pa.Table:
        frame = (
            self.session.sql(to_spark(sql), args=params)
            if params
            else self.session.sql(to_spark(sql))
        )
        result: pa.Table = frame.toArrow()
        return result

    def _register_arrow(self, name: str, data: pa.Table) -> None:
        self.session.createDataFrame(data).createOrReplaceTempView(name)

    def _register_parquet(self, name: str, files: list[Path], schema: pa.Schema) -> None:
        if files:
            frame = self.session.read.parquet(*[str(f) for f in files])
        else:
            frame = self.session.createDataFrame(schema.empty_table())
        frame.createOrReplaceTempView(name)

    def table_exists(self, name: str) -> bool:
        return bool(self.session.catalog.tableExists(name))

    def close(self) -> None:
        """Leave the session running: starting Spark is slow, and it is shared per process."""
