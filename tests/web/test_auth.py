"""Signing in and out, CSRF, roles, audited views and the security headers."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from plainsight.ops.audit import verify
from plainsight.ops.models import AuditEvent
from plainsight.ops.users import CASEWORK, ROLES
from plainsight.web.app import create_app
from plainsight.web.auth import UserError, add_user, authenticate
from plainsight.workspace import Workspace

PASSWORD = "a long enough passphrase"


def token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


@pytest.fixture
def client(workspace: Workspace) -> TestClient:
    for role in ROLES:
        add_user(workspace, role, PASSWORD, role)
    app = create_app(workspace.home, secret="s" * 40, login_delay=0, workspace=workspace)
    return TestClient(app)


def sign_in(client: TestClient, name: str, password: str = PASSWORD, next_: str = "/") -> str:
    """Sign in (a casework role then names the line of enquiry); where the login sent us."""
    page = client.get("/login")
    done = client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": token(page.text), "next": next_},
        follow_redirects=False,
    )
    if done.status_code == 303 and name in CASEWORK:
        form = client.get("/enquiry")
        client.post("/enquiry", data={"reference": "Op Lantern", "csrf_token": token(form.text)})
    return str(done.headers.get("location", done.status_code))


def events(workspace: Workspace) -> list[AuditEvent]:
    with workspace.ops.session() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_not_signed_in_goes_to_login(client: TestClient) -> None:
    page = client.get("/audit", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Faudit"


def test_login_and_logout(client: TestClient, workspace: Workspace) -> None:
    assert sign_in(client, "analyst") == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "analyst" in home.text and "Sign out" in home.text
    cookie = home.headers.get("set-cookie") or ""
    out = client.post("/logout", data={"csrf_token": token(home.text)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303
    actions = [(e.actor, e.action, e.channel) for e in events(workspace)]
    assert ("analyst", "login", "web") in actions
    assert ("analyst", "logout", "web") in actions
    assert "samesite=strict" in cookie.lower() or cookie == ""


def test_session_cookie_flags(workspace: Workspace) -> None:
    add_user(workspace, "alice", PASSWORD, "analyst")
    app = create_app(
        workspace.home, secret="s" * 40, login_delay=0, workspace=workspace, https_only=True
    )
    client = TestClient(app, base_url="https://testserver")
    page = client.get("/login")
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie


def test_next_is_kept_and_only_local(client: TestClient) -> None:
    assert sign_in(client, "supervisor", next_="/audit") == "/audit"
    client.post("/logout", data={"csrf_token": token(client.get("/").text)})
    assert sign_in(client, "supervisor", next_="//evil.example/") == "/"


def test_wrong_password_refused_without_saying_which(
    client: TestClient, workspace: Workspace
) -> None:
    page = client.get("/login")
    wrong = client.post(
        "/login", data={"name": "analyst", "password": "nope", "csrf_token": token(page.text)}
    )
    nobody = client.post(
        "/login", data={"name": "nobody", "password": "nope", "csrf_token": token(page.text)}
    )
    assert wrong.status_code == nobody.status_code == 401
    assert "Wrong name or password." in wrong.text and "Wrong name or password." in nobody.text
    assert client.get("/", follow_redirects=False).status_code == 303
    failed = [e for e in events(workspace) if e.action == "login-failed"]
    assert [orjson.loads(e.detail)["name"] for e in failed] == ["analyst", "nobody"]
    assert all(e.actor == "anonymous" and e.channel == "web" for e in failed)


def test_failed_login_is_slowed(workspace: Workspace) -> None:
    import time

    app = create_app(workspace.home, secret="s" * 40, login_delay=0.3, workspace=workspace)
    client = TestClient(app)
    page = client.get("/login")
    started = time.monotonic()
    client.post("/login", data={"name": "x", "password": "y", "csrf_token": token(page.text)})
    assert time.monotonic() - started >= 0.3


def test_csrf_refused(client: TestClient, workspace: Workspace) -> None:
    client.get("/login")
    missing = client.post("/login", data={"name": "analyst", "password": PASSWORD})
    forged = client.post(
        "/login", data={"name": "analyst", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert missing.status_code == forged.status_code == 403
    assert not [e for e in events(workspace) if e.action == "login"]
    sign_in(client, "analyst")
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200


def test_csrf_header_and_multipart_accepted(client: TestClient) -> None:
    sign_in(client, "analyst")
    csrf = token(client.get("/").text)
    by_header = client.post("/logout", headers={"X-CSRF-Token": csrf}, follow_redirects=False)
    assert by_header.status_code == 303
    csrf = token(client.get("/login").text)
    multipart = client.post(
        "/login",
        data={"name": "analyst", "password": PASSWORD, "csrf_token": csrf},
        files={"ignored": ("a.txt", b"x")},
        follow_redirects=False,
    )
    assert multipart.status_code == 303


@pytest.mark.parametrize("role", ["viewer", "analyst", "investigator", "admin"])
def test_role_refused(client: TestClient, workspace: Workspace, role: str) -> None:
    sign_in(client, role)
    refused = client.get("/audit")
    assert refused.status_code == 403
    assert "Not allowed" in refused.text
    assert 'href="/audit"' not in refused.text  # the nav bar hides it too
    last = events(workspace)[-1]
    assert (last.actor, last.action, last.target) == (role, "refused", "/audit")


def test_supervisor_sees_the_audit_log_with_its_chain_check(
    client: TestClient, workspace: Workspace
) -> None:
    sign_in(client, "supervisor")
    page = client.get("/audit")
    assert page.status_code == 200
    assert "Chain intact" in page.text
    assert 'href="/audit"' in page.text


def test_views_are_audited_once(client: TestClient, workspace: Workspace) -> None:
    sign_in(client, "analyst")
    before = len(events(workspace))
    client.get("/?x=1")
    views = [e for e in events(workspace)[before:] if e.action == "view"]
    assert [(e.actor, e.channel, e.target) for e in views] == [("analyst", "web", "/")]
    assert orjson.loads(views[0].detail)["query"] == "x=1"
    assert views[0].justification == "Op Lantern"
    with workspace.ops.session() as session:
        assert verify(session).ok


def test_security_headers(client: TestClient) -> None:
    for path in ("/login", "/static/app.css"):
        headers = client.get(path).headers
        assert headers["content-security-policy"].startswith("default-src 'self'")
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"


def test_no_inline_scripts_nor_off_site_references(client: TestClient) -> None:
    sign_in(client, "supervisor")
    for path in ("/login", "/", "/audit"):
        html = client.get(path).text
        assert "<script>" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)
        assert not re.search(r'(src|href)="(https?:)?//', html)


def test_static_vendored_js_served(client: TestClient) -> None:
    for path in (
        "/static/vendor/htmx-2.0.11.min.js",
        "/static/vendor/cytoscape-3.35.0.min.js",
        "/static/vendor/leaflet/leaflet.js",
        "/static/app.js",
    ):
        got = client.get(path)
        assert got.status_code == 200, path
        assert "javascript" in got.headers["content-type"]


def test_add_user_checks(workspace: Workspace) -> None:
    add_user(workspace, "bob", PASSWORD, "investigator")
    with pytest.raises(UserError, match="already"):
        add_user(workspace, "bob", PASSWORD, "analyst")
    with pytest.raises(UserError, match="role"):
        add_user(workspace, "carol", PASSWORD, "chief")
    with pytest.raises(UserError, match="12 characters"):
        add_user(workspace, "carol", "short", "analyst")
    user = authenticate(workspace, "bob", PASSWORD)
    assert user is not None and user.role == "investigator"
    assert user.password_hash.startswith("$argon2")
    assert authenticate(workspace, "bob", "wrong") is None
    assert authenticate(workspace, "nobody", PASSWORD) is None


def test_secret_kept_in_the_workspace(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PLAINSIGHT_WEB_SECRET", raising=False)
    create_app(workspace.home, workspace=workspace)
    kept = Path(workspace.home / "web-secret")
    assert kept.exists() and kept.stat().st_mode & 0o077 == 0


def test_users_cli(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from plainsight.cli import app as cli

    home = tmp_path / "home"
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    runner = CliRunner()
    base = ["--home", str(home), "--operator", "admin-one", "users"]
    added = runner.invoke(
        cli, [*base, "add", "dora", "--role", "supervisor", "--password-file", str(secret)]
    )
    assert added.exit_code == 0, added.output
    assert "Added dora (supervisor)" in added.output
    prompted = runner.invoke(
        cli, [*base, "add", "eve", "--role", "analyst"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert prompted.exit_code == 0, prompted.output
    bad = runner.invoke(
        cli, [*base, "add", "fay", "--role", "chief", "--password-file", str(secret)]
    )
    assert bad.exit_code == 2
    listed = runner.invoke(cli, [*base, "list"])
    assert listed.exit_code == 0
    assert "dora" in listed.output and "supervisor" in listed.output and "eve" in listed.output
    assert "argon2" not in listed.output
    from plainsight.settings import load_settings

    ws = Workspace.open(load_settings(home))
    assert authenticate(ws, "dora", PASSWORD) is not None
    with ws.ops.session() as session:
        added_events = list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == "add-user"))
        )
    assert [(e.actor, e.target) for e in added_events] == [
        ("admin-one", "user dora"),
        ("admin-one", "user eve"),
    ]


def test_concurrent_views_keep_the_chain_whole(client: TestClient, workspace: Workspace) -> None:
    from concurrent.futures import ThreadPoolExecutor

    sign_in(client, "analyst")
    before = len(events(workspace))
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda n: client.get(f"/?n={n}").status_code, range(24)))
    assert codes == [200] * 24
    with workspace.ops.session() as session:
        assert verify(session).ok
    assert len([e for e in events(workspace)[before:] if e.action == "view"]) == 24


def test_migration_matches_the_user_model(workspace: Workspace) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from plainsight.ops.models import Base
    from plainsight.ops.users import User

    with workspace.ops.engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert [d for d in diffs if User.__tablename__ in repr(d)] == []


def test_five_failed_sign_ins_lock_the_name_out_even_with_the_right_password(
    client: TestClient, workspace: Workspace
) -> None:
    for _ in range(5):
        assert sign_in(client, "analyst", "not the password!") == "401"
    assert sign_in(client, "analyst") == "429"  # the right password, but locked out
    page = client.get("/login")
    refused = client.post(
        "/login",
        data={"name": "analyst", "password": PASSWORD, "csrf_token": token(page.text)},
    )
    assert "Too many failed sign-ins for this name" in refused.text
    assert sign_in(client, "investigator") == "/"  # another name is not affected
    for _ in range(5):
        sign_in(client, "nobody-at-all", "guess number n")
    assert sign_in(client, "nobody-at-all", "guess") == "429"  # unknown names alike
    assert [e.action for e in events(workspace)].count("login-locked") == 3
