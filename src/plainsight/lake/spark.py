"""The Spark engine: the same stage SQL, transpiled from DuckDB's dialect by sqlglot, on Spark.

For data beyond one machine (``pip install 'plainsight[spark]'``). Tests run it in local
mode. Nothing is downloaded: the session is local, with its UI off, and the only extra jar
is the string-similarity jar that Splink ships inside its own package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import rename_func
from sqlglot.dialects.spark import Spark

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
        .config("spark.ui.showConsoleProgress", "false")
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


class _Spark(Spark):
    """sqlglot's Spark dialect, with what it writes in a form Spark cannot run put right."""

    class Generator(Spark.Generator):  # type: ignore[misc,valid-type]
        TRANSFORMS: ClassVar[dict[Any, Any]] = {
            **Spark.Generator.TRANSFORMS,
            exp.ArrayOverlaps: rename_func("ARRAYS_OVERLAP"),  # DuckDB's list_has_any, not &&
        }


def to_spark(sql: str) -> str:
    """DuckDB-dialect SQL as Spark SQL."""
    return ";\n".join(sqlglot.transpile(sql, read="duckdb", write=_Spark))


def _signed(kind: pa.DataType) -> pa.DataType:
    """Spark has no unsigned integers: the same bits as a signed type of the same width."""
    if pa.types.is_list(kind):
        return pa.list_(_signed(kind.value_type))
    unsigned = {pa.uint8(): pa.int16(), pa.uint16(): pa.int32(), pa.uint32(): pa.int64()}
    if kind == pa.uint64():
        return pa.int64()
    if kind == pa.large_string():
        return pa.string()
    return unsigned.get(kind, kind)


def spark_safe(data: pa.Table) -> pa.Table:
    """A table Spark can take: unsigned integers re-typed as signed ones."""
    schema = pa.schema([pa.field(f.name, _signed(f.type), f.nullable) for f in data.schema])
    if data.num_rows == 0:  # one empty chunk per column: Spark cannot read zero chunks
        return pa.Table.from_arrays([pa.array([], type=t) for t in schema.types], schema=schema)
    if schema == data.schema:
        return data
    return data.cast(schema, safe=False)  # unsafe: a uint64 keeps its bits as an int64


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
        self.session.createDataFrame(spark_safe(data)).createOrReplaceTempView(name)

    def _register_parquet(self, name: str, files: list[Path], schema: pa.Schema) -> None:
        if files:
            frame = self.session.read.parquet(*[str(f) for f in files])
        else:
            frame = self.session.createDataFrame(spark_safe(schema.empty_table()))
        frame.createOrReplaceTempView(name)

    def table_exists(self, name: str) -> bool:
        return bool(self.session.catalog.tableExists(name))

    def dialect(self, sql: str) -> str:
        return to_spark(sql)

    def splink_api(self) -> Any:
        from splink import SparkAPI

        partitions = int(self.session.conf.get("spark.sql.shuffle.partitions") or 4)
        return SparkAPI(  # type: ignore[no-untyped-call]
            spark_session=self.session,
            break_lineage_method="persist",  # in memory: no checkpoint directory to set up
            num_partitions_on_repartition=partitions,
        )

    def close(self) -> None:
        """Leave the session running: starting Spark is slow, and it is shared per process."""
