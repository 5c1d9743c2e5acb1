"""Writing the web app's audit events, and the audit log page (admins only)."""

from __future__ import annotations

import threading
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
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


def _page(request: Request, user: User) -> Response:
    from plainsight.web.templating import render

    ws = workspace(request)
    with ws.ops.session() as session:
        check = chain.verify(session)
        events = list(
            session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(PAGE))
        )
        rows = [
            {
                "id": e.id,
                "at": e.at.isoformat(timespec="seconds"),
                "actor": e.actor,
                "channel": e.channel,
                "action": e.action,
                "target": e.target,
                "detail": _detail(e.detail),
                "justification": e.justification,
            }
            for e in events
        ]
    return render(request, "audit.html.j2", user, events=rows, check=check)


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
    request: Request, user: Annotated[User, Depends(require("supervisor"))]
) -> Response:
    """The most recent audit events, and whether the hash chain holds."""
    return _page(request, user)
