from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from plainsight.errors import EngineError
from plainsight.lake.catalog import Lake
from plainsight.lake.engine import DuckDBEngine, Engine, make_engine
from plainsight.lake.schemas import CAPTURES


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def engine(request: pytest.FixtureRequest) -> Engine:
    return make_engine(request.param)


def test_the_four_primitives(engine: Engine) -> None:
    assert not engine.table_exists("t")
    engine.register("t", pa.table({"x": [1, 2, 3]}))
    assert engine.table_exists("t")
    assert engine.read_table("t").column("x").to_pylist() == [1, 2, 3]
    assert engine.run("SELECT sum(x) AS s FROM t WHERE x > ?", [1]).to_pylist() == [{"s": 5}]


def test_errors_carry_the_sql_that_failed(engine: Engine) -> None:
    with pytest.raises(EngineError) as caught:
        engine.run("SELECT nope FROM nowhere")
    assert caught.value.sql == "SELECT nope FROM nowhere"
    assert "nowhere" in str(caught.value).lower()


def test_known_tables_exist_with_their_schema_before_any_data(
    tmp_path: Path, engine: Engine
) -> None:
    lake = Lake(tmp_path / "lake")
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


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="choose duckdb or spark"):
        make_engine("oracle")


@pytest.mark.spark
def test_the_same_stage_sql_gives_the_same_answer_on_both_engines(tmp_path: Path) -> None:
    from plainsight.capture import sql

    lake = Lake(tmp_path / "lake")
    with lake.transaction() as tx:
        tx.append(
            "captures",
            pa.Table.from_pylist(
                [
                    {"capture_id": c, "advert_id": a, "source": "s", "ad_id": a, "line": i}
                    | {"captured_at": datetime(2023, 1, 1 + i, tzinfo=UTC)}
                    for i, (c, a) in enumerate([("c1", "A1"), ("c2", "A1"), ("c3", "A2")])
                ],
                schema=CAPTURES,
            ),
        )
    answers = []
    for kind in ("duckdb", "spark"):
        engine = make_engine(kind)
        engine.bind(lake.snapshot(), lake.dir)
        answers.append(engine.run(sql.ADVERTS).to_pylist())
    assert answers[0] == answers[1]
    assert [a["captures"] for a in answers[0]] == [2, 1]


def test_splink_runs_on_the_engine_itself(engine: Engine) -> None:
    api = engine.splink_api()
    assert api.sql_dialect.sql_dialect_str == engine.name
    engine.register("t", pa.table({"a": [["x", "y"], ["z"]], "b": [["y"], ["q"]]}))
    condition = engine.dialect("list_has_any(a, b) AND array_length(a) > 0")
    overlaps = engine.run(f"SELECT a, b FROM t WHERE {condition}").to_pylist()
    assert overlaps == [{"a": ["x", "y"], "b": ["y"]}]
