"""Telephone numbers of the synthetic world: Ofcom's drama ranges and who holds them.

Every number a synthetic advert prints comes from the ranges Ofcom reserves for drama, so no
real person's number is ever printed. The one real number is the Modern Slavery & Exploitation
Helpline, which real sites print in their footers.

A :class:`NumberPool` hands numbers out without replacement (mobiles first, as most adverts
give mobiles). Only once all ~19,000 drama numbers are in use does it recycle one, and then
only to a holder whose active period starts after the previous holder's ended.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass

__all__ = [
    "DRAMA_BLOCKS",
    "HELPLINE",
    "NumberPool",
    "PhoneNumber",
    "is_drama",
]

RECYCLE_GAP_DAYS = 28
"""Days a number rests between its last holder's end and the next holder's start."""


@dataclass(frozen=True, order=True)
class PhoneNumber:
    """A UK number as national digits (``07700900123``) and its usual digit grouping."""

    national: str
    groups: tuple[int, ...]

    @property
    def e164(self) -> str:
        """The number in E.164 form, ``+447700900123``."""
        return "+44" + self.national[1:]

    @property
    def is_mobile(self) -> bool:
        return self.national.startswith("07")

    def parts(self) -> list[str]:
        """The national digits cut into their usual groups (``['07700', '900123']``)."""
        out: list[str] = []
        at = 0
        for size in self.groups:
            out.append(self.national[at : at + size])
            at += size
        return out

    def grouped(self, sep: str = " ") -> str:
        return sep.join(self.parts())


HELPLINE = PhoneNumber("08000121700", (5, 3, 3))
"""The Modern Slavery & Exploitation Helpline: the only real number in the world."""

# Each block is an 8-digit national prefix followed by three free digits (1,000 numbers).
DRAMA_BLOCKS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("07700900", (5, 6)),
    ("01134960", (4, 3, 4)),
    ("01144960", (4, 3, 4)),
    ("01154960", (4, 3, 4)),
    ("01164960", (4, 3, 4)),
    ("01174960", (4, 3, 4)),
    ("01184960", (4, 3, 4)),
    ("01214960", (4, 3, 4)),
    ("01314960", (4, 3, 4)),
    ("01414960", (4, 3, 4)),
    ("01514960", (4, 3, 4)),
    ("01614960", (4, 3, 4)),
    ("01914980", (4, 3, 4)),
    ("02079460", (3, 4, 4)),
    ("02920180", (3, 4, 4)),
    ("02890180", (3, 4, 4)),
    ("01632960", (5, 6)),
    ("03069990", (5, 6)),
    ("08081570", (5, 6)),
)

_GROUPING = dict(DRAMA_BLOCKS)


def is_drama(national: str) -> bool:
    """Whether national digits (``07700900123``) lie in an Ofcom drama range."""
    return len(national) == 11 and national[:8] in _GROUPING and national[8:].isdigit()


def drama_number(prefix: str, index: int) -> PhoneNumber:
    """The ``index``-th number (0-999) of the drama block starting ``prefix``."""
    if prefix not in _GROUPING or not 0 <= index < 1000:
        raise ValueError(f"no drama number {prefix!r} #{index}")
    return PhoneNumber(f"{prefix}{index:03d}", _GROUPING[prefix])


class NumberPool:
    """Drama numbers handed to holders without replacement, recycled only when exhausted.

    ``reserved`` numbers (a site's customer-service line) are never handed out.
    """

    def __init__(self, rng: random.Random, reserved: tuple[PhoneNumber, ...] = ()) -> None:
        taken = {n.national for n in reserved}
        mobiles = [drama_number("07700900", i) for i in range(1000)]
        others = [
            drama_number(prefix, i)
            for prefix, _ in DRAMA_BLOCKS
            if prefix != "07700900"
            for i in range(1000)
        ]
        rng.shuffle(mobiles)
        rng.shuffle(others)
        fresh = [n for n in mobiles + others if n.national not in taken]
        fresh.reverse()  # pop() from the end hands mobiles out first
        self._fresh = fresh
        self._resting: list[tuple[int, int, PhoneNumber]] = []  # (free from day, seq, number)
        self._seq = 0
        self.recycled: dict[str, int] = {}
        """E.164 number -> how many extra holders it was recycled to."""
        self.overlaps = 0
        """Recycles that could not wait for the previous holder to finish (should stay 0)."""

    @property
    def fresh_left(self) -> int:
        return len(self._fresh)

    def take(self, start_day: int, end_day: int) -> PhoneNumber:
        """A number for a holder active from ``start_day`` to ``end_day`` (inclusive)."""
        if self._fresh:
            number = self._fresh.pop()
        else:
            free_from, _, number = heapq.heappop(self._resting)
            if free_from > start_day:
                self.overlaps += 1
            self.recycled[number.e164] = self.recycled.get(number.e164, 0) + 1
        self.hold_until(number, end_day)
        return number

    def hold_until(self, number: PhoneNumber, end_day: int) -> None:
        """Record that ``number``'s holder stops using it on ``end_day``."""
        self._seq += 1
        heapq.heappush(self._resting, (end_day + RECYCLE_GAP_DAYS, self._seq, number))
