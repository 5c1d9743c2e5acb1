"""The WARC files of one crawl: numbered, rotated by size, sealed into custody, recovered.

Files live in ``<warc root>/<crawl id>/NNNNN.warc.gz``. A file is written as ``.open``,
then synced, entered in custody and renamed, so a crawl killed part-way leaves an ``.open``
file that is either recovered whole when the crawl resumes (:meth:`CrawlWarcs.recover`) or
reported by ``plainsight evidence verify`` as not in custody: it is never silently trusted.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from plainsight.capture.custody import CustodyLog
from plainsight.capture.warcfile import (
    MAX_BYTES,
    OPEN_SUFFIX,
    WARC_SUFFIX,
    HttpMessage,
    Provenance,
    SealedFile,
    WarcFile,
    WrittenRecord,
    file_sha256,
    install,
)
from plainsight.capture.warcread import parse_warc_date, scan_file

logger = logging.getLogger(__name__)

CRAWL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def utc_now() -> datetime:
    return datetime.now(UTC)


def crawl_folder(root: Path, crawl_id: str) -> Path:
    """The folder of one crawl's WARC files under ``root``."""
    if not CRAWL_ID.match(crawl_id):
        raise ValueError(f"a crawl id may hold only letters, digits, '.', '_', '-': {crawl_id!r}")
    return root if root.name == crawl_id else root / crawl_id


class CrawlWarcs:
    """The WARC files of one crawl: numbered, rotated by size, each entered in custody.

    Opening it first deals with files a killed crawl left ``.open`` (see :meth:`recover`);
    new records always go to a new file, never into an old one.
    """

    def __init__(
        self,
        folder: Path,
        provenance: Provenance,
        custody: CustodyLog | None,
        *,
        max_bytes: int = MAX_BYTES,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        if max_bytes < 1:
            raise ValueError("max_bytes must be positive")
        self.folder = folder
        self.provenance = provenance
        self.custody = custody
        self.max_bytes = max_bytes
        self.clock = clock
        self.sealed: list[SealedFile] = []
        folder.mkdir(parents=True, exist_ok=True)
        self.recovered = self.recover()
        self._current: WarcFile | None = None
        self._number = self._last_number()

    def _last_number(self) -> int:
        numbers = [0]
        for path in self.folder.iterdir():
            stem = path.name.split(".", 1)[0]
            if stem.isdigit() and WARC_SUFFIX in path.name:
                numbers.append(int(stem))
        return max(numbers)

    def _file(self) -> WarcFile:
        if self._current is None:
            self._number += 1
            path = self.folder / f"{self._number:05d}{WARC_SUFFIX}"
            self._current = WarcFile(path, self.provenance, self.clock())
        return self._current

    def write(
        self,
        record_type: str,
        uri: str,
        message: HttpMessage,
        when: datetime,
        *,
        may_rotate: bool = True,
        **kwargs: Any,
    ) -> tuple[WrittenRecord, Path]:
        """Write one record; returns it and its file's final path.

        ``may_rotate=False`` keeps the next record in the same file (a request and its
        response stay together).
        """
        warc = self._file()
        written = warc.write(record_type, uri, message, when, **kwargs)
        path = warc.final_path
        if may_rotate and warc.size >= self.max_bytes:
            self.close()
        return written, path

    def close(self) -> None:
        """Seal the current file, enter it in custody, then give it its final name."""
        warc, self._current = self._current, None
        if warc is None:
            return
        sealed = warc.seal(self.clock())
        if self.custody is not None:
            self.custody.enter_warc(sealed)
        install(warc.open_path, warc.final_path)
        self.sealed.append(sealed)

    def recover(self) -> list[SealedFile]:
        """Seal what a killed crawl left ``.open`` in this folder; returns what was entered.

        A file already in custody (killed between entering and renaming) whose hash still
        matches is only renamed. Otherwise every whole record in it is entered, the file
        marked ``recovered``, and an unfinished last record is kept in the file (never cut
        off) and counted as ``incomplete_tail_bytes``. An empty file (nothing captured) is
        removed. Without custody nothing is touched: the files stay ``.open`` and untrusted.
        """
        done: list[SealedFile] = []
        if self.custody is None:
            return done
        for open_path in sorted(self.folder.glob(f"*{WARC_SUFFIX}{OPEN_SUFFIX}")):
            final = open_path.with_name(open_path.name.removesuffix(OPEN_SUFFIX))
            if open_path.stat().st_size == 0:
                open_path.unlink()
                continue
            entry = self.custody.file_entry(self.custody.relative(final))
            if entry is not None:
                if entry.sha256 == file_sha256(open_path)[0]:
                    install(open_path, final)
                else:
                    logger.error("%s differs from its custody entry; left untrusted", open_path)
                continue
            sealed = self._salvage(open_path, final)
            self.custody.enter_warc(sealed)
            install(open_path, final)
            done.append(sealed)
            logger.warning(
                "recovered %s from an interrupted crawl: %d records, %d bytes unfinished",
                final.name,
                len(sealed.records),
                sealed.incomplete_tail_bytes,
            )
        return done

    def _salvage(self, open_path: Path, final: Path) -> SealedFile:
        scan = scan_file(open_path)
        provenance = self.provenance
        records: list[WrittenRecord] = []
        for found in scan.records:
            if found.record is None:
                scan.incomplete_tail_bytes += found.member.length
                continue
            h = found.record.headers
            if h.get("WARC-Type") == "warcinfo":
                provenance = _provenance_from_warcinfo(found.record.payload, provenance)
            records.append(
                WrittenRecord(
                    record_id=found.record.record_id,
                    record_type=found.record.record_type,
                    target_uri=h.get("WARC-Target-URI", ""),
                    captured_at=parse_warc_date(h.get("WARC-Date", "1970-01-01T00:00:00Z")),
                    offset=found.member.offset,
                    length=found.member.length,
                    payload_sha256=found.payload_sha256,
                    payload_bytes=len(found.record.payload),
                    block_sha256=_sha256(found.record.block),
                    member_sha256=found.member.sha256,
                    warc_headers=h,
                    http_status=_status(found.record.block),
                )
            )
        now = self.clock()
        opened = records[0].captured_at if records else now
        return SealedFile(
            final,
            scan.sha256,
            scan.size,
            records,
            provenance,
            opened,
            now,
            recovered=True,
            incomplete_tail_bytes=scan.incomplete_tail_bytes,
        )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _status(block: bytes) -> int | None:
    first = block.split(b"\r\n", 1)[0].split(b" ")
    if len(first) >= 2 and first[0].startswith(b"HTTP/") and first[1].isdigit():
        return int(first[1])
    return None


def _provenance_from_warcinfo(payload: bytes, fallback: Provenance) -> Provenance:
    fields: dict[str, str] = {}
    for line in payload.decode("utf-8", errors="replace").split("\r\n"):
        name, _, value = line.partition(":")
        fields[name.strip()] = value.strip()
    return Provenance(
        crawl_id=fields.get("plainsight-crawl-id", fallback.crawl_id),
        operator=fields.get("operator", fallback.operator),
        tool=fields.get("software", fallback.tool),
        profile=fields.get("plainsight-profile", ""),
        profile_sha256=fields.get("plainsight-profile-sha256", ""),
    )
