"""Rendering Jinja2 templates with the layout's context: user, nav bar and CSRF token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from plainsight.ops.users import User, role_allows

TEMPLATES = Path(__file__).parent / "templates"

NAV: tuple[tuple[str, str, str | None], ...] = (
    ("Today", "/", "analyst"),
    ("Search", "/search", "analyst"),
    ("Networks", "/networks", "analyst"),
    ("Map", "/map", "analyst"),
    ("Alerts", "/alerts", "analyst"),
    ("Checks", "/checks", "analyst"),
    ("Intelligence", "/intel", "analyst"),
    ("Disruptions", "/disruptions", "analyst"),
    ("Threat profile", "/threat", "analyst"),
    ("Statistics", "/stats", "viewer"),
    ("Audit log", "/audit", "supervisor"),
    ("Users", "/admin/users", "admin"),
    ("Settings", "/admin/settings", "admin"),
)
"""The nav bar: label, path and the role needed to see the link (None: everyone)."""

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "j2", "html.j2"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(
    request: Request,
    template: str,
    user: User | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` into the layout; a GET by a signed-in user is audited as a view.

    Every template gets ``request``, ``user``, ``csrf_token``, ``enquiry`` (the line of
    enquiry named this session), ``nav`` (the links the user may follow) and ``path``,
    besides ``context``.
    """
    from plainsight.web import audit
    from plainsight.web.auth import csrf_token, enquiry

    if user is not None and request.method == "GET":
        query = request.url.query
        audit.log(request, user, "view", request.url.path, **({"query": query} if query else {}))
    nav = [
        {"label": label, "href": href, "current": _current(request.url.path, href)}
        for label, href, needed in NAV
        if user is not None and role_allows(user.role, needed)
    ]
    body = env.get_template(template).render(
        request=request,
        user=user,
        csrf_token=csrf_token(request),
        enquiry=enquiry(request) if user is not None else "",
        nav=nav,
        path=request.url.path,
        **context,
    )
    return HTMLResponse(body, status_code=status_code)


def _current(path: str, href: str) -> bool:
    return path == href if href == "/" else path == href or path.startswith(href + "/")
