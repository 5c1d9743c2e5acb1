"""Today: new alerts, networks new or risen, overdue welfare checks, records set aside."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pyarrow as pa
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from plainsight.assess.schemas import NETWORK_SCORES
from plainsight.cli import app as cli
from plainsight.lake.schemas import CRAWL_PROBLEMS, CRIME_IMPORTS, CRIME_REJECTS
from plainsight.ops.checks import WelfareCheck
from plainsight.ops.watch import Alert, Watch
from plainsight.web.app import create_app
from plainsight.web.auth import add_user
from plainsight.workspace import Workspace
from tests.web.conftest import sign_in

PASSWORD = "a long enough passphrase"


@pytest.fixture
def client(workspace: Workspace) -> TestClient:
    add_user(workspace, "ann", PASSWORD, "analyst")
    client = TestClient(
        create_app(workspace.home, secret="s" * 40, login_delay=0, workspace=workspace)
    )
    return sign_in(client, "ann", PASSWORD)


def test_empty_workspace(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "Lake version 0" in page.text
    assert "No alerts waiting" in page.text
    assert "No welfare check is past its due date" in page.text
    assert "No network scores yet" in page.text


def _score(network_id: str, rank: int, score: float) -> dict[str, object]:
    row: dict[str, object] = {name: None for name in NETWORK_SCORES.names}
    row.update(
        network_id=network_id,
        rank=rank,
        score=score,
        personas=3,
        adverts=7,
        towns=["London", "Leeds"],
        summary=f"summary of {network_id}",
    )
    return row


def test_new_and_urgent(client: TestClient, workspace: Workspace) -> None:
    now = workspace.clock()
    today = now.date()
    with workspace.ops.session() as session:
        watch = Watch(
            kind="phone",
            value="+447700900123",
            written="07700 900123",
            owner="ann",
            reason="op test",
            review_date=today + timedelta(days=30),
            created_by="ann",
            created_at=now,
        )
        session.add(watch)
        session.flush()
        for n, acknowledged in ((1, None), (2, now)):
            session.add(
                Alert(
                    watch_id=watch.id,
                    advert_id=f"AD-{n}",
                    capture_id="c" * 64,
                    matched="phone 07700 900123",
                    closeness="exactly",
                    raised_at=now,
                    acknowledged_at=acknowledged,
                )
            )
        for subject, due in (
            ("P-late", today - timedelta(days=3)),
            ("P-soon", today + timedelta(days=2)),
        ):
            session.add(
                WelfareCheck(
                    subject_kind="persona",
                    subject_id=subject,
                    officer="PC 123",
                    due=due,
                    tasked_at=now - timedelta(days=7),
                    tasked_by="ann",
                )
            )
    rows = [_score("N-second", 2, 3.5), _score("N-first", 1, 9.25)]
    with workspace.lake.transaction(note="dashboard test") as tx:
        tx.replace("network_scores", pa.Table.from_pylist(rows, schema=NETWORK_SCORES))
    page = client.get("/")
    assert page.status_code == 200
    text = page.text
    assert "Lake version 1" in text
    assert "AD-1" in text and "AD-2" not in text  # acknowledged alerts are not new
    assert "P-late" in text and "P-soon" not in text
    assert text.index("N-first") < text.index("N-second")
    assert "9.25" in text and "London, Leeds" in text


def _rows(page: str, name: str) -> list[str]:
    found = re.findall(rf'<tr class="{name}[^"]*"(.*?)</tr>', page, flags=re.S)
    return [html.unescape(row) for row in found]


def _changes(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-network="([^"]+)" data-change="([^"]*)"', page))


def test_networks_new_or_risen_since_the_previous_scoring(
    client: TestClient, workspace: Workspace
) -> None:
    with workspace.lake.transaction(note="first scoring") as tx:
        rows = [_score("N-a", 1, 5.0), _score("N-b", 2, 3.0)]
        tx.replace("network_scores", pa.Table.from_pylist(rows, schema=NETWORK_SCORES))
    with workspace.lake.transaction(note="something else") as tx:
        tx.replace(
            "price_medians",
            pa.table({"area": ["default"], "median_per_hour": [150.0], "adverts": [3]}),
        )
    with workspace.lake.transaction(note="second scoring") as tx:
        rows = [_score("N-a", 1, 6.5), _score("N-b", 2, 3.0), _score("N-c", 3, 2.0)]
        tx.replace("network_scores", pa.Table.from_pylist(rows, schema=NETWORK_SCORES))
    page = client.get("/").text
    assert _changes(page) == {"N-a": "rose", "N-b": "", "N-c": "new"}
    assert "rose</strong> from 5.00" in page
    assert "previous scoring (lake version 2): 1 new, 1 with a higher score" in page


def test_without_an_earlier_scoring_new_means_first_seen_this_week(
    client: TestClient, workspace: Workspace
) -> None:
    now = workspace.clock()
    fresh, old = _score("N-fresh", 1, 4.0), _score("N-old", 2, 3.0)
    fresh.update(first_seen=now - timedelta(days=2), last_seen=now)
    old.update(first_seen=now - timedelta(days=60), last_seen=now)
    with workspace.lake.transaction(note="scoring") as tx:
        tx.replace("network_scores", pa.Table.from_pylist([fresh, old], schema=NETWORK_SCORES))
    page = client.get("/").text
    assert _changes(page) == {"N-fresh": "new", "N-old": ""}
    assert "first seen in the last 7 days are marked new (1)" in page


def _record(ad_id: str) -> dict[str, object]:
    return {
        "source": "siteA",
        "ad_id": ad_id,
        "captured_at": "2024-02-20T10:00:00Z",
        "title": "Anna",
        "body": "New in town. Call 07700 900123",
    }


def test_records_set_aside_are_shown_newest_first_with_where_and_why(
    client: TestClient, workspace: Workspace, tmp_path: Path
) -> None:
    assert "Nothing has been set aside" in client.get("/").text
    bad = tmp_path / "batch.jsonl"
    bad.write_bytes(
        b"\n".join(
            [
                orjson.dumps(_record("101")),
                b"{not json",
                orjson.dumps({**_record("102"), "captured_at": "2024-02-20 10:00"}),
                orjson.dumps({k: v for k, v in _record("103").items() if k != "source"}),
            ]
        )
        + b"\n"
    )
    done = CliRunner().invoke(cli, ["--home", str(workspace.home), "import", "adverts", str(bad)])
    assert done.exit_code != 0 and "3 line(s) set aside" in done.output, done.output
    page = client.get("/").text
    rows = _rows(page, "reject-row")
    assert len(rows) == 3, page
    for line, why in (
        (2, "not JSON"),
        (3, "no UTC offset"),
        (4, "missing required field 'source'"),
    ):
        assert any(f"{bad}, line {line}" in r and why in r and "advert import" in r for r in rows)
    assert re.search(r"Records set aside recently <span class=\"count\">3</span>", page)

    later = datetime.now(UTC) + timedelta(days=1)
    with workspace.lake.transaction(note="crawl and crime") as tx:
        problem = {name: None for name in CRAWL_PROBLEMS.names}
        problem.update(
            crawl_id="c1",
            url="https://siteA.example/ad/9",
            page="advert",
            kind="partial",
            reason="the page had no body",
            missing=["body"],
            source="siteA",
            ad_id="9",
            at=later,
        )
        tx.replace("crawl_problems", pa.Table.from_pylist([problem], schema=CRAWL_PROBLEMS))
        tx.replace(
            "crime_rejects",
            pa.Table.from_pylist(
                [
                    {
                        "file": "crimes.csv",
                        "line": 7,
                        "reason": "recorded date 'soon' is not a date",
                        "raw": "x",
                    }
                ],
                schema=CRIME_REJECTS,
            ),
        )
        imported = {name: None for name in CRIME_IMPORTS.names}
        imported.update(import_id="i1", imported_at=later - timedelta(hours=1))
        tx.replace("crime_imports", pa.Table.from_pylist([imported], schema=CRIME_IMPORTS))
    rows = _rows(client.get("/").text, "reject-row")
    assert len(rows) == 5
    assert "crawl: partial" in rows[0] and "https://siteA.example/ad/9" in rows[0]
    assert "the page had no body (missing body)" in rows[0]
    assert "crime import" in rows[1] and "crimes.csv, line 7" in rows[1]
    assert "recorded date 'soon' is not a date" in rows[1]
    assert all("advert import" in r for r in rows[2:])
