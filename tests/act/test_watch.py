"""Watchlists and alerts over a small imported, extracted and linked world, on SQLite and
PostgreSQL: an alert fires exactly once for a re-encoded watched picture and for a watched
number written in obfuscated form, and never for what does not match.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from plainsight.act.watch import (
    WatchError,
    WatchRequest,
    acknowledge,
    add_watch,
    alerts,
    check_watches,
    remove_watch,
    watches,
)
from plainsight.capture.importer import AdvertImport
from plainsight.extract.stage import ExtractStage
from plainsight.link.stage import LinkStage
from plainsight.ops.db import OpsDatabase
from plainsight.settings import load_settings
from plainsight.workspace import Workspace
from tests.conftest import TickingClock, advert, picture

REVIEW = date(2025, 3, 1)
OBFUSCATED = "o7700 9OO 123"


def reencoded(data: bytes) -> bytes:
    """The same picture as a reposter would make it: resized and re-saved at low quality."""
    image = Image.open(io.BytesIO(data)).convert("RGB").resize((240, 320))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=55)
    return out.getvalue()


def lines() -> list[dict[str, Any]]:
    """Thirteen adverts: one writes the watched number obfuscated, one carries a re-encoded
    copy of the watched picture, one an unrelated picture; some share a number (a network)."""
    ads = [
        advert(1, phone="", body=f"New girl, call {OBFUSCATED} any time", name="Bella"),
        advert(2, images=["img/copy.jpg"], phone="07700 900 402"),
        advert(3, images=["img/other.jpg"], phone="07700 900 403"),
        advert(4, phone="07700 900 124", email="Mia.Rose@Example.com"),
        advert(6, name="Anna", age=17, phone="07700 900 406"),
        advert(12, name="Anna", age=18, phone="07700 900 412"),
        advert(18, name="Anna", age=27, phone="07700 900 418"),
    ]
    ads += [advert(n, phone="07700 900 555") for n in (7, 8, 9)]
    ads += [advert(n) for n in (10, 11, 13)]
    return ads


def write_world(folder: Path, records: list[dict[str, Any]]) -> None:
    (folder / "img").mkdir(parents=True, exist_ok=True)
    (folder / "img" / "copy.jpg").write_bytes(reencoded(picture(3)))
    (folder / "img" / "other.jpg").write_bytes(picture(9))
    (folder / "ads.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))


def build(home: Path, folder: Path) -> None:
    ws = Workspace.open(load_settings(home, operator="test"))
    assert AdvertImport(ws).run([folder]).clean
    ExtractStage(ws, processes=1).run()
    LinkStage(ws).run()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("watch-world")
    write_world(root / "in", lines())
    build(root / "ws", root / "in")
    return root / "ws"


@pytest.fixture
def workspace(world: Path, tmp_path: Path, ops_db: OpsDatabase) -> Iterator[Workspace]:
    home = tmp_path / "ws"
    shutil.copytree(world, home, ignore=shutil.ignore_patterns("ops.db*"))
    settings = load_settings(home, operator="dc.lee", database_url=ops_db.url)
    clock = TickingClock(datetime(2024, 3, 1, 9, 0, tzinfo=UTC))
    ws = Workspace.open(settings, clock=clock)
    yield ws
    ws.ops.close()  # let the PostgreSQL fixture drop its database


def watch(ws: Workspace, **subject: Any) -> int:
    request = WatchRequest(owner="DS Khan", reason="Op Sun", review_date=REVIEW, **subject)
    return add_watch(ws, request, who="dc.lee").id


def advert_of(ws: Workspace, ad_id: str) -> str:
    with ws.reading() as engine:
        rows = engine.run("SELECT advert_id FROM adverts WHERE ad_id = ?", [ad_id]).to_pylist()
    return str(rows[0]["advert_id"])


def test_an_obfuscated_watched_number_alerts_exactly_once(workspace: Workspace) -> None:
    watch_id = watch(workspace, phone="+44 7700 900123")
    first = check_watches(workspace)
    assert [(a.watch_id, a.advert_id) for a in first] == [
        (watch_id, advert_of(workspace, "100001"))
    ]
    assert "+447700900123" in first[0].closeness
    assert repr(OBFUSCATED) in first[0].closeness and "obfuscated" in first[0].closeness
    assert check_watches(workspace) == []  # re-running raises nothing new
    with workspace.ops.session() as s:
        listed = alerts(s)
    assert len(listed) == 1 and listed[0][1].owner == "DS Khan"


def test_a_reencoded_watched_picture_alerts_exactly_once(
    workspace: Workspace, tmp_path: Path
) -> None:
    original = tmp_path / "watched.jpg"
    original.write_bytes(picture(3))
    watch_id = watch(workspace, picture=original)
    first = check_watches(workspace)
    assert [(a.watch_id, a.advert_id) for a in first] == [
        (watch_id, advert_of(workspace, "100002"))
    ]
    assert "bits apart" in first[0].closeness  # a near copy, not the same file
    assert check_watches(workspace) == []


def test_a_picture_watched_from_the_lake_matches_its_own_advert(workspace: Workspace) -> None:
    with workspace.reading() as engine:
        sha = engine.run(
            "SELECT image_sha256[1] AS sha FROM captures WHERE ad_id = '100003'"
        ).to_pylist()[0]["sha"]
    watch(workspace, picture_sha256=sha)
    found = check_watches(workspace)
    assert [a.advert_id for a in found] == [advert_of(workspace, "100003")]
    assert "identical SHA-256" in found[0].closeness


def test_an_email_is_matched_in_its_normal_form(workspace: Workspace) -> None:
    watch(workspace, email="mia.rose@example.com")
    found = check_watches(workspace)
    assert [a.advert_id for a in found] == [advert_of(workspace, "100004")]


def test_a_name_matches_within_two_years_of_the_age_at_the_advert_date(
    workspace: Workspace,
) -> None:
    # Born 1 June 2007: 15 when the adverts were posted (February 2023).
    watch(workspace, name="anna", dob=date(2007, 6, 1), marker="juvenile, Op Sun")
    found = check_watches(workspace)
    assert [a.advert_id for a in found] == [advert_of(workspace, "100006")]  # 17, not 18 or 27
    assert "stated age 17" in found[0].closeness and "2 years apart" in found[0].closeness
    with workspace.ops.session() as s:
        [(_, marker)] = alerts(s)
    assert marker.category == "marker" and marker.label == "juvenile, Op Sun"


def test_a_removed_watch_raises_nothing_and_alerts_can_be_acknowledged(
    workspace: Workspace,
) -> None:
    kept = watch(workspace, phone="07700900123")
    dropped = watch(workspace, phone="07700 900 124")
    remove_watch(workspace, dropped, who="dc.lee")
    [alert] = check_watches(workspace)
    assert alert.watch_id == kept
    acknowledge(workspace, alert.id, who="ds.khan")
    with workspace.ops.session() as s:
        assert alerts(s) == []
        [(seen, _)] = alerts(s, everything=True)
        assert seen.acknowledged_by == "ds.khan"
        assert [w.id for w in watches(s)] == [kept]
    with pytest.raises(WatchError, match="no watch"):
        remove_watch(workspace, dropped, who="dc.lee")


@pytest.mark.parametrize(
    ("subject", "message"),
    [
        ({"phone": "call me"}, "no phone number"),
        ({"email": "not an address"}, "not one e-mail"),
        ({"name": "Anna"}, "an age"),
        ({"network": "N-000000000000"}, "no network"),
        ({"phone": "07700900123", "email": "a@b.com"}, "exactly one"),
        ({"picture": Path("/nonexistent.jpg")}, "cannot read"),
    ],
)
def test_bad_watches_are_refused_with_a_reason(
    workspace: Workspace, subject: dict[str, Any], message: str
) -> None:
    with pytest.raises(WatchError, match=message):
        watch(workspace, **subject)
    with pytest.raises(WatchError, match="already passed"):
        add_watch(
            workspace,
            WatchRequest(
                owner="DS Khan", reason="Op Sun", review_date=date(2024, 2, 1), phone="07700900123"
            ),
            who="dc.lee",
        )


def test_the_database_itself_refuses_a_second_alert_for_a_pair(workspace: Workspace) -> None:
    from sqlalchemy.exc import IntegrityError

    from plainsight.ops.watch import Alert

    watch(workspace, phone="07700900123")
    [alert] = check_watches(workspace)
    with pytest.raises(IntegrityError), workspace.ops.session() as s:
        s.add(
            Alert(
                watch_id=alert.watch_id,
                advert_id=alert.advert_id,
                capture_id=alert.capture_id,
                matched="again",
                closeness="again",
                raised_at=workspace.clock(),
            )
        )


def test_an_empty_workspace_raises_no_alerts(tmp_path: Path) -> None:
    ws = Workspace.open(load_settings(tmp_path / "empty", operator="dc.lee"), clock=TickingClock())
    watch(ws, phone="07700900123")
    watch(ws, name="Anna", age=16)
    assert check_watches(ws) == []


@pytest.mark.parametrize(
    ("dob", "age", "on", "expected"),
    [
        (date(2007, 6, 1), None, date(2023, 5, 31), 15),
        (date(2007, 6, 1), None, date(2023, 6, 1), 16),
        (None, 16, date(2026, 3, 1), 18),  # two years after it was stated
        (None, 16, date(2023, 2, 20), 15),  # an advert from a year before it was stated
    ],
)
def test_the_expected_age_on_an_advert_date(
    dob: date | None, age: int | None, on: date, expected: int
) -> None:
    from plainsight.act.watch_match import expected_age
    from plainsight.ops.watch import Watch

    w = Watch(dob=dob, age=age, age_on=date(2024, 3, 1) if age is not None else None)
    assert expected_age(w, on) == expected


def test_two_checks_racing_raise_each_alert_once(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    import plainsight.act.watch as module

    real = module.find_matches
    raced: list[int] = []

    def racing(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        if not raced:  # another analyst's check stores the same alert first
            raced.append(0)
            raced[0] = len(check_watches(workspace))
        return found

    watch(workspace, phone="07700900123")
    monkeypatch.setattr(module, "find_matches", racing)
    assert check_watches(workspace) == []  # the other check raised it
    assert raced == [1]
    with workspace.ops.session() as s:
        assert len(alerts(s)) == 1
