"""``plainsight import adverts``: interchange files into the workspace, safely.

Each file is kept whole in evidence, then read line by line. A good line becomes a capture
(its pictures copied into evidence by hash); a bad one is set aside whole with the file,
line and reason. Work is committed in batches, each one atomic; a capture is identified by
the SHA-256 of its content, so a capture seen again is stored once and an import killed at
any point and run again ends in the same state as one clean run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa

from plainsight.capture import sql
from plainsight.capture.evidence import sha256_file
from plainsight.capture.interchange import Record, parse_line
from plainsight.capture.lines import LineReader
from plainsight.capture.pictures import Picture, inspect, locate
from plainsight.errors import Rejected
from plainsight.lake.catalog import Transaction
from plainsight.lake.engine import Engine, make_engine
from plainsight.lake.schemas import CAPTURES, IMAGES, IMPORTS, REJECTS
from plainsight.workspace import Workspace

MAX_BATCH_BYTES = 64 * 1024 * 1024
SUFFIXES = (".jsonl", ".jsonl.gz", ".json.gz", ".ndjson", ".ndjson.gz")

Progress = Callable[[str, int, int], None]  # (file name, bytes done, bytes in file)


@dataclass
class FileResult:
    """What one file gave: lines read and where each went."""

    file: str
    file_sha256: str
    lines: int = 0
    blank: int = 0
    new: int = 0
    seen_before: int = 0
    rejected: int = 0


@dataclass
class ImportResult:
    """Every file of one ``import adverts`` call, and the paths that could not be found."""

    files: list[FileResult] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def new(self) -> int:
        return sum(f.new for f in self.files)

    @property
    def seen_before(self) -> int:
        return sum(f.seen_before for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def clean(self) -> bool:
        return not self.rejected and not self.missing


def advert_id(source: str, ad_id: str) -> str:
    """Stable id of an advert, the same in every workspace: ``A`` + 20 hex digits."""
    return "A" + hashlib.sha256(f"{source}\x1f{ad_id}".encode()).hexdigest()[:20]


def expand(paths: Iterable[Path]) -> tuple[list[Path], list[str]]:
    """Files named, and interchange files found under folders named (sorted); missing paths."""
    files: list[Path] = []
    missing: list[str] = []
    for path in paths:
        if path.is_dir():
            found = [p for p in path.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES)]
            files.extend(sorted(found))
        elif path.is_file():
            files.append(path)
        else:
            missing.append(str(path))
    return files, missing


def capture_id(record: Record, image_shas: Sequence[str]) -> str:
    """SHA-256 of a capture's canonical content (identical captures share it)."""
    canonical = {
        "source": record.source,
        "ad_id": record.ad_id,
        "captured_at": record.captured_at.isoformat(),
        "posted_at": record.posted_at.isoformat() if record.posted_at else None,
        "url": record.url,
        "title": record.title,
        "body": record.body,
        "location_text": record.location_text,
        "name": record.name,
        "age": record.age,
        "phone": record.phone,
        "email": record.email,
        "images": list(image_shas),
        "extra": record.extra,
        "unknown_fields": record.unknown_fields,
    }
    return hashlib.sha256(orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


@dataclass
class _Batch:
    captures: list[dict[str, Any]] = field(default_factory=list)
    pictures: dict[str, Picture] = field(default_factory=dict)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    accepted_reject_ids: list[str] = field(default_factory=list)
    size: int = 0

    def __len__(self) -> int:
        return len(self.captures) + len(self.rejects)


def reject_id(file_sha256: str, line: int) -> str:
    return hashlib.sha256(f"{file_sha256}:{line}".encode()).hexdigest()


class AdvertImport:
    """One run of the advert import into a workspace."""

    def __init__(self, workspace: Workspace, progress: Progress | None = None) -> None:
        self.ws = workspace
        self.progress = progress
        self.batch_lines = workspace.settings.import_batch_lines
        self._pictures: dict[tuple[Path, str], Picture] = {}

    def run(self, paths: Sequence[Path]) -> ImportResult:
        """Import every file under ``paths``; bad lines are set aside, never fatal."""
        files, missing = expand(paths)
        result = ImportResult(missing=missing)
        self.ws.evidence.remove_temporaries()
        for path in files:
            result.files.append(self._import_file(path))
        return result

    def _import_file(self, path: Path) -> FileResult:
        file_sha = sha256_file(path)
        self.ws.evidence.put_file(path, file_sha)
        result = FileResult(file=str(path), file_sha256=file_sha)
        reader = LineReader(path)
        batch = _Batch()
        for line in reader:
            result.lines = line.number
            if line.fault is None and not line.raw.strip():
                result.blank += 1
                continue
            self._take(path, file_sha, line.number, line.raw, line.fault, batch)
            if len(batch) >= self.batch_lines or batch.size >= MAX_BATCH_BYTES:
                self._commit(batch, result)
                batch = _Batch()
            if self.progress and line.number % 2000 == 0:
                self.progress(path.name, reader.bytes_read, reader.size)
        self._commit(batch, result, final=True)
        if self.progress:
            self.progress(path.name, reader.size, reader.size)
        return result

    def _take(
        self, path: Path, file_sha: str, number: int, raw: bytes, fault: str | None, batch: _Batch
    ) -> None:
        batch.size += len(raw)
        try:
            if fault is not None:
                raise Rejected(fault)
            record = parse_line(raw)
            pictures = [self._picture(path.parent, rel) for rel in record.images]
        except Rejected as rejected:
            batch.rejects.append(
                {
                    "reject_id": reject_id(file_sha, number),
                    "file": str(path),
                    "file_sha256": file_sha,
                    "line": number,
                    "reason": rejected.reason,
                    "raw": raw,
                    "rejected_at": self.ws.clock(),
                }
            )
            return
        shas = [p.sha256 for p in pictures]
        for picture in pictures:
            if picture.data:  # first use this run: store it, then cache it without its bytes
                self.ws.evidence.put_bytes_later(picture.data)
                self._pictures[(path.parent, picture.relative)] = replace(picture, data=b"")
            batch.pictures.setdefault(picture.sha256, picture)
        batch.accepted_reject_ids.append(reject_id(file_sha, number))
        batch.captures.append(
            {
                "capture_id": capture_id(record, shas),
                "advert_id": advert_id(record.source, record.ad_id),
                "source": record.source,
                "ad_id": record.ad_id,
                "captured_at": record.captured_at,
                "posted_at": record.posted_at,
                "url": record.url,
                "title": record.title,
                "body": record.body,
                "location_text": record.location_text,
                "name": record.name,
                "age": record.age,
                "phone": record.phone,
                "email": record.email,
                "image_sha256": shas,
                "image_paths": list(record.images),
                "extra": _json(record.extra),
                "unknown_fields": _json(record.unknown_fields),
                "file_sha256": file_sha,
                "line": number,
                "imported_at": self.ws.clock(),
                "imported_by": self.ws.settings.operator,
            }
        )

    def _picture(self, folder: Path, relative: str) -> Picture:
        key = (folder, relative)
        cached = self._pictures.get(key)
        if cached is None:
            cached = inspect(locate(folder, relative), relative)
            if len(self._pictures) > 50_000:
                self._pictures.clear()
            self._pictures[key] = cached
        return cached

    def _commit(self, batch: _Batch, result: FileResult, *, final: bool = False) -> None:
        if not len(batch) and not final:
            return
        self.ws.evidence.flush()  # pictures are durable before any capture refers to them
        with self.ws.lake.transaction(note=f"import {result.file}") as tx:
            engine = make_engine("duckdb")
            try:
                engine.bind(tx.base, self.ws.lake.dir)
                self._write_batch(engine, tx, batch, result)
                if final:
                    self._finish_file(engine, tx, result)
            finally:
                engine.close()

    def _write_batch(
        self, engine: Engine, tx: Transaction, batch: _Batch, result: FileResult
    ) -> None:
        engine.register("batch_captures", pa.Table.from_pylist(batch.captures, schema=CAPTURES))
        new = engine.run(sql.NEW_CAPTURES)
        result.new += new.num_rows
        result.seen_before += len(batch.captures) - new.num_rows
        tx.append("captures", new)

        pictures = [
            {
                "sha256": p.sha256,
                "bytes": p.size,
                "format": p.format,
                "width": p.width,
                "height": p.height,
                "first_seen_file_sha256": result.file_sha256,
            }
            for p in batch.pictures.values()
        ]
        engine.register("batch_images", pa.Table.from_pylist(pictures, schema=IMAGES))
        tx.append("images", engine.run(sql.NEW_IMAGES))

        if batch.accepted_reject_ids:
            engine.register("accepted", pa.table({"reject_id": batch.accepted_reject_ids}))
            if engine.run(sql.RESOLVED_REJECTS).column(0)[0].as_py():
                tx.replace("rejects", engine.run(sql.REJECTS_WITHOUT_RESOLVED))
        engine.register("batch_rejects", pa.Table.from_pylist(batch.rejects, schema=REJECTS))
        result.rejected += len(batch.rejects)
        tx.append("rejects", engine.run(sql.NEW_REJECTS))

    def _finish_file(self, engine: Engine, tx: Transaction, result: FileResult) -> None:
        row = {
            "file_sha256": result.file_sha256,
            "file": result.file,
            "bytes": Path(result.file).stat().st_size,
            "lines": result.lines,
            "captures": result.new + result.seen_before,
            "rejected": result.rejected,
            "imported_at": self.ws.clock(),
            "imported_by": self.ws.settings.operator,
        }
        engine.register("this_import", pa.Table.from_pylist([row], schema=IMPORTS))
        tx.replace("imports", engine.run(sql.IMPORTS_WITH, [result.file_sha256]))
        tx.replace("adverts", self._adverts(engine, tx))

    def _adverts(self, engine: Engine, tx: Transaction) -> pa.Table:
        engine.bind_files("captures", [tx.lake_dir / f for f in tx.tables["captures"]])
        return engine.run(sql.ADVERTS)
