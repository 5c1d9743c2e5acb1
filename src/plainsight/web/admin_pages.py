"""Administration: the users of the web app, their roles, and the settings in force.

Admin is a role apart: it manages who may sign in and with what role, and sees the settings,
but sees no casework (no adverts, personas, networks nor the audit log's record of them).
Every change is written to the audit log. Nobody may change their own role or deactivate
themselves, so the last admin cannot lock everyone out by mistake.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from plainsight.ops import users as users_db
from plainsight.ops.users import ROLES, User
from plainsight.settings import Settings
from plainsight.web import app as web_app
from plainsight.web import audit, auth, workspace
from plainsight.web.auth import require
from plainsight.web.templating import render

router = APIRouter(prefix="/admin")
Admin = Annotated[User, Depends(require("admin"))]

ROLE_MEANING = {
    "viewer": "the crime statistics and the committee report only",
    "analyst": "search, adverts, personas, networks, the map, alerts; raises intelligence",
    "investigator": "as analyst, and grades intelligence and claims disruptions",
    "supervisor": "as investigator, and approves Major disruptions and searches the audit log",
    "admin": "users, roles and settings; no casework",
}


def _users(request: Request) -> list[dict[str, Any]]:
    with workspace(request).ops.session() as session:
        return [
            {
                "id": u.id,
                "name": u.name,
                "role": u.role,
                "active": u.active,
                "created_at": u.created_at.date().isoformat(),
                "created_by": u.created_by,
            }
            for u in users_db.all_users(session)
        ]


def _page(
    request: Request, user: User, *, error: str = "", done: str = "", status: int = 200
) -> Response:
    return render(
        request,
        "admin_users.html.j2",
        user,
        status_code=status,
        users=_users(request),
        roles=ROLES,
        meaning=ROLE_MEANING,
        error=error,
        done=done,
        min_password=auth.MIN_PASSWORD,
    )


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, user: Admin) -> Response:
    """Everyone who may sign in, their roles, and forms to add and change them."""
    return _page(request, user)


@router.post("/users", response_class=HTMLResponse)
def add_user(
    request: Request,
    user: Admin,
    name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    """Add a user; a bad name, role or password is said on the form (422)."""
    try:
        added = auth.add_user(workspace(request), name, password, role, by=user.name)
    except auth.UserError as exc:
        return _page(request, user, error=str(exc), status=422)
    audit.log(request, user, "add-user", f"user {added.name}", role=added.role)
    return _page(request, user, done=f"Added {added.name} ({added.role}).")


def _change(request: Request, admin: User, user_id: int, **changes: Any) -> str:
    """Apply ``changes`` to one user (not oneself); the message to show, or raise UserError."""
    with workspace(request).ops.session() as session:
        target = session.get(User, user_id)
        if target is None:
            raise auth.UserError("no such user")
        if target.id == admin.id:
            raise auth.UserError("you cannot change your own account here: ask another admin")
        before = {k: getattr(target, k) for k in changes if k != "password_hash"}
        for key, value in changes.items():
            setattr(target, key, value)
        name = target.name
    shown = {k: v for k, v in changes.items() if k != "password_hash"}
    audit.log(
        request,
        admin,
        "update-user",
        f"user {name}",
        **{f"{k}_was": str(v) for k, v in before.items()},
        **{k: str(v) for k, v in shown.items()},
        **({"password": "reset"} if "password_hash" in changes else {}),
    )
    return name


@router.post("/users/{user_id}/role", response_class=HTMLResponse)
def change_role(
    request: Request, user: Admin, user_id: int, role: Annotated[str, Form()] = ""
) -> Response:
    """Give a user another role."""
    if role not in ROLES:
        return _page(request, user, error=f"unknown role {role!r}", status=422)
    try:
        name = _change(request, user, user_id, role=role)
    except auth.UserError as exc:
        return _page(request, user, error=str(exc), status=422)
    return _page(request, user, done=f"{name} is now {role}.")


@router.post("/users/{user_id}/active", response_class=HTMLResponse)
def set_active(
    request: Request, user: Admin, user_id: int, active: Annotated[bool, Form()] = False
) -> Response:
    """Deactivate a user (they are signed out at their next request) or reactivate them."""
    try:
        name = _change(request, user, user_id, active=active)
    except auth.UserError as exc:
        return _page(request, user, error=str(exc), status=422)
    return _page(request, user, done=f"{name} is {'active' if active else 'deactivated'}.")


@router.post("/users/{user_id}/password", response_class=HTMLResponse)
def reset_password(
    request: Request, user: Admin, user_id: int, password: Annotated[str, Form()] = ""
) -> Response:
    """Set a new password for a user (tell them it out of band)."""
    if len(password) < auth.MIN_PASSWORD:
        return _page(
            request,
            user,
            error=f"the password must be at least {auth.MIN_PASSWORD} characters long",
            status=422,
        )
    try:
        name = _change(request, user, user_id, password_hash=auth.hash_password(password))
    except auth.UserError as exc:
        return _page(request, user, error=str(exc), status=422)
    return _page(request, user, done=f"New password set for {name}.")


def _masked(name: str, value: object) -> str:
    text = "" if value is None else str(value)
    if name == "database_url" and "@" in text:  # user:password@host
        scheme, _, rest = text.partition("://")
        return f"{scheme}://***@{rest.rpartition('@')[2]}"
    return text


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, user: Admin) -> Response:
    """The workspace's settings in force and the web app's own fixed limits (read only:
    settings are changed in ``plainsight.toml`` or the environment, see docs/settings.md)."""
    ws = workspace(request)
    rows = [
        {
            "name": name,
            "value": _masked(name, getattr(ws.settings, name)),
            "meaning": info.description or "",
        }
        for name, info in Settings.model_fields.items()
    ]
    web = [
        ("Session length", f"{web_app.SESSION_HOURS} hours"),
        ("Lock-out", f"{auth.LOCKOUT_AFTER} failed sign-ins in {auth.LOCKOUT_MINUTES} minutes"),
        ("Shortest password", f"{auth.MIN_PASSWORD} characters"),
        ("Content-Security-Policy", dict(web_app.SECURITY_HEADERS)[b"content-security-policy"]),
    ]
    return render(
        request,
        "admin_settings.html.j2",
        user,
        settings=rows,
        web=[(k, v.decode() if isinstance(v, bytes) else v) for k, v in web],
    )


@router.get("")
def admin_home(request: Request, user: Admin) -> Response:
    """The users page."""
    return RedirectResponse("/admin/users", status_code=303)
