"""Checking a picture an advert names: there, inside its folder, a whole decodable image.

A picture that is missing, outside the interchange file's folder, not an image, truncated,
or a decompression bomb makes its line be set aside (the contract: the line is set aside
whole), and the reason says which picture and why.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from plainsight.errors import Rejected

MAX_PIXELS = 50_000_000
MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Picture:
    """A checked picture: where it was, its bytes' hash and what it is."""

    path: Path
    relative: str
    sha256: str
    size: int
    data: bytes  # empty once the bytes are safely in evidence
    format: str
    width: int
    height: int


def locate(folder: Path, relative: str) -> Path:
    """The file an ``images`` entry names, which must lie inside ``folder``.

    Raises:
        Rejected: the entry is absolute, escapes the folder, or the file is missing.
    """
    if not relative.strip():
        raise Rejected("an 'images' entry is empty")
    candidate = Path(relative)
    if candidate.is_absolute():
        raise Rejected(f"image path must be relative to the file's folder: {relative!r}")
    resolved = (folder / candidate).resolve()
    if not resolved.is_relative_to(folder.resolve()):
        raise Rejected(f"image path leads outside the file's folder: {relative!r}")
    if not resolved.is_file():
        raise Rejected(f"image not found: {relative!r}")
    return resolved


def inspect(path: Path, relative: str) -> Picture:
    """Read and fully decode one picture.

    Raises:
        Rejected: unreadable, too large, not an image, truncated, or a decompression bomb.
    """
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise Rejected(f"image too large ({size} bytes): {relative!r}")
        data = path.read_bytes()
    except OSError as exc:
        raise Rejected(f"image unreadable: {relative!r} ({exc.strerror or exc})") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise Rejected(
                        f"image refused as a decompression bomb "
                        f"({image.width}x{image.height} pixels): {relative!r}"
                    )
                fmt = image.format or "unknown"
                width, height = image.size
                if fmt == "JPEG":  # decode at 1/8 scale: still reads every byte
                    image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                image.load()
    except Rejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Rejected(f"image refused as a decompression bomb: {relative!r}") from None
    except UnidentifiedImageError:
        raise Rejected(f"not an image (unrecognised format): {relative!r}") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise Rejected(f"image unreadable: {relative!r} ({exc})") from None
    sha = hashlib.sha256(data).hexdigest()
    return Picture(path, relative, sha, len(data), data, fmt, width, height)
