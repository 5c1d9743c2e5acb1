"""The disruptions register pages over a real register: figures, approvals, refusals, audit."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from plainsight.act import disruptions as register
from plainsight.act.disruption_figures import disruption_figures
from plainsight.ops.disruptions import CrimeGroup, DisruptionClaim, Operation
from plainsight.ops.models import AuditEvent
from plainsight.ops.users import CASEWORK
from plainsight.web.app import create_app
from plainsight.web.auth import add_user
from plainsight.workspace import Workspace
from tests.web.conftest import ENQUIRY, PASSWORD, csrf, sign_in

ROLES = ("viewer", "analyst", "investigator", "supervisor", "admin")
NARRATIVE = "Warrant at a City address; two controllers arrested, phones seized."


def _claim(s: Any, activity: str, on: date, **over: Any) -> DisruptionClaim:
    fields: dict[str, Any] = {
        "strand": "pursue",
        "category": "moderate",
        "crime_type": "mdsht",
        "narrative": NARRATIVE,
        "claimant": "DC Amir Shah",
        "claimant_rank": "constable",
    }
    fields.update(over)
    return register.add_claim(s, activity=activity, claimed_on=on, **fields)


def seed(ws: Workspace) -> dict[str, int]:
    """Two groups, a live MDSHT operation, a closed drugs one, and claims over two years:
    approved Major, Moderate and Minor, and some awaiting approval. Returns claim ids."""
    ids: dict[str, int] = {}
    with ws.ops.session() as s:
        register.add_group(s, reference="ocg-0412", name="Tower crew", types=["mdsht"], who="x")
        register.add_group(
            s, reference="OCG-0500", name="<b>Bridge</b> firm", types=["drugs", "fraud"], who="x"
        )
        register.add_operation(
            s,
            name="Op Sun",
            types=["mdsht", "drugs"],
            opened_on=date(2022, 5, 1),
            who="x",
            group_references=["OCG-0412"],
        )
        register.add_operation(
            s, name="Op Tide", types=["drugs"], opened_on=date(2022, 6, 1), who="x"
        )
        register.close_operation(s, name="Op Tide", closed_on=date(2023, 1, 31))
        plan: list[tuple[str, date, dict[str, Any], bool]] = [
            ("OP-SUN/1", date(2022, 6, 10), {"category": "minor"}, True),
            ("OP-SUN/2", date(2022, 9, 1), {}, True),
            ("OP-SUN/3", date(2023, 2, 1), {}, False),
            (
                "OP-SUN/4",
                date(2023, 5, 10),
                {
                    "category": "major",
                    "outcome_stage": "sentenced",
                    "outcome_on": date(2024, 1, 20),
                },
                True,
            ),
            ("OP-SUN/5", date(2023, 7, 1), {"crime_type": "drugs"}, True),
            (
                "OP-SUN/6",
                date(2023, 8, 1),
                {
                    "category": "major",
                    "outcome_stage": "sentenced",
                    "outcome_on": date(2024, 2, 1),
                },
                False,
            ),
            ("OP-TIDE/1", date(2022, 7, 1), {"operation_name": "Op Tide"}, False),
        ]
        for activity, on, over, approve in plan:
            made = _claim(
                s, activity, on, operation_name=over.pop("operation_name", "Op Sun"), **over
            )
            ids[activity] = made.id
            if approve:
                register.approve_claim(
                    s, claim_id=made.id, approver="DI Kate Moss", rank="inspector"
                )
    return ids


@pytest.fixture
def app(workspace: Workspace) -> FastAPI:
    return create_app(workspace.home, secret="s" * 32, login_delay=0, workspace=workspace)


@pytest.fixture
def seeded(workspace: Workspace) -> dict[str, int]:
    return seed(workspace)


def client_as(app: FastAPI, ws: Workspace, role: str) -> TestClient:
    """A client signed in as a new user of ``role`` (casework roles name "Op Lantern")."""
    name = f"disruptions-{role}"
    add_user(ws, name, PASSWORD, role)
    client = TestClient(app)
    sign_in(client, name, PASSWORD, enquiry=ENQUIRY if role in CASEWORK else None)
    return client


def events(ws: Workspace, action: str) -> list[AuditEvent]:
    with ws.ops.session() as s:
        found = list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        for e in found:
            s.expunge(e)
    return found


def year_table(page: str) -> dict[str, dict[str, int]]:
    """The page's figures table: financial year -> category (and total, awaiting) -> count."""
    table = page.split('id="by-year"', 1)[1].split("</table>", 1)[0]
    rows: dict[str, dict[str, int]] = {}
    for year, cells in re.findall(r'<tr data-year="([^"]+)">(.*?)</tr>', table, re.S):
        rows[year] = {k: int(n) for k, n in re.findall(r'data-category="([^"]+)">(\d+)<', cells)}
    return rows


def expected_table(ws: Workspace, year: str | None = None) -> dict[str, dict[str, int]]:
    """The same table counted from the register's own functions."""
    with ws.ops.session() as s:
        figures = disruption_figures(s, financial_year=year)
        claims = register.claims(s, financial_year=year)
    out: dict[str, dict[str, int]] = {}
    for row in figures["rows"]:
        per = out.setdefault(row["financial_year"], {})
        per[row["category"]] = per.get(row["category"], 0) + row["claims"]
    for fy, total in figures["by_year"].items():
        out[fy]["total"] = total
    for c in claims:
        if not c.approved:
            from plainsight.act.disruption_rules import year_of

            out.setdefault(year_of(c.claimed_on), {})["awaiting"] = (
                out.get(year_of(c.claimed_on), {}).get("awaiting", 0) + 1
            )
    return {
        fy: {k: per.get(k, 0) for k in ("major", "moderate", "minor", "total", "awaiting")}
        for fy, per in out.items()
    }


def claim_row(page: str, claim_id: int) -> str:
    found = re.search(rf'<tr id="claim-{claim_id}"[^>]*>(.*?)</tr>', page, re.S)
    assert found, f"claim {claim_id} not on the page"
    return html.unescape(found.group(1))


def test_the_register_page_shows_the_registers_own_figures(
    app: FastAPI, workspace: Workspace, seeded: dict[str, int]
) -> None:
    analyst = client_as(app, workspace, "analyst")
    page = analyst.get("/disruptions")
    assert page.status_code == 200
    shown = year_table(page.text)
    assert shown == expected_table(workspace)
    assert shown == {
        "2022/23": {"major": 0, "moderate": 1, "minor": 1, "total": 2, "awaiting": 2},
        "2023/24": {"major": 1, "moderate": 1, "minor": 0, "total": 2, "awaiting": 1},
    }
    with workspace.ops.session() as s:
        figures = disruption_figures(s)
    assert f'id="approved-total">{figures["claims"]["approved"]}<' in page.text
    assert f'id="awaiting-total">{figures["claims"]["awaiting_approval"]}<' in page.text
    assert 'id="mdsht-live">1 of 1<' in page.text  # Op Sun live with MDSHT; Op Tide closed
    # each claim with its status and the rule that applies
    approved = claim_row(page.text, seeded["OP-SUN/4"])
    assert "approved by DI Kate Moss (inspector)" in approved
    assert "Major: approval by an inspector or above, not the claimant" in approved
    assert "recorded only at sentencing" in approved
    waiting = claim_row(page.text, seeded["OP-SUN/3"])
    assert "awaiting approval" in waiting
    assert "Moderate: approval by a sergeant or above, not the claimant" in waiting
    assert "Op Tide" in claim_row(page.text, seeded["OP-TIDE/1"])
    # groups and operations, live and closed; hostile text escaped
    assert "OCG-0412" in page.text and "Tower crew" in page.text
    assert "&lt;b&gt;Bridge&lt;/b&gt; firm" in page.text and "<b>Bridge</b>" not in page.text
    assert re.search(r"<td>Op Tide</td><td>closed</td>", page.text)
    assert re.search(r"<td>Op Sun</td><td>live</td>", page.text)
    # an analyst reads the register but is offered no forms
    assert 'action="/disruptions/claims"' not in page.text
    assert "/approve" not in page.text
    # the view is audited, with the line of enquiry as its justification
    views = [e for e in events(workspace, "view") if e.target == "/disruptions"]
    assert views and views[-1].actor == "disruptions-analyst"
    assert views[-1].justification == ENQUIRY


def test_a_financial_year_shows_that_years_figures(
    app: FastAPI, workspace: Workspace, seeded: dict[str, int]
) -> None:
    analyst = client_as(app, workspace, "analyst")
    page = analyst.get("/disruptions", params={"year": "FY23/24"})
    assert page.status_code == 200
    assert year_table(page.text) == expected_table(workspace, "2023/24")
    assert list(year_table(page.text)) == ["2023/24"]
    assert f'id="claim-{seeded["OP-SUN/1"]}"' not in page.text  # 2022/23
    bad = analyst.get("/disruptions", params={"year": "2023/25"})
    assert bad.status_code == 422
    assert "not a financial year" in bad.text


def test_only_a_supervisor_approves_and_the_approval_is_recorded(
    app: FastAPI, workspace: Workspace, seeded: dict[str, int]
) -> None:
    major = seeded["OP-SUN/6"]
    for role in ("analyst", "investigator"):
        client = client_as(app, workspace, role)
        token = csrf(client.get("/disruptions").text)
        refused = client.post(
            f"/disruptions/claims/{major}/approve",
            data={"rank": "inspector", "csrf_token": token},
            follow_redirects=False,
        )
        assert refused.status_code == 403, role
    with workspace.ops.session() as s:
        assert s.get(DisruptionClaim, major).approved_at is None  # type: ignore[union-attr]

    supervisor = client_as(app, workspace, "supervisor")
    page = supervisor.get("/disruptions")
    assert f'action="/disruptions/claims/{major}/approve"' in page.text
    token = csrf(page.text)
    # the register's rank rule holds: a Major claim needs an inspector or above
    too_low = supervisor.post(
        f"/disruptions/claims/{major}/approve",
        data={"rank": "sergeant", "csrf_token": token},
        follow_redirects=False,
    )
    assert too_low.status_code == 422
    assert "a Major claim needs approval by an inspector or above, not a sergeant" in (
        html.unescape(too_low.text)
    )
    done = supervisor.post(
        f"/disruptions/claims/{major}/approve",
        data={"rank": "inspector", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    with workspace.ops.session() as s:
        claim = s.get(DisruptionClaim, major)
        assert claim is not None and claim.approved
        assert (claim.approved_by, claim.approver_rank) == ("disruptions-supervisor", "inspector")
        figures = disruption_figures(s, financial_year="2023/24")
    assert figures["by_category"]["major"] == 2
    after = supervisor.get("/disruptions")
    assert year_table(after.text)["2023/24"]["major"] == 2
    assert "approved by disruptions-supervisor (inspector)" in claim_row(after.text, major)
    approvals = events(workspace, "approve")
    assert [(e.actor, e.target, e.justification) for e in approvals] == [
        ("disruptions-supervisor", f"disruptions claim {major}", ENQUIRY)
    ]
    assert "OP-SUN/6" in orjson.loads(approvals[0].detail)["done"]
    refusals = {(e.actor, e.target) for e in events(workspace, "refused")}
    path = f"/disruptions/claims/{major}/approve"
    assert {("disruptions-analyst", path), ("disruptions-investigator", path)} <= refusals
    assert ("disruptions-supervisor", f"disruptions claim {major}") in refusals  # the rank rule


def test_a_second_claim_for_an_activity_is_refused_naming_the_first(
    app: FastAPI, workspace: Workspace, seeded: dict[str, int]
) -> None:
    investigator = client_as(app, workspace, "investigator")
    token = csrf(investigator.get("/disruptions").text)
    form = {
        "activity": " op-sun/5 ",
        "claimed_on": "2023-07-01",
        "strand": "pursue",
        "category": "moderate",
        "crime_type": "mdsht",
        "narrative": "The same warrant, claimed again under MSHT.",
        "rank": "constable",
        "operation": "Op Sun",
        "csrf_token": token,
    }
    refused = investigator.post("/disruptions/claims", data=form, follow_redirects=False)
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    first = seeded["OP-SUN/5"]
    assert "no double counting" in text
    assert f"claim {first} (OP-SUN/5, Drugs, Moderate, 2023-07-01)" in text
    assert 'id="refused-claim"' in refused.text
    assert "The same warrant, claimed again under MSHT." in text  # the form keeps what was typed
    with workspace.ops.session() as s:
        assert len(register.claims(s)) == len(seeded)
    refusal = [e for e in events(workspace, "refused") if e.target == "disruptions claim OP-SUN/5"]
    assert refusal and "no double counting" in orjson.loads(refusal[-1].detail)["reason"]
    assert refusal[-1].justification == ENQUIRY


def test_an_investigator_records_a_group_an_operation_and_a_claim(
    app: FastAPI, workspace: Workspace, seeded: dict[str, int]
) -> None:
    investigator = client_as(app, workspace, "investigator")
    token = csrf(investigator.get("/disruptions").text)
    group = investigator.post(
        "/disruptions/groups",
        data={
            "reference": "ocg-0777",
            "name": "Harbour crew",
            "crime_types": ["mdsht", "immigration"],
            "status": "active",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert group.status_code == 303
    op = investigator.post(
        "/disruptions/operations",
        data={
            "name": "Op Moon",
            "opened_on": "2023-04-02",
            "crime_types": ["mdsht"],
            "groups": ["OCG-0777"],
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert op.status_code == 303
    claim = investigator.post(
        "/disruptions/claims",
        data={
            "activity": "OP-MOON/1",
            "claimed_on": "2023-11-03",
            "strand": "protect",
            "category": "minor",
            "crime_type": "mdsht",
            "narrative": "Safeguarding visit; two women referred to the NRM.",
            "rank": "staff",
            "operation": "Op Moon",
            "group": "OCG-0777",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert claim.status_code == 303
    with workspace.ops.session() as s:
        ocg = s.scalars(select(CrimeGroup).where(CrimeGroup.reference == "OCG-0777")).one()
        assert ocg.crime_types == "immigration,mdsht"
        moon = s.scalars(select(Operation).where(Operation.name == "Op Moon")).one()
        assert [g.reference for g in moon.groups] == ["OCG-0777"] and moon.live
        made = s.scalars(select(DisruptionClaim).where(DisruptionClaim.activity == "OP-MOON/1"))
        new = made.one()
        assert (new.claimant, new.claimant_rank, new.approved) == (
            "disruptions-investigator",
            "staff",
            False,
        )
        figures = disruption_figures(s)
    assert figures["live_operations"] == {
        "total": 2,
        "mdsht_link": 2,
        "mdsht_names": ["Op Moon", "Op Sun"],
    }
    page = investigator.get("/disruptions")
    assert 'id="mdsht-live">2 of 2<' in page.text
    assert "awaiting approval" in claim_row(page.text, new.id)
    created = [(e.target, e.justification) for e in events(workspace, "create")]
    assert created == [
        ("disruptions group ocg-0777", ENQUIRY),
        ("disruptions operation Op Moon", ENQUIRY),
        ("disruptions claim OP-MOON/1", ENQUIRY),
    ]
    # Major before sentencing is refused on the form, never a 500
    early = investigator.post(
        "/disruptions/claims",
        data={
            "activity": "OP-MOON/2",
            "claimed_on": "2023-11-04",
            "strand": "pursue",
            "category": "major",
            "crime_type": "mdsht",
            "narrative": "Charged.",
            "rank": "constable",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert early.status_code == 422
    assert "Major is recorded only at sentencing" in html.unescape(early.text)
    bad_date = investigator.post(
        "/disruptions/claims",
        data={
            **{"activity": "OP-MOON/3", "claimed_on": "3 May", "rank": "constable"},
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert bad_date.status_code == 422
    assert "is not a date" in html.unescape(bad_date.text)


def test_regrading_clears_the_approval_until_approved_again(
    app: FastAPI, workspace: Workspace, seeded: dict[str, int]
) -> None:
    claim_id = seeded["OP-SUN/5"]  # approved Moderate
    investigator = client_as(app, workspace, "investigator")
    token = csrf(investigator.get("/disruptions").text)
    done = investigator.post(
        f"/disruptions/claims/{claim_id}/regrade",
        data={
            "category": "major",
            "outcome_stage": "sentenced",
            "outcome_on": "2024-02-20",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    with workspace.ops.session() as s:
        claim = s.get(DisruptionClaim, claim_id)
        assert claim is not None
        assert (claim.category, claim.outcome_stage, claim.approved) == (
            "major",
            "sentenced",
            False,
        )
    row = claim_row(investigator.get("/disruptions").text, claim_id)
    assert "awaiting approval" in row and "recorded only at sentencing" in row
    assert [e.target for e in events(workspace, "update")] == [f"disruptions claim {claim_id}"]


@pytest.mark.parametrize("role", ["viewer", "admin"])
def test_a_viewer_and_an_admin_may_not_see_or_change_the_register(
    app: FastAPI, workspace: Workspace, seeded: dict[str, int], role: str
) -> None:
    client = client_as(app, workspace, role)
    assert client.get("/disruptions").status_code == 403
    token = csrf(client.get("/").text)
    posted = client.post(
        f"/disruptions/claims/{seeded['OP-SUN/3']}/approve",
        data={"rank": "inspector", "csrf_token": token},
        follow_redirects=False,
    )
    assert posted.status_code == 403
    assert not [e for e in events(workspace, "view") if e.target == "/disruptions"]


def test_a_post_without_the_csrf_token_is_refused(
    app: FastAPI, workspace: Workspace, seeded: dict[str, int]
) -> None:
    supervisor = client_as(app, workspace, "supervisor")
    supervisor.get("/disruptions")
    claim_id = seeded["OP-SUN/3"]
    refused = supervisor.post(
        f"/disruptions/claims/{claim_id}/approve",
        data={"rank": "inspector"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    forged = supervisor.post(
        "/disruptions/groups",
        data={"reference": "OCG-9", "name": "x", "crime_types": ["mdsht"], "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    with workspace.ops.session() as s:
        claim = s.get(DisruptionClaim, claim_id)
        assert claim is not None and not claim.approved
        assert len(register.groups(s)) == 2
    assert events(workspace, "approve") == [] and events(workspace, "create") == []


@pytest.fixture
def seeded_server(workspace: Workspace) -> Iterator[str]:
    """The app over a seeded register, served on loopback (own workspace, own users)."""
    from tests.web.conftest import serving

    seed(workspace)
    add_user(workspace, "disruptions-browser", PASSWORD, "supervisor")
    application = create_app(workspace.home, secret="b" * 32, login_delay=0, workspace=workspace)
    with serving(application) as origin:
        yield origin


def test_the_register_and_threat_pages_in_a_browser(
    browser: Any, seeded_server: str, workspace: Workspace
) -> None:
    """The chart draws, a form posts, and the console stays free of CSP errors."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    requests: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(f"{m.text} ({m.location.get('url', '')})")
            # Chromium asks for /favicon.ico by itself; a missing one is not the app's page.
            if m.type == "error" and not str(m.location.get("url", "")).endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(seeded_server + "/login?next=/disruptions")
        page.fill("input[name=name]", "disruptions-browser")
        page.fill("input[name=password]", PASSWORD)
        page.click("form:has(input[type=password]) [type=submit]")
        page.wait_for_load_state("networkidle")
        assert "/enquiry" in page.url, page.url
        page.fill("#reference", ENQUIRY)
        page.click("#enquiry-form [type=submit]")
        page.wait_for_load_state("networkidle")
        assert page.url.endswith("/disruptions"), page.url
        bars = page.locator("svg.bars rect.bar")
        assert bars.count() == 2 * 3  # two financial years, three categories
        drawn = [b.bounding_box() for b in bars.all()]
        assert sum(1 for box in drawn if box and box["height"] > 0) == 4  # non-zero counts
        page.select_option("#approve-rank-7", "inspector")
        page.click("form[action='/disruptions/claims/7/approve'] [type=submit]")
        page.wait_for_load_state("networkidle")
        assert "approved by disruptions-browser" in page.locator("#claim-7").inner_text()
        page.goto(seeded_server + "/threat")
        page.wait_for_load_state("networkidle")
        assert page.locator("section.requirement").count() == 6
        assert errors == [], errors
        assert [u for u in requests if not u.startswith(seeded_server + "/")] == []
    finally:
        context.close()
    with workspace.ops.session() as s:
        claim = s.get(DisruptionClaim, 7)
        assert claim is not None and claim.approved_by == "disruptions-browser"
