"""Incremental persona linking: a pair's score is reused while neither advert has changed.

With fixed m/u values (no term-frequency adjustments), Splink scores each candidate pair from
the two adverts' inputs alone. So a run keeps every pair it scored, with a hash of each
advert's inputs (``persona_pair_cache``), and the next run scores only the pairs that are new
or whose inputs changed (a new capture, a new generic identifier). The personas and links
that come out are the ones a full rebuild gives, by construction; only the work differs.
Pairs scored below the floor are kept too (with no score), so they are not scored again.

Everything here works a chunk at a time: the cache of a million adverts (over ten million
pairs, each with its reasons) never sits in memory whole. :func:`cache_chunks` yields the new
cache in pieces of at most ``chunk`` pairs, which the caller writes straight to the lake.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from plainsight.lake.engine import Engine
from plainsight.link.personas_model import COMPARISONS

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

PAIR_CACHE = pa.schema(
    [
        ("advert_a", pa.string()),
        ("advert_b", pa.string()),
        ("match_weight", pa.float64()),  # null: scored below the floor
        ("match_probability", pa.float64()),
        ("blocked_on", pa.string()),
        *[(f"gamma_{c.name}", pa.int32()) for c in COMPARISONS],
        ("reasons", pa.large_string()),
        ("hash_a", pa.string()),
        ("hash_b", pa.string()),
    ]
)
"""``persona_pair_cache``: every current candidate pair, scored or below the floor."""

KEYS = ["advert_a", "advert_b", "hash_a", "hash_b"]

Predict = Callable[[pa.Table], pa.Table]
"""Scores a chunk of pairs (match_key, join_key_l, join_key_r) with Splink: the scored rows
(advert_a, advert_b, blocked_on, weights, gammas, reasons) at or above the floor."""


@dataclass
class CacheCounts:
    """What a run did with the pairs: scored afresh, or reused from the previous cache."""

    scored: int = 0
    reused: int = 0


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


def conform(table: pa.Table) -> pa.Table:
    """A table in :data:`PAIR_CACHE`'s columns and types (missing columns null)."""
    columns = [
        table.column(f.name).cast(f.type)
        if f.name in table.column_names
        else pa.nulls(table.num_rows, f.type)
        for f in PAIR_CACHE
    ]
    return pa.table(columns, schema=PAIR_CACHE)


def _with_hashes(pairs: pa.Table, hashes: pa.Table, left: str, right: str) -> pa.Table:
    named = pairs
    for side, key in (("a", left), ("b", right)):
        renamed = hashes.rename_columns([key, f"hash_{side}"])
        named = named.join(renamed, keys=key, join_type="inner")
    return named


def current_pairs(engine: Engine) -> pa.Table:
    """The registered ``link_pairs`` as (advert_a, advert_b, blocked_on, hash_a, hash_b),
    sorted by pair, with each advert's input digest from ``link_input``."""
    hashes = input_hashes(engine.run("SELECT * FROM link_input"))
    pairs = engine.run(
        "SELECT join_key_l AS advert_a, join_key_r AS advert_b, match_key AS blocked_on "
        "FROM link_pairs"
    )
    hashed = _with_hashes(pairs, hashes, "advert_a", "advert_b")
    return hashed.sort_by([("advert_a", "ascending"), ("advert_b", "ascending")])


def cache_chunks(
    pairs: pa.Table,
    previous: Sequence[Path],
    predict: Predict,
    counts: CacheCounts,
    *,
    chunk: int = 1_000_000,
) -> Iterator[pa.Table]:
    """The new cache, in :data:`PAIR_CACHE` chunks: every row of ``pairs`` exactly once.

    Pairs whose two input digests match a row of the previous cache (``previous``, its
    Parquet files) take that row, read a batch at a time; the rest are scored by ``predict``
    ``chunk`` pairs at a time. Each pair's ``blocked_on`` is this run's.
    """
    fresh = pairs
    if previous:
        hits = _hits(pairs, previous)
        counts.reused = hits.num_rows
        if hits.num_rows:
            fresh = pairs.join(hits.select(KEYS), keys=KEYS, join_type="left anti")
            fresh = fresh.sort_by([("advert_a", "ascending"), ("advert_b", "ascending")])
            yield from _reuse(previous, hits, chunk)
    counts.scored = fresh.num_rows
    for start in range(0, fresh.num_rows, chunk):
        part = fresh.slice(start, chunk)
        scored = predict(
            part.select(["blocked_on", "advert_a", "advert_b"]).rename_columns(
                ["match_key", "join_key_l", "join_key_r"]
            )
        )
        keyed = part.select(["advert_a", "advert_b", "hash_a", "hash_b"])
        scored = scored.drop_columns([c for c in ("hash_a", "hash_b") if c in scored.column_names])
        scored = scored.join(keyed, keys=["advert_a", "advert_b"], join_type="inner")
        below = part.join(
            scored.select(["advert_a", "advert_b"]),
            keys=["advert_a", "advert_b"],
            join_type="left anti",
        )
        yield conform(scored)
        if below.num_rows:
            yield conform(below)


def _hits(pairs: pa.Table, previous: Sequence[Path]) -> pa.Table:
    """Current pairs found unchanged in the previous cache, with the cache's row numbers
    (``row``, in file order) and this run's ``blocked_on``; sorted by row."""
    keys = pa.concat_tables(pq.read_table(path, columns=KEYS) for path in previous)
    keys = keys.append_column("row", pa.array(np.arange(keys.num_rows, dtype=np.int64)))
    hits = keys.join(pairs, keys=KEYS, join_type="inner")
    return hits.sort_by("row")


def _reuse(previous: Sequence[Path], hits: pa.Table, chunk: int) -> Iterator[pa.Table]:
    """The previous cache's rows numbered in ``hits`` (sorted), read a batch at a time."""
    rows = hits.column("row").to_numpy()
    blocked = hits.column("blocked_on")
    offset = 0
    taken = 0
    for path in previous:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk):
            end = offset + batch.num_rows
            upto = int(np.searchsorted(rows, end, side="left"))
            if upto > taken:
                local = pa.array(rows[taken:upto] - offset)
                part = pa.Table.from_batches([batch]).take(local)
                part = part.set_column(
                    part.schema.get_field_index("blocked_on"),
                    "blocked_on",
                    blocked.slice(taken, upto - taken).cast(pa.string()),
                )
                yield conform(part)
                taken = upto
            offset = end


def scored_rows(cache: pa.Table) -> pa.Table:
    """The rows of a cache chunk that were scored at or above the floor."""
    return cache.filter(pc.is_valid(cache.column("match_probability")))
