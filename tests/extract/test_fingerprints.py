"""Image fingerprints on advert pictures (a figure in a room) and the copies reposters make."""

from __future__ import annotations

import io
import random
from collections.abc import Callable

import imagehash
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

from plainsight.errors import Rejected
from plainsight.extract.fingerprints import (
    THRESHOLDS,
    Fingerprint,
    fingerprint,
    fingerprint_many,
    hamming,
    match,
)
from plainsight.synth.pictures import Figure, Room, render_photo

Rework = Callable[[Image.Image], Image.Image]


def scene(seed: int) -> Image.Image:
    """A distinct 240x320 advert photo: its own room (wallpaper, bed, lamp) and figure."""
    rng = random.Random(seed)
    room = Room.create(rng).render()
    return render_photo(room, Figure.create(rng), rng.randint(0, 2), rng.randint(60, 180))


def jpeg(image: Image.Image, quality: int = 85) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def crop(image: Image.Image) -> Image.Image:
    w, h = image.size
    return image.crop((w // 10, h // 10, w - w // 10, h - h // 10))


def tint(image: Image.Image) -> Image.Image:
    return Image.blend(image, Image.new("RGB", image.size, (200, 60, 40)), 0.2)


def caption(image: Image.Image) -> Image.Image:
    out = image.copy()
    draw = ImageDraw.Draw(out)
    w, h = out.size
    draw.rectangle((0, h - 24, w, h), fill=(0, 0, 0))
    draw.text((6, h - 20), "NEW GIRL 07700 900123 call now", fill=(255, 255, 255))
    return out


def scaled(factor: float) -> Rework:
    def rework(image: Image.Image) -> Image.Image:
        size = (round(image.width * factor), round(image.height * factor))
        return image.resize(size, Image.Resampling.BICUBIC)

    return rework


REWORKS: dict[str, tuple[Rework, int]] = {
    "resize 0.5x": (scaled(0.5), 80),
    "resize 1.5x": (scaled(1.5), 80),
    "recompress at quality 40": (lambda image: image, 40),
    "crop 10% margins": (crop, 80),
    "mirror": (ImageOps.mirror, 80),
    "tint": (tint, 80),
    "caption at the bottom": (caption, 80),
    "rotate 2 degrees": (lambda image: image.rotate(2, Image.Resampling.BICUBIC), 80),
}
SCENES = range(100, 130)


@pytest.fixture(scope="module")
def originals() -> dict[int, tuple[Image.Image, Fingerprint]]:
    return {seed: (image, fingerprint(jpeg(image))) for seed in SCENES for image in [scene(seed)]}


@pytest.mark.parametrize("name", list(REWORKS))
def test_every_reworked_copy_is_matched(
    name: str, originals: dict[int, tuple[Image.Image, Fingerprint]]
) -> None:
    rework, quality = REWORKS[name]
    missed = []
    for seed, (image, original) in originals.items():
        copy = fingerprint(jpeg(rework(image), quality))
        found = match(original, copy)
        if found is None or match(copy, original) != found:
            missed.append(seed)
        else:
            assert found.distance <= found.threshold
            assert "within" in found.reason
    assert missed == [], f"{name}: {len(missed)} of {len(originals)} copies not matched"


def test_different_scenes_do_not_match() -> None:
    prints = [fingerprint(jpeg(scene(seed))) for seed in range(5000, 5400)]
    pairs = list(zip(prints[::2], prints[1::2], strict=True))
    assert len(pairs) == 200
    false = [(a.sha256[:8], b.sha256[:8], match(a, b)) for a, b in pairs if match(a, b)]
    assert false == []


def test_mirrored_copies_need_the_mirror_hashes(
    originals: dict[int, tuple[Image.Image, Fingerprint]],
) -> None:
    for image, original in originals.values():
        mirrored = fingerprint(jpeg(ImageOps.mirror(image)))
        assert hamming(original.phash, mirrored.phash) > THRESHOLDS["phash"]
        assert hamming(original.phash_mirror, mirrored.phash) <= THRESHOLDS["phash_mirror"]
        assert original.pdq is not None and mirrored.pdq is not None
        assert hamming(original.pdq_dihedral[5], mirrored.pdq) <= THRESHOLDS["pdq_dihedral"]
        found = match(original, mirrored)
        assert found is not None and found.hash in {"phash_mirror", "pdq_dihedral"}


def test_crops_are_matched_through_the_centre(
    originals: dict[int, tuple[Image.Image, Fingerprint]],
) -> None:
    for image, original in list(originals.values())[:10]:
        cropped = fingerprint(jpeg(crop(image), 80))
        assert hamming(original.phash, cropped.phash) > THRESHOLDS["phash"] // 2
        found = match(original, cropped)
        assert found is not None and found.hash == "phash_centre"


def test_hashes_are_imagehash_hashes() -> None:
    for seed in range(40):
        image = scene(seed)
        exact = fingerprint(png(image))  # no reduced decode: the very same numbers
        assert exact.phash == str(imagehash.phash(image))
        assert exact.dhash == str(imagehash.dhash(image))
        data = jpeg(image)
        reduced = fingerprint(data)  # JPEG decoded reduced: a bit or two may differ
        decoded = Image.open(io.BytesIO(data))
        assert hamming(reduced.phash, str(imagehash.phash(decoded))) <= 2
        assert hamming(reduced.dhash, str(imagehash.dhash(decoded))) <= 6
        assert len(exact.phash) == len(exact.dhash) == 16
        assert exact.pdq is not None and len(exact.pdq) == 64
        assert len(exact.pdq_dihedral) == 8 and exact.pdq_dihedral[0] == exact.pdq


def test_fingerprint_is_deterministic_and_keeps_the_given_sha() -> None:
    data = jpeg(scene(7))
    first, second = fingerprint(data), fingerprint(data)
    assert first == second
    assert (first.width, first.height) == (240, 320)
    assert fingerprint(data, sha256="ab" * 32).sha256 == "ab" * 32
    quick = fingerprint(data, pdq=False)
    assert quick.pdq is None and quick.pdq_dihedral == () and quick.phash == first.phash


def test_exif_orientation_is_applied() -> None:
    upright = scene(8)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display": the stored pixels lie on their side
    out = io.BytesIO()
    upright.transpose(Image.Transpose.ROTATE_90).save(out, "JPEG", quality=85, exif=exif)
    turned = fingerprint(out.getvalue())
    assert (turned.width, turned.height) == (240, 320)
    assert hamming(turned.phash, fingerprint(jpeg(upright)).phash) <= 2


def test_other_modes_are_fingerprinted() -> None:
    image = scene(9)
    base = fingerprint(png(image))
    cmyk = io.BytesIO()
    image.convert("CMYK").save(cmyk, "JPEG", quality=90)
    assert hamming(fingerprint(cmyk.getvalue()).phash, base.phash) <= 4
    assert hamming(fingerprint(png(image.convert("P"))).phash, base.phash) <= 4
    deep = Image.fromarray(np.asarray(image.convert("L"), dtype=np.uint16) * 257)
    assert hamming(fingerprint(png(deep)).phash, base.phash) <= 2
    # Transparent parts show as white, whatever colour the pixels hide.
    hidden = image.convert("RGBA")
    hidden.paste((255, 0, 0, 0), (0, 0, 240, 100))
    shown = image.copy()
    shown.paste((255, 255, 255), (0, 0, 240, 100))
    assert fingerprint(png(hidden)).phash == fingerprint(png(shown)).phash


def test_broken_pictures_are_rejected() -> None:
    data = jpeg(scene(10))
    with pytest.raises(Rejected, match="not a picture"):
        fingerprint(b"\x00junk, not an image" * 50)
    with pytest.raises(Rejected, match="broken picture"):
        fingerprint(data[: len(data) // 2])
    with pytest.raises(Rejected, match="too small"):
        fingerprint(png(Image.new("RGB", (1, 1))))
    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n"
    with pytest.raises(Rejected, match="not a picture"):
        fingerprint(eps)


def test_decompression_bomb_is_rejected_before_decoding() -> None:
    bomb = png(Image.new("1", (20000, 20000)))
    assert len(bomb) < 200_000
    with pytest.raises(Rejected, match="too large"):
        fingerprint(bomb)
    big = png(Image.new("1", (10000, 9000)))  # 90 Mpx: above plainsight's limit only
    with pytest.raises(Rejected, match="too large"):
        fingerprint(big)


def test_hamming() -> None:
    assert hamming("0f0f", "0f0f") == 0
    assert hamming("ffff", "0000") == 16
    assert hamming("8000000000000000", "0000000000000001") == 2
    with pytest.raises(ValueError, match="different lengths"):
        hamming("00", "000")


@pytest.mark.slow
def test_fingerprint_many_keeps_order_in_process_and_in_a_pool() -> None:
    pictures = [jpeg(scene(seed), 70) for seed in range(60)]
    items = [(f"sha-{i}", pictures[i % 60] if i % 50 else b"junk") for i in range(260)]
    small = list(fingerprint_many(items[:30], pdq=False))
    pooled = list(fingerprint_many(items, processes=2, pdq=False))
    assert len(pooled) == 260
    for i, result in enumerate(pooled):
        if i % 50 == 0:
            assert result == (f"sha-{i}", "not a picture in a format plainsight reads")
        else:
            assert isinstance(result, Fingerprint) and result.sha256 == f"sha-{i}"
            assert result == fingerprint(items[i][1], f"sha-{i}", pdq=False)
    assert small == pooled[:30]
