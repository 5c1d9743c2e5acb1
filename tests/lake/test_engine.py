from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from plainsight.errors import EngineError, PlainsightError
from plainsight.lake.catalog import Lake
from plainsight.lake.engine import DuckDBEngine, make_engine
from plainsight.lake.schemas import CAPTURES


def test_the_four_primitives() -> None:
    engine = DuckDBEngine()
    assert not engine.table_exists("t")
    engine.register("t", pa.table({"x": [1, 2, 3]}))
    assert engine.table_exists("t")
    assert engine.read_table("t").column("x").to_pylist() == [1, 2, 3]
    assert engine.run("SELECT sum(x) AS s FROM t WHERE x > ?", [1]).to_pylist() == [{"s": 5}]


def test_errors_carry_the_sql_that_failed() -> None:
    engine = DuckDBEngine()
    with pytest.raises(EngineError) as caught:
        engine.run("SELECT nope FROM nowhere")
    assert caught.value.sql == "SELECT nope FROM nowhere"
    assert "nowhere" in str(caught.value)


def test_known_tables_exist_with_their_schema_before_any_data(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    engine = DuckDBEngine()
    engine.bind(lake.snapshot(), lake.dir)
    empty = engine.read_table("captures")
    assert empty.num_rows == 0
    assert empty.schema.names == CAPTURES.names


def test_no_extension_is_ever_downloaded() -> None:
    engine = DuckDBEngine()
    settings = engine.run(
        "SELECT name, value FROM duckdb_settings() WHERE name LIKE 'auto%_known_extensions'"
    ).to_pylist()
    assert {s["name"]: s["value"] for s in settings} == {
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
    }


def test_an_unbuilt_engine_says_so() -> None:
    with pytest.raises(PlainsightError, match="not built yet"):
        make_engine("spark")
