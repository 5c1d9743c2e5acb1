"""The JSON API over a linked synthetic world: each call, who may make it, and its spec.

The spec is checked by schemathesis: generated calls against the app in process (ASGI),
signed in as an analyst, must never fail with a 5xx and must answer as the spec says.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from plainsight.ops.models import AuditEvent
from plainsight.ops.watch import Alert, Watch
from plainsight.settings import load_settings
from plainsight.web import api
from plainsight.web.app import create_app
from plainsight.web.auth import add_user
from plainsight.workspace import Workspace
from tests.web.conftest import PASSWORD, Linked, csrf, sign_in

SECRET = "api-test-secret-not-for-use"


@pytest.fixture(scope="module")
def ws(linked: Linked, users: dict[str, str]) -> Workspace:
    return Workspace.open(load_settings(linked.home))


@pytest.fixture(scope="module")
def app(ws: Workspace) -> FastAPI:
    return create_app(ws.home, secret=SECRET, login_delay=0.0, workspace=ws)


@pytest.fixture(scope="module")
def analyst(app: FastAPI, users: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield sign_in(client, users["analyst"])


def _lake(ws: Workspace, sql: str) -> list[dict[str, Any]]:
    with ws.reading() as engine:
        return list(engine.run(sql).to_pylist())


def _audit(ws: Workspace, since: int) -> list[AuditEvent]:
    with ws.ops.session() as session:
        events = list(
            session.scalars(select(AuditEvent).where(AuditEvent.id > since).order_by(AuditEvent.id))
        )
        for event in events:
            session.expunge(event)
    return events


def _last_audit_id(ws: Workspace) -> int:
    with ws.ops.session() as session:
        found = session.scalars(select(AuditEvent.id).order_by(AuditEvent.id.desc())).first()
    return int(found or 0)


# -- what each call gives -----------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["{spaced}", "{digits}", "+44 {national}", "{oh}", "({first5}) {rest}"],
)
def test_search_by_phone_in_any_writing_finds_the_adverts_carrying_it(
    analyst: TestClient, linked: Linked, ws: Workspace, written: str
) -> None:
    digits = linked.phone.replace(" ", "")
    query = written.format(
        spaced=linked.phone,
        digits=digits,
        national=digits[1:],
        oh=linked.phone.replace("0", "O"),  # letter O for zero, as adverts write it
        first5=digits[:5],
        rest=digits[5:],
    )
    since = _last_audit_id(ws)
    found = analyst.get("/api/v1/search", params={"q": query})
    assert found.status_code == 200, found.text
    body = found.json()
    adverts = [r for r in body["results"] if r["kind"] == "advert"]
    assert adverts and all(r["why"] == f"phone +44{digits[1:]}" for r in adverts)
    labelled = {r["label"].split(" ", 1)[1] for r in adverts}
    assert linked.ad_ids <= labelled, (linked.ad_ids, labelled)
    assert body["count"] == len(body["results"])
    searches = [e for e in _audit(ws, since) if e.action == "search"]
    assert [e.target for e in searches] == [query.strip()]
    assert searches[0].justification == "Op Lantern"


def test_search_by_name_and_by_id(analyst: TestClient, ws: Workspace) -> None:
    name = _lake(
        ws, "SELECT value FROM facts WHERE kind = 'name' GROUP BY value ORDER BY count(*) LIMIT 1"
    )[0]["value"]
    found = analyst.get("/api/v1/search", params={"q": name.upper()}).json()["results"]
    expected = {
        r["advert_id"]
        for r in _lake(ws, "SELECT advert_id, value FROM facts WHERE kind = 'name'")
        if r["value"].lower() == name.lower()
    }
    assert {r["id"] for r in found if r["why"].startswith("name ")} >= expected
    advert = _lake(ws, "SELECT advert_id, ad_id FROM adverts ORDER BY advert_id LIMIT 1")[0]
    for q in (advert["advert_id"], advert["ad_id"]):
        by_id = analyst.get("/api/v1/search", params={"q": q}).json()["results"]
        assert by_id[0]["id"] == advert["advert_id"] and by_id[0]["why"] == "advert id"


@pytest.mark.parametrize("table", ["network_scores", "personas"])
def test_search_by_network_or_persona_id(analyst: TestClient, ws: Workspace, table: str) -> None:
    column = "network_id" if table == "network_scores" else "persona_id"
    ident = _lake(ws, f"SELECT {column} FROM {table} ORDER BY {column} LIMIT 1")[0][column]
    by_id = analyst.get("/api/v1/search", params={"q": ident}).json()["results"]
    assert ident in [r["id"] for r in by_id]


def test_search_refuses_an_empty_or_overlong_query(analyst: TestClient) -> None:
    assert analyst.get("/api/v1/search").status_code == 422
    assert analyst.get("/api/v1/search", params={"q": ""}).status_code == 422
    assert analyst.get("/api/v1/search", params={"q": "7" * 201}).status_code == 422
    blank = analyst.get("/api/v1/search", params={"q": " \x00 "})
    assert blank.status_code == 200 and blank.json()["results"] == []


def test_an_advert_with_its_captures_facts_persona_and_network(
    analyst: TestClient, linked: Linked, ws: Workspace
) -> None:
    digits = linked.phone.replace(" ", "")
    advert_id = analyst.get("/api/v1/search", params={"q": digits}).json()["results"][0]["id"]
    since = _last_audit_id(ws)
    got = analyst.get(f"/api/v1/adverts/{advert_id}")
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["advert"]["advert_id"] == advert_id
    assert body["advert"]["ad_id"] in linked.ad_ids
    assert body["captures"] and all(c["capture_id"] for c in body["captures"])
    assert {"kind": "phone", "value": "+44" + digits[1:]} in [
        {"kind": f["kind"], "value": f["value"]} for f in body["facts"]
    ]
    persona = _lake(ws, f"SELECT persona_id FROM personas WHERE advert_id = '{advert_id}'")
    assert body["persona_id"] == persona[0]["persona_id"]
    assert [(e.action, e.target) for e in _audit(ws, since)] == [
        ("view", f"/api/v1/adverts/{advert_id}")
    ]


def test_a_persona_with_its_adverts_and_reasons(analyst: TestClient, ws: Workspace) -> None:
    row = _lake(
        ws,
        "SELECT p.persona_id, count(*) AS n FROM personas p JOIN persona_links l "
        "ON l.advert_a = p.advert_id AND l.linked GROUP BY p.persona_id "
        "ORDER BY n DESC, p.persona_id LIMIT 1",
    )[0]
    body = analyst.get(f"/api/v1/personas/{row['persona_id']}").json()
    members = _lake(ws, f"SELECT advert_id FROM personas WHERE persona_id = '{row['persona_id']}'")
    assert {a["advert_id"] for a in body["adverts"]} == {m["advert_id"] for m in members}
    assert len(body["links"]) == row["n"]
    assert all(link["reasons"] and isinstance(link["reasons"][0], str) for link in body["links"])


def test_networks_ranked_and_paged_within_bounds(analyst: TestClient, ws: Workspace) -> None:
    total = _lake(ws, "SELECT count(*) AS n FROM network_scores")[0]["n"]
    assert total >= 3
    first = analyst.get("/api/v1/networks", params={"limit": 2}).json()
    assert first["total"] == total and first["limit"] == 2 and first["offset"] == 0
    assert [n["rank"] for n in first["networks"]] == [1, 2]
    second = analyst.get("/api/v1/networks", params={"limit": 2, "offset": 2}).json()
    assert second["networks"][0]["rank"] == 3
    assert analyst.get("/api/v1/networks", params={"offset": total}).json()["networks"] == []
    for bad in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "many"}):
        assert analyst.get("/api/v1/networks", params=bad).status_code == 422, bad


def test_a_network_part_by_part(analyst: TestClient, ws: Workspace) -> None:
    top = analyst.get("/api/v1/networks", params={"limit": 1}).json()["networks"][0]
    body = analyst.get(f"/api/v1/networks/{top['network_id']}").json()
    assert body["score"]["rank"] == 1 and body["score"]["score"] == top["score"]
    assert (
        body["parts"] and abs(sum(p["contribution"] for p in body["parts"]) - top["score"]) < 0.01
    )
    assert body["explanation"]
    assert sum(p["adverts"] for p in body["personas"]) == top["adverts"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/adverts/A0000000000000000000",
        "/api/v1/personas/P-000000000000",
        "/api/v1/networks/N-000000000000",
        "/api/v1/adverts/%27%3B%20DROP%20TABLE%20adverts",
        "/api/v1/personas/%00",
    ],
)
def test_unknown_ids_are_404_json(analyst: TestClient, path: str) -> None:
    got = analyst.get(path)
    assert got.status_code == 404
    assert got.headers["content-type"] == "application/json"
    assert got.json()["detail"].startswith("no ")


def test_alerts_newest_first_unacknowledged_unless_all(tmp_path: Path) -> None:
    ws = Workspace.open(load_settings(tmp_path / "home"))
    add_user(ws, "ana", PASSWORD, "analyst")
    with ws.ops.session() as session:
        watch = Watch(
            kind="phone",
            value="+447700900123",
            written="07700 900123",
            owner="ana",
            reason="Op Lantern: the controller's number",
            review_date=date(2024, 6, 1),
            created_by="ana",
            created_at=datetime(2024, 3, 1, tzinfo=UTC),
        )
        session.add(watch)
        session.flush()
        for day, acknowledged in ((2, None), (3, datetime(2024, 3, 4, tzinfo=UTC)), (5, None)):
            session.add(
                Alert(
                    watch_id=watch.id,
                    advert_id=f"A{day:020d}",
                    capture_id=f"c{day}",
                    matched="+447700900123",
                    closeness="exact",
                    raised_at=datetime(2024, 3, day, tzinfo=UTC),
                    acknowledged_at=acknowledged,
                    acknowledged_by="ana" if acknowledged else None,
                )
            )
    with TestClient(create_app(ws.home, secret=SECRET, login_delay=0, workspace=ws)) as client:
        sign_in(client, "ana")
        open_ = client.get("/api/v1/alerts").json()
        everything = client.get("/api/v1/alerts", params={"all": "true"}).json()
    assert [a["advert_id"] for a in open_["alerts"]] == [f"A{5:020d}", f"A{2:020d}"]
    assert open_["count"] == 2 and everything["count"] == 3
    assert open_["alerts"][0]["watch_reason"] == "Op Lantern: the controller's number"


# -- who may call -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "admin"])
def test_roles_without_casework_get_403_json_and_it_is_audited(
    app: FastAPI, users: dict[str, str], ws: Workspace, role: str
) -> None:
    with TestClient(app) as client:
        sign_in(client, users[role], enquiry=None)
        since = _last_audit_id(ws)
        for path in ("/api/v1/search?q=anna", "/api/v1/networks", "/api/v1/openapi.json"):
            got = client.get(path)
            assert got.status_code == 403, (path, got.text)
            assert "analyst" in got.json()["detail"]
    refused = [e for e in _audit(ws, since) if e.action == "refused"]
    assert [e.actor for e in refused] == [users[role]] * 3


@pytest.mark.parametrize("role", ["investigator", "supervisor"])
def test_higher_casework_roles_may_call(app: FastAPI, users: dict[str, str], role: str) -> None:
    with TestClient(app) as client:
        sign_in(client, users[role])
        assert client.get("/api/v1/networks", params={"limit": 1}).status_code == 200


def test_anonymous_and_no_enquiry_get_401_json(app: FastAPI, users: dict[str, str]) -> None:
    with TestClient(app) as client:
        for path in ("/api/v1/search?q=anna", "/api/v1/adverts/x", "/api/v1/openapi.json"):
            got = client.get(path, follow_redirects=False)
            assert got.status_code == 401 and "sign in" in got.json()["detail"], path
        sign_in(client, users["analyst"], enquiry=None)
        got = client.get("/api/v1/networks", follow_redirects=False)
        assert got.status_code == 401 and "enquiry" in got.json()["detail"]


# -- the spec -----------------------------------------------------------------------------


def test_the_spec_lists_only_the_api(analyst: TestClient) -> None:
    got = analyst.get("/api/v1/openapi.json")
    assert got.status_code == 200
    spec = got.json()
    assert spec == api.spec()
    assert sorted(spec["paths"]) == [
        "/api/v1/adverts/{advert_id}",
        "/api/v1/alerts",
        "/api/v1/networks",
        "/api/v1/networks/{network_id}",
        "/api/v1/personas/{persona_id}",
        "/api/v1/search",
    ]
    assert spec["components"]["securitySchemes"]["session"]["in"] == "cookie"
    search = spec["paths"]["/api/v1/search"]["get"]
    assert {"200", "401", "403", "422"} <= set(search["responses"])
    assert analyst.get("/openapi.json").status_code == 404  # the app's own stays off


SCHEMA = schemathesis.openapi.from_dict(api.spec())


@pytest.fixture(scope="module")
def signed(app: FastAPI, users: dict[str, str]) -> dict[str, Any]:
    """The analyst's session cookie and CSRF header, for schemathesis's calls."""
    with TestClient(app) as client:
        sign_in(client, users["analyst"])
        token = csrf(client.get("/enquiry").text)
        return {"cookies": dict(client.cookies), "headers": {"X-CSRF-Token": token}}


@SCHEMA.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_generated_calls_never_fail_and_match_the_spec(
    case: Any, app: FastAPI, signed: dict[str, Any]
) -> None:
    response = case.call(app=app, cookies=signed["cookies"], headers=signed["headers"])
    assert response.status_code not in (401, 403), "the analyst's session must carry"
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
