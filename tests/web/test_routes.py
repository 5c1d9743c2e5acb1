"""Every route of the web app refuses a visitor who has not signed in, and every role the
route does not allow."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from plainsight.ops.users import CASEWORK, ROLES, role_allows
from plainsight.web.app import create_app
from plainsight.web.auth import add_user
from plainsight.workspace import Workspace
from tests.web.conftest import PASSWORD, sign_in

PUBLIC = {("GET", "/login"), ("POST", "/login"), ("POST", "/logout")}
"""Routes anyone may reach: signing in, and signing out (which needs no session)."""


def _concrete(route_path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x" * 64, route_path)


def test_every_route_refuses_anonymous_visitors(workspace: Workspace) -> None:
    app = create_app(workspace.home, secret="s" * 40, login_delay=0, workspace=workspace)
    client = TestClient(app)
    checked = 0
    # Every route the app declares (its OpenAPI description lists them all, pages included).
    for route_path, operations in app.openapi()["paths"].items():
        path = _concrete(route_path)
        for method in sorted(m.upper() for m in operations):
            if (method, route_path) in PUBLIC:
                continue
            answer = client.request(method, path, follow_redirects=False)
            checked += 1
            refused = answer.status_code in (401, 403) or (
                answer.status_code == 303 and "/login" in answer.headers.get("location", "")
            )
            assert refused, f"{method} {route_path} answered {answer.status_code} anonymously"
            assert "x" * 64 not in answer.text, f"{method} {route_path} leaked its content"
    assert checked >= 40  # pages, JSON, evidence, registers, statistics, admin, the API...


def _needed(dependencies: list[Any]) -> Iterator[str | None]:
    """The roles named by ``require(...)`` among a route's dependencies (recursively)."""
    for dependant in dependencies:
        call: Callable[..., Any] | None = dependant.call
        if call is not None and hasattr(call, "needed"):
            yield call.needed
        yield from _needed(dependant.dependencies)


def test_every_route_refuses_the_roles_it_does_not_allow(workspace: Workspace) -> None:
    """Each route names the role it needs; every role that falls short gets the 403 page,
    not the content (a POST carries a valid CSRF token, so it is the role that refuses)."""
    for role in ROLES:
        add_user(workspace, f"{role}-r", PASSWORD, role)
    app = create_app(workspace.home, secret="s" * 40, login_delay=0, workspace=workspace)
    clients = {
        role: sign_in(
            TestClient(app), f"{role}-r", enquiry="Op Lantern" if role in CASEWORK else None
        )
        for role in ROLES
    }
    tokens = {role: client.cookies for role, client in clients.items()}
    assert tokens
    refused_pairs = 0
    for route in _api_routes(app.routes):
        needs = set(_needed(route.dependant.dependencies))
        for method in route.methods:
            if (method, route.path) in PUBLIC:
                continue
            assert needs, f"{method} {route.path} does not say which role it needs"
            needed = max(needs, key=lambda r: -1 if r is None else ROLES.index(r))
            for role, client in clients.items():
                if role_allows(role, needed):
                    continue
                headers = {"X-CSRF-Token": _csrf(client)} if method != "GET" else {}
                answer = client.request(
                    method, _concrete(route.path), headers=headers, follow_redirects=False
                )
                assert answer.status_code == 403, (role, method, route.path, answer.status_code)
                refusal = "casework needs" if route.path.startswith("/api/") else "Not allowed"
                assert refusal in answer.text, (role, method, route.path)
                refused_pairs += 1
    assert refused_pairs >= 100


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """Every API route, through the routers included in the app."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # FastAPI 0.165 wraps included routers
            yield from _api_routes(route.original_router.routes)


def _csrf(client: TestClient) -> str:
    page = client.get("/enquiry")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)
