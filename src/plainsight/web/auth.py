"""Signing in and out, roles, and the CSRF check every POST must pass.

Sessions are Starlette's signed cookies (``itsdangerous``): ``HttpOnly``, ``SameSite=Strict``
and, when served over HTTPS, ``Secure``. The session holds the user's id and a random CSRF
token; every form posts that token back as ``csrf_token`` (htmx sends it as the
``X-CSRF-Token`` header) and :class:`CSRFMiddleware` refuses any POST without it.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import parse_qs

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plainsight.errors import PlainsightError
from plainsight.ops import users as users_db
from plainsight.ops.models import AuditEvent
from plainsight.ops.users import CASEWORK, ROLES, User, role_allows
from plainsight.web import workspace
from plainsight.workspace import Workspace

__all__ = [
    "ROLES",
    "CSRFMiddleware",
    "Forbidden",
    "NoEnquiry",
    "NotSignedIn",
    "User",
    "add_user",
    "authenticate",
    "csrf_token",
    "current_user",
    "require",
    "router",
]

_HASHER = PasswordHasher()
_DUMMY: list[str] = []  # a hash to check against when no such user, so timing tells nothing
CSRF_FIELD = "csrf_token"
CSRF_HEADER = b"x-csrf-token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
MIN_PASSWORD = 12


class UserError(PlainsightError):
    """A user cannot be added as asked."""


class NotSignedIn(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised by :func:`require` when nobody is signed in (the app redirects to /login)."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


class Forbidden(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised by :func:`require` when the user's role does not allow the page (403)."""

    def __init__(self, user: User, needed: str | None) -> None:
        super().__init__(needed)
        self.user = user
        self.needed = needed


class NoEnquiry(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised by :func:`require` when casework is asked for before a line of enquiry is named
    (the app asks for one at ``/enquiry`` and comes back)."""

    def __init__(self, user: User, path: str) -> None:
        super().__init__(path)
        self.user = user
        self.path = path


ENQUIRY = "enquiry"
"""The session key holding the line of enquiry the user named (the audit's justification)."""


def enquiry(request: Request) -> str:
    """The line of enquiry named in this session ("" if none)."""
    value = request.session.get(ENQUIRY, "")
    return value if isinstance(value, str) else ""


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _HASHER.hash(password)


def add_user(ws: Workspace, name: str, password: str, role: str, *, by: str = "") -> User:
    """Add a user who may sign in with ``password``; the caller audits it.

    Raises:
        UserError: the name is taken or empty, the role unknown or the password too short.
    """
    name = name.strip()
    if not name:
        raise UserError("a user needs a name")
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password must be at least {MIN_PASSWORD} characters long")
    with ws.ops.session() as session:
        if users_db.by_name(session, name) is not None:
            raise UserError(f"there is already a user called {name!r}")
        user = User(
            name=name,
            role=role,
            password_hash=hash_password(password),
            active=True,
            created_at=ws.clock(),
            created_by=by or ws.settings.operator,
        )
        session.add(user)
        session.flush()
        session.expunge(user)
    return user


def _check(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(ws: Workspace, name: str, password: str) -> User | None:
    """The active user ``name`` if ``password`` is theirs, else None (same work either way)."""
    with ws.ops.session() as session:
        user = users_db.by_name(session, name.strip())
        if user is not None:
            session.expunge(user)
    if user is None or not user.active:
        if not _DUMMY:
            _DUMMY.append(hash_password(secrets.token_urlsafe(16)))
        _check(_DUMMY[0], password)
        return None
    return user if _check(user.password_hash, password) else None


LOCKOUT_AFTER = 5
"""Failed sign-ins for one name, within :data:`LOCKOUT_MINUTES`, that lock it out."""
LOCKOUT_MINUTES = 15
"""How long the failures are counted, and how long the lock-out lasts after the fifth."""
RECENT_FAILURES = 2000
"""Failed sign-ins (of any name) read back to count one name's."""


def locked_until(ws: Workspace, name: str, *, now: datetime | None = None) -> datetime | None:
    """When ``name`` may try again, if it is locked out now; else None.

    Counted from the audit log's ``login-failed`` events for that name (whether or not such a
    user exists, so the answer says nothing about who has an account). The correct password
    does not get through a lock-out.
    """
    now = _utc(now or ws.clock())  # the audit log's own clock
    since = now - timedelta(minutes=LOCKOUT_MINUTES)
    with ws.ops.session() as session:
        recent = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "login-failed")
            .order_by(AuditEvent.id.desc())
            .limit(RECENT_FAILURES)
        ).all()
        times = sorted(
            at for at in (_utc(e.at) for e in recent if _name_of(e) == name) if at >= since
        )
    if len(times) < LOCKOUT_AFTER:
        return None
    until = times[-LOCKOUT_AFTER] + timedelta(minutes=LOCKOUT_MINUTES)
    return until if until > now else None


def _utc(at: datetime) -> datetime:
    """A stored time in UTC (SQLite gives it back without its zone)."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _name_of(event: AuditEvent) -> object:
    try:
        return json.loads(event.detail or "{}").get("name")
    except ValueError:
        return None


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def current_user(request: Request) -> User | None:
    """The signed-in, still active user, or None."""
    if hasattr(request.state, "user"):
        cached: User | None = request.state.user
        return cached
    user: User | None = None
    uid = request.session.get("uid")
    if isinstance(uid, int):
        with workspace(request).ops.session() as session:
            found = session.get(User, uid)
            if found is not None and found.active:
                session.expunge(found)
                user = found
    if user is None and uid is not None:
        request.session.pop("uid", None)
    request.state.user = user
    return user


def require(role: str | None = None) -> Callable[[Request], User]:
    """A FastAPI dependency: the signed-in user whose role allows ``role`` (None: any).

    Nobody signed in: :class:`NotSignedIn` (redirect to /login); role too low:
    :class:`Forbidden` (403 page); casework (analyst and up) with no line of enquiry named
    in this session: :class:`NoEnquiry` (the app asks for one, once, then comes back).
    """
    if role is not None and role not in ROLES:
        raise ValueError(f"unknown role {role!r}")

    def dependency(request: Request) -> User:
        user = current_user(request)
        if user is None:
            path = request.url.path
            if request.url.query:
                path += "?" + request.url.query
            raise NotSignedIn(path)
        if not role_allows(user.role, role):
            raise Forbidden(user, role)
        if role in CASEWORK and not enquiry(request):
            path = request.url.path
            if request.url.query:
                path += "?" + request.url.query
            raise NoEnquiry(user, path)
        return user

    dependency.needed = role  # type: ignore[attr-defined]  # read by the route tests
    return dependency


def safe_next(target: str) -> str:
    """``target`` if it is a path on this site, else ``/`` (no open redirects)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


class CSRFMiddleware:
    """Refuses (403) any POST, PUT, PATCH or DELETE without the session's CSRF token.

    The token comes in the ``X-CSRF-Token`` header or as the ``csrf_token`` form field;
    the body is read here and replayed to the app. Sits inside the session middleware.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return
        session = scope.get("session") or {}
        expected = session.get("csrf")
        headers = dict(scope["headers"])
        given = headers.get(CSRF_HEADER, b"").decode("latin-1")
        messages: list[Message] = []
        if not given:
            body = b""
            while True:
                message = await receive()
                messages.append(message)
                if message["type"] != "http.request":
                    break
                body += message.get("body", b"")
                if not message.get("more_body", False):
                    break
            given = await _form_token(scope, headers, body)
        if (
            not isinstance(expected, str)
            or not expected
            or not hmac.compare_digest(given.encode(), expected.encode())
        ):
            response = HTMLResponse(
                "<!doctype html><title>Refused</title><h1>Refused</h1><p>The form had expired "
                "or did not come from this site. Go back, reload the page and try again.</p>",
                status_code=403,
            )
            await response(scope, receive, send)
            return
        if not messages:
            await self.app(scope, receive, send)
            return

        async def replay() -> Message:
            if messages:
                return messages.pop(0)
            return await receive()

        await self.app(scope, replay, send)


async def _form_token(scope: Scope, headers: dict[bytes, bytes], body: bytes) -> str:
    kind = headers.get(b"content-type", b"").decode("latin-1").lower()
    if kind.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("utf-8", "replace")).get(CSRF_FIELD, [""])
        return values[0]
    if kind.startswith("multipart/form-data"):
        sent = False

        async def once() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        request = Request(scope, once)
        form = await request.form()
        value = form.get(CSRF_FIELD)
        await form.close()
        return value if isinstance(value, str) else ""
    return ""


router = APIRouter()


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> Response:
    """The sign-in form."""
    from plainsight.web.templating import render

    if current_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html.j2", None, next=safe_next(next), error="")


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password; on success start a fresh session, else wait and say no."""
    from plainsight.web import audit
    from plainsight.web.templating import render

    ws = workspace(request)
    until = await run_in_threadpool(locked_until, ws, name[:200])
    if until is not None:
        audit.log(request, None, "login-locked", "/login", name=name[:200])
        return render(
            request,
            "login.html.j2",
            None,
            status_code=429,
            next=safe_next(next),
            error=(
                f"Too many failed sign-ins for this name: try again after {until:%H:%M} UTC, "
                "or ask an administrator."
            ),
        )
    user = await run_in_threadpool(authenticate, ws, name, password)
    if user is None:
        audit.log(request, None, "login-failed", "/login", name=name[:200])
        delay: float = getattr(request.app.state, "login_delay", 1.0)
        if delay > 0:
            await asyncio.sleep(delay)
        return render(
            request,
            "login.html.j2",
            None,
            status_code=401,
            next=safe_next(next),
            error="Wrong name or password.",
        )
    request.session.clear()
    request.session["uid"] = user.id
    request.session["csrf"] = secrets.token_urlsafe(32)
    request.state.user = user
    audit.log(request, user, "login", "/login")
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    """End the session."""
    from plainsight.web import audit

    user = current_user(request)
    if user is not None:
        audit.log(request, user, "logout", "/logout")
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
