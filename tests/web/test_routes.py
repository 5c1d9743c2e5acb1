"""Every route of the web app refuses a visitor who has not signed in."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from plainsight.web.app import create_app
from plainsight.workspace import Workspace

PUBLIC = {("GET", "/login"), ("POST", "/login"), ("POST", "/logout")}
"""Routes anyone may reach: signing in, and signing out (which needs no session)."""


def test_every_route_refuses_anonymous_visitors(workspace: Workspace) -> None:
    app = create_app(workspace.home, secret="s" * 40, login_delay=0, workspace=workspace)
    client = TestClient(app)
    checked = 0
    # Every route the app declares (its OpenAPI description lists them all, pages included).
    for route_path, operations in app.openapi()["paths"].items():
        path = re.sub(r"\{[^}]+\}", "x" * 64, route_path)
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
    assert checked >= 14  # the dashboard, pages, JSON, evidence, alerts, audit...
