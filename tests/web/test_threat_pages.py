"""The threat profile pages over a linked synthetic workspace: the six answers and downloads."""

from __future__ import annotations

import html
import io
import re
import zipfile
from datetime import date

import orjson
import pytest
from docx import Document
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from plainsight.act.threat import ThreatProfile, build_threat_profile
from plainsight.ops.models import AuditEvent
from plainsight.ops.users import CASEWORK
from plainsight.settings import load_settings
from plainsight.web.app import create_app
from plainsight.web.auth import add_user
from plainsight.workspace import Workspace
from tests.web.conftest import ENQUIRY, PASSWORD, Linked, sign_in

ROLES = ("viewer", "analyst", "supervisor", "admin")
PREFIX = "threat-page-"


@pytest.fixture(scope="module")
def ws(linked: Linked) -> Workspace:
    return Workspace.open(load_settings(linked.home))


@pytest.fixture(scope="module")
def app(linked: Linked, ws: Workspace) -> FastAPI:
    for role in ROLES:
        add_user(ws, PREFIX + role, PASSWORD, role)
    return create_app(linked.home, secret="t" * 32, login_delay=0, workspace=ws)


def client_as(app: FastAPI, role: str) -> TestClient:
    client = TestClient(app)
    sign_in(client, PREFIX + role, PASSWORD, enquiry=ENQUIRY if role in CASEWORK else None)
    return client


def events(ws: Workspace, action: str, actor: str) -> list[AuditEvent]:
    with ws.ops.session() as s:
        found = list(
            s.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == action, AuditEvent.actor == actor)
                .order_by(AuditEvent.id)
            )
        )
        for e in found:
            s.expunge(e)
    return found


def sections(page: str) -> dict[str, str]:
    """Each requirement's section of the page, unescaped, by its key."""
    opening = r'<section class="card requirement" id="requirement-[^"]+" data-key="([^"]+)">'
    found = re.findall(opening + r"(.*?)</section>", page, re.S)
    return {key: body for key, body in found}


def shown_figures(section: str) -> dict[str, int]:
    return {k: int(n) for k, n in re.findall(r'data-figure="([^"]+)">(-?\d+)<', section)}


def check_matches(page: str, profile: ThreatProfile) -> None:
    """Every answer of ``profile`` on the page: question, statements, figures, tables, limits."""
    shown = sections(page)
    assert list(shown) == [a.key for a in profile.answers]
    assert len(shown) == 6
    for answer in profile.answers:
        body = shown[answer.key]
        text = html.unescape(body)
        assert answer.question in text
        assert shown_figures(body) == dict(answer.figures), answer.key
        for statement in answer.statements:
            assert statement in text
        for table in answer.tables:
            assert table.title in text
            for row in table.rows:
                assert "".join(f"<td>{c}</td>" for c in row) in text, (answer.key, row)
        for limit in answer.limits:
            assert limit in text


def test_the_page_answers_the_six_requirements_with_the_profiles_figures(
    app: FastAPI, ws: Workspace
) -> None:
    analyst = client_as(app, "analyst")
    page = analyst.get("/threat")
    assert page.status_code == 200
    profile = build_threat_profile(ws)
    assert profile.answer("scale").figures["adverts"] > 0  # a real, linked world
    assert profile.answer("scale").figures["personas"] > 0
    check_matches(page.text, profile)
    assert 'id="period">all the data held<' in page.text
    assert "/threat.pdf" in page.text and "/threat.docx" in page.text
    views = [e for e in events(ws, "view", PREFIX + "analyst") if e.target == "/threat"]
    assert views and views[-1].justification == ENQUIRY


def test_a_period_answers_for_that_period_only(app: FastAPI, ws: Workspace) -> None:
    with ws.reading() as engine:
        days = engine.run(
            "SELECT min(first_captured_at)::DATE AS a, max(first_captured_at)::DATE AS b "
            "FROM adverts"
        ).to_pylist()[0]
    first, last = days["a"], days["b"]
    middle = first + (last - first) / 2
    analyst = client_as(app, "analyst")
    page = analyst.get("/threat", params={"start": first.isoformat(), "end": middle.isoformat()})
    assert page.status_code == 200
    part = build_threat_profile(ws, start=first, end=middle)
    whole = build_threat_profile(ws)
    check_matches(page.text, part)
    assert 0 < part.answer("scale").figures["adverts"] < whole.answer("scale").figures["adverts"]
    assert f'id="period">{part.period_words}<' in page.text
    assert f"/threat.pdf?start={first.isoformat()}&amp;end={middle.isoformat()}" in page.text
    views = [e for e in events(ws, "view", PREFIX + "analyst") if e.target == "/threat"]
    assert f"start={first.isoformat()}" in orjson.loads(views[-1].detail)["query"]

    backwards = analyst.get("/threat", params={"start": "2024-05-01", "end": "2024-04-01"})
    assert backwards.status_code == 422
    assert "the period ends (2024-04-01) before it starts (2024-05-01)" in backwards.text
    nonsense = analyst.get("/threat", params={"start": "May"})
    assert nonsense.status_code == 422
    assert "is not a date" in html.unescape(nonsense.text)
    assert analyst.get("/threat.pdf", params={"end": "soon"}).status_code == 422


def test_the_profile_downloads_as_pdf_and_word_audited_as_exports(
    app: FastAPI, ws: Workspace
) -> None:
    supervisor = client_as(app, "supervisor")
    start = date(2000, 1, 1)
    pdf = supervisor.get("/threat.pdf", params={"start": start.isoformat()})
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert "attachment" in pdf.headers["content-disposition"]
    word = supervisor.get("/threat.docx")
    assert word.status_code == 200
    assert word.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(word.content)).namelist()
    text = "\n".join(p.text for p in Document(io.BytesIO(word.content)).paragraphs)
    profile = build_threat_profile(ws)
    for number, answer in enumerate(profile.answers, start=1):
        assert f"{number}. {answer.question}" in text
    assert profile.answer("scale").statements[0] in text
    exports = events(ws, "export", PREFIX + "supervisor")
    assert [orjson.loads(e.detail)["format"] for e in exports] == ["pdf", "docx"]
    assert all(e.target == "threat profile" and e.justification == ENQUIRY for e in exports)
    assert orjson.loads(exports[0].detail)["period"] == {"from": "2000-01-01", "to": None}


@pytest.mark.parametrize("role", ["viewer", "admin"])
def test_a_viewer_and_an_admin_may_not_see_the_profile(app: FastAPI, role: str) -> None:
    client = client_as(app, role)
    for path in ("/threat", "/threat.pdf", "/threat.docx"):
        assert client.get(path).status_code == 403, path


def test_the_disruptions_register_feeds_the_scale_answer(workspace: Workspace) -> None:
    from tests.web.test_disruption_pages import seed

    seed(workspace)
    add_user(workspace, PREFIX + "own", PASSWORD, "analyst")
    own = create_app(workspace.home, secret="u" * 32, login_delay=0, workspace=workspace)
    client = TestClient(own)
    sign_in(client, PREFIX + "own", PASSWORD)
    page = client.get("/threat")
    assert page.status_code == 200
    profile = build_threat_profile(workspace)
    assert profile.sources == ("the disruptions register",)
    check_matches(page.text, profile)
    scale = shown_figures(sections(page.text)["scale"])
    assert scale["disruptions_approved"] == 4  # OP-SUN/1, 2, 4 and 5 are approved
    assert scale["mdsht_disruptions"] == 3


def test_signed_out_goes_to_the_sign_in_page(app: FastAPI) -> None:
    done = TestClient(app).get("/threat.pdf", follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"].startswith("/login")
