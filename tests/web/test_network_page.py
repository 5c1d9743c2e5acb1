"""The network page over a linked synthetic workspace: timeline, movement, generic identifiers.

Every expectation is worked out again here from the lake with its own query, never read back
from the code under test. The last test draws the page in Chromium.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from plainsight.ops.models import AuditEvent
from plainsight.settings import load_settings
from plainsight.web.app import create_app
from plainsight.workspace import Workspace
from tests.web.conftest import Linked, Session, sign_in

MEMBERS = (
    "SELECT p.persona_id, p.advert_id FROM networks n JOIN personas p USING (persona_id) "
    "WHERE n.network_id = ?"
)


@pytest.fixture(scope="module")
def ws(linked: Linked) -> Workspace:
    return Workspace.open(load_settings(linked.home))


@pytest.fixture(scope="module")
def client(ws: Workspace, users: dict[str, str]) -> Iterator[TestClient]:
    app = create_app(ws.home, secret="t" * 40, login_delay=0, workspace=ws)
    with TestClient(app) as c:
        yield sign_in(c, users["analyst"])


def _rows(ws: Workspace, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    with ws.reading() as engine:
        return list(engine.run(sql, params or None).to_pylist())


@pytest.fixture(scope="module")
def biggest(ws: Workspace) -> str:
    """The network with the most personas."""
    rows = _rows(
        ws, "SELECT network_id FROM network_scores ORDER BY personas DESC, network_id LIMIT 1"
    )
    return str(rows[0]["network_id"])


def _day(value: datetime) -> str:
    return value.astimezone(UTC).date().isoformat()


def test_timeline_shows_every_persona_with_its_first_and_last_capture(
    ws: Workspace, client: TestClient, biggest: str
) -> None:
    expected = {
        r["persona_id"]: (_day(r["first"]), _day(r["last"]), r["adverts"])
        for r in _rows(
            ws,
            f"SELECT m.persona_id, min(a.first_captured_at) AS first, "
            f"max(a.last_captured_at) AS last, count(*) AS adverts "
            f"FROM ({MEMBERS}) m JOIN adverts a USING (advert_id) GROUP BY m.persona_id",
            [biggest],
        )
    }
    assert len(expected) >= 5, expected
    page = client.get(f"/network/{biggest}")
    assert page.status_code == 200
    drawn = {
        p: (first, last)
        for p, first, last in re.findall(
            r'class="timeline-row" data-persona="([^"]+)" data-first="([^"]+)" '
            r'data-last="([^"]+)"',
            page.text,
        )
    }
    assert drawn == {p: (f, la) for p, (f, la, _) in expected.items()}
    svg = page.text[page.text.index('<svg id="network-timeline"') : page.text.index("</svg>")]
    # one bar per advert, and a labelled date axis
    assert svg.count("<rect ") == sum(n for _, _, n in expected.values())
    labels = re.findall(r'text-anchor="middle" fill="#1b1f24">(\d{4}-\d{2}-\d{2})</text>', svg)
    assert len(labels) >= 3
    first_day = min(f for f, _, _ in expected.values())
    last_day = max(la for _, la, _ in expected.values())
    assert all(first_day <= label <= last_day for label in labels), (labels, first_day)
    for persona, (first, last, adverts) in expected.items():
        assert f"<td>{persona}</td><td>{adverts}</td><td>{first}</td><td>{last}</td>" in page.text


def _chosen_towns(ws: Workspace, network_id: str) -> dict[str, list[tuple[str, str]]]:
    """Per persona, (day, town) for each advert naming a town with coordinates, in order of
    first capture: the most specific town (not London) where an advert names several."""
    rows = _rows(
        ws,
        f"SELECT m.persona_id, m.advert_id, a.first_captured_at AS at, f.value, f.detail "
        f"FROM ({MEMBERS}) m JOIN adverts a USING (advert_id) "
        f"JOIN facts f ON f.advert_id = m.advert_id AND f.kind = 'place'",
        [network_id],
    )
    towns: dict[tuple[str, str, datetime], set[str]] = {}
    for row in rows:
        detail = orjson.loads(row["detail"] or "{}")
        if detail.get("kind") != "town" or detail.get("lat") is None:
            continue
        towns.setdefault((row["persona_id"], row["advert_id"], row["at"]), set()).add(row["value"])
    out: dict[str, list[tuple[str, str]]] = {}
    for (persona, _advert, at), names in sorted(towns.items(), key=lambda kv: (kv[0][2], kv[0][1])):
        specific = sorted(names - {"London"}) or sorted(names)
        out.setdefault(persona, []).append((_day(at), specific[0]))
    return out


def test_movement_follows_the_towns_the_adverts_name_in_date_order(
    ws: Workspace, client: TestClient
) -> None:
    networks = [r["network_id"] for r in _rows(ws, "SELECT network_id FROM network_scores")]
    moved = 0
    for network_id in networks:
        data = client.get(f"/network/{network_id}/movement.json").json()
        visits = _chosen_towns(ws, network_id)
        assert {t["name"] for t in data["towns"]} == {
            town for seq in visits.values() for _, town in seq
        }
        by_persona: dict[str, list[dict[str, Any]]] = {}
        for move in data["moves"]:
            by_persona.setdefault(move["persona_id"], []).append(move)
        assert [m["arrived"] for m in data["moves"]] == sorted(m["arrived"] for m in data["moves"])
        for persona, seq in visits.items():
            runs = [seq[0]]  # the persona's stays: runs of adverts in one town
            for day, town in seq[1:]:
                if town != runs[-1][1]:
                    runs.append((day, town))
            mine = sorted(by_persona.get(persona, []), key=lambda m: (m["arrived"], m["left"]))
            assert [(m["from"], m["to"]) for m in mine] == [
                (a[1], b[1]) for a, b in pairwise(runs)
            ], persona
            assert [m["arrived"] for m in mine] == [day for day, _ in runs[1:]]
            for move in mine:
                assert move["left"] <= move["arrived"]
                assert (move["left"], move["from"]) in seq and (move["arrived"], move["to"]) in seq
        assert set(by_persona) <= set(visits)
        moved += len(data["moves"])
    assert moved >= 5, "the synthetic world has personas that move between towns"


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower())


def test_generic_identifiers_are_generic_and_in_the_networks_adverts(
    ws: Workspace, client: TestClient, biggest: str
) -> None:
    generic = {
        (r["kind"], r["value"])
        for r in _rows(ws, "SELECT kind, value FROM generic_identifiers WHERE generic")
    }
    adverts = [r["advert_id"] for r in _rows(ws, MEMBERS, [biggest])]
    facts = {
        (r["kind"], r["value"])
        for r in _rows(
            ws,
            "SELECT DISTINCT kind, value FROM facts WHERE kind IN ('phone', 'email', 'handle') "
            "AND list_contains(?, advert_id)",
            [adverts],
        )
    }
    pictures = {
        r["sha"]
        for r in _rows(
            ws,
            "SELECT DISTINCT unnest(image_sha256) AS sha FROM captures "
            "WHERE list_contains(?, advert_id)",
            [adverts],
        )
    }
    phashes = {
        r["phash"]
        for r in _rows(
            ws,
            "SELECT phash FROM image_fingerprints WHERE list_contains(?, sha256)",
            [list(pictures)],
        )
    }
    bodies = [
        _normal(r["body"] or "")
        for r in _rows(ws, "SELECT body FROM captures WHERE list_contains(?, advert_id)", [adverts])
    ]

    def carried(kind: str, value: str) -> bool:
        if kind == "image":
            return value in pictures
        if kind == "image_phash":
            return value in phashes
        if kind == "sentence":
            return any(value in body for body in bodies)
        return (kind, value) in facts

    page = client.get(f"/network/{biggest}")
    listed = [
        (html.unescape(k), html.unescape(v))
        for k, v in re.findall(
            r'class="generic-row" data-kind="([^"]+)" data-value="([^"]*)"', page.text
        )
    ]
    assert listed, "the synthetic world's site footers and helpline reach this network"
    for kind, value in listed:
        assert (kind, value) in generic
        assert carried(kind, value), (kind, value)
    # every generic phone number in the network's adverts is listed
    assert {g for g in generic if g[0] == "phone" and g in facts} == {
        g for g in listed if g[0] == "phone"
    }
    assert "not used for linking" in page.text and "shared too widely" in page.text

    graph = client.get(f"/network/{biggest}/graph.json").json()
    nodes = [e for e in graph["generic"] if e["group"] == "nodes"]
    edges = [e for e in graph["generic"] if e["group"] == "edges"]
    assert len(nodes) == len(listed) and all(e["classes"] == "generic" for e in graph["generic"])
    personas = {e["data"]["id"] for e in graph["elements"] if "source" not in e["data"]}
    assert edges and {e["data"]["source"] for e in edges} <= personas
    assert {e["data"]["target"] for e in edges} == {n["data"]["id"] for n in nodes}
    # the linking elements themselves carry no generic identifier
    assert not any(e["data"].get("generic") for e in graph["elements"])


def test_the_page_has_no_inline_script_or_style(client: TestClient, biggest: str) -> None:
    text = client.get(f"/network/{biggest}").text
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", text) == []
    assert "<style" not in text and not re.search(r"\sstyle=", text)
    assert not re.search(r"\son[a-z]+=", text)
    for src in ("/static/network.js", "/static/network-map.js", "/static/network.css"):
        assert src in text and client.get(src).status_code == 200


def test_views_are_audited_and_need_an_analyst(
    ws: Workspace, client: TestClient, biggest: str, users: dict[str, str]
) -> None:
    paths = (
        f"/network/{biggest}",
        f"/network/{biggest}/graph.json",
        f"/network/{biggest}/movement.json",
    )
    for path in paths:
        assert client.get(path).status_code == 200
    with ws.ops.session() as session:
        events = {
            (e.actor, e.action, e.target)
            for e in session.scalars(select(AuditEvent).where(AuditEvent.channel == "web"))
        }
    for path in paths:
        assert (users["analyst"], "view", path) in events
    assert client.get("/network/N-000000000000").status_code == 404
    app = create_app(ws.home, secret="t" * 40, login_delay=0, workspace=ws)
    with TestClient(app) as viewer:
        sign_in(viewer, users["viewer"], enquiry=None)
        refused = viewer.get(f"/network/{biggest}/movement.json", follow_redirects=False)
        assert refused.status_code == 403


def test_the_page_draws_graph_generic_toggle_and_movement_map(
    session: Session, ws: Workspace, biggest: str, tmp_path: Path
) -> None:
    session.login("analyst")
    page = session.page
    page.goto(session.url("/enquiry"))
    form = page.locator("form").filter(has=page.locator("input[name=reference]"))
    if form.count():
        form.locator("input[name=reference]").fill("Op Lantern")
        form.locator("[type=submit]").first.click()
        page.wait_for_load_state("networkidle")
    page.goto(session.url(f"/network/{biggest}"))
    graph = page.locator("#network-graph[data-ready]")
    graph.wait_for(state="attached")
    personas = len(_rows(ws, "SELECT persona_id FROM networks WHERE network_id = ?", [biggest]))
    assert int(graph.get_attribute("data-ready") or "0") == personas
    generic = int(graph.get_attribute("data-generic") or "0")
    assert generic == page.locator("#generic-table tbody tr").count() > 0
    visible = "window.plainsightNetwork.cy.nodes('.generic').filter(n => n.visible()).length"
    assert page.evaluate(visible) == 0 and graph.get_attribute("data-generic-shown") == "0"
    page.locator("#show-generic").check()
    assert page.evaluate(visible) == generic
    assert graph.get_attribute("data-generic-shown") == str(generic)
    page.locator("#show-generic").uncheck()
    assert page.evaluate(visible) == 0
    movement = page.locator("#network-movement[data-ready]")
    movement.wait_for(state="attached")
    towns = int(movement.get_attribute("data-ready") or "0")
    assert (
        towns >= 1 and page.locator("#network-movement path.leaflet-interactive").count() >= towns
    )
    folder = tmp_path
    if os.environ.get("PLAINSIGHT_SCREENSHOTS"):
        folder = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
    page.locator("#show-generic").check()
    page.locator("#network-graph").scroll_into_view_if_needed()
    page.screenshot(path=str(folder / "09-network-generic-identifiers.png"))
    # a network whose personas moved: the map draws a route for its moves
    moved = _rows(
        ws,
        "SELECT network_id FROM network_scores WHERE movement <> '' ORDER BY rank LIMIT 1",
    )
    page.goto(session.url(f"/network/{moved[0]['network_id']}"))
    page.locator("#network-movement[data-ready]").wait_for(state="attached")
    assert int(page.locator("#network-movement").get_attribute("data-lines") or "0") >= 1
    assert page.locator("#moves-table tbody tr").count() >= 1
    page.wait_for_load_state("networkidle")
    assert session.off_site() == []
    assert session.errors == [], f"console errors; failed: {session.failed}"


def test_the_ranked_list_comes_a_page_at_a_time(
    ws: Workspace, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plainsight.web import network_pages

    ranked = [
        r["network_id"] for r in _rows(ws, "SELECT network_id FROM network_scores ORDER BY rank")
    ]
    assert len(ranked) > 5
    monkeypatch.setattr(network_pages, "PAGE", 5)
    first, second = client.get("/networks").text, client.get("/networks?page=2").text
    assert [n for n in ranked[:5] if f"/network/{n}" in first] == ranked[:5]
    assert not any(f"/network/{n}" in first for n in ranked[5:])
    assert [n for n in ranked[5:10] if f"/network/{n}" in second] == ranked[5:10]
    assert f"{len(ranked)} networks; ranks 6 to 10 (page 2 of" in second
    assert 'href="/networks?page=3"' in second and 'href="/networks?page=1"' in second
    assert client.get("/networks?page=0").status_code == 422
