"""The main journeys, walked in real Chromium as a new user would walk them.

Sign in and name the line of enquiry, see today's list, search a number written with letter
O's, open the advert and its network, read why two adverts are linked, raise an intelligence
report, download the committee report; then check the audit log has an entry for each step,
carrying the line of enquiry, and that tampering with any one entry makes `audit verify`
fail. Screenshots are kept in ``docs/screenshots/`` when ``PLAINSIGHT_SCREENSHOTS`` is set
(``make screenshots``), else in the test's own folder.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import orjson
from sqlalchemy import select
from typer.testing import CliRunner

from plainsight.cli import app as cli
from plainsight.ops.models import AuditEvent
from plainsight.settings import load_settings
from plainsight.web.auth import add_user
from plainsight.workspace import Workspace
from tests.web.conftest import HOSTILE_BODY, PASSWORD, Linked, Session

REPO = Path(__file__).resolve().parents[2]
ENQUIRY = "Op Journey 1"


def _shots(tmp_path: Path) -> Path:
    where = REPO / "docs" / "screenshots" if os.environ.get("PLAINSIGHT_SCREENSHOTS") else tmp_path
    where.mkdir(parents=True, exist_ok=True)
    return where


def _with_letter_os(phone: str) -> str:
    """``07700 900 123`` written as people write it to dodge filters: ``07700 9OO 123``."""
    head, rest = phone[:6], phone[6:]
    return head + rest.replace("0", "O")


def _events(home: Path, actor: str) -> list[AuditEvent]:
    with Workspace.open(load_settings(home)).ops.session() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.actor == actor).order_by(AuditEvent.id)
            )
        )


def test_a_new_analyst_walks_the_main_journey(
    session: Session, linked: Linked, tmp_path: Path
) -> None:
    shots = _shots(tmp_path)
    name = "new-analyst"
    add_user(Workspace.open(load_settings(linked.home)), name, PASSWORD, "analyst")
    page = session.page
    page.set_viewport_size({"width": 1280, "height": 900})

    # 1. Sign in; casework first asks for the line of enquiry, then shows today's list.
    page.goto(session.url("/"))
    assert "/login" in page.url
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("form [type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/enquiry" in page.url, page.url
    page.screenshot(path=str(shots / "01-enquiry.png"))
    page.fill("#reference", ENQUIRY)
    page.click("#enquiry-form [type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url == session.url("/"), page.url
    assert "Today" in page.locator("h1").inner_text()
    assert page.locator(".topbar .enquiry").inner_text() == ENQUIRY
    page.screenshot(path=str(shots / "02-today.png"))

    # 2. Search the number written with letter O's: it finds the adverts that carry it.
    written = _with_letter_os(linked.phone)
    assert "O" in written
    page.goto(session.url("/search"))
    page.fill("#q", written)
    page.click("form[role=search] [type=submit]")
    page.wait_for_load_state("networkidle")
    found = page.locator("#results table tbody tr")
    assert found.count() >= len(linked.ad_ids)
    shown = page.locator("#results").inner_text()
    for ad_id in linked.ad_ids:
        assert ad_id in shown, (ad_id, shown)
    page.screenshot(path=str(shots / "03-search.png"))

    # 3. Open an advert, then its network: the graph draws, and a line says why it is there.
    page.locator("#results a[href^='/advert/']").first.click()
    page.wait_for_load_state("networkidle")
    advert_url = page.url
    assert page.locator("h1").inner_text().startswith("Advert ")
    network_link = page.locator("a[href^='/network/']").first
    network_id = network_link.inner_text()
    network_link.click()
    page.wait_for_function("() => window.plainsightNetwork && window.plainsightNetwork.cy")
    page.wait_for_load_state("networkidle")
    nodes = page.evaluate("() => window.plainsightNetwork.cy.nodes().length")
    assert nodes >= 1
    edges = page.evaluate("() => window.plainsightNetwork.cy.edges().length")
    if edges:
        page.evaluate("() => window.plainsightNetwork.cy.edges()[0].emit('tap')")
        assert page.locator("#network-reason").inner_text().strip()
    page.locator("#network-graph").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "04-network.png"))

    # 4. Why two adverts are linked: the persona lists each linked pair with its reasons.
    page.goto(advert_url)
    page.locator("a[href^='/persona/']").first.click()
    page.wait_for_load_state("networkidle")
    reasons = page.locator("table").filter(has_text="Compared because of").locator("tbody tr")
    assert reasons.count() >= 1, "the number's adverts share a persona, so a pair is linked"
    first_reason = reasons.first.inner_text()
    assert re.search(r"phone|name|picture|text|e-mail", first_reason, re.IGNORECASE)
    reasons.first.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "05-why-linked.png"))

    # 5. Raise an intelligence report from the advert's evidence.
    page.goto(advert_url)
    page.click("#raise-intel")
    page.wait_for_load_state("networkidle")
    assert "/intel/new" in page.url
    page.click("#intel-new [type=submit]")
    page.wait_for_load_state("networkidle")
    report_url = page.url
    assert re.search(r"/intel/\d+$", report_url), report_url
    assert "INTEL-" in page.locator("body").inner_text()
    page.screenshot(path=str(shots / "06-intelligence-report.png"))

    # 6. Download the committee report.
    page.goto(session.url("/stats"))
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(shots / "07-statistics.png"))
    with page.expect_download() as pending:
        page.click("a[href^='/stats/report.pdf']")
    download = pending.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.suffix == ".pdf" and saved.read_bytes().startswith(b"%PDF")

    assert not session.errors, session.errors
    assert not session.off_site(), session.off_site()

    # The audit log holds each step, with the line of enquiry as its justification.
    events = _events(linked.home, name)
    steps = [(e.action, e.target) for e in events]
    advert_path = advert_url.removeprefix(session.origin)
    wanted = [
        ("login", "/login"),
        ("enquiry", "/enquiry"),
        ("view", "/"),
        ("search", written),
        ("view", advert_path),
        ("view", f"/network/{network_id}"),
        ("view", f"/network/{network_id}/graph.json"),
        ("create", "intel " + report_url.rsplit("/", 1)[1]),
        ("view", "/stats"),
        ("export", "/stats/report.pdf"),
    ]
    for action, target in wanted:
        assert any(a == action and t.startswith(target) for a, t in steps), (action, target, steps)
    assert any(a == "view" and t.startswith("/persona/") for a, t in steps)
    after_enquiry = events[[e.action for e in events].index("enquiry") + 1 :]
    assert after_enquiry and all(e.justification == ENQUIRY for e in after_enquiry)
    exported = [orjson.loads(e.detail) for e in events if e.action == "export"]
    assert exported and exported[-1]["format"] == "pdf"

    # Tampering with any one entry of the journey makes `audit verify` fail, naming it.
    runner = CliRunner()
    ops_db = linked.home / "ops.db"
    for event in (events[0], events[len(events) // 2], events[-1]):
        copy = tmp_path / f"ops-{event.id}.db"
        with sqlite3.connect(ops_db) as live, sqlite3.connect(copy) as db:
            live.backup(db)  # the live database may hold recent events in its WAL
        with sqlite3.connect(copy) as db:
            db.execute(
                "UPDATE audit_events SET justification = 'nothing to see' WHERE id = ?",
                (event.id,),
            )
        url = f"sqlite:///{copy}"
        intact = runner.invoke(
            cli,
            ["--home", str(linked.home), "audit", "verify"],
            env={"PLAINSIGHT_DATABASE_URL": f"sqlite:///{ops_db}"},
        )
        assert intact.exit_code == 0, intact.output
        broken = runner.invoke(
            cli,
            ["--home", str(linked.home), "audit", "verify"],
            env={"PLAINSIGHT_DATABASE_URL": url},
        )
        assert broken.exit_code == 4, broken.output
        assert f"event {event.id}" in broken.output


def test_script_and_markup_in_an_advert_show_as_text(
    session: Session, linked: Linked, tmp_path: Path
) -> None:
    """An advert whose title, name and body are HTML and script: the browser shows the
    characters, runs nothing, and fetches nothing the advert names."""
    session.login("analyst")
    page = session.page
    page.goto(session.url(f"/search?q={linked.hostile_ad_id}"))
    page.locator("#results a[href^='/advert/']").first.click()
    page.wait_for_load_state("networkidle")
    body = page.locator("main").inner_text()
    assert "<script>window.__pwned = 1</script>" in body
    assert 'onerror="window.__pwned = 2"' in body
    assert "<b>Mia</b>" in body
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert page.locator("main script").count() == 0
    assert page.locator("main img[onerror]").count() == 0
    assert page.locator("main b", has_text="Mia").count() == 0
    assert not [u for u in session.requests if "pwned" in u]
    assert HOSTILE_BODY.split("<img")[0] in body
    page.locator("section.capture").first.scroll_into_view_if_needed()
    page.screenshot(path=str(_shots(tmp_path) / "08-hostile-advert.png"))
    assert not session.errors, session.errors
