"""The evidence store: what was captured, as captured, addressed by its SHA-256.

Files are written once under ``evidence/sha256/<first two hex>/<hash>`` and never changed;
they are made read-only. A write goes to a temporary file first and is renamed into place,
so a killed process leaves either the whole file or nothing that anyone refers to.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class EvidenceStore:
    """Write-once, content-addressed files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "sha256").mkdir(parents=True, exist_ok=True)
        self._pool: ThreadPoolExecutor | None = None
        self._pending: dict[str, Future[None]] = {}

    def path_for(self, sha256: str) -> Path:
        return self.root / "sha256" / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put_bytes(self, data: bytes) -> str:
        """Store bytes (once) and return their SHA-256."""
        sha = hashlib.sha256(data).hexdigest()
        if not self.has(sha):
            self._install(sha, lambda tmp: tmp.write_bytes(data))
        return sha

    def put_bytes_later(self, data: bytes) -> str:
        """Start storing bytes in the background and return their SHA-256 at once.

        The bytes are durable (written, synced, renamed into place) only after
        :meth:`flush`, which a caller must reach before anything refers to them.
        """
        sha = hashlib.sha256(data).hexdigest()
        if sha not in self._pending and not self.has(sha):
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="evidence")
            self._pending[sha] = self._pool.submit(
                self._install, sha, lambda tmp: tmp.write_bytes(data)
            )
        return sha

    def flush(self) -> None:
        """Wait until every background write is durable; re-raise the first failure."""
        pending, self._pending = self._pending, {}
        for future in pending.values():
            future.result()

    def put_file(self, path: Path, sha256: str | None = None) -> str:
        """Store a file's bytes (once) and return their SHA-256."""
        sha = sha256 or sha256_file(path)
        if not self.has(sha):
            self._install(sha, lambda tmp: shutil.copyfile(path, tmp))
        return sha

    def _install(self, sha: str, write: Callable[[Path], object]) -> None:
        final = self.path_for(sha)
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.parent / f".{sha}.{uuid.uuid4().hex}.tmp"
        try:
            write(tmp)
            with tmp.open("rb") as fh:
                os.fsync(fh.fileno())
            tmp.chmod(0o444)
            tmp.replace(final)
        finally:
            tmp.unlink(missing_ok=True)

    def verify(self, sha256: str) -> bool:
        """True when the stored file still hashes to its name."""
        path = self.path_for(sha256)
        return path.is_file() and sha256_file(path) == sha256

    def remove_temporaries(self) -> int:
        """Delete temporaries a killed writer left behind; returns how many."""
        count = 0
        for tmp in (self.root / "sha256").glob("*/.*.tmp"):
            tmp.unlink(missing_ok=True)
            count += 1
        return count
