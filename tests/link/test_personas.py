"""Personas: pairwise F1 against the world's truth, explained links, stable ids."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scipy.sparse import coo_matrix  # type: ignore[import-untyped]
from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]

from plainsight.capture.importer import advert_id
from plainsight.link import sql
from plainsight.link.features import build_features
from plainsight.link.generic import find_generic
from plainsight.link.personas import link_personas, link_personas_into, persona_id
from plainsight.link.personas_model import PersonaModel
from plainsight.link.schemas import PERSONA_LINKS, PERSONAS

from .conftest import PersonaWorld


def pairwise(clusters: Mapping[str, str], truth: Mapping[str, str]) -> tuple[float, float, float]:
    """Pairwise precision, recall, F1 over pairs of adverts put in the same cluster."""

    def pairs(counts: Counter[object]) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    tp = pairs(Counter((clusters[a], truth[a]) for a in truth))
    predicted, actual = pairs(Counter(clusters[a] for a in truth)), pairs(Counter(truth.values()))
    precision, recall = tp / predicted, tp / actual
    return precision, recall, 2 * precision * recall / (precision + recall)


@pytest.fixture(scope="module")
def truth(persona_world: PersonaWorld) -> dict[str, str]:
    rows = [json.loads(x) for x in (persona_world.world / "truth.jsonl").read_text().splitlines()]
    return {advert_id(r["source"], r["ad_id"]): r["persona_id"] for r in rows}


@pytest.fixture(scope="module")
def features(persona_world: PersonaWorld) -> pa.Table:
    return build_features(persona_world.engine, find_generic(persona_world.engine))


@pytest.fixture(scope="module")
def linked(persona_world: PersonaWorld, features: pa.Table) -> tuple[pa.Table, pa.Table]:
    personas, links, _ = link_personas(persona_world.engine, features)
    return personas, links


def _clusters(personas: pa.Table) -> dict[str, str]:
    return dict(
        zip(
            personas.column("advert_id").to_pylist(),
            personas.column("persona_id").to_pylist(),
            strict=True,
        )
    )


def test_persona_f1_reaches_the_target(
    linked: tuple[pa.Table, pa.Table], truth: dict[str, str]
) -> None:
    personas, _ = linked
    assert personas.schema == PERSONAS
    precision, recall, f1 = pairwise(_clusters(personas), truth)
    assert f1 >= 0.90, (precision, recall, f1)


def test_raw_phone_linking_fails_on_this_world(
    persona_world: PersonaWorld, truth: dict[str, str]
) -> None:
    rows = persona_world.engine.run(
        "SELECT DISTINCT advert_id, value FROM facts WHERE kind = 'phone'"
    ).to_pylist()
    ids = sorted(truth)
    index = {a: i for i, a in enumerate(ids)}
    phones = {p: len(ids) + i for i, p in enumerate(sorted({r["value"] for r in rows}))}
    n = len(ids) + len(phones)
    graph = coo_matrix(
        (
            [1] * len(rows),
            ([index[r["advert_id"]] for r in rows], [phones[r["value"]] for r in rows]),
        ),
        shape=(n, n),
    )
    _, labels = connected_components(graph, directed=False)
    _, _, f1 = pairwise({a: str(labels[index[a]]) for a in ids}, truth)
    assert f1 < 0.05


def test_links_say_why(linked: tuple[pa.Table, pa.Table]) -> None:
    _, links = linked
    assert links.schema == PERSONA_LINKS
    rows = links.filter(links.column("linked")).to_pylist()
    assert rows
    for row in rows[:200]:
        reasons = json.loads(row["reasons"])
        weighted = [r for r in reasons if r["comparison"] != "generic"]
        assert weighted and all(r["weight"] != 0 and r["text"] for r in weighted)
    texts = [r["text"] for row in rows for r in json.loads(row["reasons"])]
    assert any(re.fullmatch(r"same phone \+44\d+ \(not generic\)", t) for t in texts)
    assert any(t.startswith("ignored (generic): ") for t in texts)
    unlinked = links.filter(pa.compute.invert(links.column("linked"))).to_pylist()
    assert any("differ" in r["text"] for row in unlinked for r in json.loads(row["reasons"]))


def test_persona_ids_are_stable_and_named_after_the_earliest_advert(
    persona_world: PersonaWorld, features: pa.Table, linked: tuple[pa.Table, pa.Table]
) -> None:
    personas, links = linked
    again, again_links, _ = link_personas(persona_world.engine, features)
    assert again.equals(personas)
    assert again_links.equals(links)
    first = dict(
        zip(
            features.column("advert_id").to_pylist(),
            features.column("first_captured_at").to_pylist(),
            strict=True,
        )
    )
    members: dict[str, list[str]] = {}
    for advert, persona in _clusters(personas).items():
        members.setdefault(persona, []).append(advert)
    for persona, adverts in members.items():
        assert re.fullmatch(r"P-[0-9a-f]{12}", persona)
        assert persona == persona_id(min(adverts, key=lambda a: (first[a], a)))


def test_the_packaged_model_is_a_splink_model() -> None:
    model = PersonaModel.load()
    assert 0.5 <= model.threshold < 1
    settings = model.settings()
    assert {c["output_column_name"] for c in settings["comparisons"]} >= {
        "phone",
        "name",
        "picture",
        "text",
    }
    assert PersonaModel.from_json(model.to_json()).m_u == model.m_u


def test_blocking_skips_oversized_keys() -> None:
    built = sql.blocked_pairs_sql(400, 20)
    assert "400" in built and "20" in built and "l.advert_id < r.advert_id" in built


def test_scoring_in_chunks_and_reusing_a_cache_split_over_files_gives_the_same_answer(
    persona_world: PersonaWorld,
    features: pa.Table,
    linked: tuple[pa.Table, pa.Table],
    tmp_path: Path,
) -> None:
    """At a million adverts the pairs are scored, written and reused a chunk at a time; the
    chunk size and how the previous cache is split into files must not change the answer."""
    personas, links = linked
    small_personas, small_links, cache = link_personas(persona_world.engine, features, chunk=997)
    assert small_personas.equals(personas)
    assert small_links.equals(links)
    files = []
    for n, start in enumerate(range(0, cache.num_rows, 1500)):
        files.append(tmp_path / f"cache-{n}.parquet")
        pq.write_table(cache.slice(start, 1500), files[-1])
    assert len(files) > 2
    reused_personas, reused_links, reused_cache = link_personas(
        persona_world.engine, features, previous=files, chunk=700
    )
    assert reused_personas.equals(personas)
    assert reused_links.equals(links)
    assert reused_cache.equals(cache)
    run = link_personas_into(persona_world.engine, features, lambda *_: None, previous=files)
    assert (run.pairs_scored, run.pairs_reused) == (0, cache.num_rows)
