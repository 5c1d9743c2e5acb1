"""The import on a whole synthetic world: everything lands, nothing is set aside."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from plainsight.capture.importer import AdvertImport, advert_id
from plainsight.synth.adverts import generate_adverts
from plainsight.workspace import Workspace


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    generate_adverts(out, scale=0.3, seed=11)
    return out


def test_a_synthetic_world_imports_whole(world: Path, workspace: Workspace) -> None:
    lines = (world / "adverts.jsonl").read_bytes().splitlines()
    truth = [orjson.loads(t) for t in (world / "truth.jsonl").read_bytes().splitlines()]
    referenced = {p for line in lines for p in orjson.loads(line).get("images", [])}

    result = AdvertImport(workspace).run([world / "adverts.jsonl"])

    assert result.clean and result.rejected == 0
    assert result.new == len(lines)
    with workspace.reading() as engine:
        adverts = {r["advert_id"] for r in engine.run("SELECT advert_id FROM adverts").to_pylist()}
        images = engine.run("SELECT count(*) AS n FROM images").to_pylist()[0]["n"]
        shown = engine.run(
            "SELECT count(*) AS n FROM adverts a JOIN captures c"
            " ON c.capture_id = a.latest_capture_id"
        ).to_pylist()[0]["n"]
    assert adverts == {advert_id(t["source"], t["ad_id"]) for t in truth}
    distinct = {(world / p).read_bytes() for p in referenced}
    assert images == len(distinct)
    assert shown == len(adverts)
