"""A crawl's folder and its journal: what each session saw, written as it was seen.

``<workspace>/crawls/<profile>/<crawl_id>/`` holds:

* ``crawl.json``: the crawl's state (profile and its SHA-256, sessions, whether a session is
  running, how far the journal has been imported), replaced atomically.
* ``journal.log``: one JSON line per page outcome (a listing read, an advert captured,
  unchanged, gone, unreadable, a page that failed), appended and flushed as each happens, so
  a process killed at any moment leaves every finished page in it and at most one partial
  last line, which the next session cuts off.
* ``images/``: the pictures of captured adverts, each written to a temporary name and renamed
  into place before the journal line that names it.
* ``part-<from>-<to>.jsonl``: interchange files made from the journal's captures between two
  byte offsets, and imported.
* ``jobdir/``: Scrapy's JOBDIR (request queue and seen requests), trusted only after a
  session that closed cleanly.
* ``logs/``: Scrapy's log of each session.

The journal, not Scrapy's queue, is the record of what is done: a resumed crawl never fetches
an advert page the journal already has an outcome for, and a capture is written once.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

DONE = frozenset({"captured", "unchanged", "gone", "unreadable", "disallowed"})
"""Advert outcomes that are final for a crawl: such a page is not fetched again."""

_IMAGE_SUFFIXES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
}


@dataclass
class CrawlState:
    """What ``crawl.json`` holds."""

    crawl_id: str
    profile: str
    profile_version: str
    profile_sha256: str
    started_at: str
    operator: str
    sessions: int = 0
    running: bool = False
    settled: bool = True
    jobdir_clean: bool = False
    finished: bool = False
    complete: bool = False
    finish_reason: str = ""
    finished_at: str = ""
    exported_upto: int = 0
    parts: list[str] = field(default_factory=list)
    warc: bool = False


def _write_atomic(path: Path, data: bytes, *, sync: bool = True) -> None:
    """Write to a temporary name, then rename into place: a killed process leaves the whole
    file or none. ``sync`` also makes it durable against a power cut (slower)."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            if sync:
                os.fsync(fh.fileno())
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


class CrawlFolder:
    """One crawl's folder in the workspace."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.state_path = root / "crawl.json"
        self.journal_path = root / "journal.log"
        self.images = root / "images"
        self.jobdir = root / "jobdir"
        self.logs = root / "logs"

    @classmethod
    def create(cls, root: Path, state: CrawlState) -> CrawlFolder:
        folder = cls(root)
        for path in (root, folder.images, folder.logs):
            path.mkdir(parents=True, exist_ok=True)
        folder.save(state)
        return folder

    def load(self) -> CrawlState:
        return CrawlState(**orjson.loads(self.state_path.read_bytes()))

    def save(self, state: CrawlState) -> None:
        _write_atomic(self.state_path, orjson.dumps(asdict(state), option=orjson.OPT_INDENT_2))

    def discard_jobdir(self) -> None:
        """Forget Scrapy's queue (after a session that did not close cleanly)."""
        shutil.rmtree(self.jobdir, ignore_errors=True)

    def repair_journal(self) -> int:
        """Cut a partial last line a killed session left; returns the bytes removed."""
        if not self.journal_path.is_file():
            return 0
        with self.journal_path.open("r+b") as fh:
            size = fh.seek(0, os.SEEK_END)
            if size == 0:
                return 0
            fh.seek(max(0, size - 1))
            if fh.read(1) == b"\n":
                return 0
            keep = 0
            step = 1 << 16
            position = size
            while position > 0:
                start = max(0, position - step)
                fh.seek(start)
                chunk = fh.read(position - start)
                newline = chunk.rfind(b"\n")
                if newline >= 0:
                    keep = start + newline + 1
                    break
                position = start
            fh.truncate(keep)
            return size - keep

    def events(self, start: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
        """Each whole journal line from byte ``start``, with the offset just after it."""
        if not self.journal_path.is_file():
            return
        with self.journal_path.open("rb") as fh:
            fh.seek(start)
            offset = start
            for line in fh:
                if not line.endswith(b"\n"):
                    break  # a partial line being written, or left by a kill
                offset += len(line)
                yield offset, orjson.loads(line)

    def journal_size(self) -> int:
        return self.journal_path.stat().st_size if self.journal_path.is_file() else 0

    def image_path(self, url: str, content_type: str) -> Path:
        """Where a picture fetched from ``url`` is kept (named by the URL's SHA-1)."""
        name = hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()
        suffix = _IMAGE_SUFFIXES.get(content_type.split(";")[0].strip().lower(), "")
        if not suffix:
            tail = url.rsplit("/", 1)[-1].split("?")[0]
            suffix = Path(tail).suffix.lower()[:6] if "." in tail else ".bin"
        return self.images / name[:2] / (name + suffix)

    def existing_image(self, url: str) -> Path | None:
        """A picture from ``url`` already kept by this crawl, if any."""
        name = hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()
        folder = self.images / name[:2]
        if not folder.is_dir():
            return None
        for path in folder.glob(name + ".*"):
            return path
        return None

    def write_image(self, path: Path, data: bytes) -> None:
        """Keep a picture, whole or not at all. Not synced: the import copies it into the
        evidence store, which is; a crawl folder only has to survive a killed process."""
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(path, data, sync=False)

    def part_path(self, start: int, end: int) -> Path:
        return self.root / f"part-{start:012d}-{end:012d}.jsonl"

    def stale_parts(self, start: int) -> list[Path]:
        """Part files from ``start`` a killed export left (never referred to by the state)."""
        return sorted(self.root.glob(f"part-{start:012d}-*.jsonl"))


class Journal:
    """Appends events to a crawl's journal, flushing each so a kill loses at most one line."""

    def __init__(self, folder: CrawlFolder) -> None:
        folder.repair_journal()
        self._file: IO[bytes] = folder.journal_path.open("ab")

    def append(self, event: dict[str, Any]) -> None:
        self._file.write(orjson.dumps(event) + b"\n")
        self._file.flush()

    def close(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()


@dataclass
class Progress:
    """What the journal says a crawl has done so far."""

    done_adverts: set[str] = field(default_factory=set)
    listed: set[str] = field(default_factory=set)


def progress_of(folder: CrawlFolder) -> Progress:
    """Advert pages with a final outcome, advert URLs seen in listings, pictures kept."""
    progress = Progress()
    for _, event in folder.events():
        if event["kind"] == "listing":
            progress.listed.update(event.get("adverts", []))
        elif event["kind"] == "advert" and event["outcome"] in DONE:
            progress.done_adverts.add(event["url"])
    return progress
