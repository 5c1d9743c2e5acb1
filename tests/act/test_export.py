"""The adverts export on an imported and extracted synthetic world, against its contract."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pytest

from plainsight.act.export import FIELDS, export_adverts
from plainsight.capture.importer import AdvertImport, advert_id
from plainsight.extract.stage import ExtractStage
from plainsight.lake.engine import Engine
from plainsight.settings import load_settings
from plainsight.synth.adverts import generate_adverts
from plainsight.workspace import Workspace

CONTRACT = Path(__file__).parents[2] / "docs" / "contracts" / "adverts-export.md"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Path]:
    root = tmp_path_factory.mktemp("export")
    generate_adverts(root / "world", scale=0.3, seed=5, images=False)
    ws = Workspace.open(load_settings(root / "ws", operator="test"))
    AdvertImport(ws).run([root / "world" / "adverts.jsonl"])
    ExtractStage(ws, processes=1).run()
    return ws, root / "world" / "truth.jsonl"


@pytest.fixture(scope="module")
def truth(world: tuple[Workspace, Path]) -> list[dict[str, str]]:
    return [orjson.loads(line) for line in world[1].read_bytes().splitlines()]


def link_from_truth(engine: Engine, truth: list[dict[str, str]]) -> dict[str, float]:
    """Register personas, networks, scores and network hits as linking and assessment would."""
    engine.register(
        "personas",
        pa.table(
            {
                "advert_id": [advert_id(t["source"], t["ad_id"]) for t in truth],
                "persona_id": [t["persona_id"] for t in truth],
            }
        ),
    )
    pairs = sorted({(t["persona_id"], t["network_id"]) for t in truth})
    engine.register(
        "networks",
        pa.table({"persona_id": [p for p, _ in pairs], "network_id": [n for _, n in pairs]}),
    )
    networks = sorted({n for _, n in pairs})
    scores = {n: float(len(n) % 7) + i / 1000 for i, n in enumerate(networks)}
    engine.register(
        "network_scores",
        pa.table(
            {
                "network_id": networks,
                "rank": list(range(1, len(networks) + 1)),
                "score": [scores[n] for n in networks],
            }
        ),
    )
    controlled = [n for n in networks if not n.startswith("N-solo")]
    engine.register(
        "network_hits",
        pa.table({"network_id": controlled, "indicator": ["shared_numbers"] * len(controlled)}),
    )
    return scores


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_every_field_documented_and_every_documented_field_exported(
    world: tuple[Workspace, Path], tmp_path: Path
) -> None:
    engine = world[0].engine()
    export_adverts(engine, tmp_path / "out.jsonl")
    exported = list(read_lines(tmp_path / "out.jsonl")[0])
    documented = re.findall(r"^\| `(\w+)` \|", CONTRACT.read_text(), flags=re.MULTILINE)
    assert exported == documented == list(FIELDS)


def test_before_linking_adverts_carry_their_own_indicators(
    world: tuple[Workspace, Path], tmp_path: Path
) -> None:
    engine = world[0].engine()
    count = export_adverts(engine, tmp_path / "out.jsonl")
    lines = read_lines(tmp_path / "out.jsonl")
    assert count == len(lines) == engine.run("SELECT count(*) FROM adverts").column(0)[0].as_py()
    expected: dict[tuple[str, str], set[str]] = defaultdict(set)
    hits = engine.run(
        "SELECT a.source, a.ad_id, h.indicator FROM adverts AS a JOIN ("
        "SELECT advert_id, indicator FROM indicator_hits UNION ALL "
        "SELECT advert_id, indicator FROM price_hits) AS h ON h.advert_id = a.advert_id"
    )
    for source, ad_id, indicator in zip(
        *(hits.column(i).to_pylist() for i in range(3)), strict=True
    ):
        expected[(source, ad_id)].add(indicator)
    assert any("price_below_median" in v for v in expected.values())
    for line in lines:
        assert line["persona_id"] is None and line["network_score"] is None
        assert line["indicators"] == sorted(expected[(line["source"], line["ad_id"])])
    assert sum(bool(line["indicators"]) for line in lines) > len(lines) // 4


def test_linked_export_matches_truth_sorted_and_typed(
    world: tuple[Workspace, Path], truth: list[dict[str, str]], tmp_path: Path
) -> None:
    engine = world[0].engine()
    scores = link_from_truth(engine, truth)
    export_adverts(engine, tmp_path / "out.jsonl")
    lines = read_lines(tmp_path / "out.jsonl")
    keys = [(line["source"], line["ad_id"]) for line in lines]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    by_key = {(t["source"], t["ad_id"]): t for t in truth}
    assert set(keys) == set(by_key)
    for line in lines:
        t = by_key[(line["source"], line["ad_id"])]
        assert (line["persona_id"], line["network_id"]) == (t["persona_id"], t["network_id"])
        assert isinstance(line["network_score"], float)
        assert line["network_score"] == scores[t["network_id"]]
        assert all(isinstance(i, str) for i in line["indicators"])
        assert line["indicators"] == sorted(set(line["indicators"]))
        assert ("shared_numbers" in line["indicators"]) == (
            not t["network_id"].startswith("N-solo")
        )


def test_export_is_deterministic_and_replaces_whole(
    world: tuple[Workspace, Path], truth: list[dict[str, str]], tmp_path: Path
) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    second.write_text("stale\n")
    for target in (first, second):
        engine = world[0].engine()
        link_from_truth(engine, truth)
        export_adverts(engine, target)
    assert first.read_bytes() == second.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl", "b.jsonl"]
