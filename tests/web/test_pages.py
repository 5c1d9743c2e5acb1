"""The analyst pages: their queries over a small lake, and the pages through the app."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from typing import Any

import orjson
import pyarrow as pa
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from plainsight.lake.schemas import SCHEMAS
from plainsight.ops.checks import WelfareCheck
from plainsight.ops.models import AuditEvent
from plainsight.ops.users import CASEWORK
from plainsight.ops.watch import Alert, Watch
from plainsight.web import advert_data, network_data, pages_data, search_data
from plainsight.web.app import create_app
from plainsight.web.auth import add_user
from plainsight.workspace import Workspace
from tests.conftest import picture
from tests.web.conftest import sign_in

T1 = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
T2 = datetime(2024, 3, 2, 10, 0, tzinfo=UTC)
A1, A2 = "a" * 16, "b" * 16
P1, P2 = "P-111111111111", "P-222222222222"
N1 = "N-111111111111"
PHONE = "+447700900123"
BODY = "New girl, no English. Call 07700 900123 now"


def _capture(
    advert_id: str, capture_id: str, ad_id: str, at: datetime, pics: list[str]
) -> dict[str, Any]:
    return {
        "capture_id": capture_id,
        "advert_id": advert_id,
        "source": "siteA",
        "ad_id": ad_id,
        "captured_at": at,
        "url": f"https://example.test/ad/{ad_id}",
        "title": "Anna <b>new</b>",
        "body": BODY,
        "name": "Anna",
        "phone": "07700 900123",
        "image_sha256": pics,
    }


def _span(field: str, text: str, part: str) -> dict[str, Any]:
    start = text.index(part)
    return {"field": field, "start": start, "end": start + len(part), "text": part}


def fill(ws: Workspace) -> str:
    """A two-advert, two-persona, one-network lake; returns the picture's SHA-256."""
    sha = ws.evidence.put_bytes(picture(1))
    place = {"lat": 51.515, "lon": -0.09, "in_city": True}
    tables: dict[str, list[dict[str, Any]]] = {
        "captures": [_capture(A1, "c1", "101", T1, [sha]), _capture(A2, "c2", "202", T2, [])],
        "adverts": [
            {
                "advert_id": A1,
                "source": "siteA",
                "ad_id": "101",
                "captures": 1,
                "first_captured_at": T1,
                "last_captured_at": T1,
                "latest_capture_id": "c1",
            },
            {
                "advert_id": A2,
                "source": "siteA",
                "ad_id": "202",
                "captures": 1,
                "first_captured_at": T2,
                "last_captured_at": T2,
                "latest_capture_id": "c2",
            },
        ],
        "facts": [
            {
                "capture_id": c,
                "advert_id": a,
                "kind": "phone",
                "value": PHONE,
                "written": "plain",
                "spans": [_span("body", BODY, "07700 900123")],
                "detail": "{}",
            }
            for a, c in ((A1, "c1"), (A2, "c2"))
        ]
        + [
            {
                "capture_id": "c1",
                "advert_id": A1,
                "kind": "name",
                "value": "Anna",
                "written": "plain",
                "spans": [],
                "detail": "{}",
            },
            {
                "capture_id": "c1",
                "advert_id": A1,
                "kind": "place",
                "value": "Bank",
                "written": "plain",
                "spans": [],
                "detail": orjson.dumps(place).decode(),
            },
        ],
        "indicator_hits": [
            {
                "capture_id": "c1",
                "advert_id": A1,
                "indicator": "no_english",
                "level": "advert",
                "weight": 1.0,
                "evidence": [_span("body", BODY, "no English")],
                "note": "says the worker speaks no English",
            },
        ],
        "personas": [{"advert_id": A1, "persona_id": P1}, {"advert_id": A2, "persona_id": P2}],
        "persona_links": [],
        "networks": [
            {"persona_id": p, "network_id": N1, "component_id": N1, "split": False}
            for p in (P1, P2)
        ],
        "network_links": [
            {
                "persona_a": P1,
                "persona_b": P2,
                "kind": "phone",
                "value": PHONE,
                "advert_a": A1,
                "advert_b": A2,
                "weight": 1.0,
                "reason": f"both adverts give {PHONE}",
                "within": True,
            },
        ],
        "network_scores": [
            {
                "network_id": N1,
                "rank": 1,
                "score": 2.5,
                "personas": 2,
                "adverts": 2,
                "numbers": 1,
                "numbers_per_persona": 1.0,
                "personas_per_number": 2,
                "sites": 1,
                "towns": ["London"],
                "movement": "",
                "hits": 1,
                "first_seen": T1,
                "last_seen": T2,
                "summary": "2 personas sharing one number",
                "parts": orjson.dumps(
                    [
                        {
                            "name": "shared numbers",
                            "weight": 1.0,
                            "value": 2.5,
                            "contribution": 2.5,
                            "text": "two personas, one number",
                        }
                    ]
                ).decode(),
            },
        ],
    }
    with ws.lake.transaction(note="web test") as tx:
        for name, rows in tables.items():
            tx.append(name, pa.Table.from_pylist(rows, schema=SCHEMAS[name]))
    return sha


@pytest.fixture
def filled(workspace: Workspace) -> tuple[Workspace, str]:
    return workspace, fill(workspace)


def test_search_finds_a_phone_written_any_way(filled: tuple[Workspace, str]) -> None:
    ws, _ = filled
    with ws.reading() as engine:
        for written in ("07700 900123", "+44 7700 900 123", "O77OO 9OO l23"):
            found = search_data.search(engine, written)
            assert {r["id"] for r in found} == {A1, A2}, written
            assert all(r["why"] == f"phone {PHONE}" for r in found)


def test_search_by_name_and_ids(filled: tuple[Workspace, str]) -> None:
    ws, _ = filled
    with ws.reading() as engine:
        assert {r["id"] for r in search_data.search(engine, "anna")} == {A1, A2}
        assert [r["href"] for r in search_data.search(engine, "101")] == [f"/advert/{A1}"]
        assert search_data.search(engine, P1.lower())[0]["href"] == f"/persona/{P1}"
        assert search_data.search(engine, N1)[0]["href"] == f"/network/{N1}"
        assert search_data.search(engine, "   ") == []
        assert search_data.search(engine, "nobody@example.test") == []


def test_highlight_cuts_text_at_spans() -> None:
    pieces = advert_data.highlight("abcdef", [(1, 3, "x"), (2, 4, "y"), (10, 12, "z")])
    assert pieces == [("a", None), ("bc", "x"), ("d", "y"), ("ef", None)]
    assert advert_data.highlight("", []) == [("", None)]


def test_advert_evidence(filled: tuple[Workspace, str]) -> None:
    ws, sha = filled
    with ws.reading() as engine:
        ad = advert_data.advert(engine, A1)
        assert ad is not None
        assert ad["persona_id"] == P1 and ad["network_id"] == N1
        body = next(f for f in ad["captures"][0]["fields"] if f["field"] == "body")
        assert ("no English", "no_english: says the worker speaks no English") in body["pieces"]
        assert ad["captures"][0]["image_sha256"] == [sha]
        assert advert_data.advert(engine, "missing") is None
        assert pages_data.picture_referenced(engine, sha)
        assert not pages_data.picture_referenced(engine, "0" * 64)
        assert not pages_data.picture_referenced(engine, "../etc/passwd")


def test_persona_network_and_graph(filled: tuple[Workspace, str]) -> None:
    ws, _ = filled
    with ws.reading() as engine:
        per = pages_data.persona(engine, P1)
        assert per is not None and per["network_id"] == N1
        assert [a["advert_id"] for a in per["adverts"]] == [A1]
        assert pages_data.persona(engine, "P-000000000000") is None
        assert [n["network_id"] for n in network_data.networks(engine)] == [N1]
        net = network_data.network(engine, N1)
        assert net is not None and net["parts"][0]["name"] == "shared numbers"
        assert "not a finding" in net["explanation"]
        graph = network_data.network_graph(engine, N1)
        edges = [e for e in graph["elements"] if "source" in e["data"]]
        assert len(graph["elements"]) == 3 and edges[0]["data"]["reason"].startswith("both")


def test_map_data(filled: tuple[Workspace, str]) -> None:
    ws, _ = filled
    with ws.reading() as engine:
        data = pages_data.map_data(engine)
    assert data["boundary"]["type"] == "FeatureCollection"
    assert data["places"] == [
        {
            "kind": "place",
            "name": "Bank",
            "lat": 51.515,
            "lon": -0.09,
            "adverts": 1,
            "in_city": True,
        }
    ]


def _alert_and_check(ws: Workspace) -> int:
    with ws.ops.session() as session:
        watch = Watch(
            kind="phone",
            value=PHONE,
            written="07700 900123",
            owner="ana",
            reason="op test",
            review_date=date(2024, 6, 1),
            created_by="ana",
            created_at=T1,
        )
        session.add(watch)
        session.flush()
        alert = Alert(
            watch_id=watch.id,
            advert_id=A2,
            capture_id="c2",
            matched=PHONE,
            closeness="exact",
            raised_at=T2,
        )
        session.add(alert)
        session.add(
            WelfareCheck(
                subject_kind="network",
                subject_id=N1,
                officer="PC 1",
                due=date(2024, 3, 9),
                tasked_at=T2,
                tasked_by="ana",
            )
        )
        session.flush()
        return alert.id


def test_alerts_and_checks(workspace: Workspace) -> None:
    alert_id = _alert_and_check(workspace)
    with workspace.ops.session() as session:
        assert [a["id"] for a in pages_data.alerts(session)] == [alert_id]
        assert pages_data.acknowledge(session, alert_id, "ana", T2)
        assert not pages_data.acknowledge(session, alert_id, "ana", T2)
        assert not pages_data.acknowledge(session, 999, "ana", T2)
    with workspace.ops.session() as session:
        assert pages_data.alerts(session) == []
        assert pages_data.alerts(session, include_acknowledged=True)[0]["acknowledged_by"] == "ana"
        assert [c["subject_id"] for c in pages_data.open_checks(session)] == [N1]


# --- The pages through the app ---------------------------------------------------------

PASSWORD = "correct horse battery staple"


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def signed_in(ws: Workspace, role: str = "analyst") -> TestClient:
    """A client signed in as "ana" of ``role``, working on the line of enquiry "Op Lantern"."""
    add_user(ws, "ana", PASSWORD, role)
    client = TestClient(create_app(ws.home, secret="s" * 32, login_delay=0, workspace=ws))
    sign_in(client, "ana", PASSWORD, enquiry="Op Lantern" if role in CASEWORK else None)
    return client


def _events(ws: Workspace) -> list[tuple[str, str, str, str]]:
    with ws.ops.session() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [(e.actor, e.channel, e.action, e.target) for e in rows]


def test_pages_need_a_signed_in_user(workspace: Workspace) -> None:
    client = TestClient(create_app(workspace.home, secret="s" * 32, workspace=workspace))
    for path in (
        "/search?q=x",
        f"/advert/{A1}",
        f"/persona/{P1}",
        "/networks",
        f"/network/{N1}",
        f"/network/{N1}/graph.json",
        "/map",
        "/map/data.json",
        "/alerts",
        "/checks",
        "/evidence/" + "0" * 64,
    ):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and "/login" in answer.headers["location"], path


def test_search_and_evidence_pages_are_audited(filled: tuple[Workspace, str]) -> None:
    ws, sha = filled
    client = signed_in(ws)
    page = client.get("/search", params={"q": "07700 900 123"})
    assert page.status_code == 200
    assert f'href="/advert/{A1}"' in page.text and f'href="/advert/{A2}"' in page.text
    page = client.get(f"/advert/{A1}")
    assert page.status_code == 200
    assert '<mark title="no_english: says the worker speaks no English">no English</mark>' in (
        page.text
    )
    assert "Anna &lt;b&gt;new&lt;/b&gt;" in page.text  # captured text is escaped
    assert "https://example.test/ad/101" in page.text
    assert 'href="https://example.test' not in page.text  # never a link to the site
    assert f'src="/evidence/{sha}"' in page.text and f'href="/persona/{P1}"' in page.text
    picture_answer = client.get(f"/evidence/{sha}")
    assert picture_answer.status_code == 200
    assert picture_answer.headers["content-type"] == "image/png"  # re-encoded, never as sent
    shown = Image.open(io.BytesIO(picture_answer.content))
    original = Image.open(ws.evidence.path_for(sha))
    assert shown.format == "PNG" and shown.size == original.size and not shown.info.get("exif")
    assert client.get("/evidence/" + "0" * 64).status_code == 404
    assert client.get("/advert/nothing").status_code == 404
    events = _events(ws)
    assert ("ana", "web", "search", "07700 900 123") in events
    assert ("ana", "web", "view", f"/advert/{A1}") in events
    assert ("ana", "web", "view", f"/evidence/{sha}") in events


def test_persona_network_and_map_pages(filled: tuple[Workspace, str]) -> None:
    ws, _ = filled
    client = signed_in(ws)
    page = client.get(f"/persona/{P1}")
    assert page.status_code == 200 and f'href="/advert/{A1}"' in page.text
    page = client.get("/networks")
    assert page.status_code == 200 and f'href="/network/{N1}"' in page.text
    page = client.get(f"/network/{N1}")
    assert page.status_code == 200
    assert "shared numbers" in page.text and "not a finding" in page.text
    assert 'src="/static/network.js"' in page.text and "<script>" not in page.text
    graph = client.get(f"/network/{N1}/graph.json").json()
    assert {e["data"]["id"] for e in graph["elements"]} >= {P1, P2}
    page = client.get("/map")
    assert page.status_code == 200 and 'data-map-url="/map/data.json"' in page.text
    data = client.get("/map/data.json").json()
    assert data["places"][0]["name"] == "Bank" and data["boundary"]["features"]
    assert client.get("/static/network.js").status_code == 200
    assert client.get("/static/map.js").status_code == 200
    events = _events(ws)
    assert ("ana", "web", "view", f"/network/{N1}/graph.json") in events
    assert ("ana", "web", "view", "/map/data.json") in events


def test_alerts_acknowledged_with_the_csrf_token(workspace: Workspace) -> None:
    alert_id = _alert_and_check(workspace)
    client = signed_in(workspace)
    page = client.get("/alerts")
    assert page.status_code == 200 and f"/alerts/{alert_id}/acknowledge" in page.text
    refused = client.post(
        f"/alerts/{alert_id}/acknowledge", data={"csrf_token": "wrong"}, follow_redirects=False
    )
    assert refused.status_code == 403
    done = client.post(
        f"/alerts/{alert_id}/acknowledge",
        data={"csrf_token": _token(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "No alerts." in client.get("/alerts").text
    assert "Acknowledged by ana" in client.get("/alerts?all=true").text
    assert ("ana", "web", "acknowledge", f"alert {alert_id}") in _events(workspace)
    page = client.get("/checks")
    assert page.status_code == 200 and f'href="/network/{N1}"' in page.text
