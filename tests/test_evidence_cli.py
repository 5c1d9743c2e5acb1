"""``plainsight evidence verify``: passes on clean evidence, fails on any change, says where.

One real crawl of a site on 127.0.0.1 (and an import, for content-addressed files) makes a
pristine workspace; each test alters a copy the way tampering or decay would.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from plainsight.capture.custody import CustodyLog, detail
from plainsight.capture.importer import AdvertImport
from plainsight.cli import EXIT_SET_ASIDE, app
from plainsight.cli_evidence import EXIT_EVIDENCE_FAILED
from plainsight.ops.models import AuditEvent
from plainsight.settings import load_settings
from plainsight.workspace import Workspace
from tests.capture.test_warc import Site, routes, run_crawl
from tests.conftest import advert, picture

runner = CliRunner()


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("verify")
    home = root / "ws"
    site = Site(routes())
    try:
        run_crawl(home, [site.url + "/"], "crawl-a")
        run_crawl(home, [site.url + "/gz"], "crawl-b")
    finally:
        site.close()
    folder = root / "in"
    (folder / "img").mkdir(parents=True)
    (folder / "img" / "p.jpg").write_bytes(picture(3))
    line = advert(1, images=["img/p.jpg"])
    (folder / "ads.jsonl").write_text(json.dumps(line) + "\n")
    assert AdvertImport(Workspace.open(load_settings(home))).run([folder]).clean
    yield home


@pytest.fixture
def home(pristine: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "ws"
    shutil.copytree(pristine, copy)
    return copy


def verify(home: Path, *args: str) -> tuple[int, str]:
    done = runner.invoke(
        app, ["--home", str(home), "--operator", "dc.lee", "evidence", "verify", *args]
    )
    return done.exit_code, done.output


def writable(path: Path) -> Path:
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    return path


def test_clean_evidence_passes_and_the_check_is_audited(home: Path) -> None:
    code, output = verify(home)
    assert code == 0, output
    flat = " ".join(output.split())
    assert "All evidence matches" in flat
    assert "2 WARC file(s) with 14 record(s) and 2 content-addressed file(s)" in flat
    workspace = Workspace.open(load_settings(home))
    with workspace.ops.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "verify")).one()
        assert event.actor == "dc.lee" and '"ok":true' in event.detail


def test_one_changed_byte_in_a_warc_file_fails_and_names_the_file(home: Path) -> None:
    warc = writable(home / "evidence" / "warc" / "crawl-a" / "00001.warc.gz")
    expected = hashlib.sha256(warc.read_bytes()).hexdigest()
    data = bytearray(warc.read_bytes())
    data[len(data) // 2] ^= 0x20
    warc.write_bytes(bytes(data))
    code, output = verify(home)
    assert code == EXIT_EVIDENCE_FAILED
    flat = " ".join(output.split())
    assert "file SHA-256 differs: evidence/warc/crawl-a/00001.warc.gz" in flat
    assert f"expected {expected}" in flat
    assert f"found {hashlib.sha256(bytes(data)).hexdigest()}" in flat
    assert "crawl-b" not in flat  # the other crawl's file is fine
    code, _ = verify(home, "--crawl", "crawl-b")
    assert code == 0


def test_an_edited_custody_entry_fails(home: Path) -> None:
    workspace = Workspace.open(load_settings(home))
    page = next(
        e
        for e in CustodyLog(workspace).entries(kind="warc_record")
        if e.record_type == "response" and e.target_uri and e.target_uri.endswith("/gz")
    )
    with workspace.ops.session() as session:
        session.execute(
            text("UPDATE custody_entries SET sha256 = :s WHERE id = :i"),
            {"s": hashlib.sha256(b"something else").hexdigest(), "i": page.id},
        )
    code, output = verify(home)
    assert code == EXIT_EVIDENCE_FAILED
    flat = " ".join(output.split())
    assert f"custody chain broken at entry {page.id}" in flat
    assert "payload SHA-256 differs" in flat and page.sha256 in flat


def test_a_changed_picture_in_the_evidence_store_fails(home: Path) -> None:
    sha = hashlib.sha256(picture(3)).hexdigest()
    stored = writable(home / "evidence" / "sha256" / sha[:2] / sha)
    stored.write_bytes(picture(4))
    code, output = verify(home)
    assert code == EXIT_EVIDENCE_FAILED
    assert "evidence file changed" in output and sha in " ".join(output.split())


def test_a_warc_file_outside_custody_is_not_trusted(home: Path) -> None:
    sealed = home / "evidence" / "warc" / "crawl-b" / "00001.warc.gz"
    shutil.copyfile(sealed, sealed.with_name("00002.warc.gz"))
    code, output = verify(home)
    assert code == EXIT_EVIDENCE_FAILED
    assert "not in custody" in output and "00002.warc.gz" in output


def test_a_deleted_warc_file_and_a_removed_record_entry_fail(home: Path) -> None:
    workspace = Workspace.open(load_settings(home))
    last = max(
        CustodyLog(workspace).entries(crawl_id="crawl-a", kind="warc_record"), key=lambda e: e.id
    )
    with workspace.ops.session() as session:  # drop the last record entry of crawl-a
        session.execute(text("DELETE FROM custody_entries WHERE id = :i"), {"i": last.id})
    (home / "evidence" / "warc" / "crawl-b" / "00001.warc.gz").unlink()
    code, output = verify(home)
    assert code == EXIT_EVIDENCE_FAILED
    flat = " ".join(output.split())
    assert "WARC file missing: evidence/warc/crawl-b/00001.warc.gz" in flat
    assert (
        f"record not in custody: evidence/warc/crawl-a/00001.warc.gz @{detail(last)['offset']}"
        in flat
    )


def test_an_unknown_or_malformed_crawl_is_said_so(home: Path) -> None:
    code, output = verify(home, "--crawl", "crawl-z")
    assert code == EXIT_SET_ASIDE and "no WARC files of crawl crawl-z" in output
    code, output = verify(home, "--crawl", "../..")
    assert code == 2


def test_the_docs_explain_both_commands_and_the_exit_status() -> None:
    docs = (Path(__file__).parent.parent / "docs" / "cli.md").read_text()
    assert "## `plainsight evidence verify`" in docs
    assert "## `plainsight evidence export`" in docs
    assert f"`{EXIT_EVIDENCE_FAILED}`" in docs.split("## ")[0]


@pytest.mark.slow
def test_two_crawls_of_the_local_site_verify_then_fail_after_one_byte(tmp_path: Path) -> None:
    """The issue's end-to-end check: crawl the local site twice (edits and removals between),
    `evidence verify` passes, an edited advert exports with its pages, then one changed byte
    of a WARC file fails verification."""
    from plainsight.synth.adverts import generate_adverts
    from plainsight.synth.site import serve_site
    from tests.crawl.conftest import profile_text
    from tests.crawl.conftest import run_crawl as run_plainsight_crawl

    world = tmp_path / "world"
    generate_adverts(world, scale=0.05, seed=3, images=True)
    home = tmp_path / "ws"
    with serve_site(world, limit=24, seed=1, faults=True) as site:
        profile = tmp_path / "local-site.toml"
        profile.write_text(profile_text(site.url))
        first = run_plainsight_crawl(home, profile)
        assert first.returncode in (0, 3), first.stderr
        site.set_round(2)
        second = run_plainsight_crawl(home, profile)
        assert second.returncode in (0, 3), second.stderr
        changed = sorted(site.expected().changed)
    crawls = sorted((home / "evidence" / "warc").iterdir())
    assert len(crawls) == 2 and all(list(c.glob("*.warc.gz")) for c in crawls)

    code, output = verify(home)
    assert code == 0, output

    source, ad_id = changed[0]
    out = tmp_path / "exhibit"
    done = runner.invoke(
        app, ["--home", str(home), "evidence", "export", f"{source}:{ad_id}", "-o", str(out)]
    )
    assert done.exit_code == 0, done.output
    record = (out / "CAPTURE-RECORD.txt").read_text()
    assert record.count("Web record:") >= 2  # each capture cites the page as received
    assert sorted(p.name.split("-")[1] for p in (out / "warc").iterdir()).count("response") >= 2

    warc = writable(sorted(crawls[1].glob("*.warc.gz"))[0])
    data = bytearray(warc.read_bytes())
    data[len(data) // 3] ^= 0x01
    warc.write_bytes(bytes(data))
    code, output = verify(home)
    assert code == EXIT_EVIDENCE_FAILED
    assert f"file SHA-256 differs: {warc.relative_to(home).as_posix()}" in " ".join(output.split())
