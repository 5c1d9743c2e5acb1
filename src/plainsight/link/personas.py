"""Personas: the same person across adverts, sites and time, linked with Splink.

1. **Block.** Candidate pairs are adverts that share a non-generic phone, e-mail or handle,
   the same picture (SHA-256) or a 16-bit band of a picture's pHash, or a MinHash-LSH band of
   their text (:func:`plainsight.link.sql.blocked_pairs_sql`). Keys held by more than
   ``max_block`` adverts are skipped, so the work grows with the adverts, not their square.
2. **Score.** Splink (on the engine's own DuckDB connection or Spark session) compares each
   pair on phones, e-mails/handles, names, ages, pictures (pHash Hamming distance), text
   (Jaccard) and towns, with the m/u values of the packaged :class:`PersonaModel` (learned
   from labelled pairs).
3. **Cluster.** Pairs at or above the model's threshold are linked; a persona is a connected
   component of linked adverts (an advert linked to nothing is a persona of its own). Its id is
   ``P-`` and 12 hex digits of the SHA-256 of its earliest advert (by first capture, then id),
   so it is the same on every run while that advert stays with it.

Every scored pair above ``keep_probability`` is kept in ``PERSONA_LINKS`` with its reasons:
each comparison level that moved the weight, with the weight and a sentence such as "same
phone +447700900123 (not generic)" or "names differ: Anna / Bella".
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import igraph
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from plainsight.lake.engine import Engine
from plainsight.link import sql
from plainsight.link.pair_cache import (
    PAIR_CACHE,
    CacheCounts,
    cache_chunks,
    current_pairs,
    scored_rows,
)
from plainsight.link.personas_model import COMPARISONS, PersonaModel
from plainsight.link.schemas import PERSONA_LINKS, PERSONAS

__all__ = [
    "MAX_BLOCK",
    "PersonaRun",
    "block",
    "cluster",
    "link_personas",
    "link_personas_into",
    "persona_id",
    "predict",
    "score_pairs",
]

MAX_BLOCK = 400
"""A blocking key held by more adverts than this is skipped (too common to say anything)."""
MAX_ALONE = 20
"""A phone, e-mail or handle blocks on its own (without a shared name) up to this many
adverts: enough for one worker's adverts under another name, not an agency's booking line."""
MAX_TEXT = 50
"""A text band shared with the same name blocks up to this many adverts. One person's
adverts rarely pass it; a common name ("Anna") with stock phrases does, and at a million
adverts those blocks made 20 of the 26 million candidate pairs (measured)."""
KEEP_PROBABILITY = 0.05
"""Scored pairs below this are not kept in ``PERSONA_LINKS`` (they are plainly different)."""


EDGES = pa.schema(
    [("advert_a", pa.string()), ("advert_b", pa.string()), ("match_weight", pa.float64())]
)
"""The linked pairs kept in memory for clustering."""
Write = Callable[[str, pa.Table], None]
"""Receives the output a chunk at a time: ``("persona_links" | "persona_pair_cache", rows)``."""


@dataclass
class PersonaRun:
    """What :func:`link_personas_into` made: the personas, and counts of what it wrote."""

    personas: pa.Table
    links: int = 0
    pairs_scored: int = 0
    pairs_reused: int = 0


def link_personas(
    engine: Engine,
    features: pa.Table,
    model: PersonaModel | None = None,
    *,
    max_block: int = MAX_BLOCK,
    keep_probability: float = KEEP_PROBABILITY,
    previous: Sequence[Path] = (),
    chunk: int | None = None,
) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Group adverts into personas and say why: ``(PERSONAS, PERSONA_LINKS, pair cache)``.

    Everything in memory: for tests, training and small worlds. The stage streams the links
    and the cache to the lake instead (:func:`link_personas_into`).

    Example:
        >>> personas, links, _ = link_personas(engine, build_features(engine, find_generic(engine)))
    """
    out: dict[str, list[pa.Table]] = {"persona_links": [], "persona_pair_cache": []}
    run = link_personas_into(
        engine,
        features,
        lambda name, rows: out[name].append(rows),
        model,
        max_block=max_block,
        keep_probability=keep_probability,
        previous=previous,
        chunk=chunk,
    )
    links = pa.concat_tables([PERSONA_LINKS.empty_table(), *out["persona_links"]])
    cache = pa.concat_tables([PAIR_CACHE.empty_table(), *out["persona_pair_cache"]])
    order = [("advert_a", "ascending"), ("advert_b", "ascending")]
    return run.personas, links.sort_by(order), cache.sort_by(order)


def link_personas_into(
    engine: Engine,
    features: pa.Table,
    write: Write,
    model: PersonaModel | None = None,
    *,
    previous: Sequence[Path] = (),
    max_block: int = MAX_BLOCK,
    keep_probability: float = KEEP_PROBABILITY,
    chunk: int | None = None,
) -> PersonaRun:
    """Link adverts into personas, writing ``PERSONA_LINKS`` and the pair cache a chunk at a
    time through ``write``; returns the personas.

    Args:
        engine: the engine bound to the lake (Splink runs on it too).
        features: ``ADVERT_FEATURES`` from :func:`plainsight.link.features.build_features`.
        write: receives each chunk of ``persona_links`` and ``persona_pair_cache`` rows.
        model: the persona model; the one shipped in the package by default.
        previous: the Parquet files of an earlier run's ``persona_pair_cache``
            (:mod:`plainsight.link.pair_cache`): pairs whose two adverts' inputs are unchanged
            are not scored again; the answer is the same as scoring everything.
        chunk: pairs scored (and written) at a time; :data:`PAIR_CHUNK` by default.

    Only the linked pairs (two ids each) are held in memory, for clustering; the scored
    pairs and their reasons go out as they are made, so a million adverts fit.
    """
    model = model or PersonaModel.load()
    block(engine, features, max_block=max_block)
    pairs = current_pairs(engine)
    counts = CacheCounts()
    linked: list[pa.Table] = []
    run = PersonaRun(personas=PERSONAS.empty_table())

    def predict_chunk(chunk: pa.Table) -> pa.Table:
        engine.register("link_pairs", chunk)
        return _predict(engine, model, floor=keep_probability)

    for cache in cache_chunks(pairs, previous, predict_chunk, counts, chunk=chunk or PAIR_CHUNK):
        write("persona_pair_cache", cache)
        scored = scored_rows(cache)
        if not scored.num_rows:
            continue
        is_linked = pc.greater_equal(scored.column("match_probability"), model.threshold)
        links = pa.table(
            {
                "advert_a": scored.column("advert_a"),
                "advert_b": scored.column("advert_b"),
                "match_weight": scored.column("match_weight"),
                "match_probability": scored.column("match_probability"),
                "blocked_on": scored.column("blocked_on"),
                "linked": is_linked,
                "reasons": scored.column("reasons"),
            }
        ).cast(PERSONA_LINKS)
        write("persona_links", links)
        run.links += links.num_rows
        linked.append(links.filter(is_linked).select(list(EDGES.names)))
    edges = pa.concat_tables([EDGES.empty_table(), *linked])
    run.personas = cluster(features, edges)
    run.pairs_scored, run.pairs_reused = counts.scored, counts.reused
    return run


def score_pairs(
    engine: Engine,
    features: pa.Table,
    model: PersonaModel,
    *,
    max_block: int = MAX_BLOCK,
    floor: float | None = None,
    reasons: bool = True,
) -> pa.Table:
    """Every blocked pair scored by Splink: advert_a, advert_b, weights, gammas, reasons.

    Splink runs on the engine's own connection (DuckDB) or session (Spark), with the model's
    comparisons written in the engine's dialect.
    """
    block(engine, features, max_block=max_block)
    return predict(engine, model, floor=floor, reasons=reasons)


def block(engine: Engine, features: pa.Table, *, max_block: int = MAX_BLOCK) -> None:
    """Register the candidate pairs (``link_pairs``) and Splink's input (``link_input``)."""
    engine.register("link_features", features)
    engine.register("link_keys", engine.run(sql.blocking_keys_sql()))
    engine.register("link_pairs", engine.run(sql.blocked_pairs_sql(max_block, MAX_ALONE, MAX_TEXT)))
    engine.register("link_input", engine.run(sql.splink_input_sql()))


PAIR_CHUNK = 1_000_000
"""Candidate pairs Splink scores at a time. Splink joins both adverts' inputs (their shingle
lists among them) onto every pair it scores, so scoring in chunks keeps memory bounded;
each pair's score depends on its two adverts alone, so chunks give the same answer."""


def predict(
    engine: Engine, model: PersonaModel, *, floor: float | None = None, reasons: bool = True
) -> pa.Table:
    """Score the registered ``link_pairs`` with Splink (see :func:`block`), a chunk at a time."""
    pairs = engine.run("SELECT match_key, join_key_l, join_key_r FROM link_pairs")
    if pairs.num_rows <= PAIR_CHUNK:
        return _predict(engine, model, floor=floor, reasons=reasons)
    # Each chunk comes back sorted, so chunks of sorted pairs concatenate in order.
    pairs = pairs.sort_by([("join_key_l", "ascending"), ("join_key_r", "ascending")])
    parts = []
    for start in range(0, pairs.num_rows, PAIR_CHUNK):
        engine.register("link_pairs", pairs.slice(start, PAIR_CHUNK))
        parts.append(_predict(engine, model, floor=floor, reasons=reasons))
    engine.register("link_pairs", pairs)
    return pa.concat_tables(parts)


def _predict(
    engine: Engine, model: PersonaModel, *, floor: float | None = None, reasons: bool = True
) -> pa.Table:
    from splink import Linker

    db_api = engine.splink_api()
    settings = _in_dialect(model.settings(), engine)
    settings["sql_dialect"] = db_api.sql_dialect.sql_dialect_str
    settings["additional_columns_to_retain"] = ["ignored", "phashes_mirror"]
    linker = Linker(db_api.register("link_input"), settings, log_level=logging.WARNING)
    pairs = db_api.register("link_pairs")
    linker.table_management.register_blocked_pairs_for_predict(pairs)
    predicted = linker.inference.predict(threshold_match_probability=floor, warning_mode="never")
    try:
        return engine.run(
            sql.scored_pairs_sql(predicted.physical_name, COMPARISONS, reasons=reasons)
        )
    finally:
        predicted.drop_table_from_database_and_remove_from_cache()


def _in_dialect(settings: dict[str, Any], engine: Engine) -> dict[str, Any]:
    """Splink settings with every comparison's SQL in the engine's dialect."""
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level["sql_condition"].strip().upper() != "ELSE":
                level["sql_condition"] = engine.dialect(level["sql_condition"])
    return settings


def persona_id(advert_id: str) -> str:
    """The id of a persona whose earliest advert is ``advert_id``."""
    return "P-" + hashlib.sha256(advert_id.encode("utf-8")).hexdigest()[:12]


SPLIT_FROM = 60
"""A component of linked adverts larger than this is split into communities (Leiden). The
largest persona in the synthetic worlds has 27 adverts; a component of thousands is a chain:
at a million adverts, thousands of different women called "Anna" were joined through phone
numbers passed from one holder to the next (measured: one component of 19,258 adverts)."""
SPLIT_SEED = 5
"""Seed of Leiden's random numbers, so a run gives the same personas every time."""


def cluster(features: pa.Table, links: pa.Table) -> pa.Table:
    """``PERSONAS``: connected components of the linked pairs, every advert in one.

    One person's adverts link densely to each other (the same number, name and age on each);
    a chain between people hangs on a few pairs. So a component of more than
    :data:`SPLIT_FROM` adverts is split into Leiden communities (modularity, edges weighted by
    match weight), each a persona.
    """
    order = pc.sort_indices(
        features.select(["first_captured_at", "advert_id"]),
        sort_keys=[("first_captured_at", "ascending"), ("advert_id", "ascending")],
    )
    ids = features.column("advert_id").take(order).to_pylist()
    index = {advert: i for i, advert in enumerate(ids)}
    a = np.fromiter((index[x] for x in links.column("advert_a").to_pylist()), np.int64)
    b = np.fromiter((index[x] for x in links.column("advert_b").to_pylist()), np.int64)
    n = len(ids)
    graph = coo_matrix((np.ones(len(a), np.int8), (a, b)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    labels = _split_large(labels, a, b, _weights(links))
    earliest: dict[int, int] = {}
    for i, label in enumerate(labels.tolist()):
        earliest.setdefault(label, i)
    names = {label: persona_id(ids[i]) for label, i in earliest.items()}
    table = pa.table(
        {"advert_id": ids, "persona_id": [names[label] for label in labels.tolist()]},
        schema=PERSONAS,
    )
    return table.sort_by("advert_id")


def _weights(links: pa.Table) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Each link's graph weight: its match weight, at least a small positive amount."""
    if "match_weight" not in links.column_names:
        return np.ones(links.num_rows)
    weight = links.column("match_weight").to_numpy(zero_copy_only=False).astype(np.float64)
    floored: np.ndarray[Any, np.dtype[np.float64]] = np.maximum(np.nan_to_num(weight, nan=1.0), 0.1)
    return floored


def _split_large(
    labels: np.ndarray[Any, np.dtype[np.int32]],
    a: np.ndarray[Any, np.dtype[np.int64]],
    b: np.ndarray[Any, np.dtype[np.int64]],
    weight: np.ndarray[Any, np.dtype[np.float64]],
) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Component labels with each component over :data:`SPLIT_FROM` adverts replaced by its
    Leiden communities (new labels beyond the old ones)."""
    out = labels.astype(np.int64)
    sizes = np.bincount(labels)
    large = np.flatnonzero(sizes > SPLIT_FROM)
    if not len(large):
        return out
    next_label = int(labels.max()) + 1
    edge_label = labels[a]
    previous = igraph.set_random_number_generator(random.Random(SPLIT_SEED))
    try:
        for component in large.tolist():
            nodes = np.flatnonzero(labels == component)
            local = {int(node): i for i, node in enumerate(nodes.tolist())}
            inside = np.flatnonzero(edge_label == component)
            edges = [(local[int(a[e])], local[int(b[e])]) for e in inside.tolist()]
            graph = igraph.Graph(n=len(nodes), edges=edges, directed=False)
            graph.es["weight"] = weight[inside].tolist()
            parts = graph.community_leiden(
                objective_function="modularity", weights="weight", n_iterations=-1
            ).membership
            for node, part in zip(nodes.tolist(), parts, strict=True):
                out[node] = next_label + part
            next_label += max(parts) + 1
    finally:
        igraph.set_random_number_generator(previous or random)
    return out
