"""Naming the line of enquiry: the justification every casework view is logged with.

DPA 2018 s62 wants each consultation of personal data logged with its justification. The app
asks for it once per line of enquiry (an operation name, a crime or intelligence reference),
not per page: the reference is kept in the signed session until the user changes or ends it,
or signs out, and :func:`plainsight.web.audit.log` writes it into every event.
"""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from plainsight.ops.models import AuditEvent
from plainsight.ops.users import CASEWORK, User
from plainsight.web import audit, workspace
from plainsight.web.auth import ENQUIRY, enquiry, require, safe_next
from plainsight.web.templating import render

MIN_REFERENCE = 3
MAX_REFERENCE = 120
RECENT = 8
"""How many of the user's earlier lines of enquiry are offered again."""

router = APIRouter()
SignedIn = Annotated[User, Depends(require())]


def recent_enquiries(request: Request, user: User) -> list[str]:
    """The user's latest distinct lines of enquiry, newest first (from the audit log)."""
    found: list[str] = []
    with workspace(request).ops.session() as session:
        rows = session.scalars(
            select(AuditEvent.detail)
            .where(AuditEvent.actor == user.name, AuditEvent.action == "enquiry")
            .order_by(AuditEvent.id.desc())
            .limit(200)
        )
        for raw in rows:
            try:
                value = orjson.loads(raw or "{}").get("reference", "")
            except (orjson.JSONDecodeError, AttributeError):
                continue
            if isinstance(value, str) and value and value not in found:
                found.append(value)
            if len(found) >= RECENT:
                break
    return found


def _form(request: Request, user: User, next_: str, error: str = "", status: int = 200) -> Response:
    return render(
        request,
        "enquiry.html.j2",
        user,
        status_code=status,
        next=safe_next(next_),
        current=enquiry(request),
        recent=recent_enquiries(request, user),
        error=error,
        casework=user.role in CASEWORK,
    )


@router.get("/enquiry", response_class=HTMLResponse)
def enquiry_page(request: Request, user: SignedIn, next: str = "/") -> Response:
    """Ask for the line of enquiry (operation name or reference) the next views serve."""
    return _form(request, user, next)


@router.post("/enquiry", response_class=HTMLResponse)
def start_enquiry(
    request: Request,
    user: SignedIn,
    reference: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Keep the reference in the session; every later event carries it as justification."""
    reference = " ".join(reference.split())
    if not MIN_REFERENCE <= len(reference) <= MAX_REFERENCE:
        return _form(
            request,
            user,
            next,
            error=(
                f"Give an operation name or reference of {MIN_REFERENCE} to {MAX_REFERENCE} "
                "characters: it is recorded with everything you look at."
            ),
            status=422,
        )
    request.session[ENQUIRY] = reference
    audit.log(request, user, "enquiry", "/enquiry", reference=reference)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/enquiry/end")
def end_enquiry(request: Request, user: SignedIn) -> Response:
    """Stop working on the current line of enquiry (the next casework page asks again)."""
    if enquiry(request):
        audit.log(request, user, "enquiry-ended", "/enquiry", reference=enquiry(request))
        request.session.pop(ENQUIRY, None)
    return RedirectResponse("/enquiry", status_code=303)
