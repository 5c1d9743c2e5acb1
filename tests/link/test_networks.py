"""Networks on a synthetic world, given the true personas: quality, ablation, stability."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from plainsight.capture.importer import AdvertImport, advert_id
from plainsight.extract.stage import ExtractStage
from plainsight.lake.engine import Engine
from plainsight.link.network_evidence import shingles
from plainsight.link.networks import GenericSet, build_networks, network_id
from plainsight.settings import load_settings
from plainsight.synth.adverts import generate_adverts
from plainsight.workspace import Workspace


@dataclass
class World:
    engine: Engine
    truth: list[dict[str, Any]]
    personas: pa.Table
    generic: GenericSet


def make_world(tmp: Path, scale: float = 0.5, seed: int = 5) -> World:
    world = tmp / "world"
    generate_adverts(world, scale=scale, seed=seed)
    ws = Workspace.open(load_settings(tmp / "home", operator="test"))
    AdvertImport(ws).run([world / "adverts.jsonl"])
    ExtractStage(ws, processes=1).run()
    truth = [json.loads(line) for line in (world / "truth.jsonl").read_text().splitlines()]
    for row in truth:
        row["advert_id"] = advert_id(row["source"], row["ad_id"])
    planted = json.loads((world / "world.json").read_text())["generic"]
    images = [hashlib.sha256((world / p).read_bytes()).hexdigest() for p in planted["images"]]
    generic = GenericSet(
        phones=frozenset(planted["phones"]),
        images=frozenset(images),
        sentences=frozenset(planted["sentences"]),
    )
    personas = pa.Table.from_pylist(
        [{"advert_id": r["advert_id"], "persona_id": r["persona_id"]} for r in truth]
    )
    return World(ws.engine(), truth, personas, generic)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return make_world(tmp_path_factory.mktemp("networks"))


def pairwise(predicted: dict[str, str], true: dict[str, str]) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of a clustering of adverts against the truth."""

    def pairs(counts: Counter[Any]) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    both = pairs(Counter((predicted[a], true[a]) for a in true))
    guessed, real = pairs(Counter(predicted[a] for a in true)), pairs(Counter(true.values()))
    p = both / guessed if guessed else 1.0
    r = both / real if real else 1.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def score(w: World, networks: pa.Table) -> tuple[float, float, float]:
    member = dict(
        zip(networks["persona_id"].to_pylist(), networks["network_id"].to_pylist(), strict=True)
    )
    predicted = {r["advert_id"]: member[r["persona_id"]] for r in w.truth}
    return pairwise(predicted, {r["advert_id"]: r["network_id"] for r in w.truth})


def test_pairwise_helper_scores_known_clusterings() -> None:
    true = {"a": "1", "b": "1", "c": "2"}
    assert pairwise(true, true) == (1.0, 1.0, 1.0)
    p, r, _ = pairwise({"a": "x", "b": "x", "c": "x"}, true)
    assert p == pytest.approx(1 / 3)
    assert r == 1.0


def test_networks_reach_f1_095_given_true_personas(world: World) -> None:
    networks, links = build_networks(world.engine, world.personas, world.generic)
    p, r, f1 = score(world, networks)
    assert f1 >= 0.95, (p, r, f1)
    assert set(networks["persona_id"].to_pylist()) == set(world.personas["persona_id"].to_pylist())
    assert set(links["kind"].to_pylist()) >= {"phone", "email", "picture"}
    assert "text" not in set(links["kind"].to_pylist())  # off by default: it chains at scale


def test_text_templates_can_still_be_asked_for(world: World) -> None:
    networks, links = build_networks(
        world.engine, world.personas, world.generic, kinds=["contacts", "pictures", "text"]
    )
    assert "text" in set(links["kind"].to_pylist())
    assert score(world, networks)[2] >= 0.95


def test_generic_filter_is_what_makes_contacts_work(world: World) -> None:
    raw, _ = build_networks(world.engine, world.personas, GenericSet(), kinds=["contacts"])
    filtered, _ = build_networks(world.engine, world.personas, world.generic, kinds=["contacts"])
    assert score(world, raw)[0] < 0.2  # the helpline and site numbers join nearly everyone
    assert score(world, filtered)[2] >= 0.95


def test_no_generic_value_is_a_link(world: World) -> None:
    _, links = build_networks(world.engine, world.personas, world.generic)
    values = set(links["value"].to_pylist())
    assert not values & (world.generic.phones | world.generic.images)
    assert all(r for r in links["reason"].to_pylist())


def test_ids_are_stable_and_independents_are_singletons(world: World) -> None:
    first, _ = build_networks(world.engine, world.personas, world.generic)
    again, _ = build_networks(
        world.engine,
        world.personas.slice(0).take(list(reversed(range(world.personas.num_rows)))),
        world.generic,
    )
    assert first.to_pylist() == again.to_pylist()
    members = Counter(first["network_id"].to_pylist())
    solo = {r["persona_id"] for r in world.truth if r["actor"] == "independent"}
    of = dict(zip(first["persona_id"].to_pylist(), first["network_id"].to_pylist(), strict=True))
    singles = sum(members[of[p]] == 1 for p in solo)
    assert singles / len(solo) >= 0.95
    assert all(n.startswith("N-") and len(n) == 14 for n in members)
    assert network_id("P-1") == network_id("P-1") != network_id("P-2")


def test_generic_set_from_table_honours_analyst_decisions() -> None:
    table = pa.table(
        {
            "kind": ["phone", "picture", "phone"],
            "value": ["+1", "ab", "+2"],
            "is_generic": [True, True, False],
        }
    )
    generic = GenericSet.from_table(table)
    assert generic.phones == {"+1"} and generic.images == {"ab"}
    with pytest.raises(ValueError, match="unknown kind"):
        GenericSet.from_table(pa.table({"kind": ["fax"], "value": ["1"]}))


def test_shingles_mask_filled_in_facts_and_boilerplate() -> None:
    one = shingles("Mia is new here and lovely. Footer text.", [(0, 3)], ["Footer text."])
    two = shingles("Zoe is new here and lovely. Footer text.", [(0, 3)], ["Footer text."])
    assert one == two and not any("footer" in s for s in one)
