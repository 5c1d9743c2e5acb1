"""Lines of an interchange file, plain or gzip-compressed, numbered, faults reported in place.

The file is read in chunks so a huge file costs little memory. Compression is recognised by
its magic bytes, not its name. A gzip stream that ends early (a truncated download, a killed
copy) yields every whole line before the break, then the incomplete tail as a faulty line,
so the import can set it aside and keep the rest.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Line:
    """One line: its 1-based number, bytes (without the newline) and any fault reading it."""

    number: int
    raw: bytes
    fault: str | None = None


def is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def _gunzip(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Decompress gzip members as their bytes arrive, yielding all that can be recovered.

    Raises EOFError, after the last recoverable bytes, when the stream ends inside a member.
    """
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    started = False
    for chunk in chunks:
        data = chunk
        while data:
            started = True
            yield inflater.decompress(data)
            if not inflater.eof:
                break
            data = inflater.unused_data  # another gzip member may follow
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            started = False
    if started and not inflater.eof:
        raise EOFError("compressed stream ended before its end marker")


class LineReader:
    """Iterate the lines of one file; ``bytes_read`` tracks progress through the file on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size = path.stat().st_size
        self.compressed = is_gzip(path)
        self._raw: BinaryIO | None = None

    @property
    def bytes_read(self) -> int:
        return self._raw.tell() if self._raw is not None and not self._raw.closed else 0

    def __iter__(self) -> Iterator[Line]:
        with self.path.open("rb") as raw:
            self._raw = raw
            chunks = iter(lambda: raw.read(CHUNK), b"")
            yield from self._split(_gunzip(chunks) if self.compressed else chunks)

    def _split(self, chunks: Iterator[bytes]) -> Iterator[Line]:
        number = 0
        pending = b""
        fault: str | None = None
        try:
            for chunk in chunks:
                pending += chunk
                *whole, pending = pending.split(b"\n")
                for raw in whole:
                    number += 1
                    yield Line(number, raw.removesuffix(b"\r"))
        except (EOFError, zlib.error) as exc:
            fault = self._describe(exc, number)
        if fault is not None:
            yield Line(number + 1, pending, fault)
        elif pending:
            yield Line(number + 1, pending.removesuffix(b"\r"))

    def _describe(self, exc: BaseException, lines_done: int) -> str:
        if isinstance(exc, EOFError):
            what = "the gzip stream is truncated (it ends before its end marker)"
        else:
            what = f"the gzip stream is corrupt ({exc})"
        return (
            f"{what}: this line may be incomplete and nothing after it could be read; "
            f"the {lines_done} line(s) before it were read"
        )
