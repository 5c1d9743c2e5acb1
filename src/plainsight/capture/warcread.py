"""Reading plainsight's WARC files back, without Scrapy or warcio.

A ``.warc.gz`` written by :mod:`plainsight.capture.warcfile` holds one gzip member per
record. Members are split with zlib (so each one's offset, length and SHA-256 as stored are
known, and an exhibit can copy it out byte for byte) and each record parsed by its
``Content-Length``, exactly as the WARC standard defines a record's block and payload. A
member cut short (a killed writer) or one that does not inflate ends the scan and is
counted, never silently skipped.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

CHUNK = 1 << 20
HTTP_TYPES = ("request", "response", "revisit")


def parse_warc_date(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@dataclass(frozen=True)
class Member:
    """One gzip member of a WARC file: where it is, its hash, and what it inflates to.

    ``complete`` is false for a member cut short (the tail of a killed writer) or one that
    does not inflate; ``data`` then holds what could be read.
    """

    offset: int
    length: int
    sha256: str
    data: bytes
    complete: bool


class _CountingReader:
    """Reads a file, hashing and counting every byte on the way."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.digest = hashlib.sha256()
        self.bytes = 0

    def read(self, size: int) -> bytes:
        chunk = self.fh.read(size)
        self.digest.update(chunk)
        self.bytes += len(chunk)
        return chunk


def iter_members(reader: _CountingReader | IO[bytes]) -> Iterator[Member]:
    """Split a ``.warc.gz`` into its gzip members, in order."""
    offset = 0
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    digest = hashlib.sha256()
    out = bytearray()
    used = 0
    pending = b""
    while True:
        chunk = pending or reader.read(CHUNK)
        pending = b""
        if not chunk:
            break
        try:
            out += inflater.decompress(chunk)
        except zlib.error:
            rest = chunk + _drain(reader)
            digest.update(rest)
            yield Member(offset, used + len(rest), digest.hexdigest(), bytes(out), False)
            return
        if inflater.eof:
            pending = inflater.unused_data
            taken = len(chunk) - len(pending)
            digest.update(chunk[:taken])
            used += taken
            yield Member(offset, used, digest.hexdigest(), bytes(out), True)
            offset += used
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            digest, out, used = hashlib.sha256(), bytearray(), 0
        else:
            digest.update(chunk)
            used += len(chunk)
    if used:
        yield Member(offset, used, digest.hexdigest(), bytes(out), False)


def _drain(reader: _CountingReader | IO[bytes]) -> bytes:
    parts = []
    while chunk := reader.read(CHUNK):
        parts.append(chunk)
    return b"".join(parts)


@dataclass(frozen=True)
class ParsedRecord:
    """A WARC record read back: its headers, block and payload."""

    headers: dict[str, str]
    block: bytes
    payload: bytes

    @property
    def record_id(self) -> str:
        return self.headers.get("WARC-Record-ID", "")

    @property
    def record_type(self) -> str:
        return self.headers.get("WARC-Type", "")


def parse_record(data: bytes) -> ParsedRecord:
    """Parse one whole WARC record (the inflated bytes of one member).

    Raises:
        ValueError: the bytes are not one well-formed WARC record.
    """
    end = data.find(b"\r\n\r\n")
    if not data.startswith(b"WARC/") or end < 0:
        raise ValueError("not a WARC record")
    headers: dict[str, str] = {}
    for line in data[:end].decode("utf-8").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        headers[name.strip()] = value.strip()
    try:
        length = int(headers["Content-Length"])
    except (KeyError, ValueError) as exc:
        raise ValueError("WARC record without a valid Content-Length") from exc
    block = data[end + 4 : end + 4 + length]
    if len(block) != length:
        raise ValueError("WARC record shorter than its Content-Length")
    payload = block
    if headers.get("WARC-Type") in HTTP_TYPES and headers.get("Content-Type", "").startswith(
        "application/http"
    ):
        head_end = block.find(b"\r\n\r\n")
        payload = block[head_end + 4 :] if head_end >= 0 else b""
    return ParsedRecord(headers, block, payload)


@dataclass(frozen=True)
class ScannedRecord:
    """A record found in a file on disk, with the hashes verification compares."""

    member: Member
    record: ParsedRecord | None
    problem: str = ""

    @property
    def payload_sha256(self) -> str:
        return hashlib.sha256(self.record.payload).hexdigest() if self.record else ""


@dataclass
class Scan:
    """Everything read from one WARC file in one pass."""

    sha256: str = ""
    size: int = 0
    records: list[ScannedRecord] = field(default_factory=list)
    incomplete_tail_bytes: int = 0


def scan_file(path: Path) -> Scan:
    """Read a WARC file once: its SHA-256, size, and each record with its hashes.

    Reading in sequence stops at the first member that is cut short, does not inflate or
    is not a WARC record; from there to the end counts as ``incomplete_tail_bytes``.
    """
    scan = Scan()
    unreadable_from: int | None = None
    with path.open("rb") as fh:
        reader = _CountingReader(fh)
        for member in iter_members(reader):
            try:
                if not member.complete:
                    raise ValueError("cut short")
                scan.records.append(ScannedRecord(member, parse_record(member.data)))
            except (ValueError, UnicodeDecodeError):
                unreadable_from = member.offset
                break
        _drain(reader)
        scan.sha256, scan.size = reader.digest.hexdigest(), reader.bytes
    if unreadable_from is not None:
        scan.incomplete_tail_bytes = scan.size - unreadable_from
    return scan


def read_member(path: Path, offset: int, length: int) -> bytes:
    """The stored bytes of one record (a standalone ``.warc.gz``)."""
    with path.open("rb") as fh:
        fh.seek(offset)
        return fh.read(length)


def read_record_at(path: Path, offset: int, length: int) -> ScannedRecord:
    """The record stored at a known place, read on its own (past damage elsewhere)."""
    data = read_member(path, offset, length)
    member = Member(offset, len(data), hashlib.sha256(data).hexdigest(), b"", False)
    if len(data) < length:
        return ScannedRecord(member, None, f"the file ends {length - len(data)} bytes early")
    try:
        inflated = zlib.decompressobj(16 + zlib.MAX_WBITS)
        plain = inflated.decompress(data)
        if not inflated.eof:
            return ScannedRecord(member, None, "the stored record is cut short")
        return ScannedRecord(member, parse_record(plain))
    except (zlib.error, ValueError, UnicodeDecodeError) as exc:
        return ScannedRecord(member, None, f"the stored record cannot be read ({exc})")
