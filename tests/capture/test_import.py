"""The advert import on realistic records: what lands, what is set aside, and why."""

from __future__ import annotations

import gzip
import io
import stat
from pathlib import Path

import orjson
import pyarrow as pa
from PIL import Image

from plainsight.capture.importer import AdvertImport, advert_id
from plainsight.workspace import Workspace
from tests.conftest import WriteFile, advert, picture


def table(ws: Workspace, name: str, order: str = "") -> pa.Table:
    with ws.reading() as engine:
        return engine.run(f"SELECT * FROM {name} {order}")


def test_good_adverts_become_captures_and_adverts(
    workspace: Workspace, write_jsonl: WriteFile
) -> None:
    path = write_jsonl("ads.jsonl", [advert(n) for n in range(30)])
    result = AdvertImport(workspace).run([path])
    assert (result.new, result.seen_before, result.rejected) == (30, 0, 0)
    captures = table(workspace, "captures", "ORDER BY line")
    assert captures.num_rows == 30
    first = captures.to_pylist()[0]
    assert first["source"] == "velvetlist" and first["ad_id"] == "100000"
    assert first["line"] == 1 and first["imported_by"] == "test-analyst"
    assert first["advert_id"] == advert_id("velvetlist", "100000")
    assert table(workspace, "adverts").num_rows == 30
    # the original file is kept whole in evidence
    imports = table(workspace, "imports").to_pylist()
    assert len(imports) == 1
    assert workspace.evidence.path_for(imports[0]["file_sha256"]).read_bytes() == path.read_bytes()


def test_bad_lines_are_set_aside_whole_with_file_line_and_reason(
    workspace: Workspace, write_jsonl: WriteFile
) -> None:
    folder = write_jsonl("x", []).parent
    (folder / "img").mkdir()
    (folder / "img" / "ok.jpg").write_bytes(picture(1))
    (folder / "img" / "fake.jpg").write_bytes(b"this is not a picture")
    (folder / "img" / "cut.jpg").write_bytes(picture(2, size=(400, 400))[:900])
    lines: list[dict[str, object] | bytes] = [
        advert(1),
        b'{"source": "adsite-north", "ad_id": ',
        advert(2, ad_id=None),
        advert(3, age="twenty"),
        advert(4, images=["img/missing.jpg"]),
        advert(5, images=["img/fake.jpg"]),
        advert(6, images=["img/cut.jpg"]),
        advert(7, images=["../outside.jpg"]),
        b'{"source": "velvetlist", "ad_id": "9", "captured_at": "2023-01-01T00:00:00Z",'
        b' "body": "caf\xe9"}',
        advert(8, images=["img/ok.jpg"]),
        b"",
        advert(9),
    ]
    path = write_jsonl("mixed.jsonl", lines)
    result = AdvertImport(workspace).run([path])
    assert result.new == 3 and result.rejected == 8 and not result.clean
    rejects = table(workspace, "rejects", "ORDER BY line").to_pylist()
    by_line = {r["line"]: r["reason"] for r in rejects}
    assert by_line[2].startswith("not JSON")
    assert by_line[3] == "missing required field 'ad_id'"
    assert by_line[4] == "field 'age' must be an integer, found string"
    assert by_line[5] == "image not found: 'img/missing.jpg'"
    assert by_line[6] == "not an image (unrecognised format): 'img/fake.jpg'"
    assert by_line[7].startswith("image unreadable: 'img/cut.jpg'")
    assert by_line[8] == "image path leads outside the file's folder: '../outside.jpg'"
    assert by_line[9].startswith("not UTF-8: byte 0xe9")
    assert all(r["file"] == str(path) for r in rejects)
    raw_lines = path.read_bytes().split(b"\n")
    assert all(r["raw"] == raw_lines[r["line"] - 1] for r in rejects), "set aside whole, as read"
    # the good picture went into evidence under its hash; the bad ones did not
    images = table(workspace, "images").to_pylist()
    assert [(i["format"], i["width"], i["height"]) for i in images] == [("JPEG", 120, 160)]
    assert workspace.evidence.has(images[0]["sha256"])


def test_an_identical_capture_is_stored_once_and_a_changed_one_is_a_new_capture(
    workspace: Workspace, write_jsonl: WriteFile
) -> None:
    first = write_jsonl("day1.jsonl", [advert(n) for n in range(5)])
    again = write_jsonl("copy/day1-again.jsonl", [advert(n) for n in range(5)])
    edited = advert(2, captured_at="2023-04-02T10:00:00Z", body="Price changed, call 07700 900002")
    later = write_jsonl("day2.jsonl", [advert(3), edited])
    importer = AdvertImport(workspace)
    assert importer.run([first]).new == 5
    repeat = importer.run([first, again])
    assert (repeat.new, repeat.seen_before) == (0, 10)
    step = importer.run([later])
    assert (step.new, step.seen_before) == (1, 1)
    assert table(workspace, "captures").num_rows == 6
    adverts = {a["ad_id"]: a for a in table(workspace, "adverts").to_pylist()}
    assert len(adverts) == 5
    assert adverts["100002"]["captures"] == 2
    latest = table(workspace, "captures", "WHERE body LIKE 'Price changed%'").to_pylist()[0]
    assert adverts["100002"]["latest_capture_id"] == latest["capture_id"]
    assert table(workspace, "imports").num_rows == 2  # the copy has the same bytes: one file


def test_the_same_instant_in_another_offset_is_the_same_capture(
    workspace: Workspace, write_jsonl: WriteFile
) -> None:
    a = write_jsonl("a.jsonl", [advert(1, captured_at="2023-06-01T10:00:00+01:00")])
    b = write_jsonl("b.jsonl", [advert(1, captured_at="2023-06-01T09:00:00Z")])
    assert AdvertImport(workspace).run([a, b]).new == 1


def test_pictures_are_stored_once_by_hash_however_many_adverts_use_them(
    workspace: Workspace, write_jsonl: WriteFile
) -> None:
    folder = write_jsonl("x", []).parent
    (folder / "p").mkdir()
    (folder / "p" / "room.jpg").write_bytes(picture(7))
    (folder / "p" / "room-copy.jpg").write_bytes(picture(7))
    (folder / "p" / "logo.png").write_bytes(picture(8, fmt="PNG"))
    ads = [advert(n, images=["p/room.jpg", "p/logo.png"]) for n in range(10)]
    ads.append(advert(11, images=["p/room-copy.jpg"]))
    AdvertImport(workspace).run([write_jsonl("ads.jsonl", ads)])
    images = table(workspace, "images", "ORDER BY format").to_pylist()
    assert [i["format"] for i in images] == ["JPEG", "PNG"]
    shas = table(workspace, "captures", "ORDER BY line").column("image_sha256").to_pylist()
    assert shas[0] == [images[0]["sha256"], images[1]["sha256"]]
    assert shas[-1] == [images[0]["sha256"]]
    stored = workspace.evidence.path_for(images[0]["sha256"])
    assert not stored.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def test_a_decompression_bomb_is_refused(workspace: Workspace, write_jsonl: WriteFile) -> None:
    folder = write_jsonl("x", []).parent
    bomb = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(bomb, "PNG")  # 100 Mpx in a few kB
    (folder / "bomb.png").write_bytes(bomb.getvalue())
    result = AdvertImport(workspace).run([write_jsonl("a.jsonl", [advert(1, images=["bomb.png"])])])
    assert result.rejected == 1
    reason = table(workspace, "rejects").column("reason")[0].as_py()
    assert "decompression bomb" in reason


def test_gzip_files_and_folders_import_and_a_truncated_gzip_keeps_what_it_can(
    workspace: Workspace, tmp_path: Path
) -> None:
    folder = tmp_path / "feed"
    (folder / "week2").mkdir(parents=True)
    body = b"".join(orjson.dumps(advert(n)) + b"\n" for n in range(400))
    (folder / "week1.jsonl.gz").write_bytes(
        gzip.compress(body[: len(body) // 2]) + gzip.compress(body[len(body) // 2 :])
    )
    cut = gzip.compress(
        b"".join(orjson.dumps(advert(n, ad_id=f"w2-{n}")) + b"\n" for n in range(400))
    )
    (folder / "week2" / "cut.jsonl.gz").write_bytes(cut[: int(len(cut) * 0.6)])
    (folder / "notes.txt").write_text("not an interchange file: ignored when a folder is named")
    result = AdvertImport(workspace).run([folder])
    by_name = {Path(f.file).name: f for f in result.files}
    assert set(by_name) == {"week1.jsonl.gz", "cut.jsonl.gz"}
    assert (by_name["week1.jsonl.gz"].new, by_name["week1.jsonl.gz"].rejected) == (400, 0)
    cut_result = by_name["cut.jsonl.gz"]
    assert cut_result.rejected == 1 and 0 < cut_result.new < 400
    reject = table(workspace, "rejects").to_pylist()[0]
    assert "truncated" in reject["reason"] and reject["line"] == cut_result.new + 1


def test_a_line_set_aside_for_a_missing_picture_imports_once_the_picture_is_there(
    workspace: Workspace, write_jsonl: WriteFile
) -> None:
    path = write_jsonl("a.jsonl", [advert(1), advert(2, images=["late.jpg"])])
    importer = AdvertImport(workspace)
    assert importer.run([path]).rejected == 1
    (path.parent / "late.jpg").write_bytes(picture(3))
    again = AdvertImport(workspace).run([path])
    assert (again.new, again.rejected) == (1, 0)
    assert table(workspace, "rejects").num_rows == 0


def test_missing_paths_are_reported_and_the_rest_imports(
    workspace: Workspace, write_jsonl: WriteFile
) -> None:
    good = write_jsonl("a.jsonl", [advert(1)])
    result = AdvertImport(workspace).run([good, good.parent / "nope.jsonl"])
    assert result.new == 1 and result.missing == [str(good.parent / "nope.jsonl")]
    assert not result.clean
