"""Extraction over a workspace and over a file, on a synthetic world."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from plainsight.capture.importer import AdvertImport
from plainsight.extract import pipeline
from plainsight.extract.stage import ExtractStage
from plainsight.extract.standalone import extract_file
from plainsight.synth.adverts import generate_adverts
from plainsight.workspace import Workspace
from tests.conftest import WriteFile, advert
from tests.synth.synth_phone_reader import capture_numbers


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    generate_adverts(out, scale=0.2, seed=5)
    return out


def rows(ws: Workspace, query: str) -> list[dict[str, Any]]:
    with ws.reading() as engine:
        result: list[dict[str, Any]] = engine.run(query).to_pylist()
        return result


def test_run_extracts_each_capture_once_and_then_only_new_ones(
    world: Path, workspace: Workspace, write_jsonl: WriteFile
) -> None:
    AdvertImport(workspace).run([world / "adverts.jsonl"])
    first = ExtractStage(workspace, processes=2).run()
    captures = rows(workspace, "SELECT count(*) AS n FROM captures")[0]["n"]
    assert first.captures == captures and first.images > 0 and first.image_errors == 0
    assert rows(workspace, "SELECT count(*) AS n FROM extractions")[0]["n"] == captures
    assert ExtractStage(workspace, processes=1).run().captures == 0

    AdvertImport(workspace).run([write_jsonl("late.jsonl", [advert(1), advert(2)])])
    later = ExtractStage(workspace, processes=1).run()
    assert later.captures == 2
    phones = rows(
        workspace,
        "SELECT DISTINCT f.value FROM facts f JOIN captures c USING (capture_id)"
        " WHERE c.source = 'adsite-north' AND c.ad_id = '100001' AND f.kind = 'phone'",
    )
    assert phones == [{"value": "+447700900001"}]


def test_every_number_the_world_wrote_is_found_in_the_lake(
    world: Path, workspace: Workspace
) -> None:
    AdvertImport(workspace).run([world / "adverts.jsonl"])
    ExtractStage(workspace, processes=1).run()
    found: dict[str, set[str]] = {}
    for row in rows(workspace, "SELECT capture_id, value FROM facts WHERE kind = 'phone'"):
        found.setdefault(row["capture_id"], set()).add(row["value"])
    captures = rows(workspace, "SELECT * FROM captures")
    missed = [
        (c["capture_id"], n)
        for c in captures
        for n in capture_numbers(c)
        if "+44" + n[1:] not in found.get(c["capture_id"], set())
    ]
    assert not missed
    assert sum(len(v) for v in found.values()) >= len(captures)


def test_hits_carry_evidence_that_is_in_the_text(world: Path, workspace: Workspace) -> None:
    AdvertImport(workspace).run([world / "adverts.jsonl"])
    ExtractStage(workspace, processes=1).run()
    hits = rows(
        workspace,
        "SELECT h.*, c.title, c.body, c.location_text, c.name, c.phone, c.email"
        " FROM indicator_hits h JOIN captures c USING (capture_id)",
    )
    assert {h["indicator"] for h in hits} >= {"obscured_contact", "third_person", "controller_cues"}
    for hit in hits:
        assert hit["note"]
        for span in hit["evidence"]:
            assert (hit[span["field"]] or "")[span["start"] : span["end"]] == span["text"]


def test_a_new_extractor_version_re_extracts_everything(
    world: Path, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    AdvertImport(workspace).run([world / "adverts.jsonl"])
    first = ExtractStage(workspace, processes=1).run()
    facts = rows(workspace, "SELECT count(*) AS n FROM facts")[0]["n"]
    monkeypatch.setattr("plainsight.extract.stage.VERSION", pipeline.VERSION + "-next")
    again = ExtractStage(workspace, processes=1).run()
    assert again.rebuilt and again.captures == first.captures
    assert rows(workspace, "SELECT count(*) AS n FROM facts")[0]["n"] == facts


def test_extract_without_a_workspace_writes_one_line_per_advert(
    world: Path, tmp_path: Path
) -> None:
    out = tmp_path / "facts.jsonl"
    report = extract_file(world / "adverts.jsonl", out)
    truth = (world / "truth.jsonl").read_bytes().splitlines()
    lines = [orjson.loads(x) for x in out.read_bytes().splitlines()]
    assert report.adverts == len(truth) == len(lines) and report.rejected == 0
    keys = [(x["source"], x["ad_id"]) for x in lines]
    assert keys == sorted(keys)
    for line in lines:
        assert line["phones"] == sorted(set(line["phones"]))
        assert all(p.startswith("+") and p[1:].isdigit() for p in line["phones"])
        assert all("sha256" in i and "phash" in i for i in line["images"])
        for hit in line["indicators"]:
            assert hit["id"] and hit["note"] and isinstance(hit["weight"], float)
    assert any(line["postcodes"] for line in lines)
    assert any(p["in_city"] for line in lines for p in line["places"])


def test_extract_reports_bad_lines_and_keeps_the_rest(
    tmp_path: Path, write_jsonl: WriteFile
) -> None:
    source = write_jsonl("a.jsonl", [advert(1), b"{broken", advert(2, body="Call O77OO 9OO OO2 x")])
    seen: list[tuple[int, str]] = []
    report = extract_file(
        source, tmp_path / "o.jsonl", on_reject=lambda _f, n, r: seen.append((n, r))
    )
    assert report.adverts == 2 and report.rejected == 1 and seen[0][0] == 2
    second = orjson.loads((tmp_path / "o.jsonl").read_bytes().splitlines()[1])
    assert "+447700900002" in second["phones"]
    assert "obscured_contact" in {h["id"] for h in second["indicators"]}
