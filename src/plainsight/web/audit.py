"""Writing the web app's audit events, and searching the audit log (supervisors only)."""

from __future__ import annotations

import csv
import io
import threading
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from plainsight.ops import audit as chain
from plainsight.ops.models import AuditEvent
from plainsight.ops.users import User
from plainsight.web import workspace
from plainsight.web.auth import require

ANONYMOUS = "anonymous"
PAGE = 200
_CHAIN = threading.Lock()  # one append at a time, so two requests never fork the chain


def log(request: Request, user: User | None, action: str, target: str, **detail: Any) -> None:
    """Append one event (channel "web") naming the user and what they looked at or did.

    A page view is written once per request however often it is asked for, so a page may
    call ``log(..., "view", ...)`` itself and still render through ``render``. The line of
    enquiry the user named this session is the event's justification (DPA 2018 s62).
    """
    from plainsight.web.auth import enquiry

    if action == "view":
        if getattr(request.state, "view_logged", False):
            return
        request.state.view_logged = True
    ws = workspace(request)
    client = request.client.host if request.client else ""
    with _CHAIN, ws.ops.session() as session:
        chain.record(
            session,
            actor=user.name if user is not None else ANONYMOUS,
            action=action,
            target=target,
            detail={"role": user.role if user else "", "client": client, **detail},
            justification=enquiry(request) if user is not None else "",
            channel="web",
            clock=ws.clock,
        )


router = APIRouter()
Supervisor = Annotated[User, Depends(require("supervisor"))]


@dataclass(frozen=True)
class Filters:
    """The audit search asked for: as typed (to show again), as a query, and any problem."""

    form: dict[str, str]
    query: chain.AuditQuery
    problem: str

    @property
    def any(self) -> bool:
        return any(self.form.values())


def filters(
    actor: str = "",
    action: str = "",
    q: str = "",
    justification: str = "",
    since: str = "",
    until: str = "",
) -> Filters:
    """The audit search from the query string (a FastAPI dependency)."""
    problem = ""
    try:
        query = chain.AuditQuery.typed(actor, action, q, justification, since, until)
    except ValueError as exc:
        problem = str(exc)
        query = chain.AuditQuery.typed(actor, action, q, justification)
    form = {
        "actor": actor,
        "action": action,
        "q": q,
        "justification": justification,
        "since": since,
        "until": until,
    }
    return Filters(form, query, problem)


Searched = Annotated[Filters, Depends(filters)]


def _row(e: AuditEvent) -> dict[str, Any]:
    return {
        "id": e.id,
        "at": e.at.isoformat(timespec="seconds"),
        "actor": e.actor,
        "channel": e.channel,
        "action": e.action,
        "target": e.target,
        "detail": _detail(e.detail),
        "justification": e.justification,
    }


def _detail(raw: str) -> str:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw
    if not isinstance(data, dict):
        return raw
    return ", ".join(f"{k}: {v}" for k, v in data.items() if v not in ("", None))


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    user: Supervisor,
    asked: Searched,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Search the audit log (who, what, when, why), newest first, and whether the chain holds.

    Supervisors and no one else: the log records what every user looked at. The search is
    itself audited.
    """
    from plainsight.web.templating import render

    ws = workspace(request)
    with ws.ops.session() as session:
        check = chain.verify(session)
        total, events = chain.search(session, asked.query, limit=PAGE, offset=(page - 1) * PAGE)
        rows = [_row(e) for e in events]
        actions = sorted(set(session.scalars(select(AuditEvent.action).distinct())))
    if asked.any:
        audit_log_search(request, user, asked.query, total)
    return render(
        request,
        "audit.html.j2",
        user,
        events=rows,
        check=check,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE)),
        actions=actions,
        form=asked.form,
        problem=asked.problem,
        csv_query=str(request.url.include_query_params(page=1).query),
    )


def audit_log_search(request: Request, user: User, query: chain.AuditQuery, total: int) -> None:
    """Record a search of the audit log in the audit log."""
    log(
        request,
        user,
        "search",
        "audit log",
        for_actor=query.actor,
        for_action=query.action,
        text=query.text,
        justification=query.justification,
        since=query.since.isoformat() if query.since else "",
        until=query.until.isoformat() if query.until else "",
        results=total,
    )


CSV_LIMIT = 100_000
FIELDS = ["id", "at", "actor", "channel", "action", "target", "detail", "justification"]


@router.get("/audit.csv")
def audit_csv(request: Request, user: Supervisor, asked: Searched) -> Response:
    """The matching events as CSV (at most 100,000), an audited export."""
    if asked.problem:
        return Response(asked.problem, status_code=422, media_type="text/plain")
    with workspace(request).ops.session() as session:
        total, events = chain.search(session, asked.query, limit=CSV_LIMIT)
        rows = [_row(e) for e in events]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    log(request, user, "export", "audit log", format="csv", rows=len(rows), matched=total)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )


def _cell(value: object) -> object:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
