"""Where pictures go: a content-addressed store on disk and each persona's photo set.

:class:`ImageStore` writes each distinct picture once, named by the SHA-256 of its bytes
(``images/ab/ab12....jpg``), and does nothing when images are switched off. :class:`Gallery`
is one persona's photos: a few base pictures (her figure in a room: her own, or her network's
shared rooms) and reworked copies. :class:`StockPictures` are the placeholders and logos that
unrelated adverts share.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

from PIL import Image

from plainsight.synth.pictures import Figure, Room, encode, logo, placeholder, render_photo, rework

__all__ = ["Gallery", "ImageStore", "StockPictures"]


class ImageStore:
    """Content-addressed picture files under ``out_dir/images``."""

    def __init__(self, out_dir: Path, *, enabled: bool) -> None:
        self.out_dir = out_dir
        self.enabled = enabled
        self._written: set[str] = set()

    @property
    def count(self) -> int:
        return len(self._written)

    def put(self, img: Image.Image, fmt: str = "JPEG", quality: int = 80) -> str:
        """Write ``img`` (once) and return its path relative to ``out_dir``."""
        if not self.enabled:
            return ""
        data = encode(img, fmt, quality)
        digest = hashlib.sha256(data).hexdigest()[:24]
        rel = f"images/{digest[:2]}/{digest}.{'png' if fmt == 'PNG' else 'jpg'}"
        if rel not in self._written:
            path = self.out_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            self._written.add(rel)
        return rel


class RoomSet:
    """A network's (or one worker's) rooms, drawn once and reused behind each figure."""

    def __init__(self, rng: random.Random, count: int) -> None:
        self.rooms = [Room.create(rng) for _ in range(count)]
        self._drawn: list[Image.Image | None] = [None] * count

    def image(self, index: int) -> Image.Image:
        drawn = self._drawn[index]
        if drawn is None:
            drawn = self.rooms[index].render()
            self._drawn[index] = drawn
        return drawn


class Gallery:
    """One persona's photos: bases (figure in a room) and reworked copies, as store paths."""

    def __init__(
        self,
        store: ImageStore,
        rooms: RoomSet,
        rng: random.Random,
        caption: str,
        *,
        bases: int,
    ) -> None:
        self.paths: list[str] = []
        if not store.enabled:
            return
        figure = Figure.create(rng)
        for index in range(bases):
            room = rooms.image(rng.randrange(len(rooms.rooms)))
            photo = render_photo(room, figure, rng.randrange(3), rng.randint(70, 170))
            self.paths.append(store.put(photo, "JPEG", rng.choice((70, 80, 90))))
            for _ in range(rng.choice((0, 1, 1, 2)) if index < 3 else 0):
                copy, fmt, quality = rework(photo, rng, caption)
                self.paths.append(store.put(copy, fmt, quality))

    def pick(self, rng: random.Random) -> list[str]:
        """The pictures one advert shows (1-4 of the persona's photos)."""
        if not self.paths:
            return []
        count = min(len(self.paths), rng.choice((1, 2, 2, 3, 3, 4)))
        return sorted(rng.sample(self.paths, count), key=self.paths.index)


class StockPictures:
    """Pictures that unrelated adverts share: each site's placeholder and logo, web stock."""

    def __init__(self, store: ImageStore, site_slugs: tuple[str, ...], rng: random.Random) -> None:
        self.placeholders: dict[str, str] = {}
        self.logos: dict[str, str] = {}
        self.web: list[str] = []
        if not store.enabled:
            return
        for slug in site_slugs:
            tint = (rng.randint(60, 200), rng.randint(60, 200), rng.randint(60, 200))
            self.placeholders[slug] = store.put(placeholder("photo coming soon", tint), "JPEG", 85)
            self.logos[slug] = store.put(logo(slug, tint), "PNG", 0)
        rooms = RoomSet(rng, 3)
        for index in range(6):
            photo = render_photo(rooms.image(index % 3), Figure.create(rng), index % 3, 120)
            self.web.append(store.put(photo, "JPEG", 88))

    def paths(self) -> list[str]:
        return [*self.placeholders.values(), *self.logos.values(), *self.web]
