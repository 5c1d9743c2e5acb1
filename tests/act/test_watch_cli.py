"""``plainsight watch`` and ``plainsight alerts`` end to end, and a watch on a whole network:
a new advert joining it (a later import sharing its number) alerts once, the old ones never.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plainsight.act.watch import alerts
from plainsight.cli import app, console
from plainsight.settings import load_settings
from plainsight.workspace import Workspace
from tests.act.test_watch import OBFUSCATED, build, lines, write_world
from tests.conftest import advert

runner = CliRunner()
REVIEW = (date.today() + timedelta(days=365)).isoformat()


@pytest.fixture(autouse=True)
def wide_console() -> Iterator[None]:
    """Tables wide enough that a value is never wrapped across lines."""
    before = console._width
    console.width = 240
    yield
    console._width = before


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("watch-cli")
    write_world(root / "in", lines())
    build(root / "ws", root / "in")
    return root / "ws"


@pytest.fixture
def home(pristine: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "ws"
    shutil.copytree(pristine, copy)
    return copy


def cli(home: Path, *args: str) -> tuple[int, str]:
    done = runner.invoke(
        app, ["--home", str(home), "--operator", "dc.lee", "--why", "Op Sun", *args]
    )
    return done.exit_code, " ".join(done.output.split())


def audited(home: Path) -> list[tuple[str, str]]:
    ws = Workspace.open(load_settings(home))
    from plainsight.ops.models import AuditEvent

    with ws.ops.session() as s:
        return [(e.action, e.target) for e in s.query(AuditEvent).order_by(AuditEvent.id)]


def test_watch_add_list_alert_ack_and_remove(home: Path) -> None:
    code, out = cli(
        home, "watch", "add", "--phone", "07700 900123", "--reason", "Op Sun",
        "--review-date", REVIEW, "--owner", "DS Khan", "--marker", "juvenile, Op Sun",
    )  # fmt: skip
    assert code == 0, out
    assert "marker 1: phone +447700900123" in out
    code, out = cli(home, "watch", "list")
    assert code == 0 and "+447700900123" in out and "DS Khan" in out
    code, out = cli(home, "alerts")
    assert code == 0, out
    assert "1 new alert(s)" in out and OBFUSCATED in out and "DS Khan" in out
    code, out = cli(home, "alerts")
    assert "new alert" not in out and OBFUSCATED in out  # still waiting, not raised again
    code, out = cli(home, "alerts", "--ack", "1")
    assert code == 0 and "acknowledged" in out
    code, out = cli(home, "alerts")
    assert "No alerts waiting" in out
    code, out = cli(home, "alerts", "--all")
    assert "acknowledged by dc.lee" in out
    code, out = cli(home, "watch", "remove", "1")
    assert code == 0 and "Removed watch 1" in out
    code, out = cli(home, "watch", "list")
    assert "No watches" in out
    actions = audited(home)
    assert ("alter", "watch 1") in actions and ("alter", "alert 1") in actions
    assert ("view", "alerts") in actions


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--phone", "no number here"], "no phone number"),
        (["--name", "Anna"], "--age"),
        (["--phone", "07700900123", "--review-date", "next week"], "not a date"),
        (["--picture", "/nonexistent.jpg"], "cannot read the picture"),
    ],
)
def test_bad_input_is_one_clear_line(home: Path, args: list[str], message: str) -> None:
    base = ["--reason", "Op Sun", "--owner", "DS Khan"]
    if "--review-date" not in args:
        base += ["--review-date", REVIEW]
    code, out = cli(home, "watch", "add", *base, *args)
    assert code == 1 and message in out and "Traceback" not in out
    code, out = cli(home, "alerts", "--ack", "99")
    assert code == 1 and "no alert 99" in out


def test_a_network_watch_alerts_only_on_a_new_advert_joining_it(home: Path, tmp_path: Path) -> None:
    ws = Workspace.open(load_settings(home))
    with ws.reading() as engine:
        [row] = engine.run(
            "SELECT n.network_id FROM captures AS c "
            "JOIN personas AS p ON p.advert_id = c.advert_id "
            "JOIN networks AS n ON n.persona_id = p.persona_id WHERE c.ad_id = '100007'"
        ).to_pylist()
    network = row["network_id"]
    code, out = cli(
        home, "watch", "add", "--network", network, "--reason", "Op Sun",
        "--review-date", REVIEW, "--owner", "DS Khan",
    )  # fmt: skip
    assert code == 0, out
    code, out = cli(home, "alerts")
    assert "No alerts waiting" in out  # the adverts already in it are not new
    later = tmp_path / "later"
    later.mkdir()
    (later / "ads.jsonl").write_text(
        json.dumps(advert(40, phone="07700 900 555", name="Bella")) + "\n"
        + json.dumps(advert(41, phone="07700 900 641")) + "\n"
    )  # fmt: skip
    code, out = cli(home, "import", "adverts", str(later / "ads.jsonl"))
    assert code == 0, out
    code, out = cli(home, "run")
    assert code == 0, out
    assert "new watchlist alert(s)" in out  # the run checks the watches itself
    code, out = cli(home, "alerts")
    assert f"a new advert in the watched network {network}" in out
    with ws.ops.session() as s:
        alerted = {a.advert_id for a, _ in alerts(s)}
    with ws.reading() as engine:
        ids = {
            r["ad_id"]: r["advert_id"]
            for r in engine.run("SELECT ad_id, advert_id FROM adverts").to_pylist()
        }
    assert ids["100040"] in alerted  # the new advert, on the network's number
    assert ids["100041"] not in alerted  # a new advert with nothing in common
    assert not alerted & {ids["100007"], ids["100008"], ids["100009"]}  # there all along
    code, out = cli(home, "alerts")
    assert "new alert" not in out
