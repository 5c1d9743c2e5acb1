"""Readers sharing one database per lake version."""

from __future__ import annotations

import threading
from pathlib import Path

import pyarrow as pa

from plainsight.lake.catalog import Lake
from plainsight.lake.reader import SharedReader


def _publish(lake: Lake, values: list[int]) -> None:
    with lake.transaction("test") as tx:
        tx.replace("numbers", pa.table({"x": values}))


def test_readers_see_the_newest_version_and_bind_it_once(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    _publish(lake, [1, 2])
    reader = SharedReader(lake)
    with reader.reading() as engine:
        assert engine.run("SELECT sum(x) AS s FROM numbers").to_pylist() == [{"s": 3}]
        assert engine.table_exists("adverts")  # known tables, bound even when empty
        assert engine.run("SELECT count(*) AS n FROM adverts").to_pylist() == [{"n": 0}]
    bound = reader._base
    with reader.reading() as engine:
        assert engine.run("SELECT count(*) AS n FROM numbers").to_pylist() == [{"n": 2}]
    assert reader._base is bound
    with reader.reading() as old:
        _publish(lake, [5, 6, 7])
        with reader.reading() as new:
            assert new.run("SELECT sum(x) AS s FROM numbers").to_pylist() == [{"s": 18}]
        assert old.run("SELECT sum(x) AS s FROM numbers").to_pylist() == [{"s": 3}]
    assert reader._base is not bound and reader.version == lake.snapshot().version


def test_readers_in_many_threads_at_once(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    _publish(lake, list(range(1000)))
    reader = SharedReader(lake)
    sums: list[int] = []
    errors: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(20):
                with reader.reading() as engine:
                    rows = engine.run("SELECT sum(x) AS s FROM numbers WHERE x >= ?", [0])
                    sums.append(int(rows.to_pylist()[0]["s"]))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sums == [499500] * 120


def test_a_reader_registering_a_table_keeps_it_to_itself(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    _publish(lake, [1])
    reader = SharedReader(lake)
    with reader.reading() as one:
        one.register("mine", pa.table({"y": [1]}))
        assert one.table_exists("mine")
        with reader.reading() as two:
            assert not two.table_exists("mine")
