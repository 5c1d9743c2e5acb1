"""WARC files of one crawl: written a record at a time, one gzip member per record.

Every record is serialised by warcio into memory first, so its exact bytes are known before
they reach the file: their offset, length and SHA-256 go into the custody log, and an
exhibit can later copy the record out byte for byte as a standalone ``.warc.gz``. The HTTP
head (status or request line and headers) is written exactly as plainsight holds it; warcio
would otherwise re-serialise it (percent-encoding any non-ASCII header value).

A file is written as ``NNNNN.warc.gz.open`` and renamed to ``NNNNN.warc.gz`` only after it
is closed, synced and entered in custody, so a file without ``.open`` and without a custody
entry, or a file still ``.open``, is never mistaken for sealed evidence. Reading them back is
:mod:`plainsight.capture.warcread`.
"""

from __future__ import annotations

import hashlib
import io
import os
import platform
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

import plainsight

WARC_SUFFIX = ".warc.gz"
OPEN_SUFFIX = ".open"
MAX_BYTES = 100 * 1024 * 1024
CHUNK = 1 << 20


def software() -> str:
    """The tools that write plainsight's WARC files, with their versions."""
    import warcio

    parts = [f"plainsight/{plainsight.__version__}"]
    try:
        import scrapy

        parts.append(f"Scrapy/{scrapy.__version__}")
    except ImportError:  # pragma: no cover - scrapy is a declared dependency
        pass
    version = getattr(warcio, "__version__", None)
    if version is None:
        from importlib.metadata import version as package_version

        version = package_version("warcio")
    parts.append(f"warcio/{version}")
    parts.append(f"Python/{platform.python_version()}")
    return " ".join(parts)


def warc_date(when: datetime) -> str:
    """A WARC/1.1 date: UTC, to the microsecond."""
    naive = when.astimezone(UTC).replace(tzinfo=None)
    return str(datetime_to_iso_date(naive, use_micros=True))


@dataclass(frozen=True)
class Provenance:
    """Who and what made a capture: the crawl, the operator, the tool and the profile."""

    crawl_id: str
    operator: str
    tool: str
    profile: str = ""
    profile_sha256: str = ""


@dataclass(frozen=True)
class HttpMessage:
    """One HTTP message as it will be written: its head (with the blank line) and its body."""

    head: bytes
    body: bytes


@dataclass(frozen=True)
class WrittenRecord:
    """Where one record sits in its WARC file, and the hashes of what it holds.

    ``payload_sha256`` is over the payload as received (for HTTP records the body after the
    head; for others the whole block); ``block_sha256`` over the block (head and payload);
    ``member_sha256`` over the record's gzip member as stored, ``offset`` to
    ``offset + length`` in the file.
    """

    record_id: str
    record_type: str
    target_uri: str
    captured_at: datetime
    offset: int
    length: int
    payload_sha256: str
    payload_bytes: int
    block_sha256: str
    member_sha256: str
    warc_headers: dict[str, str] = field(default_factory=dict)
    http_status: int | None = None


@dataclass(frozen=True)
class SealedFile:
    """A closed WARC file: where it is, its hash and size, and every record in it."""

    path: Path
    sha256: str
    size: int
    records: list[WrittenRecord]
    provenance: Provenance
    opened_at: datetime
    closed_at: datetime
    recovered: bool = False
    incomplete_tail_bytes: int = 0


class _ExactHead(StatusAndHeaders):  # type: ignore[misc]
    """An HTTP head that warcio writes as given, byte for byte."""

    def __init__(self, raw: bytes) -> None:
        super().__init__("", [], protocol="")
        self.raw = raw
        self.headers_buff = raw

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        self.headers_buff = self.raw

    def __bool__(self) -> bool:  # warcio tests a record's HTTP head for truth
        return True


def new_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


class WarcFile:
    """One WARC file being written; ``write`` returns where each record went."""

    def __init__(self, path: Path, provenance: Provenance, opened_at: datetime) -> None:
        self.final_path = path
        self.open_path = path.with_name(path.name + OPEN_SUFFIX)
        self.provenance = provenance
        self.opened_at = opened_at
        self.records: list[WrittenRecord] = []
        self._writer = WARCWriter(None, gzip=True, warc_version="1.1")
        self._fh: IO[bytes] = self.open_path.open("xb")
        self._write_warcinfo()

    @property
    def size(self) -> int:
        return self._fh.tell()

    def _write_warcinfo(self) -> None:
        p = self.provenance
        info = {
            "software": p.tool,
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
            "warc-format/warc-1.1/",
            "isPartOf": p.crawl_id,
            "plainsight-crawl-id": p.crawl_id,
            "operator": p.operator,
            "plainsight-profile": p.profile,
            "plainsight-profile-sha256": p.profile_sha256,
            "hostname": platform.node(),
            "description": "Captured by plainsight; SHA-256 hashes are in the custody log.",
            "plainsight-http-heads": "rebuilt from Scrapy's parsed message: status phrase, "
            "header name case and order, and connection headers are not as on the wire; "
            "bodies are exactly as received",
        }
        record = self._writer.create_warcinfo_record(self.final_path.name, info)
        record.rec_headers.replace_header("WARC-Date", warc_date(self.opened_at))
        payload = record.raw_stream.getvalue()
        self._append(record, "", self.opened_at, payload, payload, None)

    def write(
        self,
        record_type: str,
        uri: str,
        message: HttpMessage,
        when: datetime,
        *,
        record_id: str | None = None,
        extra: dict[str, str] | None = None,
        http_status: int | None = None,
    ) -> WrittenRecord:
        """Append one request or response record and return where it went."""
        headers = {"WARC-Record-ID": record_id or new_record_id(), "WARC-Date": warc_date(when)}
        headers.update(extra or {})
        record = self._writer.create_warc_record(
            uri,
            record_type,
            payload=io.BytesIO(message.body),
            length=len(message.body),
            warc_headers_dict=headers,
            http_headers=_ExactHead(message.head),
        )
        return self._append(
            record, uri, when, message.body, message.head + message.body, http_status
        )

    def _append(
        self,
        record: Any,
        uri: str,
        when: datetime,
        payload: bytes,
        block: bytes,
        http_status: int | None,
    ) -> WrittenRecord:
        buffer = io.BytesIO()
        self._writer.out = buffer
        self._writer.write_record(record)
        member = buffer.getvalue()
        offset = self._fh.tell()
        self._fh.write(member)
        self._fh.flush()
        rec_headers = record.rec_headers
        written = WrittenRecord(
            record_id=str(rec_headers.get_header("WARC-Record-ID")),
            record_type=str(rec_headers.get_header("WARC-Type")),
            target_uri=uri,
            captured_at=when.astimezone(UTC),
            offset=offset,
            length=len(member),
            payload_sha256=hashlib.sha256(payload).hexdigest(),
            payload_bytes=len(payload),
            block_sha256=hashlib.sha256(block).hexdigest(),
            member_sha256=hashlib.sha256(member).hexdigest(),
            warc_headers={str(k): str(v) for k, v in rec_headers.headers},
            http_status=http_status,
        )
        self.records.append(written)
        return written

    def seal(self, closed_at: datetime) -> SealedFile:
        """Flush and sync the file and describe it; the caller enters it, then renames it."""
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        sha, size = file_sha256(self.open_path)
        return SealedFile(
            self.final_path, sha, size, self.records, self.provenance, self.opened_at, closed_at
        )


def install(open_path: Path, final_path: Path) -> None:
    """Make a sealed file read-only and give it its final name, durably."""
    open_path.chmod(0o444)
    open_path.replace(final_path)
    try:
        fd = os.open(final_path.parent, os.O_RDONLY)
    except OSError:  # pragma: no cover - some file systems cannot open a folder
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
