"""Scores on a synthetic world: controlled networks rank above independents, parts add up."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pytest

from plainsight.assess.features import Stay
from plainsight.assess.score import CATALOGUE_PARTS, ScoreWeights, describe_stays, score_networks
from plainsight.extract.indicators import Catalogue
from plainsight.link.networks import build_networks
from tests.link.test_networks import World, make_world


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> tuple[World, pa.Table, pa.Table]:
    w = make_world(tmp_path_factory.mktemp("score"))
    networks, links = build_networks(w.engine, w.personas, w.generic)
    w.engine.register("network_links", links)
    return w, networks, score_networks(w.engine, networks, w.personas)


def test_controlled_networks_rank_above_independents(
    scored: tuple[World, pa.Table, pa.Table],
) -> None:
    w, networks, scores = scored
    actor = {r["persona_id"]: r["actor"] for r in w.truth}
    kind = {r["network_id"]: actor[r["persona_id"]] for r in networks.to_pylist()}
    ranks: dict[str, list[int]] = defaultdict(list)
    for row in scores.to_pylist():
        ranks[kind[row["network_id"]]].append(row["rank"])
    mean = {k: sum(v) / len(v) for k, v in ranks.items()}
    assert mean["network"] * 3 < mean["independent"], mean
    top = [kind[r["network_id"]] for r in scores.to_pylist()[:10]]
    assert top.count("independent") <= 2


def test_score_is_the_sum_of_its_parts(scored: tuple[World, pa.Table, pa.Table]) -> None:
    _, _, scores = scored
    rows = scores.to_pylist()
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert all(a["score"] >= b["score"] for a, b in itertools.pairwise(rows))
    for row in rows[:20]:
        parts = json.loads(row["parts"])
        assert row["score"] == pytest.approx(sum(p["contribution"] for p in parts), abs=1e-3)
        assert all(
            p["text"] and p["contribution"] == pytest.approx(p["weight"] * p["value"], abs=1e-3)
            for p in parts
        )
    names = {p["name"] for r in rows for p in json.loads(r["parts"])}
    assert {"many_personas_per_number", "movement_between_towns", "personas"} <= names


def test_lowering_indicators_carry_negative_weight(
    scored: tuple[World, pa.Table, pa.Table],
) -> None:
    _, _, scores = scored
    moves = [
        p
        for r in scores.to_pylist()
        for p in json.loads(r["parts"])
        if p["name"] == "movement_language"
    ]
    assert moves and all(p["weight"] < 0 and p["contribution"] < 0 for p in moves)


def test_weights_file_agrees_with_catalogue_and_is_configurable(tmp_path: Path) -> None:
    weights = ScoreWeights.load()
    catalogue = Catalogue.load()
    for name in CATALOGUE_PARTS:
        assert weights.weights[name] == catalogue.get(name).weight
    assert ScoreWeights.load(weights={"personas": 0}).weights["personas"] == 0
    with pytest.raises(ValueError, match="unknown score parts: nope"):
        ScoreWeights.load(weights={"nope": 1})
    path = tmp_path / "w.toml"
    path.write_text("[weights]\npersonas = -1\n")
    with pytest.raises(ValueError, match="not negative"):
        ScoreWeights.load(path)


def test_switching_a_part_off_removes_it(scored: tuple[World, pa.Table, pa.Table]) -> None:
    w, networks, _ = scored
    off = score_networks(w.engine, networks, w.personas, ScoreWeights.load(weights={"personas": 0}))
    assert not any(p["name"] == "personas" for r in off.to_pylist() for p in json.loads(r["parts"]))


def test_movement_reads_as_towns_with_dates() -> None:
    from datetime import UTC, datetime

    stays = [
        Stay("London", datetime(2023, 3, 2, tzinfo=UTC), datetime(2023, 3, 16, tzinfo=UTC)),
        Stay("Manchester", datetime(2023, 3, 17, tzinfo=UTC), datetime(2023, 3, 17, tzinfo=UTC)),
    ]
    assert describe_stays(stays) == "London (2 Mar 2023 – 16 Mar 2023) → Manchester (17 Mar 2023)"
