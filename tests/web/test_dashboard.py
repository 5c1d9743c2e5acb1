"""The dashboard: new alerts, top networks, overdue welfare checks and the lake version."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from plainsight.assess.schemas import NETWORK_SCORES
from plainsight.ops.checks import WelfareCheck
from plainsight.ops.watch import Alert, Watch
from plainsight.web.app import create_app
from plainsight.web.auth import add_user
from tests.web.conftest import sign_in
from plainsight.workspace import Workspace

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
    now = datetime.now(UTC)
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
