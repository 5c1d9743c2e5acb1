"""Advert features: one row per advert, generic identifiers set aside, text without footers."""

from __future__ import annotations

import pyarrow as pa
import pytest

from plainsight.link.features import LSH_BANDS, build_features, lsh_band_keys, text_shingles
from plainsight.link.generic import find_generic
from plainsight.link.schemas import ADVERT_FEATURES

from .conftest import PersonaWorld


@pytest.fixture(scope="module")
def features(persona_world: PersonaWorld) -> pa.Table:
    return build_features(persona_world.engine, find_generic(persona_world.engine))


def test_one_row_per_advert_with_the_schema(
    persona_world: PersonaWorld, features: pa.Table
) -> None:
    assert features.schema == ADVERT_FEATURES
    adverts = persona_world.engine.run("SELECT count(*) AS n FROM adverts").column("n")[0]
    assert features.num_rows == adverts.as_py()
    assert len(set(features.column("advert_id").to_pylist())) == features.num_rows


def test_generic_numbers_are_ignored_not_kept(features: pa.Table) -> None:
    rows = features.to_pylist()
    assert not any("+448000121700" in r["phones"] for r in rows)
    assert sum("phone:+448000121700" in r["ignored"] for r in rows) > 50
    assert sum(bool(r["phones"]) for r in rows) > 0.9 * len(rows)


def test_text_loses_footers_but_keeps_the_advert(features: pa.Table) -> None:
    texts = features.column("text").to_pylist()
    assert not any("Modern Slavery" in t for t in texts)
    assert not any("customer service" in t for t in texts)
    assert sum(len(t) > 40 for t in texts) > 0.9 * len(texts)


def test_pictures_carry_their_phash(persona_world: PersonaWorld, features: pa.Table) -> None:
    row = next(r for r in features.to_pylist() if r["image_sha256"])
    hexes = persona_world.engine.run(
        "SELECT phash FROM image_fingerprints WHERE sha256 = ?", [row["image_sha256"][0]]
    ).column("phash")
    assert int(hexes[0].as_py(), 16) in row["phashes"]


def test_lsh_band_keys_are_deterministic_and_similarity_sensitive() -> None:
    base = list(range(1, 60))
    close = [*base[:-3], 1000, 1001, 1002]
    other = list(range(500, 560))
    keys = lsh_band_keys(pa.array([base, base, close, other, []], pa.list_(pa.uint64())))
    rows = keys.to_pylist()
    assert rows[0] == rows[1] and len(rows[0]) == LSH_BANDS
    assert set(rows[0]) & set(rows[2])
    assert not set(rows[0]) & set(rows[3])
    assert rows[4] == []


def test_text_shingles_are_the_distinct_word_3_grams_sorted() -> None:
    texts = [
        "Hi there, Mia here. Hi there!",  # hi there mia here hi there: 4 distinct 3-grams
        "HI THERE mia... here; hi there",  # the same words: case and punctuation do not count
        "there hi mia here hi there",  # the same words in another order
        "New in town",
        "Two words",
        "",
        None,
    ]
    rows = text_shingles(pa.array(texts)).to_pylist()
    assert len(rows[0]) == 4 and rows[0] == sorted(set(rows[0]))
    assert rows[1] == rows[0]
    assert rows[2] != rows[0] and set(rows[2]) & set(rows[0])  # "mia here hi", "here hi there"
    assert len(rows[3]) == 1
    assert len(rows[4]) == 2  # fewer than three words: the words themselves
    assert rows[5] == [] and rows[6] == []
    assert text_shingles(pa.array(texts)).to_pylist() == rows  # the same on every run
