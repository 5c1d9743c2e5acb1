"""What the local advert site shows in each round, which pages misbehave, and what a crawl sees.

The site (:mod:`plainsight.synth.site`) serves a synthetic advert world. This module decides,
once and deterministically for a ``(world, limit, seed)``, everything the pages then only
render:

* **Rounds.** The site shows the first ``limit`` adverts of the world, in order of their first
  capture. Round 1 shows the oldest 85% of them, each as its *first* capture. Round 2 shows
  each advert's *latest* capture (the edits), adds the newest 15% (first captured after round
  1) and drops 10% of the round-1 adverts (their page answers 404 and they leave the listings).
* **Faults** (only when ``faults`` is on; each chosen by a seeded hash of the advert's key, so
  an advert keeps its faults in both rounds): 10% of adverts use the changed ``ad-v2`` layout;
  5% answer 500 once or twice before 200 (again after a switch of round); 5% are truncated
  after the body text (usual layout, adverts with pictures, so the pictures are lost); 5% of
  advert pages and 10% of listing pages are slow (about a second); one advert page, shown in
  both rounds, hangs until the server closes.
* **What a perfect crawl captures** (:class:`ExpectedCrawl`): every field exactly as a page
  shows it. A field is present only when the page shows it; ``body`` is the advert's
  paragraphs (split on blank lines), each stripped, joined by one blank line; ``images`` are the
  pictures' absolute URLs in page order; ``url`` is the advert page's absolute URL; the
  ``ad-v2`` layout has no e-mail field.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson

from plainsight.errors import PlainsightError

__all__ = [
    "ExpectedCrawl",
    "Faults",
    "Key",
    "SitePlan",
    "SkippedLine",
    "WorldAdvert",
    "advert_path",
    "image_path",
    "images_of",
    "listing_path",
    "load_world",
    "paragraphs",
]

Key = tuple[str, str]
"""An advert's key: (source, ad_id)."""

Fields = dict[str, Any]

NEW_SHARE = 0.15
"""Share of the shown adverts (the newest by first capture) that appear only in round 2."""
REMOVED_SHARE = 0.10
"""Share of the round-1 adverts that round 2 drops."""
CHANGED_LAYOUT_SHARE = 0.10
TRANSIENT_SHARE = 0.05
TRUNCATED_SHARE = 0.05
SLOW_ADVERT_SHARE = 0.05
SLOW_LISTING_ONE_IN = 10
PER_PAGE = 20
"""Adverts per listing page."""
DISALLOWED = ("/private/admin",)
"""The pages under ``/private/`` the site links to, which robots.txt forbids."""

TEXT_FIELDS = ("title", "body", "name", "location_text", "phone", "email", "posted_at")


@dataclass(frozen=True)
class SkippedLine:
    """A line of ``adverts.jsonl`` the site could not show, with where it was and why."""

    file: Path
    line: int
    reason: str


@dataclass(frozen=True)
class WorldAdvert:
    """One advert of the world: where it comes in time order, and its first and latest capture."""

    key: Key
    order: int
    first: Mapping[str, Any]
    latest: Mapping[str, Any]


def load_world(world: Path, limit: int | None) -> tuple[list[WorldAdvert], list[SkippedLine]]:
    """Read the first ``limit`` adverts of a world (all if ``None``) and the lines set aside.

    Raises :class:`PlainsightError` when ``world`` holds no ``adverts.jsonl``.
    """
    path = world / "adverts.jsonl"
    if not path.is_file():
        raise PlainsightError(
            f"no advert world at {world}: adverts.jsonl not found "
            "(make one with 'plainsight synth adverts --out DIR')"
        )
    first: dict[Key, Mapping[str, Any]] = {}
    latest: dict[Key, Mapping[str, Any]] = {}
    skipped: list[SkippedLine] = []
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                record = orjson.loads(raw)
            except orjson.JSONDecodeError:
                skipped.append(SkippedLine(path, number, "not JSON"))
                continue
            reason = _unshowable(record)
            if reason is not None:
                skipped.append(SkippedLine(path, number, reason))
                continue
            key = (record["source"], record["ad_id"])
            if key not in first:
                if limit is not None and len(first) >= limit:
                    continue
                first[key] = record
            latest[key] = record
    adverts = [
        WorldAdvert(key, order, capture, latest[key])
        for order, (key, capture) in enumerate(first.items())
    ]
    return adverts, skipped


def _unshowable(record: object) -> str | None:
    if not isinstance(record, dict):
        return "not a JSON object"
    for name in ("source", "ad_id"):
        value = record.get(name)
        if not isinstance(value, str) or not value.strip():
            return f"field '{name}' must be a non-empty string"
        if "/" in value:
            return f"field '{name}' must not contain '/'"
    return None


def paragraphs(body: str) -> list[str]:
    """The body's paragraphs as the site shows them: split on blank lines, each stripped."""
    return [part.strip() for part in re.split(r"\n[ \t]*\n", body) if part.strip()]


def advert_path(key: Key) -> str:
    return f"/s/{quote(key[0], safe='')}/ad/{quote(key[1], safe='')}"


def listing_path(source: str, page: int) -> str:
    return f"/s/{quote(source, safe='')}/?page={page}"


def image_path(image: str) -> str:
    """The site path of a picture named as the world names it (``images/ab/….jpg``)."""
    relative = image.removeprefix("images/")
    return "/img/" + quote(relative, safe="/")


def _rank(seed: int, purpose: str, key: Key) -> int:
    digest = hashlib.sha256(f"{seed}\x1f{purpose}\x1f{key[0]}\x1f{key[1]}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _pick(seed: int, purpose: str, keys: Iterable[Key], share: float) -> list[Key]:
    """The ``share`` of ``keys`` (at least one, if any) with the lowest seeded rank."""
    pool = sorted(keys, key=lambda key: _rank(seed, purpose, key))
    return pool[: max(1, math.ceil(len(pool) * share))] if pool else []


@dataclass(frozen=True)
class Faults:
    """Which adverts misbehave, and how. Empty when the site runs without faults."""

    changed_layout: frozenset[Key] = frozenset()
    transient: Mapping[Key, int] = field(default_factory=dict)
    truncated: frozenset[Key] = frozenset()
    slow: frozenset[Key] = frozenset()
    hanging: Key | None = None
    seed: int = 0
    enabled: bool = False

    def slow_listing(self, source: str, page: int) -> bool:
        if not self.enabled:
            return False
        return _rank(self.seed, "slow-listing", (source, str(page))) % SLOW_LISTING_ONE_IN == 0


@dataclass(frozen=True)
class ExpectedCrawl:
    """What a perfect crawl of one round captures, for tests and benchmarks to compare with."""

    round: int
    url: str
    """The site's address, e.g. ``http://127.0.0.1:54321``."""
    adverts: Mapping[Key, Fields]
    """Every advert a crawl can capture: its interchange fields exactly as the page shows them."""
    listed: frozenset[Key]
    """Every advert in the listings (the hanging one included)."""
    new: frozenset[Key]
    """Round 2: adverts not shown in round 1."""
    removed: frozenset[Key]
    """Round 2: round-1 adverts now gone (404, absent from the listings)."""
    changed: frozenset[Key]
    """Round 2: capturable adverts whose fields differ from round 1's page."""
    listing_paths: tuple[str, ...]
    """Every listing page of the round (``/s/{source}/?page=N``)."""
    disallowed: tuple[str, ...]
    """Paths the site links to that robots.txt forbids."""
    hanging: Key | None
    hanging_path: str | None
    transient: Mapping[Key, int]
    """Adverts whose page answers 500 this many times before 200."""
    truncated: Mapping[Key, tuple[str, ...]]
    """Adverts whose page is cut after the body text, with the fields that are lost."""
    changed_layout: frozenset[Key]
    """Adverts shown in the ``ad-v2`` layout."""
    slow_paths: frozenset[str]
    """Pages that take about a second to answer."""
    image_files: Mapping[str, Path]
    """Each picture URL a capturable page shows, and the world's file it serves."""


class SitePlan:
    """The site's content and faults for both rounds, decided once for a world and seed."""

    def __init__(self, world: Path, adverts: list[WorldAdvert], *, seed: int, faults: bool) -> None:
        self.world = world
        self.seed = seed
        self._adverts = {advert.key: advert for advert in adverts}
        cut = len(adverts) - math.floor(len(adverts) * NEW_SHARE)
        round_one = [advert.key for advert in adverts[:cut]]
        self.removed = frozenset(_pick(seed, "removed", round_one, REMOVED_SHARE))
        self.visible: dict[int, list[Key]] = {
            1: round_one,
            2: [advert.key for advert in adverts if advert.key not in self.removed],
        }
        self.sources = sorted({advert.key[0] for advert in adverts})
        self.faults = self._choose_faults(adverts, faults)
        self._listings = {number: self._list(keys) for number, keys in self.visible.items()}
        self._shown = {number: frozenset(keys) for number, keys in self.visible.items()}

    def _choose_faults(self, adverts: list[WorldAdvert], enabled: bool) -> Faults:
        if not enabled or not adverts:
            return Faults(seed=self.seed, enabled=enabled)
        seed = self.seed
        both = [key for key in self.visible[1] if key not in self.removed]
        hanging = min(both, key=lambda key: _rank(seed, "hang", key)) if both else None
        keys = [advert.key for advert in adverts if advert.key != hanging]
        changed_layout = frozenset(_pick(seed, "layout", keys, CHANGED_LAYOUT_SHARE))
        transient = {
            key: 1 + _rank(seed, "transient-count", key) % 2
            for key in _pick(seed, "transient", keys, TRANSIENT_SHARE)
        }
        pictured = [
            advert.key
            for advert in adverts
            if advert.key != hanging
            and advert.key not in changed_layout
            and advert.key not in transient
            and images_of(advert.first)
            and images_of(advert.latest)
        ]
        return Faults(
            changed_layout=changed_layout,
            transient=transient,
            truncated=frozenset(_pick(seed, "truncated", pictured, TRUNCATED_SHARE)),
            slow=frozenset(_pick(seed, "slow", keys, SLOW_ADVERT_SHARE)),
            hanging=hanging,
            seed=seed,
            enabled=True,
        )

    def _list(self, keys: list[Key]) -> dict[str, list[Key]]:
        by_source: dict[str, list[Key]] = {source: [] for source in self.sources}
        for key in sorted(keys, key=lambda key: -self._adverts[key].order):
            by_source[key[0]].append(key)
        return by_source

    def listing(self, round_: int, source: str) -> list[Key] | None:
        """The round's adverts on a source, newest first; ``None`` for an unknown source."""
        return self._listings[round_].get(source)

    def pages(self, round_: int, source: str) -> int:
        """How many listing pages a source has in a round (at least one)."""
        return max(1, math.ceil(len(self._listings[round_].get(source, [])) / PER_PAGE))

    def capture(self, round_: int, key: Key) -> Mapping[str, Any] | None:
        """The capture a round shows for an advert, or ``None`` if the round does not show it."""
        if key not in self._shown[round_]:
            return None
        advert = self._adverts[key]
        return advert.first if round_ == 1 else advert.latest

    def shown_fields(self, round_: int, key: Key, base_url: str) -> Fields:
        """The interchange fields a round's page for ``key`` shows (see the module docstring)."""
        capture = self.capture(round_, key)
        if capture is None:
            raise KeyError(key)
        fields: Fields = {"source": key[0], "ad_id": key[1], "url": base_url + advert_path(key)}
        for name in TEXT_FIELDS:
            value = capture.get(name)
            if isinstance(value, str) and value.strip():
                fields[name] = value.strip()
        if "body" in fields:
            fields["body"] = "\n\n".join(paragraphs(fields["body"]))
        age = capture.get("age")
        if isinstance(age, int) and not isinstance(age, bool):
            fields["age"] = age
        images = images_of(capture)
        if images:
            fields["images"] = [base_url + image_path(image) for image in images]
        if key in self.faults.changed_layout:
            fields.pop("email", None)
        if key in self.faults.truncated:
            fields.pop("images", None)
        return fields

    def expected(self, round_: int, base_url: str) -> ExpectedCrawl:
        """What a perfect crawl of ``round_`` captures from the site at ``base_url``."""
        faults = self.faults
        listed = self._shown[round_]
        capturable = [key for key in self.visible[round_] if key != faults.hanging]
        adverts = {key: self.shown_fields(round_, key, base_url) for key in capturable}
        changed: set[Key] = set()
        if round_ == 2:
            changed = {
                key
                for key in capturable
                if key in self._shown[1] and self.shown_fields(1, key, base_url) != adverts[key]
            }
        image_files = {
            base_url + image_path(image): self.world / image
            for key in capturable
            if key not in faults.truncated
            for image in images_of(self.capture(round_, key) or {})
        }
        listings = [
            (source, page)
            for source in self.sources
            for page in range(1, self.pages(round_, source) + 1)
        ]
        listing_paths = tuple(listing_path(source, page) for source, page in listings)
        slow_paths = {advert_path(key) for key in faults.slow if key in listed}
        slow_paths |= {listing_path(*page) for page in listings if faults.slow_listing(*page)}
        return ExpectedCrawl(
            round=round_,
            url=base_url,
            adverts=adverts,
            listed=listed,
            new=listed - self._shown[1],
            removed=self._shown[1] - listed,
            changed=frozenset(changed),
            listing_paths=listing_paths,
            disallowed=DISALLOWED,
            hanging=faults.hanging if faults.hanging in listed else None,
            hanging_path=advert_path(faults.hanging) if faults.hanging in listed else None,
            transient={key: n for key, n in faults.transient.items() if key in listed},
            truncated={key: ("images",) for key in faults.truncated if key in listed},
            changed_layout=frozenset(key for key in faults.changed_layout if key in listed),
            slow_paths=frozenset(slow_paths),
            image_files=image_files,
        )


def images_of(capture: Mapping[str, Any]) -> list[str]:
    """The picture paths a capture names (relative to the world), in order."""
    images = capture.get("images")
    if not isinstance(images, list):
        return []
    return [image for image in images if isinstance(image, str) and image.strip()]
