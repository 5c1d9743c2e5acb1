"""Roles, the line of enquiry, the admin pages and the supervisors' audit search."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from plainsight.cli import app as cli
from plainsight.ops.audit import verify
from plainsight.ops.models import AuditEvent
from plainsight.ops.users import ROLES, User, role_allows
from plainsight.web.app import create_app
from plainsight.web.auth import add_user
from plainsight.workspace import Workspace
from tests.web.conftest import PASSWORD, csrf, sign_in


@pytest.fixture
def app_for(workspace: Workspace):  # type: ignore[no-untyped-def]
    for role in ROLES:
        add_user(workspace, f"{role}-a", PASSWORD, role)

    def make() -> TestClient:
        return TestClient(
            create_app(workspace.home, secret="s" * 40, login_delay=0, workspace=workspace)
        )

    return make


def _events(ws: Workspace) -> list[AuditEvent]:
    with ws.ops.session() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_roles_allow_what_the_issue_says() -> None:
    casework = ("analyst", "investigator", "supervisor")
    assert [r for r in ROLES if role_allows(r, "viewer")] == ["viewer", *casework]
    assert [r for r in ROLES if role_allows(r, "analyst")] == list(casework)
    assert [r for r in ROLES if role_allows(r, "supervisor")] == ["supervisor"]
    assert [r for r in ROLES if role_allows(r, "admin")] == ["admin"]
    assert all(role_allows(r, None) for r in ROLES)
    assert not role_allows("root", None) and not role_allows("analyst", "root")


@pytest.mark.parametrize(
    ("role", "where"),
    [("viewer", "/stats"), ("admin", "/admin/users"), ("analyst", "/enquiry?next=%2F")],
)
def test_today_sends_each_role_where_it_belongs(app_for, role: str, where: str) -> None:  # type: ignore[no-untyped-def]
    client = sign_in(app_for(), f"{role}-a", enquiry=None)
    answer = client.get("/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == where


@pytest.mark.parametrize(
    "path", ["/search?q=07700900123", "/networks", "/map", "/alerts", "/audit"]
)
def test_admin_and_viewer_see_no_casework(app_for, path: str) -> None:  # type: ignore[no-untyped-def]
    for role in ("admin", "viewer"):
        client = sign_in(app_for(), f"{role}-a", enquiry=None)
        assert client.get(path).status_code == 403, (role, path)


def test_casework_asks_once_for_the_line_of_enquiry_and_logs_it(
    app_for,
    workspace: Workspace,  # type: ignore[no-untyped-def]
) -> None:
    client = sign_in(app_for(), "analyst-a", enquiry=None)
    asked = client.get("/search?q=Anna", follow_redirects=False)
    assert asked.status_code == 303
    assert asked.headers["location"] == "/enquiry?next=%2Fsearch%3Fq%3DAnna"
    form = client.get(asked.headers["location"])
    assert "Operation name or reference" in form.text
    too_short = client.post(
        "/enquiry", data={"reference": "x", "next": "/search?q=Anna", "csrf_token": csrf(form.text)}
    )
    assert too_short.status_code == 422 and "3 to 120 characters" in too_short.text
    named = client.post(
        "/enquiry",
        data={
            "reference": "  Op   Kestrel ",
            "next": "/search?q=Anna",
            "csrf_token": csrf(form.text),
        },
        follow_redirects=False,
    )
    assert named.status_code == 303 and named.headers["location"] == "/search?q=Anna"
    first = client.get("/search?q=Anna")
    second = client.get("/networks")
    assert first.status_code == second.status_code == 200
    assert "Op Kestrel" in second.text  # shown in the top bar
    events = _events(workspace)
    started = [e for e in events if e.action == "enquiry"]
    assert [orjson.loads(e.detail)["reference"] for e in started] == ["Op Kestrel"]
    after = events[events.index(started[0]) + 1 :]
    assert {e.action for e in after} >= {"search", "view"}
    assert all(e.justification == "Op Kestrel" for e in after)
    # Changing the line of enquiry changes the justification of what follows.
    client.post("/enquiry", data={"reference": "CRIMINT 24/0113", "csrf_token": csrf(second.text)})
    client.get("/alerts")
    last_view = [e for e in _events(workspace) if e.action == "view"][-1]
    assert (last_view.target, last_view.justification) == ("/alerts", "CRIMINT 24/0113")
    # The form offers the user's earlier ones again.
    again = client.get("/enquiry")
    assert '<option value="Op Kestrel">' in again.text
    # Ending it means the next casework page asks again; signing out forgets it too.
    client.post("/enquiry/end", data={"csrf_token": csrf(again.text)})
    assert (
        client.get("/networks", follow_redirects=False).headers["location"].startswith("/enquiry")
    )
    with workspace.ops.session() as session:
        assert verify(session).ok


def test_admin_manages_users_and_every_change_is_audited(
    app_for,
    workspace: Workspace,  # type: ignore[no-untyped-def]
) -> None:
    client = sign_in(app_for(), "admin-a", enquiry=None)
    page = client.get("/admin/users")
    assert page.status_code == 200 and "analyst-a" in page.text
    assert "password_hash" not in page.text and "$argon2" not in page.text
    token = csrf(page.text)
    short = client.post(
        "/admin/users",
        data={"name": "nia", "role": "analyst", "password": "short", "csrf_token": token},
    )
    assert short.status_code == 422 and "at least 12 characters" in short.text
    added = client.post(
        "/admin/users",
        data={
            "name": "nia",
            "role": "viewer",
            "password": "a new long passphrase",
            "csrf_token": token,
        },
    )
    assert added.status_code == 200 and "Added nia (viewer)." in added.text
    with workspace.ops.session() as session:
        nia = session.scalars(select(User).where(User.name == "nia")).one()
        nia_id, admin_id = (
            nia.id,
            session.scalars(select(User).where(User.name == "admin-a")).one().id,
        )
    assert (
        client.post(
            f"/admin/users/{nia_id}/role", data={"role": "wizard", "csrf_token": token}
        ).status_code
        == 422
    )
    client.post(f"/admin/users/{nia_id}/role", data={"role": "analyst", "csrf_token": token})
    own = client.post(
        f"/admin/users/{admin_id}/active", data={"active": "false", "csrf_token": token}
    )
    assert own.status_code == 422 and "your own account" in own.text
    # nia signs in as an analyst, then is deactivated and is signed out at the next request.
    nia_client = sign_in(app_for(), "nia", "a new long passphrase")
    assert nia_client.get("/networks").status_code == 200
    client.post(f"/admin/users/{nia_id}/active", data={"active": "false", "csrf_token": token})
    assert (
        nia_client.get("/networks", follow_redirects=False).headers["location"].startswith("/login")
    )
    client.post(f"/admin/users/{nia_id}/active", data={"active": "true", "csrf_token": token})
    client.post(
        f"/admin/users/{nia_id}/password",
        data={"password": "another long passphrase", "csrf_token": token},
    )
    sign_in(app_for(), "nia", "another long passphrase")
    changes = [
        (e.action, e.target, orjson.loads(e.detail))
        for e in _events(workspace)
        if e.action in ("add-user", "update-user")
    ]
    assert [(a, t) for a, t, _ in changes] == [("add-user", "user nia")] + [
        ("update-user", "user nia")
    ] * 4
    assert changes[1][2]["role"] == "analyst" and changes[1][2]["role_was"] == "viewer"
    assert changes[2][2]["active"] == "False" and changes[4][2]["password"] == "reset"
    assert all("another long" not in orjson.dumps(d).decode() for _, _, d in changes)
    # Forms without the CSRF token are refused.
    assert client.post("/admin/users", data={"name": "x"}).status_code == 403


def test_settings_page_shows_the_settings_and_masks_database_passwords(app_for) -> None:  # type: ignore[no-untyped-def]
    from plainsight.web.admin_pages import _masked

    client = sign_in(app_for(), "admin-a", enquiry=None)
    page = client.get("/admin/settings")
    assert page.status_code == 200
    assert "duckdb_memory_limit" in page.text and "5 failed sign-ins in 15 minutes" in page.text
    assert _masked("database_url", "postgresql://u:s3cret@db/ops") == "postgresql://***@db/ops"
    assert _masked("operator", "a@b") == "a@b"
    assert sign_in(app_for(), "supervisor-a").get("/admin/settings").status_code == 403


def test_supervisor_searches_the_audit_log_and_exports_it(
    app_for,
    workspace: Workspace,  # type: ignore[no-untyped-def]
) -> None:
    analyst = sign_in(app_for(), "analyst-a", enquiry="Op Heron")
    analyst.get("/search?q=07700 900 461")
    analyst.get("/search?q=Bella")
    supervisor = sign_in(app_for(), "supervisor-a", enquiry="Audit review 7")
    found = supervisor.get(
        "/audit", params={"actor": "analyst-a", "action": "search", "q": "bella"}
    )
    assert found.status_code == 200
    assert "1 matching event," in found.text and "Bella" in found.text
    assert "07700 900 461" not in found.text.split('id="audit-events"')[1]
    by_reason = supervisor.get("/audit", params={"justification": "heron"})
    assert by_reason.text.count("<td>Op Heron</td>") >= 3  # the two searches and the views
    bad = supervisor.get("/audit", params={"since": "last tuesday"})
    assert bad.status_code == 200 and "is not a date" in bad.text
    exported = supervisor.get("/audit.csv", params={"actor": "analyst-a", "action": "search"})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["target"] for r in rows] == ["Bella", "07700 900 461"]
    assert {r["justification"] for r in rows} == {"Op Heron"}
    mine = [e for e in _events(workspace) if e.actor == "supervisor-a"]
    assert [e.action for e in mine if e.target == "audit log"] == [
        "search",
        "search",
        "search",
        "export",
    ]
    assert all(e.justification == "Audit review 7" for e in mine if e.target == "audit log")


def test_audit_csv_cells_are_not_formulas(app_for, workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    analyst = sign_in(app_for(), "analyst-a")
    analyst.get("/search", params={"q": '=HYPERLINK("http://x")'})
    supervisor = sign_in(app_for(), "supervisor-a")
    rows = list(csv.DictReader(io.StringIO(supervisor.get("/audit.csv?action=search").text)))
    assert rows[0]["target"] == '\'=HYPERLINK("http://x")'


def test_cli_audit_search_and_user_alias(tmp_path: Path) -> None:
    runner = CliRunner()
    home = tmp_path / "home"
    secret = tmp_path / "pw"
    secret.write_text("a long enough passphrase\n")
    made = runner.invoke(
        cli,
        [
            "--home",
            str(home),
            "user",
            "add",
            "first-admin",
            "--role",
            "admin",
            "--password-file",
            str(secret),
        ],
    )
    assert made.exit_code == 0, made.output
    listed = runner.invoke(
        cli, ["--home", str(home), "audit", "search", "--action", "add-user"], terminal_width=200
    )
    assert listed.exit_code == 0, listed.output
    assert "1 matching events" in listed.output and "first-admin" in listed.output
    bad = runner.invoke(cli, ["--home", str(home), "audit", "search", "--since", "soon"])
    assert bad.exit_code == 2 and "not a date" in bad.output
