"""Pictures shown to analysts are re-encoded first: strangers made them.

A picture from an advert may be crafted to exploit a browser's decoder, may be a
decompression bomb, and carries metadata (camera, GPS) no one needs to see. So the web app
never sends the evidence file itself: it decodes it with Pillow under the same limits as
fingerprinting, and sends a fresh PNG of the pixels alone. The evidence file is untouched.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

from plainsight.extract.fingerprints import FORMATS, MAX_PIXELS

MAX_SIDE = 2048
"""Longest side of a picture as shown; larger ones are scaled down (the evidence keeps all)."""


class UnsafePictureError(ValueError):
    """The picture could not be decoded safely; the reason says why."""


def safe_picture(data: bytes) -> bytes:
    """``data`` decoded and re-encoded as PNG, upright, without metadata.

    Raises:
        UnsafePictureError: not a picture, truncated, or too large to decode safely.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise UnsafePictureError(f"too large to decode safely ({width}x{height} pixels)")
            image.load()
    except UnsafePictureError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise UnsafePictureError(f"too large to decode safely: {error}") from None
    except Exception as error:  # a hostile file can make any decoder raise anything
        raise UnsafePictureError(
            f"not a picture that can be shown: {type(error).__name__}"
        ) from None
    upright = ImageOps.exif_transpose(image)
    shown = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
    shown.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    shown.save(out, format="PNG")
    return out.getvalue()
