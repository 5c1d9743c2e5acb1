"""Advert pictures drawn with Pillow: a room, a figure in it, and reworked copies.

A :class:`Room` is a background (wallpaper pattern and colours, floor, bed, lamp, window); a
:class:`Figure` is a person-specific shape (skin, hair, clothes, pose). A controlled network
photographs its workers in the same rooms, so their pictures share a background behind
different people. :func:`rework` makes the copies a reposter uploads: cropped, resized,
recompressed, tinted, captioned or mirrored. Pictures are small (240x320) and fast to draw.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageOps

__all__ = ["Figure", "Room", "encode", "logo", "placeholder", "render_photo", "rework"]

WIDTH, HEIGHT = 240, 320
RGB = tuple[int, int, int]


def _colour(rng: random.Random, low: int = 40, high: int = 230) -> RGB:
    return (rng.randint(low, high), rng.randint(low, high), rng.randint(low, high))


@dataclass(frozen=True)
class Room:
    wall: RGB
    wall2: RGB
    pattern: str
    floor: RGB
    bed: RGB
    headboard: RGB
    bed_x: int
    window_x: int | None
    lamp_x: int | None
    frame: RGB | None

    @classmethod
    def create(cls, rng: random.Random) -> Room:
        return cls(
            wall=_colour(rng, 90, 240),
            wall2=_colour(rng, 60, 220),
            pattern=rng.choice(("stripes", "dots", "diamonds", "plain", "checks")),
            floor=_colour(rng, 30, 160),
            bed=_colour(rng, 120, 250),
            headboard=_colour(rng, 20, 140),
            bed_x=rng.randint(-40, 80),
            window_x=rng.randint(10, 170) if rng.random() < 0.5 else None,
            lamp_x=rng.randint(10, 220) if rng.random() < 0.6 else None,
            frame=_colour(rng) if rng.random() < 0.5 else None,
        )

    def render(self) -> Image.Image:
        img = Image.new("RGB", (WIDTH, HEIGHT), self.wall)
        draw = ImageDraw.Draw(img)
        if self.pattern == "stripes":
            for x in range(0, WIDTH, 24):
                draw.rectangle((x, 0, x + 9, 220), fill=self.wall2)
        elif self.pattern == "dots":
            for y in range(10, 220, 26):
                for x in range(8 + (y // 26 % 2) * 13, WIDTH, 26):
                    draw.ellipse((x, y, x + 7, y + 7), fill=self.wall2)
        elif self.pattern == "diamonds":
            for y in range(0, 220, 40):
                for x in range(0, WIDTH, 40):
                    draw.polygon(
                        ((x + 20, y), (x + 40, y + 20), (x + 20, y + 40), (x, y + 20)),
                        fill=self.wall2,
                    )
        elif self.pattern == "checks":
            for y in range(0, 220, 30):
                for x in range((y // 30 % 2) * 30, WIDTH, 60):
                    draw.rectangle((x, y, x + 29, y + 29), fill=self.wall2)
        draw.rectangle((0, 220, WIDTH, HEIGHT), fill=self.floor)
        if self.window_x is not None:
            draw.rectangle((self.window_x, 30, self.window_x + 60, 120), fill=(200, 225, 245))
            draw.line((self.window_x + 30, 30, self.window_x + 30, 120), fill=(90, 90, 90), width=3)
        if self.frame is not None:
            draw.rectangle((150, 50, 200, 90), fill=self.frame, outline=(60, 40, 20), width=3)
        draw.rectangle((self.bed_x, 175, self.bed_x + 170, 205), fill=self.headboard)
        draw.rectangle((self.bed_x, 205, self.bed_x + 190, 265), fill=self.bed)
        if self.lamp_x is not None:
            draw.rectangle((self.lamp_x + 8, 190, self.lamp_x + 12, 230), fill=(80, 70, 60))
            draw.polygon(
                (
                    (self.lamp_x, 190),
                    (self.lamp_x + 20, 190),
                    (self.lamp_x + 15, 172),
                    (self.lamp_x + 5, 172),
                ),
                fill=(250, 230, 170),
            )
        return img


@dataclass(frozen=True)
class Figure:
    skin: RGB
    hair: RGB
    dress: RGB
    long_hair: bool
    slim: int

    @classmethod
    def create(cls, rng: random.Random) -> Figure:
        tone = rng.randint(0, 4)
        skins = ((245, 215, 190), (230, 190, 160), (200, 150, 110), (150, 105, 75), (100, 70, 50))
        return cls(
            skin=skins[tone],
            hair=rng.choice(
                ((20, 15, 10), (70, 45, 25), (150, 100, 50), (230, 200, 120), (120, 30, 30))
            ),
            dress=_colour(rng, 10, 250),
            long_hair=rng.random() < 0.75,
            slim=rng.randint(-6, 8),
        )


def render_photo(room: Image.Image, figure: Figure, pose: int, x: int) -> Image.Image:
    """``figure`` posed (0 standing, 1 sitting, 2 turned) at ``x`` in front of ``room``."""
    img = room.copy()
    draw = ImageDraw.Draw(img)
    top = 70 if pose != 1 else 110
    width = 26 + figure.slim
    head = (x - 16, top, x + 16, top + 38)
    if figure.long_hair:
        draw.rectangle((x - 20, top + 10, x + 20, top + 80), fill=figure.hair)
    draw.ellipse(head, fill=figure.skin)
    draw.chord((x - 18, top - 4, x + 18, top + 26), 180, 360, fill=figure.hair)
    body_bottom = 250 if pose != 1 else 230
    lean = 12 if pose == 2 else 0
    draw.polygon(
        (
            (x - width + lean, top + 45),
            (x + width + lean, top + 45),
            (x + width + 10, body_bottom),
            (x - width - 10, body_bottom),
        ),
        fill=figure.dress,
    )
    draw.line((x - width, top + 50, x - width - 14, top + 120), fill=figure.skin, width=7)
    draw.line((x + width + lean, top + 50, x + width + 18, top + 115), fill=figure.skin, width=7)
    if pose != 1:
        draw.line((x - 10, body_bottom, x - 12, 305), fill=figure.skin, width=8)
        draw.line((x + 10, body_bottom, x + 14, 305), fill=figure.skin, width=8)
    return img


def rework(img: Image.Image, rng: random.Random, caption: str) -> tuple[Image.Image, str, int]:
    """A reposted copy of ``img``: (image, format ``JPEG``/``PNG``, quality)."""
    out = img
    operations = rng.sample(("crop", "resize", "tint", "caption", "mirror"), rng.randint(1, 3))
    for op in operations:
        if op == "crop":
            w, h = out.size
            dx, dy = rng.randint(4, w // 8), rng.randint(4, h // 8)
            out = out.crop((dx, dy, w - rng.randint(0, w // 8), h - rng.randint(0, h // 10)))
        elif op == "resize":
            factor = rng.choice((0.75, 0.8, 0.9, 1.1))
            out = out.resize(
                (int(out.width * factor), int(out.height * factor)), Image.Resampling.BILINEAR
            )
        elif op == "tint":
            shade = Image.new("RGB", out.size, _colour(rng, 0, 255))
            out = Image.blend(out, shade, rng.uniform(0.08, 0.22))
        elif op == "caption":
            out = out.copy()
            draw = ImageDraw.Draw(out)
            y = rng.choice((6, out.height - 20))
            draw.rectangle((0, y - 3, out.width, y + 14), fill=(0, 0, 0))
            draw.text((6, y), caption, fill=(255, 255, 255))
        else:
            out = ImageOps.mirror(out)
    if rng.random() < 0.12:
        return out, "PNG", 0
    return out, "JPEG", rng.choice((45, 55, 65, 75, 85, 92))


def encode(img: Image.Image, fmt: str, quality: int) -> bytes:
    buffer = io.BytesIO()
    if fmt == "PNG":
        img.quantize(64).save(buffer, "PNG", optimize=False)
    else:
        img.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def placeholder(text: str, colour: RGB) -> Image.Image:
    """A "photo coming soon" stock picture."""
    img = Image.new("RGB", (WIDTH, HEIGHT), (225, 225, 225))
    draw = ImageDraw.Draw(img)
    draw.ellipse((80, 70, 160, 150), fill=colour)
    draw.rectangle((60, 160, 180, 260), fill=colour)
    draw.text((40, 280), text, fill=(60, 60, 60))
    return img


def logo(name: str, colour: RGB) -> Image.Image:
    """A site's logo banner."""
    img = Image.new("RGB", (WIDTH, 80), colour)
    draw = ImageDraw.Draw(img)
    draw.ellipse((10, 15, 60, 65), fill=(255, 255, 255))
    draw.text((72, 32), name, fill=(255, 255, 255))
    return img
