"""Killing an import at any point and running it again leaves the state of one clean run.

A real process is killed with SIGKILL (no clean-up code runs) at several points: before its
first commit, after some commits, and near the end. Then the same import is run again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from plainsight.settings import load_settings
from plainsight.workspace import Workspace
from tests.conftest import advert, picture

VOLATILE = {"imported_at", "rejected_at"}  # when it happened, not what is held


def run_import(home: Path, path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PLAINSIGHT_IMPORT_BATCH_LINES": "400", "PLAINSIGHT_OPERATOR": "t"}
    return subprocess.Popen(
        [sys.executable, "-m", "plainsight", "--home", str(home), "import", "adverts", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def commits(home: Path) -> int:
    log = home / "lake" / "_log"
    return len(list(log.glob("*.json"))) if log.is_dir() else 0


def logical_state(home: Path) -> dict[str, Any]:
    ws = Workspace(load_settings(home))
    engine = ws.engine()
    state: dict[str, Any] = {}
    try:
        for name in ("captures", "adverts", "images", "rejects", "imports"):
            rows = engine.run(f"SELECT * FROM {name}").to_pylist()
            state[name] = sorted(
                repr(sorted((k, v) for k, v in row.items() if k not in VOLATILE)) for row in rows
            )
    finally:
        engine.close()
    evidence = ws.evidence.root
    state["evidence"] = sorted(p.name for p in evidence.rglob("*") if p.is_file())
    snapshot = ws.lake.snapshot()
    referenced = {f for files in snapshot.tables.values() for f in files}
    on_disk = {
        p.relative_to(ws.lake.dir).as_posix() for p in (ws.lake.dir / "tables").rglob("*.parquet")
    }
    state["unreferenced_lake_files"] = sorted(on_disk - referenced - _older_versions(ws))
    state["temporaries"] = sorted(str(p) for p in home.rglob("*.tmp"))
    return state


def _older_versions(ws: Workspace) -> set[str]:
    import orjson

    held: set[str] = set()
    for path in (ws.lake.dir / "_log").glob("*.json"):
        for files in orjson.loads(path.read_bytes())["tables"].values():
            held.update(files)
    return held


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("feed")
    (folder / "pics").mkdir()
    for n in range(40):
        (folder / "pics" / f"{n}.jpg").write_bytes(picture(n))
    lines: list[bytes] = []
    import orjson

    for n in range(8000):
        if n % 997 == 5:
            lines.append(b'{"source": "adsite-north", "ad_id": "broken"')
            continue
        record = advert(n, images=[f"pics/{n % 40}.jpg", f"pics/{(n * 7) % 40}.jpg"])
        if n % 500 == 0:
            record["images"] = ["pics/missing.jpg"]
        lines.append(orjson.dumps(record))
    path = folder / "adverts.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@pytest.fixture(scope="module")
def clean_state(feed: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("clean") / "ws"
    proc = run_import(home, feed)
    assert proc.wait(timeout=300) == 3, proc.stderr.read() if proc.stderr else ""
    state = logical_state(home)
    assert len(state["captures"]) == 8000 - 9 - 16  # 9 broken lines, 16 with a missing picture
    return state


@pytest.mark.slow
@pytest.mark.parametrize("kill_after_commits", [0, 1, 5, 15])
def test_killed_import_then_rerun_matches_a_clean_run(
    kill_after_commits: int, feed: Path, clean_state: dict[str, Any], tmp_path: Path
) -> None:
    home = tmp_path / "ws"
    proc = run_import(home, feed)
    deadline = time.monotonic() + 120
    if kill_after_commits == 0:
        while not (home / "evidence").exists() and time.monotonic() < deadline:
            time.sleep(0.005)
    else:
        while commits(home) < kill_after_commits and time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail("the import finished before it could be killed")
            time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    if kill_after_commits:
        assert commits(home) >= kill_after_commits, "it was killed part-way through"
        assert logical_state(home)["captures"] != clean_state["captures"]

    rerun = run_import(home, feed)
    assert rerun.wait(timeout=300) == 3
    assert logical_state(home) == clean_state
