"""Exhibit bundles: one advert's captures, pictures, WARC records, hashes and custody.

Two real crawls of a small advert site on 127.0.0.1 (the advert edited between them), each
imported through AdvertImport as the crawler's output is; then the bundle is checked by
recomputing every hash, as an expert witness would, with ordinary tools.
"""

from __future__ import annotations

import hashlib
import shutil
import stat
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from plainsight.capture.custody import CustodyLog, detail
from plainsight.capture.exhibit import ExhibitError, export_exhibit
from plainsight.capture.exhibit_text import CHAIN_CHECK
from plainsight.capture.importer import AdvertImport, advert_id
from plainsight.cli import app
from plainsight.settings import load_settings
from plainsight.workspace import Workspace
from tests.capture.test_warc import PROFILE_SHA, Route, Site, run_crawl
from tests.conftest import picture

PICTURES = {name: picture(seed) for seed, name in enumerate(["1.jpg", "2.jpg", "shared.jpg"])}


def advert_page(n: int, title: str, images: list[str]) -> Route:
    imgs = "".join(f"<img src='/img/{name}'>" for name in images)
    html = (
        f"<html><body><article class='advert' data-source='adsite-north' data-ad-id='{n}'>"
        f"<h1 class='title'>{title}</h1><span class='phone'>07700 900{n:03d}</span>"
        f"<div class='body'>Sweet and discreet, new in town. Call me.</div>{imgs}"
        "</article></body></html>"
    )
    return 200, [("Content-Type", "text/html; charset=utf-8")], html.encode()


def site_routes() -> dict[str, Route]:
    home = b"<html><body><a href='/ad/1'>1</a> <a href='/ad/2'>2</a></body></html>"
    routes: dict[str, Route] = {
        "/": (200, [("Content-Type", "text/html")], home),
        "/ad/1": advert_page(1, "Anna, new near Liverpool Street", ["1.jpg", "shared.jpg"]),
        "/ad/2": advert_page(2, "Bella, visiting", ["2.jpg", "shared.jpg"]),
    }
    for name, data in PICTURES.items():
        routes[f"/img/{name}"] = (200, [("Content-Type", "image/jpeg")], data)
    return routes


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A workspace with two crawls of the site, the first advert edited between them."""
    with two_crawls(tmp_path_factory.mktemp("exhibit")) as done:
        yield done


@contextmanager
def two_crawls(root: Path) -> Iterator[tuple[Path, str]]:
    """Two real crawls of the site on loopback into ``root/ws``, the first advert edited in
    between; yields the workspace and the site's address (the site runs until the end)."""
    home = root / "ws"
    routes = site_routes()
    site = Site(routes)
    try:
        for crawl in ("round-1", "round-2"):
            out = root / crawl
            out.mkdir()
            run_crawl(home, [site.url + "/"], crawl, out=out)
            workspace = Workspace.open(load_settings(home, operator="dc.jones"))
            assert AdvertImport(workspace).run([out]).clean
            routes["/ad/1"] = advert_page(1, "Anna, back again, EC2", ["1.jpg", "shared.jpg"])
        yield home, site.url
    finally:
        site.close()


def copy_of(crawled: tuple[Path, str], tmp_path: Path) -> Workspace:
    home = tmp_path / "ws"
    shutil.copytree(crawled[0], home)
    return Workspace.open(load_settings(home, operator="dc.smith"))


def sums(folder: Path) -> dict[str, str]:
    lines = (folder / "SHA256SUMS").read_text().splitlines()
    return {name: sha for sha, name in (line.split("  ", 1) for line in lines)}


def test_the_bundle_holds_everything_and_every_hash_recomputes(
    crawled: tuple[Path, str], tmp_path: Path
) -> None:
    workspace = copy_of(crawled, tmp_path)
    out = tmp_path / "exhibit-AN-1"
    exhibit = export_exhibit(workspace, "adsite-north:1", out)
    assert exhibit.advert_id == advert_id("adsite-north", "1")
    assert (exhibit.captures, exhibit.pictures) == (2, 2)

    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    listed = sums(out)
    assert set(listed) == files - {"SHA256SUMS"}
    for name, sha in listed.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == sha, name
    if shutil.which("sha256sum"):
        check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True)
        assert check.returncode == 0, check.stdout

    crawled_lines = [
        line
        for crawl in ("round-1", "round-2")
        for line in (crawled[0].parent / crawl / "adverts.jsonl").read_bytes().splitlines()
    ]
    captures = sorted((out / "captures").iterdir())
    assert len(captures) == 2 and all(c.read_bytes() in crawled_lines for c in captures)
    assert b"Anna, new near" in captures[0].read_bytes()
    assert b"back again" in captures[1].read_bytes()

    wanted = {hashlib.sha256(PICTURES[n]).hexdigest() for n in ("1.jpg", "shared.jpg")}
    pictures = {p.stem: p for p in (out / "pictures").iterdir()}
    assert set(pictures) == wanted
    assert all(hashlib.sha256(p.read_bytes()).hexdigest() == s for s, p in pictures.items())


def test_the_warc_records_stand_alone_and_match_custody(
    crawled: tuple[Path, str], tmp_path: Path
) -> None:
    workspace = copy_of(crawled, tmp_path)
    out = tmp_path / "exhibit"
    export_exhibit(workspace, advert_id("adsite-north", "1"), out)
    custody = {e.record_id: e for e in CustodyLog(workspace).entries(kind="warc_record")}
    base = crawled[1]
    responses: dict[str, list[str]] = {}
    for path in sorted((out / "warc").iterdir()):
        with path.open("rb") as fh:
            (record,) = [(r, r.raw_stream.read()) for r in ArchiveIterator(fh)]
        rec, payload = record
        entry = custody[rec.rec_headers.get_header("WARC-Record-ID")]
        where = detail(entry)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == where["member_sha256"]
        if rec.rec_type == "response":
            assert hashlib.sha256(payload).hexdigest() == entry.sha256
            responses.setdefault(rec.rec_headers.get_header("WARC-Target-URI"), []).append(
                entry.sha256
            )
            payload_file = next((out / "payloads").glob(f"{path.name[:-8]}.*"))
            assert hashlib.sha256(payload_file.read_bytes()).hexdigest() == entry.sha256
    assert len(responses[base + "/ad/1"]) == 2  # one a crawl, the edit shows
    assert len(set(responses[base + "/ad/1"])) == 2
    assert base + "/img/1.jpg" in responses and base + "/img/shared.jpg" in responses
    assert base + "/ad/2" not in responses and base + "/img/2.jpg" not in responses
    types = [p.name.split("-")[1] for p in (out / "warc").iterdir()]
    assert types.count("warcinfo") == 2 and types.count("request") == types.count("response")


def test_the_custody_entries_check_with_the_recipe_in_the_record(
    crawled: tuple[Path, str], tmp_path: Path
) -> None:
    workspace = copy_of(crawled, tmp_path)
    out = tmp_path / "exhibit"
    export_exhibit(workspace, "adsite-north:1", out)
    script = CHAIN_CHECK.split("<<'EOF'\n", 1)[1].rsplit("EOF", 1)[0]
    checked = subprocess.run(
        [sys.executable, "-c", script], cwd=out, capture_output=True, text=True, check=True
    )
    results = checked.stdout.split()
    assert results[1::2] and set(results[1::2]) == {"ok"}
    text = (out / "CAPTURE-RECORD.txt").read_text()
    assert text.startswith("CAPTURE RECORD")
    for expected in (
        crawled[1] + "/ad/1",
        "dc.jones",  # who crawled
        "dc.smith",  # who exported
        "test-site",
        PROFILE_SHA,
        "Scrapy/",
        "UTC",
        "sha256sum -c SHA256SUMS",
    ):
        assert expected in text, expected
    for entry in CustodyLog(workspace).entries(kind="warc_file"):
        assert entry.sha256 in text


def test_a_zip_bundle_holds_the_same_files(crawled: tuple[Path, str], tmp_path: Path) -> None:
    workspace = copy_of(crawled, tmp_path)
    exhibit = export_exhibit(workspace, "adsite-north:1", tmp_path / "AN-1.zip")
    with zipfile.ZipFile(tmp_path / "AN-1.zip") as archive:
        names = set(archive.namelist())
        listed = archive.read("AN-1/SHA256SUMS").decode().splitlines()
        for line in listed:
            sha, name = line.split("  ", 1)
            assert hashlib.sha256(archive.read(f"AN-1/{name}")).hexdigest() == sha
    assert names == {f"AN-1/{n}" for n, _ in exhibit.files} | {"AN-1/SHA256SUMS"}
    assert hashlib.sha256("\n".join(listed).encode() + b"\n").hexdigest() == exhibit.sums_sha256


def test_no_exhibit_from_altered_evidence(crawled: tuple[Path, str], tmp_path: Path) -> None:
    workspace = copy_of(crawled, tmp_path)
    base = crawled[1]
    page = next(
        e
        for e in CustodyLog(workspace).entries(kind="warc_record")
        if e.target_uri == base + "/ad/1" and e.record_type == "response"
    )
    warc = workspace.home / page.path
    warc.chmod(stat.S_IRUSR | stat.S_IWUSR)
    data = bytearray(warc.read_bytes())
    data[detail(page)["offset"] + 40] ^= 0x01
    warc.write_bytes(bytes(data))
    with pytest.raises(ExhibitError, match="no longer matches"):
        export_exhibit(workspace, "adsite-north:1", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


@pytest.mark.parametrize(
    ("ad", "message"),
    [("adsite-north:999", "no captures"), ("nonsense", "neither an advert id")],
)
def test_unknown_adverts_are_refused(
    crawled: tuple[Path, str], tmp_path: Path, ad: str, message: str
) -> None:
    with pytest.raises(ExhibitError, match=message):
        export_exhibit(copy_of(crawled, tmp_path), ad, tmp_path / "out")


def test_an_exhibit_is_never_overwritten(crawled: tuple[Path, str], tmp_path: Path) -> None:
    workspace = copy_of(crawled, tmp_path)
    export_exhibit(workspace, "adsite-north:1", tmp_path / "out")
    with pytest.raises(ExhibitError, match="already exists"):
        export_exhibit(workspace, "adsite-north:2", tmp_path / "out")
    assert "Bella" not in (tmp_path / "out" / "CAPTURE-RECORD.txt").read_text()


def test_the_export_command_writes_and_audits(crawled: tuple[Path, str], tmp_path: Path) -> None:
    from sqlalchemy import select

    from plainsight.ops.models import AuditEvent

    workspace = copy_of(crawled, tmp_path)
    home = str(workspace.home)
    args = ["--home", home, "--operator", "dc.smith", "--why", "Op Aidant"]
    out = tmp_path / "AN-2"
    done = CliRunner().invoke(app, [*args, "evidence", "export", "adsite-north:2", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert "2 picture(s)" in done.output and (out / "SHA256SUMS").is_file()
    with workspace.ops.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
        assert event.target == f"advert {advert_id('adsite-north', '2')}"
        assert event.actor == "dc.smith" and event.justification == "Op Aidant"
        sums_sha = hashlib.sha256((out / "SHA256SUMS").read_bytes()).hexdigest()
        assert sums_sha in event.detail
    again = CliRunner().invoke(app, [*args, "evidence", "export", "adsite-north:2", "-o", str(out)])
    assert again.exit_code != 0
