"""The intelligence log pages over a real linked synthetic workspace: raise a report from an
advert's evidence, grade it 3x5x2, sanitise it, download it, and the audit trail of it all."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from plainsight.act import intel
from plainsight.ops.models import AuditEvent
from plainsight.settings import load_settings
from plainsight.web.app import create_app
from plainsight.web.auth import add_user
from plainsight.workspace import Workspace
from tests.web.conftest import ENQUIRY, PASSWORD, Linked, Session, csrf, sign_in

ROLES = ("viewer", "analyst", "investigator", "supervisor", "admin")


@dataclass
class World:
    """The linked workspace, the app over it, its intel users, and an advert to report on."""

    ws: Workspace
    app: FastAPI
    names: dict[str, str]
    advert_id: str
    persona_id: str
    phone: str
    """The advert's phone number as extraction wrote it (``+447700900123``)."""


@pytest.fixture(scope="module")
def world(linked: Linked) -> World:
    ws = Workspace.open(load_settings(linked.home))
    names = {role: f"intel-{role}" for role in ROLES}
    for role, name in names.items():
        add_user(ws, name, PASSWORD, role)
    ad_ids = sorted(linked.ad_ids)
    marks = ", ".join("?" for _ in ad_ids)
    with ws.reading() as engine:
        rows = engine.run(
            "SELECT a.advert_id, p.persona_id FROM adverts a "
            "JOIN personas p ON p.advert_id = a.advert_id "
            f"WHERE CAST(a.ad_id AS VARCHAR) IN ({marks}) ORDER BY a.advert_id LIMIT 1",
            ad_ids,
        ).to_pylist()
    assert rows, "the advert carrying the fixture's phone is not in the lake"
    digits = linked.phone.replace(" ", "")
    app = create_app(linked.home, secret="intel-test-secret-not-for-use", login_delay=0)
    return World(ws, app, names, rows[0]["advert_id"], rows[0]["persona_id"], "+44" + digits[1:])


def client_for(world: World, role: str) -> TestClient:
    client = TestClient(world.app)
    sign_in(client, world.names[role])
    return client


def raise_report(client: TestClient, world: World, text_extra: str = "") -> int:
    form = client.get(f"/intel/new?kind=advert&id={world.advert_id}")
    assert form.status_code == 200, form.text
    text = _draft_text(form.text) + text_extra
    done = client.post(
        "/intel",
        data={
            "kind": "advert",
            "id": world.advert_id,
            "text": text,
            "csrf_token": csrf(form.text),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    found = re.fullmatch(r"/intel/(\d+)", done.headers["location"])
    assert found, done.headers["location"]
    return int(found.group(1))


def _draft_text(html: str) -> str:
    import html as htmlib

    found = re.search(r'<textarea id="intel-text"[^>]*>(.*?)</textarea>', html, re.S)
    assert found, html
    return htmlib.unescape(found.group(1))


def _events(world: World, report_id: int) -> list[AuditEvent]:
    with world.ws.ops.session() as session:
        events = list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.target == f"intel {report_id}")
                .order_by(AuditEvent.id)
            )
        )
        session.expunge_all()
    return events


def test_the_draft_for_an_advert_holds_its_evidence(world: World) -> None:
    client = client_for(world, "analyst")
    page = client.get(f"/intel/new?kind=advert&id={world.advert_id}")
    assert page.status_code == 200
    text = _draft_text(page.text)
    assert text.startswith(f"Intelligence report: persona {world.persona_id}\n")
    assert f"Raised from advert {world.advert_id}" in text
    assert world.phone in text, "the advert's phone is not in the draft"
    assert f"- {world.advert_id}:" in text, "the advert is not listed under Evidence"
    assert "WHO" in text and "CONTACTS" in text and "LINKS AND WHY" in text


def test_a_persona_and_a_network_draft_too(world: World) -> None:
    client = client_for(world, "analyst")
    page = client.get(f"/intel/new?kind=persona&id={world.persona_id}")
    assert page.status_code == 200
    assert world.phone in _draft_text(page.text)
    with world.ws.reading() as engine:
        network = engine.run(
            "SELECT network_id FROM networks WHERE persona_id = ?", [world.persona_id]
        ).to_pylist()
    if network:
        page = client.get(f"/intel/new?kind=network&id={network[0]['network_id']}")
        assert page.status_code == 200
        assert f"network {network[0]['network_id']}" in _draft_text(page.text)


def test_creating_stores_the_draft_and_the_analysts_edit(world: World) -> None:
    client = client_for(world, "analyst")
    note = "Analyst's note: the same number is on the velvetlist adverts.\n"
    report_id = raise_report(client, world, note)
    with world.ws.ops.session() as session:
        report = intel.get(session, report_id)
        assert (report.subject_kind, report.subject_id) == ("persona", world.persona_id)
        assert report.created_by == world.names["analyst"]
        assert report.text.endswith(note)
        assert report.status == "draft"
        revs = intel.revisions(session, report_id)
        assert [(r.number, r.note) for r in revs] == [(1, "draft"), (2, "edit")]
        assert not revs[0].text.endswith(note)
        terms = orjson.loads(report.sensitive_terms)
        assert terms["ad_id"], "the draft's identifying terms were not kept for sanitising"
    page = client.get(f"/intel/{report_id}")
    assert page.status_code == 200
    assert f"INTEL-{report_id}" in page.text
    assert "Not graded." in page.text
    assert "the same number is on the velvetlist adverts" in page.text
    listing = client.get("/intel")
    assert listing.status_code == 200
    row = re.search(
        rf'<a href="/intel/{report_id}">INTEL-{report_id}</a>.*?</tr>', listing.text, re.S
    )
    assert row, listing.text
    assert world.persona_id in row.group(0) and "draft" in row.group(0)
    assert world.names["analyst"] in row.group(0)


def test_unknown_subjects_and_empty_text_are_refused_on_the_form(world: World) -> None:
    client = client_for(world, "analyst")
    page = client.get("/intel/new?kind=advert&id=A-no-such-advert")
    assert page.status_code == 422
    assert "no advert A-no-such-advert" in page.text
    page = client.get("/intel/new?kind=picture&id=x")
    assert page.status_code == 422 and "cannot raise a report from" in page.text
    form = client.get(f"/intel/new?kind=advert&id={world.advert_id}")
    token = csrf(form.text)
    with world.ws.ops.session() as session:
        before = len(intel.listed(session))
    empty = client.post(
        "/intel",
        data={"kind": "advert", "id": world.advert_id, "text": "  \r\n ", "csrf_token": token},
    )
    assert empty.status_code == 422
    assert "text is empty" in empty.text
    unknown = client.post(
        "/intel", data={"kind": "persona", "id": "P-000000000000", "text": "x", "csrf_token": token}
    )
    assert unknown.status_code == 422
    assert "no persona P-000000000000" in unknown.text
    with world.ws.ops.session() as session:
        assert len(intel.listed(session)) == before, "a refused form stored a report"
    assert client.get("/intel/999999").status_code == 404
    assert client.get("/intel/not-a-number").status_code == 404
    assert client.get("/intel/999999.pdf").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(world: World) -> None:
    client = TestClient(world.app)
    for path in ("/intel", "/intel/new?kind=advert&id=x", "/intel/1", "/intel/1.pdf", "/intel/x"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and "/login" in answer.headers["location"], path


def test_grading_c_needs_conditions_and_a_valid_grading_shows(world: World) -> None:
    analyst = client_for(world, "analyst")
    report_id = raise_report(analyst, world)
    page = analyst.get(f"/intel/{report_id}")
    assert 'id="intel-grade"' not in page.text, "an analyst was offered the grading form"
    refused = analyst.post(
        f"/intel/{report_id}/grade",
        data={"source": "2", "intelligence": "B", "handling": "P", "csrf_token": csrf(page.text)},
    )
    assert refused.status_code == 403

    client = client_for(world, "investigator")
    page = client.get(f"/intel/{report_id}")
    token = csrf(page.text)
    bad = client.post(
        f"/intel/{report_id}/grade",
        data={"source": "2", "intelligence": "B", "handling": "C", "csrf_token": token},
    )
    assert bad.status_code == 422
    assert "handling code C needs its conditions" in bad.text
    with world.ws.ops.session() as session:
        assert intel.get(session, report_id).status == "draft"
    good = client.post(
        f"/intel/{report_id}/grade",
        data={
            "source": "2",
            "intelligence": "B",
            "handling": "C",
            "conditions": "Share with UK police forces only",
            "csrf_token": token,
        },
    )
    assert good.status_code == 200, good.text  # followed the redirect to the report
    assert "Source evaluation 2: Untested" in good.text
    assert "Intelligence assessment B: Known indirectly to the source but corroborated" in good.text
    assert "Handling code C: Lawful sharing permitted subject to conditions" in good.text
    assert "Handling conditions: Share with UK police forces only" in good.text
    with world.ws.ops.session() as session:
        report = intel.get(session, report_id)
        assert report.grading == "2/B/C (3x5x2)"
        assert report.graded_by == world.names["investigator"]


def test_sanitised_copy_and_downloads(world: World) -> None:
    analyst = client_for(world, "analyst")
    report_id = raise_report(analyst, world)
    early = analyst.get(f"/intel/{report_id}.pdf")
    assert early.status_code == 422 and "not graded" in early.text
    client = client_for(world, "investigator")
    token = csrf(client.get(f"/intel/{report_id}").text)
    client.post(
        f"/intel/{report_id}/grade",
        data={"source": "1", "intelligence": "A", "handling": "P", "csrf_token": token},
    )
    none_yet = client.get(f"/intel/{report_id}.docx?sanitised=1")
    assert none_yet.status_code == 422 and "no sanitised copy" in none_yet.text
    made = client.post(
        f"/intel/{report_id}/sanitise", data={"names": "Ivana\n", "csrf_token": token}
    )
    assert made.status_code == 200
    with world.ws.ops.session() as session:
        report = intel.get(session, report_id)
        copy = report.sanitised_text or ""
        removed = orjson.loads(report.sanitised_removed)
    assert copy and world.phone not in copy, "the phone survived sanitising"
    assert world.phone in report.text
    assert sum(removed.values()) > 0
    assert 'id="sanitised-text"' in made.text
    assert 'id="intel-status">sanitised<' in made.text
    shown = re.search(r'id="sanitised-text">(.*?)</pre>', made.text, re.S)
    assert shown and world.phone not in shown.group(1)

    pdf = analyst.get(f"/intel/{report_id}.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert f'filename="INTEL-{report_id}.pdf"' in pdf.headers["content-disposition"]
    docx = analyst.get(f"/intel/{report_id}.docx?sanitised=1")
    assert docx.status_code == 200
    assert docx.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    with zipfile.ZipFile(io.BytesIO(docx.content)) as zipped:
        body = zipped.read("word/document.xml").decode()
    assert "SANITISED COPY" in body and world.phone not in body
    assert analyst.get(f"/intel/{report_id}.txt").status_code == 404

    events = _events(world, report_id)
    kinds = [(e.action, orjson.loads(e.detail).get("change", "")) for e in events]
    assert ("create", "") in kinds
    assert ("update", "grade") in kinds
    assert ("update", "sanitise") in kinds
    exports = [orjson.loads(e.detail) for e in events if e.action == "export"]
    assert [(x["format"], x["sanitised"]) for x in exports] == [("pdf", False), ("docx", True)]
    assert all(e.justification == ENQUIRY for e in events), [e.justification for e in events]
    with world.ws.ops.session() as session:
        seen = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "view", AuditEvent.target == f"/intel/{report_id}"
            )
        ).all()
        assert seen and all(e.justification == ENQUIRY for e in seen)


@pytest.mark.parametrize("role", ["viewer", "admin"])
def test_viewers_and_admins_are_refused(world: World, role: str) -> None:
    client = TestClient(world.app)
    sign_in(client, world.names[role], enquiry=None)
    for path in ("/intel", f"/intel/new?kind=advert&id={world.advert_id}", "/intel/1"):
        assert client.get(path).status_code == 403, path


def test_a_post_without_the_csrf_token_is_refused(world: World) -> None:
    client = client_for(world, "analyst")
    with world.ws.ops.session() as session:
        before = len(intel.listed(session))
    refused = client.post(
        "/intel", data={"kind": "advert", "id": world.advert_id, "text": "a report"}
    )
    assert refused.status_code == 403
    with world.ws.ops.session() as session:
        assert len(intel.listed(session)) == before


def test_an_analyst_raises_a_report_in_the_browser(
    session: Session, world: World, tmp_path: Path
) -> None:
    page: Any = session.page
    session.login("analyst")
    if "/enquiry" in page.url:
        page.locator("input#reference").fill(ENQUIRY)
        page.locator("#enquiry-form [type=submit]").click()
        page.wait_for_load_state("networkidle")
    page.goto(session.url(f"/intel/new?kind=advert&id={world.advert_id}"))
    text = page.locator("#intel-text")
    draft = text.input_value()
    assert world.phone in draft
    text.fill(draft + "Analyst's note: raised in the browser.\n")
    page.locator("#intel-new [type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert re.search(r"/intel/\d+$", page.url), page.url
    heading = page.locator("h1").inner_text()
    assert heading.startswith("INTEL-"), heading
    body = page.locator("main").inner_text()
    assert "Analyst's note: raised in the browser." in body
    assert "Not graded." in body
    assert session.off_site() == []
    assert session.errors == [], f"console errors; failed: {session.failed}"
    shot = tmp_path / "intel-report.png"  # the journey keeps one in docs/screenshots
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_editing_regrades_and_hostile_text_is_escaped(world: World) -> None:
    client = client_for(world, "investigator")
    report_id = raise_report(client, world)
    page = client.get(f"/intel/{report_id}")
    token = csrf(page.text)
    client.post(
        f"/intel/{report_id}/grade",
        data={"source": "3", "intelligence": "D", "handling": "P", "csrf_token": token},
    )
    hostile = "Advert said: <script>alert('x')</script> call now\n"
    edited = client.post(f"/intel/{report_id}/edit", data={"text": hostile, "csrf_token": token})
    assert edited.status_code == 200
    assert "<script>alert(" not in edited.text
    assert "&lt;script&gt;alert(" in edited.text
    assert "Not graded." in edited.text, "an edited report kept the grading of the old text"
    same = client.post(f"/intel/{report_id}/edit", data={"text": hostile, "csrf_token": token})
    assert same.status_code == 422 and "the text is unchanged" in same.text
    with world.ws.ops.session() as session:
        assert [r.note for r in intel.revisions(session, report_id)][-1] == "edit"
        assert intel.get(session, report_id).status == "draft"
    change = [orjson.loads(e.detail).get("change") for e in _events(world, report_id)]
    assert change.count("text") == 1


def test_an_imported_report_is_shown_as_graded_and_kept(world: World, tmp_path: Path) -> None:
    old = tmp_path / "old-log.csv"
    old.write_text(
        "reference,date,source,intelligence,handling,text\n"
        "CRIMINT-1/2019,2019-04-02,B,2,1,A phone number on two adverts in Ilford.\n",
        encoding="utf-8",
    )
    with world.ws.ops.session() as session:
        report_id = intel.import_csv(session, old, who="importer").added[0]
    client = client_for(world, "supervisor")
    page = client.get(f"/intel/{report_id}")
    assert page.status_code == 200
    assert "(was CRIMINT-1/2019)" in page.text
    assert "Source evaluation B: Mostly reliable" in page.text
    assert 'id="intel-grade"' not in page.text
    refused = client.post(
        f"/intel/{report_id}/grade",
        data={"source": "1", "intelligence": "A", "handling": "P", "csrf_token": csrf(page.text)},
    )
    assert refused.status_code == 422 and "kept as graded" in refused.text
    listing = client.get("/intel")
    assert "B/2/1 (5x5x5)" in listing.text
