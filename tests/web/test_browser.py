"""The web app in a real browser (Debian's Chromium): sign in, look around, stay offline.

Every request a page makes must go to the server itself (no CDN, no map tiles), and the
console must stay free of errors: a Content-Security-Policy violation is reported there.
"""

from __future__ import annotations

import re
from typing import Any

from tests.web.conftest import PASSWORD, Linked, Session


def _settled(session: Session) -> None:
    session.page.wait_for_load_state("networkidle")
    assert session.off_site() == [], "requests left the server"
    assert session.errors == [], f"the console reported errors; failed: {session.failed}"


def test_login_through_the_form_shows_today(session: Session) -> None:
    page = session.page
    page.goto(session.url("/"))
    assert page.url.startswith(session.url("/login")), "not signed in: sent to the login page"
    session.login("analyst")
    assert not page.url.startswith(session.url("/login")), page.url
    assert page.url.rstrip("/") == session.origin, page.url
    assert "today" in (page.title() + page.locator("h1").first.inner_text()).lower()
    assert session.users["analyst"] in page.locator("body").inner_text()
    _settled(session)


def test_a_wrong_password_does_not_sign_in(session: Session) -> None:
    page = session.page
    page.goto(session.url("/login"))
    form = page.locator("form").filter(has=page.locator("input[type=password]"))
    form.locator("input:not([type=hidden]):not([type=password])").first.fill(
        session.users["analyst"]
    )
    form.locator("input[type=password]").fill(PASSWORD + "!")
    form.locator("[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    page.goto(session.url("/"))
    assert page.url.startswith(session.url("/login"))


def test_every_request_stays_on_the_server(session: Session) -> None:
    session.login("analyst")
    page = session.page
    visited = 0
    for path in ("/", "/search", "/networks", "/map", "/alerts", "/checks"):
        response = page.goto(session.url(path))
        if response is not None and response.status == 404:
            continue  # a page not built yet; the others still count
        page.wait_for_load_state("networkidle")
        visited += 1
    assert visited >= 1
    assert session.requests, "the recorder saw nothing"
    assert any("/static/" in u for u in session.requests), "no stylesheet or script was loaded"
    assert session.off_site() == []
    assert session.errors == [], f"console errors; failed: {session.failed}"


def test_logging_out_returns_to_the_login_page(session: Session) -> None:
    session.login("analyst")
    page = session.page
    page.locator(
        "form[action$='/logout'] [type=submit], form[action$='/logout'] button"
    ).first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(session.url("/login")), page.url
    page.goto(session.url("/"))
    assert page.url.startswith(session.url("/login")), "still signed in after logging out"
    _settled(session)


def test_an_analyst_cannot_open_the_audit_log(session: Session) -> None:
    session.login("analyst")
    response: Any = session.page.goto(session.url("/audit"))
    assert response is not None and response.status == 403


def test_a_supervisor_can_open_the_audit_log(session: Session) -> None:
    session.login("supervisor")
    page = session.page
    response: Any = page.goto(session.url("/audit"))
    assert response is not None and response.status == 200
    assert re.search(r"audit", page.locator("body").inner_text(), re.IGNORECASE)
    _settled(session)


def test_a_phone_written_with_spaces_finds_the_advert(session: Session, linked: Linked) -> None:
    session.login("analyst")
    page = session.page
    page.goto(session.url("/search"))
    form = page.locator("form[role=search]")
    form.locator("input[name=q]").fill(linked.phone)
    form.locator("[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "q=" in page.url
    rows = page.locator("#results tbody tr")
    assert rows.count() >= 1, page.locator("#results").inner_text()
    found = rows.all_inner_texts()
    digits = linked.phone.replace(" ", "")
    assert all(f"phone +44{digits[1:]}" in row for row in found), found
    assert any(ad_id in row for row in found for ad_id in linked.ad_ids), (found, linked.ad_ids)
    rows.first.locator("a").click()
    page.wait_for_load_state("networkidle")
    assert "/advert/" in page.url
    assert any(ad_id in page.locator("main").inner_text() for ad_id in linked.ad_ids)
    _settled(session)


def test_the_network_page_draws_its_graph(session: Session) -> None:
    session.login("analyst")
    page = session.page
    page.goto(session.url("/networks"))
    page.locator("main table a[href^='/network/']").first.click()
    page.wait_for_load_state("networkidle")
    assert "/network/N-" in page.url
    graph = page.locator("#network-graph[data-ready]")
    graph.wait_for(state="attached")
    nodes = int(graph.get_attribute("data-ready") or "0")
    personas = page.locator("main ul li a[href^='/persona/']").count()
    assert nodes >= 2 and nodes == personas, (nodes, personas)
    assert page.locator("#network-graph canvas").count() >= 1
    _settled(session)


def test_the_map_shows_the_city_boundary_without_tiles(session: Session) -> None:
    session.login("analyst")
    page = session.page
    page.goto(session.url("/map"))
    page.locator("#map[data-ready]").wait_for(state="attached")
    assert page.locator("#map.leaflet-container").count() == 1
    boundary = page.locator(".leaflet-overlay-pane path[stroke='#1d4f91']")
    assert boundary.count() >= 1, "no City boundary drawn"
    outline = boundary.first.get_attribute("d") or ""
    assert len(outline) > 100, "the boundary has too few points to be the City's"
    assert page.locator(".leaflet-tile").count() == 0
    assert not [u for u in session.requests if "tile" in u.lower()]
    _settled(session)
