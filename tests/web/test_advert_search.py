"""The advert evidence page (captures side by side, custody) and search (text, place, picture).

A small world of interchange records is imported and run through ``plainsight run`` as an
analyst's workspace would be: the facts, fingerprints and links are the real ones. One
advert is captured three times with its text edited; another carries hostile markup. The
custody record is checked on a workspace filled by two real crawls of a site on loopback.
"""

from __future__ import annotations

import io
import re
import shutil
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from typer.testing import CliRunner

from plainsight.capture.importer import advert_id as make_advert_id
from plainsight.capture.verify import verify_evidence
from plainsight.cli import app as cli
from plainsight.ops.models import AuditEvent
from plainsight.settings import load_settings
from plainsight.web import advert_data, search_data
from plainsight.web.app import create_app
from plainsight.web.auth import add_user
from plainsight.workspace import Workspace
from tests.capture.test_exhibit import two_crawls
from tests.conftest import advert, picture
from tests.web.conftest import PASSWORD, csrf, sign_in

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"
FIRST = "New girl, no English. Call 07700 900123 now. Near Liverpool Street."
SECOND = "New girl, speaks little English. Call 07700 900123 today. Near Liverpool Street."
THIRD = "New girl, speaks little English. Call 07700 900123 tonight. Near Liverpool Street."


def _records() -> list[dict[str, Any]]:
    return [
        advert(1, images=["img/1.jpg"], captured_at="2024-03-01T10:00:00Z", body=FIRST),
        advert(1, images=["img/1.jpg"], captured_at="2024-03-05T10:00:00Z", body=SECOND),
        advert(
            1, images=["img/1.jpg", "img/5.jpg"], captured_at="2024-03-09T10:00:00Z", body=THIRD
        ),
        advert(
            2,
            images=["img/2.jpg"],
            phone="07700 900456",
            title="Bella visiting",
            body="Sweet Bella visiting Manchester",
            location_text="Manchester",
            captured_at="2024-03-02T10:00:00Z",
        ),
        advert(
            2,
            images=["img/2.jpg"],
            phone="07700 900456",
            title="Bella visiting",
            body=f"Sweet Bella visiting Manchester {HOSTILE}",
            location_text="Manchester",
            captured_at="2024-03-06T10:00:00Z",
        ),
        advert(4, phone="07700 900123", body="Anna again, call 07700 900123"),
    ]


class World:
    """The imported, run workspace and its adverts' ids."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.anna = make_advert_id("adsite-north", "100001")
        self.bella = make_advert_id("adsite-north", "100002")
        self.other = make_advert_id("adsite-north", "100004")

    def workspace(self) -> Workspace:
        return Workspace.open(load_settings(self.home))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("advert-search")
    (root / "in" / "img").mkdir(parents=True)
    for seed in (1, 2, 5):
        (root / "in" / "img" / f"{seed}.jpg").write_bytes(picture(seed))
    source = root / "in" / "adverts.jsonl"
    source.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in _records()))
    home = root / "home"
    runner = CliRunner()
    done = runner.invoke(cli, ["--home", str(home), "import", "adverts", str(source)])
    assert done.exit_code == 0, done.output
    ran = runner.invoke(cli, ["--home", str(home), "run"])
    assert ran.exit_code == 0, ran.output
    made = World(home)
    add_user(made.workspace(), "ana", PASSWORD, "analyst")
    return made


@pytest.fixture
def client(world: World) -> TestClient:
    app = create_app(world.home, secret="s" * 32, login_delay=0, workspace=world.workspace())
    return sign_in(TestClient(app), "ana")


def _events(ws: Workspace, action: str) -> list[tuple[str, dict[str, Any]]]:
    with ws.ops.session() as session:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
        return [(e.target, orjson.loads(e.detail)) for e in rows]


def _capture_ids(world: World, advert_id: str) -> list[str]:
    with world.workspace().reading() as engine:
        rows = engine.run(
            "SELECT capture_id FROM captures WHERE advert_id = ? ORDER BY captured_at",
            [advert_id],
        ).to_pylist()
    return [r["capture_id"] for r in rows]


# -- the side-by-side comparison -------------------------------------------------------------


def test_word_diff_marks_deleted_and_inserted_words() -> None:
    old, new = advert_data.word_diff(FIRST, SECOND)
    assert ("no", "del") in old and ("now.", "del") in old
    assert ("speaks little", "ins") in new and ("today.", "ins") in new
    assert "".join(t for t, _ in old) == FIRST and "".join(t for t, _ in new) == SECOND
    assert advert_data.word_diff("same  text", "same text") == (
        [("same  text", None)],
        [("same text", None)],
    )


def test_the_latest_two_captures_side_by_side(client: TestClient, world: World) -> None:
    page = client.get(f"/advert/{world.anna}")
    assert page.status_code == 200
    text = page.text
    assert 'class="side-by-side"' in text and 'href="/static/advert.css"' in text
    # the previous capture (SECOND) against the latest (THIRD): one word changed, one picture
    assert "<del>today.</del>" in text and "<ins>tonight.</ins>" in text
    assert "<del>no</del>" not in text
    assert "Earlier: captured 2024-03-05 10:00:00 UTC" in text
    assert "Later: captured 2024-03-09 10:00:00 UTC" in text
    assert text.count("<ins>added</ins>") == 1  # the fifth picture is new
    # three captures: the analyst may choose which two
    assert 'name="left"' in text and 'name="right"' in text
    # indicator evidence is still highlighted in each capture
    assert "<mark title=" in text
    # the strict CSP allows no inline script or style
    assert "style=" not in text and "<style" not in text
    assert re.findall(r"<script(?![^>]*\bsrc=)", text) == []


def test_any_two_captures_can_be_compared(client: TestClient, world: World) -> None:
    first, _, third = _capture_ids(world, world.anna)
    page = client.get(f"/advert/{world.anna}", params={"left": third, "right": first})
    assert page.status_code == 200
    assert "<del>no</del>" in page.text and "<ins>speaks little</ins>" in page.text
    assert "<del>now.</del>" in page.text and "<ins>tonight.</ins>" in page.text
    assert "Earlier: captured 2024-03-01 10:00:00 UTC" in page.text  # older always on the left
    views = _events(world.workspace(), "view")
    assert (f"/advert/{world.anna}", f"left={third}&right={first}") in [
        (t, d.get("query")) for t, d in views
    ]


def test_hostile_advert_text_is_shown_as_text_side_by_side(
    client: TestClient, world: World
) -> None:
    page = client.get(f"/advert/{world.bella}")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "onerror=alert" not in page.text.replace("onerror=alert(2)&gt;", "")
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"
    assert f"<ins>{escaped}</ins>" in page.text  # the added text, marked and escaped
    assert escaped in page.text.split('id="changes"')[1].split("Captures (")[1]  # and below


def test_one_capture_has_nothing_to_compare(client: TestClient, world: World) -> None:
    page = client.get(f"/advert/{world.other}")
    assert page.status_code == 200
    assert "Only one capture of this advert so far" in page.text
    assert 'class="side-by-side"' not in page.text


def test_imported_captures_say_they_have_no_custody_entries(
    client: TestClient, world: World
) -> None:
    page = client.get(f"/advert/{world.anna}")
    assert "No custody entries: these captures were imported from an interchange file" in (
        page.text
    )


# -- search --------------------------------------------------------------------------------


def test_search_reads_the_query_every_way(world: World) -> None:
    with world.workspace().reading() as engine:

        def ids(q: str) -> set[str]:
            return {r["id"] for r in search_data.search(engine, q)}

        assert search_data.normalise_phone("07700 9OO 123") == "+447700900123"
        assert ids("07700 9OO 123") == {world.anna, world.other}
        assert ids("speaks little english") == {world.anna}  # words, any case
        assert ids("no English") == {world.anna}  # in an earlier capture only
        assert ids("Liverpool St") >= {world.anna} and world.bella not in ids("Liverpool St")
        assert ids("ec2m") >= {world.anna}  # a district finds its full postcodes
        assert ids("Manchester") == {world.bella}
        assert ids("nothing like this anywhere") == set()
        why = {r["id"]: r["why"] for r in search_data.search(engine, "Liverpool St")}
        assert why[world.anna] == "place Liverpool Street station"
        text = search_data.search(engine, "tonight")
        assert [r["id"] for r in text] == [world.anna] and "tonight" in text[0]["why"]


def test_search_page_finds_and_audits(client: TestClient, world: World) -> None:
    page = client.get("/search", params={"q": "07700 9OO 123"})
    assert page.status_code == 200
    assert f'href="/advert/{world.anna}"' in page.text
    assert f'href="/advert/{world.other}"' in page.text
    assert "phone +447700900123" in page.text
    page = client.get("/search", params={"q": "Manchester"})
    assert f'href="/advert/{world.bella}"' in page.text
    assert f'href="/advert/{world.anna}"' not in page.text
    searches = _events(world.workspace(), "search")
    assert searches[-2][0] == "07700 9OO 123"
    assert searches[-2][1]["results"] == 2 and searches[-1][0] == "Manchester"


# -- find this picture ------------------------------------------------------------------------


def _reworked(data: bytes) -> bytes:
    image = Image.open(io.BytesIO(data))
    out = io.BytesIO()
    image.resize((90, 120)).save(out, "JPEG", quality=70)
    return out.getvalue()


def _upload(client: TestClient, data: bytes, name: str = "p.jpg", token: str | None = "") -> Any:
    form = {} if token is None else {"csrf_token": token or csrf(client.get("/search").text)}
    return client.post(
        "/search/picture", data=form, files={"picture": (name, data, "application/octet-stream")}
    )


def test_a_picture_and_a_reworked_copy_find_the_advert(client: TestClient, world: World) -> None:
    ws = world.workspace()
    for data, why in (
        (picture(1), "the same file (identical SHA-256)"),
        (_reworked(picture(1)), "bits apart"),
    ):
        answer = _upload(client, data)
        assert answer.status_code == 200, answer.text
        assert f'href="/advert/{world.anna}"' in answer.text
        assert f'href="/advert/{world.bella}"' not in answer.text
        assert why in answer.text
    unrelated = _upload(client, picture(3))
    assert unrelated.status_code == 200
    assert "No advert carries this picture" in unrelated.text
    assert "/advert/" not in unrelated.text.split('id="results"')[1]
    events = [d for t, d in _events(ws, "search") if t == "picture"][-3:]
    assert [e["kind"] for e in events] == ["picture"] * 3
    assert [e["results"] for e in events] == [1, 1, 0]
    reworked_sha = events[1]["sha256"]
    assert len(reworked_sha) == 64 and not ws.evidence.has(reworked_sha)  # the upload not kept


def test_search_picture_ranks_by_distance(world: World) -> None:
    with world.workspace().reading() as engine:
        found = search_data.search_picture(engine, _reworked(picture(2)))
    assert [r["id"] for r in found.results] == [world.bella]
    assert "pHash" in found.results[0]["why"] or "PDQ" in found.results[0]["why"]


def _png_bomb() -> bytes:
    """A valid PNG header claiming 40,000 x 40,000 pixels, in a few dozen bytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 40_000, 40_000, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_non_pictures_and_bombs_are_refused(client: TestClient, world: World) -> None:
    answer = _upload(client, b"Dear Sir,\nthis is a letter, not a picture.\n", "letter.txt")
    assert answer.status_code in (415, 422)
    assert "Not searched: not a picture" in answer.text
    bomb = _upload(client, _png_bomb(), "bomb.png")
    assert bomb.status_code in (413, 415, 422)
    assert "too large to decode safely" in bomb.text
    tiny = io.BytesIO()
    Image.new("RGB", (8, 8)).save(tiny, "PNG")
    small = _upload(client, tiny.getvalue(), "tiny.png")
    assert small.status_code == 422 and "too small" in small.text
    token = csrf(client.get("/search").text)
    nothing = client.post("/search/picture", data={"csrf_token": token})
    assert nothing.status_code == 422 and "No picture was uploaded" in nothing.text
    refused = [d for t, d in _events(world.workspace(), "search") if t == "picture"][-4:]
    assert all(d["results"] == 0 and d["refused"] for d in refused)


def test_an_upload_without_the_csrf_token_is_refused(client: TestClient, world: World) -> None:
    before = len(_events(world.workspace(), "search"))
    assert _upload(client, picture(1), token=None).status_code == 403
    assert _upload(client, picture(1), token="forged").status_code == 403
    assert len(_events(world.workspace(), "search")) == before


# -- custody of crawled captures -------------------------------------------------------------


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """Two real crawls of a site on loopback, the first advert edited in between."""
    with two_crawls(tmp_path_factory.mktemp("advert-custody")) as (home, url):
        add_user(Workspace.open(load_settings(home)), "ana", PASSWORD, "analyst")
        yield home, url


def _crawled_client(home: Path) -> TestClient:
    ws = Workspace.open(load_settings(home))
    return sign_in(
        TestClient(create_app(home, secret="s" * 32, login_delay=0, workspace=ws)), "ana"
    )


def test_custody_of_crawled_captures_holds(crawled: tuple[Path, str]) -> None:
    home, url = crawled
    ws = Workspace.open(load_settings(home))
    assert verify_evidence(ws).ok
    ad = make_advert_id("adsite-north", "1")
    with ws.reading() as engine:
        data = advert_data.advert(engine, ad)
    assert data is not None and len(data["captures"]) == 2
    record = advert_data.custody(ws, data["captures"])
    assert record["holds"] and not record["imported_only"]
    pages = [
        e
        for e in record["entries"]
        if e["record_type"] == "response" and e["target_uri"] == url + "/ad/1"
    ]
    assert len(pages) == 2  # one per crawl, each cited by its capture
    assert all(record["page_of"].get(e["record_id"]) for e in pages)
    assert {e["kind"] for e in record["entries"]} == {"warc_file", "warc_record"}

    page = _crawled_client(home).get(f"/advert/{ad}")
    assert page.status_code == 200
    assert "<del>new near Liverpool Street</del>" in page.text
    assert "<ins>back again, EC2</ins>" in page.text
    assert "Every entry below checks" in page.text and "does not hold" not in page.text
    for entry in pages:
        assert entry["sha256"] in page.text and entry["path"] in page.text
        assert entry["record_id"].replace("<", "&lt;").replace(">", "&gt;") in page.text
    assert "No custody entries" not in page.text


def test_altered_warc_evidence_does_not_hold(crawled: tuple[Path, str], tmp_path: Path) -> None:
    home = tmp_path / "ws"
    shutil.copytree(crawled[0], home)
    ws = Workspace.open(load_settings(home))
    ad = make_advert_id("adsite-north", "1")
    with ws.reading() as engine:
        data = advert_data.advert(engine, ad)
    assert data is not None
    record = advert_data.custody(ws, data["captures"])
    target = next(e for e in record["entries"] if e["record_type"] == "response")
    warc = home / target["path"]
    raw = bytearray(warc.read_bytes())
    raw[target["offset"] + target["length"] // 2] ^= 0xFF
    warc.write_bytes(bytes(raw))
    assert not verify_evidence(ws).ok
    again = advert_data.custody(ws, data["captures"])
    broken = [e for e in again["entries"] if not e["stored"]]
    assert [e["id"] for e in broken] == [target["id"]] and not again["holds"]
    assert broken[0]["sealed"]  # the entry itself is intact: the file changed
    page = _crawled_client(home).get(f"/advert/{ad}")
    assert "does not hold</strong>: the stored record differs" in page.text
