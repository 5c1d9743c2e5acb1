"""Incremental linking: new adverts join existing personas and networks, without Splink
scoring the unchanged pairs again, and the answer is the one a full rebuild gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from plainsight.capture.importer import AdvertImport
from plainsight.extract.stage import ExtractStage
from plainsight.link.stage import LinkStage
from plainsight.settings import load_settings
from plainsight.synth.adverts import generate_adverts
from plainsight.workspace import Workspace


def tables(ws: Workspace) -> dict[str, Any]:
    with ws.reading() as engine:
        return {
            name: sorted(map(repr, engine.run(f"SELECT * FROM {name}").to_pylist()))
            for name in ("personas", "networks", "persona_links", "network_scores")
        }


@pytest.fixture(scope="module")
def halves(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    world = tmp_path_factory.mktemp("world")
    generate_adverts(world, scale=0.4, seed=31)
    lines = (world / "adverts.jsonl").read_bytes().splitlines(keepends=True)
    cut = len(lines) * 2 // 3
    (world / "early.jsonl").write_bytes(b"".join(lines[:cut]))
    (world / "late.jsonl").write_bytes(b"".join(lines[cut:]))
    return world / "early.jsonl", world / "late.jsonl"


def workspace(home: Path) -> Workspace:
    return Workspace.open(load_settings(home, operator="test"))


@pytest.mark.slow
def test_adding_adverts_later_gives_the_full_rebuilds_answer(
    halves: tuple[Path, Path], tmp_path: Path
) -> None:
    early, late = halves
    step = workspace(tmp_path / "step")
    AdvertImport(step).run([early])
    ExtractStage(step, processes=1).run()
    first = LinkStage(step).run()
    AdvertImport(step).run([late])
    ExtractStage(step, processes=1).run()
    second = LinkStage(step).run()

    whole = workspace(tmp_path / "whole")
    AdvertImport(whole).run([early, late])
    ExtractStage(whole, processes=1).run()
    LinkStage(whole).run()

    assert tables(step) == tables(whole)
    assert first.pairs_reused == 0
    assert second.pairs_reused > 0, "pairs between unchanged adverts were not scored again"


@pytest.mark.slow
def test_a_rerun_over_the_same_lake_scores_nothing_again(
    halves: tuple[Path, Path], tmp_path: Path
) -> None:
    ws = workspace(tmp_path / "ws")
    AdvertImport(ws).run(list(halves))
    ExtractStage(ws, processes=1).run()
    first = LinkStage(ws).run()
    before = tables(ws)
    again = LinkStage(ws).run()
    assert again.pairs_scored == 0 and again.pairs_reused == first.pairs_scored
    assert tables(ws) == before
