"""Incremental persona linking: a pair's score is reused while neither advert has changed.

With fixed m/u values (no term-frequency adjustments), Splink scores each candidate pair from
the two adverts' inputs alone. So a run keeps every pair it scored, with a hash of each
advert's inputs (``persona_pair_cache``), and the next run scores only the pairs that are new
or whose inputs changed (a new capture, a new generic identifier). The personas and links
that come out are the ones a full rebuild gives, by construction; only the work differs.
Pairs scored below the floor are kept too (with no score), so they are not scored again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import orjson
import pyarrow as pa

from plainsight.lake.engine import Engine

HASHED = (
    "names",
    "ages",
    "phones",
    "contacts",
    "towns",
    "image_sha256",
    "phashes",
    "phashes_mirror",
    "shingles",
    "ignored",
)
"""The Splink input columns a pair's score depends on (``link_input``)."""


def input_hashes(link_input: pa.Table, batch: int = 20_000) -> pa.Table:
    """(advert_id, input_hash): a digest of each advert's comparison inputs.

    Converted to Python a batch at a time, so memory stays bounded at any size.
    """
    digests: list[str] = []
    inputs = link_input.select(list(HASHED))
    for start in range(0, inputs.num_rows, batch):
        part = inputs.slice(start, batch)
        columns = [part.column(c).to_pylist() for c in HASHED]
        digests.extend(
            hashlib.blake2b(orjson.dumps(values), digest_size=12).hexdigest()
            for values in zip(*columns, strict=True)
        )
    return pa.table({"advert_id": link_input.column("advert_id"), "input_hash": digests})


def _unify(tables: list[pa.Table], schema: pa.Schema) -> pa.Table:
    """One table of the given columns, sorted by pair. The reasons become a large string, so
    millions of them (over 2 GB of text) can be sorted and kept together."""
    schema = pa.schema(
        [pa.field(f.name, pa.large_string()) if f.name == "reasons" else f for f in schema]
    )
    parts = []
    for table in tables:
        columns = [
            table.column(f.name).cast(f.type)
            if f.name in table.column_names
            else pa.nulls(table.num_rows, f.type)
            for f in schema
        ]
        parts.append(pa.table(columns, schema=schema))
    return pa.concat_tables(parts).sort_by([("advert_a", "ascending"), ("advert_b", "ascending")])


def _with_hashes(pairs: pa.Table, hashes: pa.Table, left: str, right: str) -> pa.Table:
    named = pairs
    for side, key in (("a", left), ("b", right)):
        renamed = hashes.rename_columns([key, f"hash_{side}"])
        named = named.join(renamed, keys=key, join_type="inner")
    return named


def predict_with_cache(
    engine: Engine, cache: pa.Table, predict: Callable[[], pa.Table]
) -> tuple[pa.Table, pa.Table]:
    """Scores for the registered ``link_pairs``, reusing ``cache``; (scored, new cache).

    ``predict`` scores whatever is registered as ``link_pairs`` (Splink). The scored table is
    what scoring every pair would give; the new cache holds every current pair. The joins
    run in Arrow, so this works the same on every engine.
    """
    hashes = input_hashes(engine.run("SELECT * FROM link_input"))
    pairs = _with_hashes(
        engine.run("SELECT match_key, join_key_l, join_key_r FROM link_pairs"),
        hashes,
        "join_key_l",
        "join_key_r",
    )
    pair_keys = ["join_key_l", "join_key_r", "hash_a", "hash_b"]
    if cache.num_rows:
        known = cache.drop_columns(["blocked_on"]).rename_columns(
            [
                "join_key_l" if c == "advert_a" else "join_key_r" if c == "advert_b" else c
                for c in cache.drop_columns(["blocked_on"]).column_names
            ]
        )
        hits = pairs.join(known, keys=pair_keys, join_type="inner")
        fresh_pairs = pairs.join(hits.select(pair_keys), keys=pair_keys, join_type="left anti")
    else:
        hits = pairs.slice(0, 0)
        fresh_pairs = pairs
    tables = [_as_scored(hits)]
    if fresh_pairs.num_rows:
        engine.register("link_pairs", fresh_pairs.select(["match_key", "join_key_l", "join_key_r"]))
        fresh = predict()
        scored = _with_hashes(fresh, hashes, "advert_a", "advert_b")
        below = fresh_pairs.join(
            fresh.select(["advert_a", "advert_b"]).rename_columns(["join_key_l", "join_key_r"]),
            keys=["join_key_l", "join_key_r"],
            join_type="left anti",
        )
        tables += [scored, _as_scored(below)]
        schema = cache.schema if cache.num_rows else scored.schema
    elif cache.num_rows:
        schema = cache.schema
    else:
        raise ValueError("nothing to score and no cache to score from")
    new_cache = _unify(tables, schema)
    valid = pa.compute.is_valid(new_cache.column("match_probability"))
    return new_cache.filter(valid).drop_columns(["hash_a", "hash_b"]), new_cache


def _as_scored(pairs: pa.Table) -> pa.Table:
    """Pairs in the scored table's names: advert_a, advert_b, blocked_on (+ what they carry)."""
    names = {"join_key_l": "advert_a", "join_key_r": "advert_b", "match_key": "blocked_on"}
    return pairs.rename_columns([names.get(c, c) for c in pairs.column_names])
