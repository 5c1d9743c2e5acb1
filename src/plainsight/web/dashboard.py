"""The dashboard: what is new and urgent."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from plainsight.ops.users import User
from plainsight.web import workspace
from plainsight.web.auth import NoEnquiry, enquiry, require
from plainsight.web.templating import render
from plainsight.workspace import Workspace

ALERTS = 10
NETWORKS = 10

TOP_NETWORKS_SQL = """
SELECT rank, network_id, score, personas, adverts, towns, movement, summary, last_seen
FROM network_scores ORDER BY rank LIMIT ?
"""

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


def _lake(ws: Workspace) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    snapshot = ws.lake.snapshot()
    lake = {"version": snapshot.version, "committed_at": snapshot.committed_at}
    if "network_scores" not in snapshot.tables:
        return lake, []
    with ws.reading() as engine:
        if not engine.table_exists("network_scores"):
            return lake, []
        rows = engine.run(TOP_NETWORKS_SQL, [NETWORKS]).to_pylist()
    return lake, rows


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, user: Annotated[User, Depends(require())]) -> Response:
    """New watchlist alerts, the top networks, overdue welfare checks and the lake version.

    A viewer is sent to the statistics and an admin to the users: neither sees casework.
    """
    if user.role == "viewer":
        return RedirectResponse("/stats", status_code=303)
    if user.role == "admin":
        return RedirectResponse("/admin/users", status_code=303)
    if not enquiry(request):
        raise NoEnquiry(user, "/")
    ws = workspace(request)
    today = datetime.now(UTC).date()
    alert_count, alerts = _alerts(ws)
    lake, networks = _lake(ws)
    return render(
        request,
        "dashboard.html.j2",
        user,
        alert_count=alert_count,
        alerts=alerts,
        networks=networks,
        overdue=_overdue(ws, today),
        lake=lake,
    )
