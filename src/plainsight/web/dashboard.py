"""Today: what is new and urgent for an analyst.

The top networks (marked when new or when their score rose since the previous scoring),
watchlist alerts not yet acknowledged, welfare checks past their due date, and the records
most recently set aside at import or crawl, with where they came from and why.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import orjson
import pyarrow.parquet as pq
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from plainsight.lake.catalog import LOG_DIR
from plainsight.ops.users import User
from plainsight.web import workspace
from plainsight.web.auth import NoEnquiry, enquiry, require
from plainsight.web.templating import render
from plainsight.workspace import Workspace

ALERTS = 10
NETWORKS = 10
CHANGED = 50
"""New or risen networks are marked down to this rank (below the top ``NETWORKS`` too)."""
REJECTS = 15
RECENT_DAYS = 7
"""Without an earlier scoring to compare with, "new" means first seen in these many days."""
LOOK_BACK = 500
"""Lake versions searched for the previous scoring."""

TOP_NETWORKS_SQL = """
SELECT rank, network_id, score, personas, adverts, towns, movement, summary, first_seen,
    last_seen
FROM network_scores WHERE rank <= ? ORDER BY rank
"""

ADVERT_REJECTS_SQL = """
SELECT 'advert import' AS kind, file AS place, line, reason, rejected_at AS "at"
FROM rejects ORDER BY rejected_at DESC, file, line LIMIT ?
"""
CRIME_REJECTS_SQL = """
SELECT 'crime import' AS kind, r.file AS place, r.line, r.reason,
    (SELECT max(imported_at) FROM crime_imports) AS "at"
FROM crime_rejects r ORDER BY r.file, r.line LIMIT ?
"""
CRAWL_PROBLEMS_SQL = """
SELECT 'crawl: ' || kind AS kind, url AS place, NULL::BIGINT AS line,
    reason || CASE WHEN len(coalesce(missing, [])) > 0
        THEN ' (missing ' || array_to_string(missing, ', ') || ')' ELSE '' END AS reason,
    "at"
FROM crawl_problems ORDER BY "at" DESC, url LIMIT ?
"""
REJECT_COUNTS = {
    "rejects": "SELECT count(*) AS n FROM rejects",
    "crime_rejects": "SELECT count(*) AS n FROM crime_rejects",
    "crawl_problems": "SELECT count(*) AS n FROM crawl_problems",
}

router = APIRouter()


def _alerts(ws: Workspace) -> tuple[int, list[dict[str, Any]]]:
    from plainsight.act import watch

    with ws.ops.session() as session:
        found = watch.alerts(session)
        rows = [
            {
                "id": a.id,
                "raised_at": a.raised_at.isoformat(timespec="minutes"),
                "advert_id": a.advert_id,
                "matched": a.matched,
                "closeness": a.closeness,
                "watch": w.written or w.value,
                "kind": w.kind,
                "category": w.category,
            }
            for a, w in found[:ALERTS]
        ]
    return len(found), rows


def _overdue(ws: Workspace, today: date) -> list[dict[str, Any]]:
    from plainsight.act import checks

    with ws.ops.session() as session:
        return [
            {
                "id": c.id,
                "subject": c.subject_id,
                "kind": c.subject_kind,
                "officer": c.officer,
                "due": c.due.isoformat(),
                "days": (today - c.due).days,
            }
            for c in checks.history(session, open_only=True)
            if c.due < today
        ]


def previous_scores(lake_dir: Path, version: int, files: list[str]) -> tuple[int, dict[str, float]]:
    """The network scores of the newest lake version before ``version`` whose
    ``network_scores`` files differ from ``files`` (the current ones): (that version,
    network id to score). ``(0, {})`` when there is none, or its files are gone.
    """
    log = lake_dir / LOG_DIR
    for older in range(version - 1, max(version - LOOK_BACK, 0), -1):
        path = log / f"{older:012d}.json"
        try:
            raw = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            continue
        tables = raw.get("tables", {})
        if "network_scores" not in tables:
            return 0, {}  # scored for the first time since
        then = [str(f) for f in tables["network_scores"]]
        if then == files:
            continue
        scores: dict[str, float] = {}
        try:
            for rel in then:
                table = pq.read_table(lake_dir / rel, columns=["network_id", "score"])
                for row in table.to_pylist():
                    scores[str(row["network_id"])] = float(row["score"] or 0.0)
        except OSError:
            return 0, {}
        return older, scores
    return 0, {}


def _networks(ws: Workspace, now: datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The lake version, and the top networks each marked ``change``: "new", "rose" (with
    ``before``) or "" against the previous scoring (``lake["compared_with"]``); without one,
    "new" marks a network first seen in the last :data:`RECENT_DAYS` days."""
    snapshot = ws.lake.snapshot()
    lake: dict[str, Any] = {
        "version": snapshot.version,
        "committed_at": snapshot.committed_at,
        "compared_with": 0,
        "new": 0,
        "rose": 0,
    }
    if not snapshot.tables.get("network_scores"):
        return lake, []
    with ws.reading() as engine:
        if not engine.table_exists("network_scores"):
            return lake, []
        rows = engine.run(TOP_NETWORKS_SQL, [max(NETWORKS, CHANGED)]).to_pylist()
    since, before = previous_scores(
        ws.lake.dir, snapshot.version, snapshot.tables["network_scores"]
    )
    lake["compared_with"] = since
    recent = now - timedelta(days=RECENT_DAYS)
    for row in rows:
        row["change"], row["before"] = "", None
        if since:
            if row["network_id"] not in before:
                row["change"] = "new"
            elif row["score"] > before[row["network_id"]] + 1e-9:
                row["change"], row["before"] = "rose", before[row["network_id"]]
        elif row["first_seen"] is not None and row["first_seen"] >= recent:
            row["change"] = "new"
        if row["change"]:
            lake[row["change"]] += 1
    shown = [r for r in rows if r["rank"] <= NETWORKS or r["change"]]
    return lake, shown


def recent_rejects(ws: Workspace) -> tuple[int, list[dict[str, Any]]]:
    """Records set aside most recently, newest first: advert lines the importer refused
    (``rejects``), crime rows (``crime_rejects``, dated by their import) and pages a
    crawl could not take (``crawl_problems``). Returns (how many there are in all, the
    newest :data:`REJECTS`), each row ``kind``, ``place`` (file or URL), ``line``,
    ``reason`` and ``at``.
    """
    rows: list[dict[str, Any]] = []
    total = 0
    with ws.reading() as engine:
        for table, sql in (
            ("rejects", ADVERT_REJECTS_SQL),
            ("crime_rejects", CRIME_REJECTS_SQL),
            ("crawl_problems", CRAWL_PROBLEMS_SQL),
        ):
            if table == "crime_rejects" and not engine.table_exists("crime_imports"):
                continue
            if not engine.table_exists(table):
                continue
            total += int(engine.run(REJECT_COUNTS[table]).to_pylist()[0]["n"])
            rows.extend(engine.run(sql, [REJECTS]).to_pylist())
    oldest = datetime.min.replace(tzinfo=UTC)
    rows.sort(key=lambda r: r["at"] or oldest, reverse=True)
    for row in rows:
        at = row["at"]
        row["at"] = at.isoformat(timespec="minutes") if at is not None else ""
    return total, rows[:REJECTS]


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, user: Annotated[User, Depends(require())]) -> Response:
    """Networks new or risen, watchlist alerts, overdue welfare checks, records set aside.

    A viewer is sent to the statistics and an admin to the users: neither sees casework.
    """
    if user.role == "viewer":
        return RedirectResponse("/stats", status_code=303)
    if user.role == "admin":
        return RedirectResponse("/admin/users", status_code=303)
    if not enquiry(request):
        raise NoEnquiry(user, "/")
    ws = workspace(request)
    now = ws.clock()
    alert_count, alerts = _alerts(ws)
    lake, networks = _networks(ws, now)
    reject_count, rejects = recent_rejects(ws)
    return render(
        request,
        "dashboard.html.j2",
        user,
        alert_count=alert_count,
        alerts=alerts,
        networks=networks,
        overdue=_overdue(ws, now.date()),
        lake=lake,
        reject_count=reject_count,
        rejects=rejects,
        recent_days=RECENT_DAYS,
    )
