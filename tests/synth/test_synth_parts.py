"""The advert world's parts: number pool, obfuscation styles, time spool, sites, pictures."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from PIL import Image

from plainsight.synth.album import ImageStore
from plainsight.synth.numbers import DRAMA_BLOCKS, HELPLINE, NumberPool, drama_number, is_drama
from plainsight.synth.obfuscation import FIELD_STYLES, Style, render
from plainsight.synth.pictures import Figure, Room, render_photo, rework
from plainsight.synth.sites import SITES
from plainsight.synth.spool import TimeSpool
from tests.synth.synth_phone_reader import phone_runs

POOL_SIZE = 1000 * len(DRAMA_BLOCKS)


def test_pool_hands_out_mobiles_first_without_replacement() -> None:
    reserved = (drama_number("07700900", 5),)
    pool = NumberPool(random.Random(1), reserved=reserved)
    taken = [pool.take(0, 10).national for _ in range(999)]
    assert len(set(taken)) == 999
    assert all(n.startswith("07700900") for n in taken)
    assert reserved[0].national not in taken
    assert not pool.take(0, 10).is_mobile
    assert pool.fresh_left == POOL_SIZE - 1 - 1000


def test_pool_recycles_only_after_the_previous_holder_ended() -> None:
    pool = NumberPool(random.Random(2))
    first = {pool.take(0, 30).national: 30 for _ in range(POOL_SIZE)}
    assert pool.fresh_left == 0 and not pool.recycled
    again = pool.take(100, 200)
    assert again.national in first and pool.overlaps == 0
    assert pool.recycled == {again.e164: 1}
    busy = NumberPool(random.Random(3))
    for _ in range(POOL_SIZE):
        busy.take(0, 300)
    busy.take(10, 20)
    assert busy.overlaps == 1, "a recycle that cannot wait is counted"


def test_drama_ranges_only() -> None:
    assert is_drama("07700900123") and is_drama("02079460999") and is_drama("01914980000")
    assert not is_drama("07700123456") and not is_drama(HELPLINE.national)
    with pytest.raises(ValueError):
        drama_number("07712345", 1)


@pytest.mark.parametrize("style", list(Style))
def test_every_style_reads_back_to_its_number(style: Style) -> None:
    rng = random.Random(style.value)
    for prefix, _ in DRAMA_BLOCKS:
        for index in (0, 1, 110, 123, 900, 999):
            number = drama_number(prefix, index)
            written = render(number, style, rng)
            if style is not Style.PLAIN:
                assert written != number.national
            assert phone_runs(f"Hello, call me {written}. Thanks x") == [number.national], written


def test_styles_look_like_their_names() -> None:
    rng = random.Random(0)
    number = drama_number("07700900", 123)
    assert render(number, Style.DOTTED, rng) == "07700.900.123"
    assert render(number, Style.INTL_PAREN, rng) == "+44 (0) 7700 900123"
    assert render(number, Style.INTL00, rng) == "0044 7700 900123"
    assert "\u20e3" in render(number, Style.KEYCAPS, rng)
    assert "seven" in render(number, Style.WORDS, rng)
    assert "O77OO" in render(number, Style.LETTERS, rng).upper()
    assert Style.SPLIT not in FIELD_STYLES


def test_spool_writes_lines_in_day_then_key_order(tmp_path: Path) -> None:
    spool = TimeSpool(tmp_path / "spool", buffer_bytes=64)
    for day, key in ((3, "b"), (1, "z"), (3, "a"), (1, "y"), (2, "m")):
        spool.add(day, key, f"{day}{key}".encode())
    out = io.BytesIO()
    assert spool.drain(out) == 5
    assert out.getvalue().split() == [b"1y", b"1z", b"2m", b"3a", b"3b"]
    assert not (tmp_path / "spool").exists()


def test_site_ids_are_unique_and_footers_complete() -> None:
    for site in SITES:
        ids = {site.ad_id(seq) for seq in range(1, 20_001)}
        assert len(ids) == 20_000
        footer = site.footer()
        assert all(sentence in footer for sentence in site.footer_sentences())
        assert ("08000 121 700" in footer) == site.helpline
    assert len({s.slug for s in SITES}) == len(SITES) >= 3


def test_pictures_are_small_and_deduplicated(tmp_path: Path) -> None:
    rng = random.Random(4)
    room = Room.create(rng).render()
    photo = render_photo(room, Figure.create(rng), 0, 120)
    store = ImageStore(tmp_path, enabled=True)
    first = store.put(photo, "JPEG", 80)
    assert store.put(photo, "JPEG", 80) == first and store.count == 1
    assert 2_000 < (tmp_path / first).stat().st_size < 30_000
    copy, fmt, quality = rework(photo, rng, "NEW")
    assert store.put(copy, fmt, quality) != first
    assert Image.open(tmp_path / first).size == (240, 320)
    assert ImageStore(tmp_path / "off", enabled=False).put(photo) == ""
