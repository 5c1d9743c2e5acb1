"""Put captures in time order without holding them all in memory.

Groups are generated one after another, but a crawler sees adverts in time order. The
:class:`TimeSpool` appends each line to a per-day bucket file (buffered in memory up to a
limit), then :meth:`TimeSpool.drain` reads the buckets back day by day, sorts each day and
writes the final file. Memory is bounded by the buffer limit plus one day of captures.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["TimeSpool"]

_SEP = b"\x1f"


class TimeSpool:
    """Day-bucketed spool of ``(sort key, line)`` pairs under ``folder``."""

    def __init__(self, folder: Path, *, buffer_bytes: int = 32 * 1024 * 1024) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._buffers: dict[int, list[bytes]] = {}
        self._buffered = 0
        self._limit = buffer_bytes
        self._days: set[int] = set()
        self.count = 0

    def add(self, day: int, key: str, line: bytes) -> None:
        """Queue ``line`` for day ``day``; within a day lines are ordered by ``key``."""
        record = key.encode() + _SEP + line + b"\n"
        self._buffers.setdefault(day, []).append(record)
        self._buffered += len(record)
        self.count += 1
        if self._buffered >= self._limit:
            self._flush()

    def _flush(self) -> None:
        for day in sorted(self._buffers):
            with (self.folder / f"{day:06d}.part").open("ab") as handle:
                handle.writelines(self._buffers[day])
            self._days.add(day)
        self._buffers.clear()
        self._buffered = 0

    def _day_lines(self) -> Iterator[bytes]:
        self._flush()
        for day in sorted(self._days):
            path = self.folder / f"{day:06d}.part"
            records = path.read_bytes().splitlines()
            records.sort()
            for record in records:
                yield record.split(_SEP, 1)[1]
            path.unlink()

    def drain(self, out: BinaryIO) -> int:
        """Write every line in (day, key) order to ``out``; remove the spool. Returns lines."""
        written = 0
        for line in self._day_lines():
            out.write(line)
            out.write(b"\n")
            written += 1
        shutil.rmtree(self.folder, ignore_errors=True)
        return written
