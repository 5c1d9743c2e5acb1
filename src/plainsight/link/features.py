"""Advert features: what each advert says about who posted it, over all its captures.

One row per advert (``ADVERT_FEATURES``): names, ages, contacts, places, pictures and text,
with generic identifiers set aside (listed in ``ignored`` so an explanation can say "ignored:
generic"). The text also gets hashed word 3-grams (exact Jaccard for comparing) and MinHash
band keys from rensa (for blocking: similar texts share a band).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import rensa

from plainsight.lake.engine import Engine
from plainsight.link import sql
from plainsight.link.generic import generic_set
from plainsight.link.schemas import ADVERT_FEATURES

__all__ = ["LSH_BANDS", "LSH_ROWS", "build_features", "lsh_band_keys"]

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
    shingles = table.column("shingles").combine_chunks()
    bands = lsh_band_keys(shingles)
    table = table.append_column("lsh_bands", bands)
    return table.select(ADVERT_FEATURES.names).cast(ADVERT_FEATURES)


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
