"""The analysts' web app: FastAPI over one workspace.

``create_app(home)`` opens the workspace, mounts ``/static`` (the app's own CSS and JS and
the vendored libraries: nothing is fetched from another host), adds sessions, the CSRF
check and the security headers, and includes the sign-in, dashboard and audit pages and
every module of :data:`PAGE_MODULES` that is present (each exposes ``router``).
"""

from __future__ import annotations

import importlib
import os
import secrets
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plainsight.settings import load_settings
from plainsight.web import audit, auth, dashboard, enquiry
from plainsight.web.templating import render
from plainsight.workspace import Workspace

STATIC = Path(__file__).parent / "static"
SECRET_FILE = "web-secret"
SESSION_COOKIE = "plainsight_session"
SESSION_HOURS = 10
PAGE_MODULES = (
    "pages",
    "network_pages",
    "stats_pages",
    "intel_pages",
    "disruption_pages",
    "threat_pages",
    "admin_pages",
    "api",
)
"""Modules of :mod:`plainsight.web` whose ``router`` the app includes, in this order."""

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        b"form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every response; pages are not cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k not in dict(SECURITY_HEADERS)
                ]
                headers.extend(SECURITY_HEADERS)
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)


def _secret(ws: Workspace) -> str:
    """``PLAINSIGHT_WEB_SECRET``, else one kept in the workspace (made on first use)."""
    given = os.environ.get("PLAINSIGHT_WEB_SECRET", "")
    if given:
        return given
    path = ws.home / SECRET_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    value = secrets.token_urlsafe(48)
    path.write_text(value + "\n", encoding="utf-8")
    path.chmod(0o600)
    return value


def create_app(
    home: Path,
    *,
    secret: str | None = None,
    https_only: bool = False,
    login_delay: float = 1.0,
    workspace: Workspace | None = None,
) -> FastAPI:
    """The web app over the workspace at ``home``.

    ``secret`` signs the session cookies (default: ``PLAINSIGHT_WEB_SECRET`` or a secret kept
    in the workspace); ``https_only`` marks the cookie ``Secure`` (set it behind HTTPS);
    ``login_delay`` is the pause in seconds after a failed sign-in. ``workspace`` may be
    given ready-opened (tests), else it is opened from ``home``.
    """
    ws = workspace or Workspace.open(load_settings(home))
    ws.share_reads()  # many short readers: bind each lake version once, use the serving copy
    app = FastAPI(title="plainsight", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.workspace = ws
    app.state.login_delay = login_delay
    app.add_middleware(auth.CSRFMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret or _secret(ws),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_HOURS * 3600,
        same_site="strict",
        https_only=https_only,
    )
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(auth.NotSignedIn)
    async def not_signed_in(request: Request, exc: auth.NotSignedIn) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(exc.path, safe='')}", status_code=303)

    @app.exception_handler(auth.NoEnquiry)
    async def no_enquiry(request: Request, exc: auth.NoEnquiry) -> Response:
        from urllib.parse import quote

        back = exc.path if request.method == "GET" else "/"
        target = f"/enquiry?next={quote(back, safe='')}"
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(auth.Forbidden)
    async def forbidden(request: Request, exc: auth.Forbidden) -> Response:
        audit.log(request, exc.user, "refused", request.url.path, needed=exc.needed or "")
        request.state.view_logged = True  # refused, not viewed
        return render(
            request, "forbidden.html.j2", exc.user, status_code=403, needed=exc.needed or ""
        )

    app.include_router(auth.router)
    app.include_router(dashboard.router)
    app.include_router(audit.router)
    app.include_router(enquiry.router)
    for name in PAGE_MODULES:
        try:
            module = importlib.import_module(f"plainsight.web.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"plainsight.web.{name}":
                raise
            continue
        app.include_router(module.router)
    return app
