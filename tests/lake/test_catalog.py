from __future__ import annotations

import multiprocessing
from pathlib import Path

import pyarrow as pa
import pytest

from plainsight.errors import WorkspaceError
from plainsight.lake.catalog import Lake
from plainsight.lake.engine import DuckDBEngine


def rows(n: int, start: int = 0) -> pa.Table:
    return pa.table(
        {"k": list(range(start, start + n)), "v": [f"r{i}" for i in range(start, start + n)]}
    )


def count(lake: Lake, table: str) -> int:
    engine = DuckDBEngine()
    engine.bind(lake.snapshot(), lake.dir)
    try:
        return int(engine.run(f"SELECT count(*) FROM {table}").column(0)[0].as_py())
    finally:
        engine.close()


def test_tables_change_together_in_one_version(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    with lake.transaction(note="first") as tx:
        tx.append("a", rows(3))
        tx.append("b", rows(2))
    with lake.transaction() as tx:
        tx.append("a", rows(4, start=3))
        tx.replace("b", rows(1))
    snap = lake.snapshot()
    assert snap.version == 2
    assert (count(lake, "a"), count(lake, "b")) == (7, 1)


def test_a_failed_transaction_publishes_nothing_and_leaves_no_files(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    with lake.transaction() as tx:
        tx.append("a", rows(3))
    before = sorted(p for p in (tmp_path / "lake").rglob("*") if p.is_file())

    def fail() -> None:
        with lake.transaction() as tx:
            tx.append("a", rows(5))
            tx.append("b", rows(5))
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        fail()
    assert lake.snapshot().version == 1
    assert count(lake, "a") == 3
    assert sorted(p for p in (tmp_path / "lake").rglob("*") if p.is_file()) == before


def test_files_a_killed_writer_left_are_collected_by_the_next_writer(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    with lake.transaction() as tx:
        tx.append("a", rows(1))
    orphan = tmp_path / "lake" / "tables" / "a" / "deadbeef.parquet"
    orphan.write_bytes(b"half a file")
    stray = tmp_path / "lake" / "_log" / ".000000000002.abc.tmp"
    stray.write_bytes(b"{")
    with lake.transaction():
        pass
    assert not orphan.exists() and not stray.exists()
    assert count(lake, "a") == 1


def _hold_lock(
    lake_dir: Path,
    ready: multiprocessing.synchronize.Event,
    done: multiprocessing.synchronize.Event,
) -> None:
    with Lake(lake_dir).transaction():
        ready.set()
        done.wait(20)


def test_a_second_writer_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    ready, done = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(tmp_path / "lake", ready, done))
    holder.start()
    try:
        assert ready.wait(30)
        with pytest.raises(WorkspaceError, match="another plainsight process is writing"):  # noqa: SIM117
            with Lake(tmp_path / "lake").transaction():
                pass
    finally:
        done.set()
        holder.join(30)


def test_readers_keep_the_version_they_bound_while_a_writer_replaces_it(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    with lake.transaction() as tx:
        tx.replace("a", rows(3))
    reader = DuckDBEngine()
    reader.bind(lake.snapshot(), lake.dir)
    with lake.transaction() as tx:
        tx.replace("a", rows(10))
    assert reader.run("SELECT count(*) FROM a").column(0)[0].as_py() == 3
    assert count(lake, "a") == 10
    reader.close()
