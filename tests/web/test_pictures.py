"""Pictures are re-encoded before an analyst's browser sees them."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from plainsight.web.pictures import MAX_SIDE, UnsafePictureError, safe_picture
from tests.conftest import picture as jpeg_bytes


def test_a_jpeg_comes_back_as_a_png_of_its_pixels_without_metadata() -> None:
    picture = Image.open(io.BytesIO(jpeg_bytes(3, (320, 240))))
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    out = io.BytesIO()
    picture.save(out, format="JPEG", exif=exif.tobytes())
    shown = Image.open(io.BytesIO(safe_picture(out.getvalue())))
    assert shown.format == "PNG" and shown.size == picture.size
    assert "exif" not in shown.info


def test_large_pictures_are_scaled_down_for_display() -> None:
    out = io.BytesIO()
    Image.new("RGB", (MAX_SIDE * 2, MAX_SIDE), "white").save(out, format="PNG")
    assert Image.open(io.BytesIO(safe_picture(out.getvalue()))).size == (MAX_SIDE, MAX_SIDE // 2)


def test_truncated_pictures_and_non_pictures_are_refused() -> None:
    data = jpeg_bytes(4, (320, 240))
    with pytest.raises(UnsafePictureError, match="not a picture that can be shown"):
        safe_picture(data[: len(data) // 2])
    with pytest.raises(UnsafePictureError):
        safe_picture(b"<script>alert(1)</script>")


def test_a_decompression_bomb_is_refused() -> None:
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, format="PNG")  # 400 Mpx, a few kilobytes
    with pytest.raises(UnsafePictureError, match="too large to decode safely"):
        safe_picture(out.getvalue())
