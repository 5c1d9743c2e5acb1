"""The custody log: an append-only, hash-chained record of every piece of evidence.

Each WARC file, when it is closed, is entered with its SHA-256, size and record count, and
each record in it with its WARC-Record-ID, type, target URI, the SHA-256 of its payload as
received (warcio writes SHA-1 digests into the WARC itself; this adds SHA-256), its place in
the file, its capture time (UTC), the crawler and its version, the crawl profile and its
SHA-256, the operator and the crawl id. Imported interchange files can be entered too.

Entries live in ``ops.db`` (``custody_entries``). Like the audit log, each entry's ``hash``
covers the previous entry's hash and its own fields, and ``prev_hash`` is unique, so two
writers cannot fork the chain (the loser retries) and an edited, removed or re-ordered entry
breaks it. A file and all its records go in one transaction: entered whole or not at all.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from plainsight.ops.audit import ChainCheck
from plainsight.ops.models import CustodyEntry

if TYPE_CHECKING:
    from plainsight.capture.warcfile import SealedFile
    from plainsight.workspace import Workspace

GENESIS = "0" * 64
KINDS = ("warc_file", "warc_record", "import_file")
ATTEMPTS = 8


@dataclass(frozen=True)
class Entry:
    """A custody entry to append; the log adds when it was recorded, its link and its hash."""

    kind: str
    path: str
    sha256: str
    size: int
    operator: str
    tool: str
    crawl_id: str | None = None
    record_id: str | None = None
    record_type: str | None = None
    target_uri: str | None = None
    captured_at: datetime | None = None
    profile: str = ""
    profile_sha256: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown custody entry kind {self.kind!r}; one of {KINDS}")
        if len(self.sha256) != 64:
            raise ValueError(f"a custody entry needs a SHA-256 in hex, not {self.sha256!r}")


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="microseconds")


def entry_fields(entry: CustodyEntry) -> dict[str, Any]:
    """The fields an entry's hash covers (everything but its id, link and hash)."""
    return {
        "kind": entry.kind,
        "crawl_id": entry.crawl_id,
        "path": entry.path,
        "record_id": entry.record_id,
        "record_type": entry.record_type,
        "target_uri": entry.target_uri,
        "sha256": entry.sha256,
        "size": entry.size,
        "captured_at": _iso(entry.captured_at),
        "recorded_at": _iso(entry.recorded_at),
        "operator": entry.operator,
        "tool": entry.tool,
        "profile": entry.profile,
        "profile_sha256": entry.profile_sha256,
        "detail": entry.detail,
    }


def entry_digest(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """SHA-256 of ``prev_hash``, a newline and the fields as sorted, compact JSON."""
    body = orjson.dumps(dict(fields), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(prev_hash.encode() + b"\n" + body).hexdigest()


def as_dict(entry: CustodyEntry) -> dict[str, Any]:
    """An entry as plain data: its fields, id, link and hash (for exhibits and reports)."""
    return {"id": entry.id, **entry_fields(entry), "prev_hash": entry.prev_hash, "hash": entry.hash}


def detail(entry: CustodyEntry) -> dict[str, Any]:
    value = orjson.loads(entry.detail)
    return value if isinstance(value, dict) else {}


class CustodyLog:
    """The custody log of one workspace."""

    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace
        self.home = workspace.home.resolve()
        workspace.ops  # noqa: B018 - migrate now: a custody problem shows before a crawl starts

    def relative(self, path: Path) -> str:
        """A path as custody records it: relative to the workspace, with forward slashes."""
        resolved = path.resolve()
        try:
            return resolved.relative_to(self.home).as_posix()
        except ValueError:
            return resolved.as_posix()

    def absolute(self, recorded: str) -> Path:
        path = Path(recorded)
        return path if path.is_absolute() else self.home / path

    def append(self, entries: Sequence[Entry]) -> list[str]:
        """Append entries, in order, in one transaction; returns their hashes.

        Another writer appending at the same moment makes this attempt fail on the unique
        link; it is retried from the new end of the chain.
        """
        if not entries:
            return []
        for attempt in range(ATTEMPTS):
            try:
                return self._append_once(entries)
            except (IntegrityError, OperationalError):
                if attempt == ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _append_once(self, entries: Sequence[Entry]) -> list[str]:
        hashes: list[str] = []
        with self.ws.ops.session() as session:
            last = session.scalars(
                select(CustodyEntry.hash).order_by(CustodyEntry.id.desc()).limit(1)
            ).first()
            prev = last or GENESIS
            now = self.ws.clock()
            for new in entries:
                row = CustodyEntry(
                    kind=new.kind,
                    crawl_id=new.crawl_id,
                    path=new.path,
                    record_id=new.record_id,
                    record_type=new.record_type,
                    target_uri=new.target_uri,
                    sha256=new.sha256,
                    size=new.size,
                    captured_at=new.captured_at,
                    recorded_at=now,
                    operator=new.operator,
                    tool=new.tool,
                    profile=new.profile,
                    profile_sha256=new.profile_sha256,
                    detail=orjson.dumps(dict(new.detail), option=orjson.OPT_SORT_KEYS).decode(),
                    prev_hash=prev,
                )
                row.hash = entry_digest(prev, entry_fields(row))
                prev = row.hash
                hashes.append(row.hash)
                session.add(row)
            session.flush()
        return hashes

    def entries(
        self,
        *,
        crawl_id: str | None = None,
        kind: str | None = None,
        path: str | None = None,
    ) -> Iterator[CustodyEntry]:
        """Entries in the order they were appended, optionally only some."""
        query = select(CustodyEntry).order_by(CustodyEntry.id)
        if crawl_id is not None:
            query = query.where(CustodyEntry.crawl_id == crawl_id)
        if kind is not None:
            query = query.where(CustodyEntry.kind == kind)
        if path is not None:
            query = query.where(CustodyEntry.path == path)
        with self.ws.ops.session() as session:
            for entry in session.scalars(query.execution_options(yield_per=2000)):
                session.expunge(entry)  # stays whole if the caller stops early
                yield entry

    def file_entry(self, path: str) -> CustodyEntry | None:
        """The entry of a WARC or imported file, by its recorded path."""
        for entry in self.entries(path=path):
            if entry.kind in ("warc_file", "import_file"):
                return entry
        return None

    def verify(self) -> ChainCheck:
        """Re-hash the whole chain; report the first entry whose hash or link is wrong."""
        prev = GENESIS
        count = 0
        for entry in self.entries():
            count += 1
            if entry.prev_hash != prev:
                return ChainCheck(count, entry.id, "its link to the previous entry is wrong")
            if entry_digest(prev, entry_fields(entry)) != entry.hash:
                return ChainCheck(count, entry.id, "its content does not match its hash")
            prev = entry.hash
        return ChainCheck(count, None)

    def enter_warc(self, sealed: SealedFile) -> None:
        """Enter a sealed WARC file and every record in it, in one transaction."""
        p = sealed.provenance
        path = self.relative(sealed.path)
        common: dict[str, Any] = {
            "operator": p.operator,
            "tool": p.tool,
            "crawl_id": p.crawl_id,
            "profile": p.profile,
            "profile_sha256": p.profile_sha256,
        }
        file_detail = {
            "records": len(sealed.records),
            "opened_at": _iso(sealed.opened_at),
            "closed_at": _iso(sealed.closed_at),
            "state": "recovered" if sealed.recovered else "closed",
            "incomplete_tail_bytes": sealed.incomplete_tail_bytes,
        }
        rows = [
            Entry(
                kind="warc_file",
                path=path,
                sha256=sealed.sha256,
                size=sealed.size,
                captured_at=sealed.closed_at,
                detail=file_detail,
                **common,
            )
        ]
        for r in sealed.records:
            rows.append(
                Entry(
                    kind="warc_record",
                    path=path,
                    record_id=r.record_id,
                    record_type=r.record_type,
                    target_uri=r.target_uri,
                    sha256=r.payload_sha256,
                    size=r.payload_bytes,
                    captured_at=r.captured_at,
                    detail={
                        "offset": r.offset,
                        "length": r.length,
                        "member_sha256": r.member_sha256,
                        "block_sha256": r.block_sha256,
                        "http_status": r.http_status,
                        "warc_headers": r.warc_headers,
                    },
                    **common,
                )
            )
        self.append(rows)

    def enter_import(
        self,
        sha256: str,
        original: str,
        *,
        operator: str,
        tool: str,
        crawl_id: str | None = None,
        profile: str = "",
        profile_sha256: str = "",
    ) -> bool:
        """Enter an interchange file kept in the evidence store; False if it already is."""
        stored = self.ws.evidence.path_for(sha256)
        path = self.relative(stored)
        if self.file_entry(path) is not None:
            return False
        self.append(
            [
                Entry(
                    kind="import_file",
                    path=path,
                    sha256=sha256,
                    size=stored.stat().st_size,
                    captured_at=None,
                    operator=operator,
                    tool=tool,
                    crawl_id=crawl_id,
                    profile=profile,
                    profile_sha256=profile_sha256,
                    detail={"original": original},
                )
            ]
        )
        return True
