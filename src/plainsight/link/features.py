"""Advert features: what each advert says about who posted it, over all its captures.

One row per advert (``ADVERT_FEATURES``): names, ages, contacts, places, pictures and text,
with generic identifiers set aside (listed in ``ignored`` so an explanation can say "ignored:
generic"). The text also gets hashed word 3-grams (exact Jaccard for comparing) and MinHash
band keys from rensa (for blocking: similar texts share a band).

The engine gathers the lists and the text; the hashing (words, 3-grams, pHash hex to
numbers, MinHash) runs here over Arrow with numpy, so every engine gives the same numbers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import rensa

from plainsight.lake.engine import Engine
from plainsight.link import sql
from plainsight.link.generic import generic_set
from plainsight.link.schemas import ADVERT_FEATURES

__all__ = ["LSH_BANDS", "LSH_ROWS", "build_features", "lsh_band_keys", "text_shingles"]

LSH_BANDS = 20
LSH_ROWS = 3
"""20 bands of 3 MinHash values: texts with Jaccard 0.3 share a band 44% of the time, 0.5
93%, 0.15 6%, so blocking on a band finds reworded adverts without comparing every pair."""
LSH_SEED = 20240101
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=np.uint64)


def build_features(engine: Engine, generic: pa.Table) -> pa.Table:
    """One ``ADVERT_FEATURES`` row per advert of the lake the engine is bound to.

    Args:
        engine: bound to a workspace lake (``adverts``, ``captures``, ``facts``,
            ``image_fingerprints``).
        generic: a ``GENERIC_IDENTIFIERS`` table (from :func:`find_generic`); rows with
            ``generic`` true are left out of the lists and named in ``ignored``.
    """
    engine.register("link_generic", generic_set(generic))
    table = engine.run(sql.advert_features_sql())
    for name in ("phashes", "phashes_mirror"):
        column = table.schema.get_field_index(name)
        table = table.set_column(column, name, _hex_numbers(table.column(name)))
    shingles = _batched(text_shingles, table.column("text"))
    table = table.append_column("shingles", shingles)
    table = table.append_column("lsh_bands", _batched(lsh_band_keys, shingles))
    return table.select(ADVERT_FEATURES.names).cast(ADVERT_FEATURES)


BATCH = 50_000
"""Adverts hashed at a time: each row's hashes depend on that row alone, so batches give the
same answer as one pass, and memory stays bounded at any size."""


def _batched(
    step: Callable[[pa.ChunkedArray], pa.ListArray], column: pa.ChunkedArray | pa.Array
) -> pa.ChunkedArray:
    parts = [step(column.slice(start, BATCH)) for start in range(0, len(column), BATCH)]
    if not parts:
        return pa.chunked_array([step(column)])
    return pa.chunked_array(parts)


def _list_offsets(lists: pa.ListArray) -> np.ndarray:
    lengths = pc.fill_null(pc.list_value_length(lists), 0).to_numpy(zero_copy_only=False)
    return np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)


def _hex_numbers(lists: pa.ListArray | pa.ChunkedArray) -> pa.ListArray:
    """Lists of hexadecimal strings (pHashes) as lists of uint64, in the same order."""
    if isinstance(lists, pa.ChunkedArray):
        lists = lists.combine_chunks()
    flat = lists.flatten().to_pylist()
    values = np.fromiter((int(x, 16) for x in flat), np.uint64, len(flat))
    return pa.ListArray.from_arrays(pa.array(_list_offsets(lists)), pa.array(values))


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit moves every output bit."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        mixed: np.ndarray = x ^ (x >> np.uint64(31))
        return mixed


def _rotl(x: np.ndarray, bits: int) -> np.ndarray:
    rotated: np.ndarray = (x << np.uint64(bits)) | (x >> np.uint64(64 - bits))
    return rotated


def text_shingles(text: pa.Array | pa.ChunkedArray) -> pa.ListArray:
    """Hashed word 3-grams of each text (its words when it has fewer than three), as sorted
    lists of distinct uint64. A word is a run of ``\\w`` characters of the lower-cased text;
    a word's hash is the first 8 bytes of its BLAKE2b digest, a 3-gram's its words' hashes
    mixed in order."""
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    rows = len(text)
    words = pc.split_pattern_regex(pc.utf8_lower(pc.fill_null(text, "")), r"\W+")
    flat = words.flatten()
    row = np.repeat(np.arange(rows, dtype=np.int64), np.diff(_list_offsets(words)))
    keep = pc.greater(pc.binary_length(flat), 0).to_numpy(zero_copy_only=False)
    flat, row = flat.filter(pa.array(keep)), row[keep]
    encoded = pc.dictionary_encode(flat)
    vocabulary = encoded.dictionary.to_pylist()
    word_hash = np.fromiter(
        (
            int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
            for w in vocabulary
        ),
        np.uint64,
        len(vocabulary),
    )
    h = word_hash[encoded.indices.to_numpy(zero_copy_only=False)]
    counts = np.bincount(row, minlength=rows)
    whole = row[:-2] == row[2:] if len(h) >= 3 else np.zeros(0, bool)
    grams = _mix(h[:-2] ^ _rotl(h[1:-1], 21) ^ _rotl(h[2:], 42))[whole] if len(h) >= 3 else h[:0]
    short = (counts < 3)[row]
    values = np.concatenate([grams, h[short]])
    owner = np.concatenate([row[:-2][whole] if len(h) >= 3 else row[:0], row[short]])
    order = np.lexsort((values, owner))
    values, owner = values[order], owner[order]
    first = np.ones(len(values), bool)
    first[1:] = (values[1:] != values[:-1]) | (owner[1:] != owner[:-1])
    values, owner = values[first], owner[first]
    offsets = np.concatenate([[0], np.cumsum(np.bincount(owner, minlength=rows))])
    return pa.ListArray.from_arrays(
        pa.array(offsets.astype(np.int32)), pa.array(values, pa.uint64())
    )


def lsh_band_keys(shingles: pa.ListArray | pa.ChunkedArray) -> pa.ListArray:
    """MinHash-LSH band keys (uint64, band number mixed in) of each row's shingle hashes."""
    if isinstance(shingles, pa.ChunkedArray):
        shingles = shingles.combine_chunks()
    rows = len(shingles)
    if rows == 0:
        return pa.array([], pa.list_(pa.uint64()))
    flat = shingles.flatten().to_numpy(zero_copy_only=False).astype(np.uint64, copy=False)
    offsets = shingles.offsets.to_numpy().astype(np.uint64)
    matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(
        flat, offsets, LSH_BANDS * LSH_ROWS, LSH_SEED
    )
    digests = np.asarray(matrix.to_rows(), dtype=np.uint64).reshape(rows, LSH_BANDS, LSH_ROWS)
    with np.errstate(over="ignore"):
        keys = (digests * _MIX).sum(axis=2, dtype=np.uint64)
        keys ^= np.arange(LSH_BANDS, dtype=np.uint64) * np.uint64(0xFF51AFD7ED558CCD)
    lengths = np.diff(shingles.offsets.to_numpy())
    keep = np.repeat(lengths > 0, LSH_BANDS).reshape(rows, LSH_BANDS)
    counts = keep.sum(axis=1)
    out_offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(out_offsets), pa.array(keys[keep], pa.uint64()))
