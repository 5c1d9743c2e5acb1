"""What a workspace holds: counts per table and per source, and what was set aside."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from plainsight.lake.engine import Engine
from plainsight.lake.schemas import SCHEMAS
from plainsight.workspace import Workspace

PER_SOURCE = """
SELECT a.source,
       count(*) AS adverts,
       sum(a.captures) AS captures,
       min(a.first_captured_at) AS first_captured_at,
       max(a.last_captured_at) AS last_captured_at
FROM adverts AS a
GROUP BY a.source
ORDER BY adverts DESC, a.source
"""

REJECT_REASONS = """
SELECT regexp_replace(reason, '[:(].*$', '') AS kind, count(*) AS lines,
       count(DISTINCT file_sha256) AS files
FROM rejects
GROUP BY kind
ORDER BY lines DESC, kind
"""

EVIDENCE = """
SELECT (SELECT count(*) FROM images) + (SELECT count(*) FROM imports) AS files,
       coalesce((SELECT sum(bytes) FROM images), 0)
       + coalesce((SELECT sum(bytes) FROM imports), 0) AS bytes
"""

REJECTS_LIST = """
SELECT file, line, reason, raw, rejected_at FROM rejects
WHERE (? IS NULL OR file LIKE '%' || ? || '%')
ORDER BY file, line
LIMIT ?
"""


@dataclass(frozen=True)
class Status:
    """A summary of the workspace for ``plainsight status``."""

    lake_version: int
    committed_at: str
    tables: dict[str, int]
    sources: list[dict[str, Any]]
    reject_reasons: list[dict[str, Any]]
    evidence_files: int
    evidence_bytes: int


def _count(engine: Engine, table: str) -> int:
    value = engine.run(f'SELECT count(*) AS n FROM "{table}"').column(0)[0].as_py()
    return int(value)


def workspace_status(workspace: Workspace) -> Status:
    snapshot = workspace.lake.snapshot()
    with workspace.reading() as engine:
        tables = {
            name: _count(engine, name) for name in sorted(set(SCHEMAS) | set(snapshot.tables))
        }
        sources = engine.run(PER_SOURCE).to_pylist()
        reasons = engine.run(REJECT_REASONS).to_pylist()
        held = engine.run(EVIDENCE).to_pylist()[0]
    return Status(
        lake_version=snapshot.version,
        committed_at=snapshot.committed_at,
        tables=tables,
        sources=sources,
        reject_reasons=reasons,
        evidence_files=int(held["files"]),
        evidence_bytes=int(held["bytes"]),
    )


def list_rejects(workspace: Workspace, file: str | None, limit: int) -> list[dict[str, Any]]:
    with workspace.reading() as engine:
        rows: list[dict[str, Any]] = engine.run(REJECTS_LIST, [file, file, limit]).to_pylist()
        return rows
