"""Image fingerprints: perceptual hashes that find one picture reused across adverts.

The same photographs turning up in many adverts (re-encoded, resized, cropped, mirrored,
tinted or captioned by a reposter) is strong evidence that the adverts belong to one person
or one controlling network. :func:`fingerprint` gives each picture, once per SHA-256:

* ``phash`` and ``dhash``: 64-bit pHash and dHash, defined exactly as :mod:`imagehash`
  defines them (DCT of a 32x32 greyscale, bits above the median of the 8x8 low frequencies;
  brighter-than-right-neighbour on a 9x8 greyscale), as 16 hex digits;
* ``phash_mirror``: the pHash of the left-right mirrored picture, so a mirrored repost
  matches the original's plain pHash;
* ``phash_centre``: the pHash of the central 70% of the area, which survives captions, borders
  and watermarks at the edges, and (compared across with the other picture's plain pHash)
  crops of up to about 10% from each side;
* ``pdq`` and ``pdq_dihedral``: Meta's 256-bit PDQ hash and its 8 rotations and flips, with
  PDQ's quality score (below 50 means a featureless picture whose hash says little).

Speed: every 64-bit hash comes from one small greyscale decode. JPEGs are decoded reduced
(``draft``: libjpeg scales by 1/2, 1/4 or 1/8 while decoding, to no less than 64 px), and
the DCT is one 8x32 matrix product instead of a full FFT, so a 240x320 advert picture costs
well under a millisecond. PDQ needs more pixels (it reads a 64x64 downsample through its own
filters) and costs more; it decodes JPEGs to no less than 512 px.

:func:`match` says whether two fingerprints show the same picture, by which hash, and why, in
words an analyst can put in a statement. Thresholds are module constants, chosen on reworked
synthetic advert pictures (see ``tests/extract/test_fingerprints.py``): every rework found,
no false match among different scenes.
"""

from __future__ import annotations

import hashlib
import io
import math
import multiprocessing
import os
import warnings
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any, NamedTuple

import numpy as np
from PIL import Image, UnidentifiedImageError

from plainsight.errors import Rejected

try:
    import pdqhash as _pdqhash
except ImportError:  # pragma: no cover - pdqhash is a dependency, but a C build may fail
    _pdqhash = None

__all__ = [
    "FORMATS",
    "MAX_PIXELS",
    "THRESHOLDS",
    "Fingerprint",
    "ImageMatch",
    "fingerprint",
    "fingerprint_many",
    "hamming",
    "match",
]

FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "AVIF", "BMP")
"""Formats opened at all: what advert sites serve. Others (EPS, PSD...) are refused unread."""
MAX_PIXELS = 89_478_485
"""Largest picture decoded (Pillow's own bomb warning level): about 9,500 x 9,500."""
MIN_SIDE = 16
"""Smaller pictures (spacers, icons) carry no evidence worth a hash."""
CENTRE_AREA = 0.70
"""Share of the picture's area kept for ``phash_centre``."""
THRESHOLDS = {
    "phash": 10,
    "dhash": 12,
    "phash_mirror": 6,
    "phash_centre": 8,
    "phash_crop": 10,
    "pdq": 31,
    "pdq_dihedral": 31,
    "pdq_veto": 40,
}
"""Largest Hamming distance counted as the same picture, per hash pair (bits; PDQ of 256).

A plain pHash match needs the dHash to agree too (``dhash``); ``phash_crop`` compares one
picture's centre with the other whole. PDQ uses Meta's recommended 31. Pictures laid out
alike (a figure in front of a bed and wall) can be close on the 64-bit hashes alone, so when
both pictures have a usable PDQ, a plain or mirrored pHash match also needs PDQ (or its
dihedral hash) within ``pdq_veto``: PDQ contradicting it wins.
"""
PDQ_MIN_QUALITY = 50
"""PDQ hashes of pictures below this quality are not used as evidence (Meta's advice)."""

_HASH_DRAFT = 32
_PDQ_DRAFT = 512
_HASH_SIDE = 32
_LOW = 8
_LANCZOS = Image.Resampling.LANCZOS
_ORIENT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# Rows 0..7 of the (unnormalised, type II) DCT matrix scipy.fftpack.dct applies to 32 points.
_DCT = 2.0 * np.cos(
    np.pi * np.arange(_LOW)[:, None] * (2 * np.arange(_HASH_SIDE)[None, :] + 1) / (2 * _HASH_SIDE)
)
# pdqhash.compute_dihedral's order; the names say what was done to the picture.
DIHEDRAL = (
    "as is",
    "rotated 90°",
    "rotated 180°",
    "rotated 90°",
    "flipped top to bottom",
    "mirrored left to right",
    "transposed",
    "transposed the other way",
)


@dataclass(frozen=True)
class Fingerprint:
    """Every hash of one picture; hex strings, compared with :func:`hamming`."""

    sha256: str
    phash: str
    dhash: str
    phash_mirror: str
    phash_centre: str
    pdq: str | None
    pdq_quality: int | None
    pdq_dihedral: tuple[str, ...]
    width: int
    height: int


@dataclass(frozen=True)
class ImageMatch:
    """Why two pictures are taken to be the same: the hash pair, its distance, in words."""

    hash: str
    distance: int
    threshold: int
    reason: str


def hamming(a: str, b: str) -> int:
    """The number of bits that differ between two hex hashes of the same length.

    >>> hamming("00ff", "01ff")
    1
    """
    if len(a) != len(b):
        raise ValueError(f"hashes of different lengths: {len(a)} and {len(b)} hex digits")
    return (int(a, 16) ^ int(b, 16)).bit_count()


def fingerprint(data: bytes, sha256: str | None = None, *, pdq: bool = True) -> Fingerprint:
    """Fingerprint one picture's bytes (``pdq=False`` skips PDQ, the costly part).

    Raises :class:`~plainsight.errors.Rejected` for anything that is not a picture plainsight
    will decode: an unknown format, broken or truncated data, a decompression bomb, a picture
    smaller than 16 px a side.
    """
    digest = sha256 or hashlib.sha256(data).hexdigest()
    picture = _decode(data, _HASH_DRAFT)
    grey = picture.grey
    small = np.asarray(grey.resize((_HASH_SIDE, _HASH_SIDE), _LANCZOS), dtype=np.float64)
    side = math.sqrt(CENTRE_AREA)
    w, h = grey.size
    box = (w * (1 - side) / 2, h * (1 - side) / 2, w * (1 + side) / 2, h * (1 + side) / 2)
    centre = grey.resize((_HASH_SIDE, _HASH_SIDE), _LANCZOS, box=box)
    wide = np.asarray(grey.resize((_LOW + 1, _LOW), _LANCZOS))
    pdq_hash: str | None = None
    quality: int | None = None
    dihedral: tuple[str, ...] = ()
    if pdq and _pdqhash is not None:
        big = grey if picture.scale == 1 else _decode(data, _PDQ_DRAFT).grey
        pdq_hash, quality, dihedral = _pdq(big)
    return Fingerprint(
        sha256=digest,
        phash=_phash(small),
        dhash=_hex(wide[:, 1:] > wide[:, :-1]),
        phash_mirror=_phash(small[:, ::-1]),
        phash_centre=_phash(np.asarray(centre, dtype=np.float64)),
        pdq=pdq_hash,
        pdq_quality=quality,
        pdq_dihedral=dihedral,
        width=picture.width,
        height=picture.height,
    )


def match(a: Fingerprint, b: Fingerprint) -> ImageMatch | None:
    """The best evidence that ``a`` and ``b`` show the same picture, or ``None``.

    Each hash pair is held against its limit in :data:`THRESHOLDS`; of the pairs within, the
    one with the smallest distance for its limit is reported (the first listed on a tie:
    PDQ, plain pHash, centre, crop, mirror). For example ``ImageMatch("phash_mirror", 0, 6,
    "pHash of the mirrored copy within 0 bits (limit 6)")``.
    """
    if a.sha256 == b.sha256:
        return ImageMatch("sha256", 0, 0, "the same file (identical SHA-256)")
    t = THRESHOLDS
    pdq = _pdq_usable(a) and _pdq_usable(b)
    plain_pdq = hamming(a.pdq, b.pdq) if pdq and a.pdq and b.pdq else None
    turned = _dihedral(a, b) if pdq else None
    found: list[tuple[float, ImageMatch]] = []

    def consider(name: str, distance: int, limit: int, what: str, extra: str = "") -> None:
        if distance <= limit:
            reason = f"{what} within {distance} bits (limit {limit}){extra}"
            found.append((distance / (limit + 1), ImageMatch(name, distance, limit, reason)))

    if plain_pdq is not None:
        consider("pdq", plain_pdq, t["pdq"], "PDQ")
    if turned is not None:
        consider("pdq_dihedral", turned[0], t["pdq_dihedral"], f"PDQ of the copy {turned[1]}")
    d_hash = hamming(a.dhash, b.dhash)
    if d_hash <= t["dhash"] and (plain_pdq is None or plain_pdq <= t["pdq_veto"]):
        consider("phash", hamming(a.phash, b.phash), t["phash"], "pHash", f", dHash {d_hash}")
    centre = hamming(a.phash_centre, b.phash_centre)
    consider("phash_centre", centre, t["phash_centre"], "pHash of the centre (edges changed)")
    crop = min(hamming(a.phash_centre, b.phash), hamming(a.phash, b.phash_centre))
    consider("phash_centre", crop, t["phash_crop"], "pHash of one picture's centre and the other")
    if turned is None or turned[0] <= t["pdq_veto"]:
        mirror = min(hamming(a.phash_mirror, b.phash), hamming(a.phash, b.phash_mirror))
        consider("phash_mirror", mirror, t["phash_mirror"], "pHash of the mirrored copy")
    if not found:
        return None
    return min(found, key=lambda item: item[0])[1]


def fingerprint_many(
    items: Iterable[tuple[str, bytes]], processes: int = 0, *, pdq: bool = True
) -> Iterator[Fingerprint | tuple[str, str]]:
    """Fingerprint ``(sha256, bytes)`` pairs, in order: a Fingerprint, or ``(sha256, reason)``.

    Up to 200 pictures are done in this process; more go to a pool of ``processes`` worker
    processes (0: one per CPU) in chunks, a bounded number in flight, so a long stream is
    never held in memory whole.
    """
    stream = iter(items)
    head = list(islice(stream, _POOL_FROM + 1))
    workers = processes or os.cpu_count() or 1
    if len(head) <= _POOL_FROM or workers == 1:
        yield from _fingerprint_chunk(list(chain(head, stream)), pdq)
        return
    rest = chain(head, stream)
    context = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        pending: deque[Future[list[Fingerprint | tuple[str, str]]]] = deque()
        while chunk := list(islice(rest, _CHUNK)):
            pending.append(pool.submit(_fingerprint_chunk, chunk, pdq))
            if len(pending) >= workers * 4:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


_POOL_FROM = 200
_CHUNK = 64


def _fingerprint_chunk(
    chunk: list[tuple[str, bytes]], pdq: bool
) -> list[Fingerprint | tuple[str, str]]:
    out: list[Fingerprint | tuple[str, str]] = []
    for sha, data in chunk:
        try:
            out.append(fingerprint(data, sha, pdq=pdq))
        except Rejected as rejected:
            out.append((sha, rejected.reason))
    return out


class _Picture(NamedTuple):
    grey: Image.Image
    scale: int
    width: int
    height: int


def _decode(data: bytes, draft: int) -> _Picture:
    """The picture as 8-bit greyscale, upright, JPEGs decoded reduced to >= ``draft`` px."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise Rejected(f"picture too large to decode safely: {error}") from None
    except UnidentifiedImageError:
        raise Rejected("not a picture in a format plainsight reads") from None
    except Exception as error:  # a hostile file can make any plugin raise anything
        raise Rejected(f"broken picture: {type(error).__name__}: {error}") from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise Rejected(f"picture too large to decode safely ({width}x{height} pixels)")
    if min(width, height) < MIN_SIDE:
        raise Rejected(f"picture too small to fingerprint ({width}x{height} pixels)")
    try:
        orientation = image.getexif().get(0x0112, 1) if image.format == "JPEG" else 1
        scale = 1
        if image.format == "JPEG":
            drafted = image.draft("L", (draft, draft))
            scale = round(width / drafted[1][2]) if drafted else 1
        image.load()
        grey = _to_grey(image)
    except Exception as error:  # truncated, corrupt or unsupported data inside the picture
        raise Rejected(f"broken picture: {type(error).__name__}: {error}") from None
    if orientation in _ORIENT:
        grey = grey.transpose(_ORIENT[orientation])
        if orientation >= 5:
            width, height = height, width
    return _Picture(grey, scale, width, height)


def _to_grey(image: Image.Image) -> Image.Image:
    mode = image.mode
    if mode == "L":
        return image
    if mode in ("I", "F") or mode.startswith("I;16"):
        pixels = np.asarray(image, dtype=np.float64)
        top = 65535.0 if mode.startswith("I;16") or pixels.max() > 255 else 255.0
        return Image.fromarray(np.clip(pixels * (255.0 / top), 0, 255).astype(np.uint8))
    if mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        # Transparent parts show as white on an advert page, whatever colour they hide.
        flat = Image.new("L", image.size, 255)
        flat.paste(image.convert("L"), mask=image.getchannel("A"))
        return flat
    if mode in ("RGB", "1", "P"):
        return image.convert("L")
    return image.convert("RGB").convert("L")


def _phash(pixels: np.ndarray[Any, np.dtype[np.float64]]) -> str:
    low = _DCT @ pixels @ _DCT.T
    return _hex(low > np.median(low))


def _hex(bits: np.ndarray[Any, np.dtype[np.bool_]]) -> str:
    return np.packbits(bits.ravel()).tobytes().hex()


def _pdq(grey: Image.Image) -> tuple[str, int, tuple[str, ...]]:
    luma = np.asarray(grey)
    rgb = np.ascontiguousarray(np.repeat(luma[:, :, None], 3, axis=2))
    vectors, quality = _pdqhash.compute_dihedral(rgb)
    hashes = tuple(np.packbits(np.asarray(v, dtype=np.uint8)).tobytes().hex() for v in vectors)
    return hashes[0], int(quality), hashes


def _dihedral(a: Fingerprint, b: Fingerprint) -> tuple[int, str] | None:
    """The closest turned or flipped PDQ of one picture to the other's PDQ as it is."""
    turns = [(hamming(h, b.pdq), i) for i, h in enumerate(a.pdq_dihedral) if i and b.pdq]
    turns += [(hamming(h, a.pdq), i) for i, h in enumerate(b.pdq_dihedral) if i and a.pdq]
    if not turns:
        return None
    distance, index = min(turns)
    return distance, DIHEDRAL[index]


def _pdq_usable(fp: Fingerprint) -> bool:
    return fp.pdq is not None and (fp.pdq_quality or 0) >= PDQ_MIN_QUALITY
