"""WARC evidence of a real Scrapy crawl of a real server on 127.0.0.1.

The crawl runs in a subprocess (as ``plainsight crawl`` would), with the middleware at 950;
the records are read back with warcio's own ArchiveIterator and compared with the bytes the
server sent.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from plainsight.capture.custody import CustodyLog, detail
from plainsight.capture.verify import verify_evidence
from plainsight.settings import load_settings
from plainsight.workspace import Workspace
from tests.conftest import picture

Route = tuple[int, list[tuple[str, str]], bytes]
PROFILE_SHA = hashlib.sha256(b"profile: test-site\n").hexdigest()

SPIDER = r"""
import hashlib, json, sys
from datetime import datetime, timezone
from pathlib import Path
import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import TextResponse

config = json.loads(sys.argv[1])
out = Path(config["out"]) if config.get("out") else None


class TestSpider(scrapy.Spider):
    name = "c3-test"

    async def start(self):
        for url in config["start"]:
            yield scrapy.Request(url, self.parse, errback=self.failed)

    def failed(self, failure):
        pass

    def parse(self, response):
        if not isinstance(response, TextResponse):
            return
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, self.parse, errback=self.failed)
        article = response.css("article.advert")
        if article and out is not None:
            record = {
                "source": article.attrib["data-source"],
                "ad_id": article.attrib["data-ad-id"],
                "url": response.url,
                "captured_at": datetime.now(timezone.utc).isoformat(),
                "title": article.css("h1::text").get(),
                "body": article.css("div.body::text").get(),
                "phone": article.css("span.phone::text").get(),
                "images": [],
                "extra": {"warc": response.meta.get("plainsight_warc")},
            }
            srcs = [response.urljoin(s) for s in article.css("img::attr(src)").getall()]
            yield from self.next_image(record, srcs)
        else:
            for src in response.css("img::attr(src)").getall():
                yield response.follow(src, self.parse, errback=self.failed)

    def next_image(self, record, srcs):
        if not srcs:
            with (out / "adverts.jsonl").open("a") as fh:
                fh.write(json.dumps(record) + "\n")
            return
        yield scrapy.Request(
            srcs[0], self.image, cb_kwargs={"record": record, "rest": srcs[1:]}, dont_filter=True
        )

    def image(self, response, record, rest):
        name = hashlib.sha256(response.body).hexdigest()[:16] + ".img"
        (out / "images").mkdir(parents=True, exist_ok=True)
        (out / "images" / name).write_bytes(response.body)
        record["images"].append("images/" + name)
        yield from self.next_image(record, rest)


process = CrawlerProcess(config["settings"])
process.crawl(TestSpider)
process.start()
"""


class Site:
    """A small web site on 127.0.0.1 whose pages (status, headers, body) a test sets."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.release = threading.Event()  # ``/slow`` answers only once this is set
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                if self.path == "/slow":
                    site.release.wait(60)
                if self.path == "/chunked":
                    self._chunked()
                    return
                status, headers, body = site.routes.get(self.path, (404, [], b"not here"))
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _chunked(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for part in CHUNKS:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.write(b"0\r\n\r\n")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


CHUNKS = [b"first part, ", b"second part, ", b"last part"]
PAGE = b"<html><body><a href='/gz'>gz</a> <a href='/chunked'>c</a> <a href='/gone'>x</a>"
PAGE += b"<img src='/img/a.png'></body></html>"
GZ_HTML = "<html><body><p>Compressed page, caf\u00e9 £</p></body></html>".encode()


def routes() -> dict[str, Route]:
    """A home page, a gzip-encoded page, a chunked page, a picture and a missing page."""
    return {
        "/": (200, [("Content-Type", "text/html"), ("X-Served-By", "c3-test")], PAGE),
        "/gz": (
            200,
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")],
            gzip.compress(GZ_HTML, mtime=0),
        ),
        "/img/a.png": (200, [("Content-Type", "image/png")], picture(7, fmt="PNG")),
        "/gone": (404, [("Content-Type", "text/html")], b"<html>gone</html>"),
    }


def start_crawl(
    home: Path,
    start: list[str],
    crawl_id: str,
    *,
    out: Path | None = None,
    settings: dict[str, Any] | None = None,
) -> subprocess.Popen[str]:
    """Start a crawl in a subprocess with the WARC middleware writing into ``home``."""
    config = {
        "start": start,
        "out": str(out) if out else None,
        "settings": {
            "DOWNLOADER_MIDDLEWARES": {"plainsight.capture.warc.WarcCaptureMiddleware": 950},
            "PLAINSIGHT_WARC_DIR": str(home / "evidence" / "warc"),
            "PLAINSIGHT_CRAWL_ID": crawl_id,
            "PLAINSIGHT_WORKSPACE": str(home),
            "PLAINSIGHT_OPERATOR": "dc.jones",
            "PLAINSIGHT_PROFILE_NAME": "test-site",
            "PLAINSIGHT_PROFILE_SHA256": PROFILE_SHA,
            "ROBOTSTXT_OBEY": False,
            "TELNETCONSOLE_ENABLED": False,
            "LOG_LEVEL": "ERROR",
            "DOWNLOAD_TIMEOUT": 10,
            **(settings or {}),
        },
    }
    script = home.parent / "spider.py"  # Scrapy reads callbacks' source: not from -c
    script.write_text(SPIDER, encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, str(script), json.dumps(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_crawl(
    home: Path,
    start: list[str],
    crawl_id: str,
    *,
    out: Path | None = None,
    settings: dict[str, Any] | None = None,
) -> None:
    """Crawl in a subprocess with the WARC middleware writing into workspace ``home``."""
    process = start_crawl(home, start, crawl_id, out=out, settings=settings)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Route]]]:
    home = tmp_path_factory.mktemp("warc") / "ws"
    served = routes()
    site = Site(served)
    try:
        run_crawl(home, [site.url + "/"], "crawl-1")
        yield home, {site.url + path: route for path, route in served.items()}
    finally:
        site.close()


def records(path: Path) -> list[Any]:
    """Every record of a WARC file, with its raw payload and decoded content read out."""
    found = []
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh):
            raw = record.raw_stream.read()
            found.append((record, raw))
    return found


def test_each_response_round_trips_with_the_payload_as_served(
    crawled: tuple[Path, dict[str, Route]],
) -> None:
    home, served = crawled
    folder = home / "evidence" / "warc" / "crawl-1"
    assert [p.name for p in folder.iterdir()] == ["00001.warc.gz"]
    got = {
        r.rec_headers.get_header("WARC-Target-URI"): (r, raw)
        for r, raw in records(folder / "00001.warc.gz")
        if r.rec_type == "response"
    }
    for url, (status, headers, body) in served.items():
        record, raw = got[url]
        assert record.http_headers.get_statuscode() == str(status)
        assert hashlib.sha256(raw).hexdigest() == hashlib.sha256(body).hexdigest()
        sha1 = base64.b32encode(hashlib.sha1(body).digest()).decode()
        assert record.rec_headers.get_header("WARC-Payload-Digest") == f"sha1:{sha1}"
        for name, value in headers:
            assert record.http_headers.get_header(name) == value
        assert record.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
    checker = Path(sys.executable).parent / "warcio"  # warcio's own digest check
    checked = subprocess.run([str(checker), "check", str(folder / "00001.warc.gz")], check=False)
    assert checked.returncode == 0


def test_a_gzip_encoded_response_is_stored_compressed_as_received(
    crawled: tuple[Path, dict[str, Route]],
) -> None:
    home, served = crawled
    url = next(u for u in served if u.endswith("/gz"))
    with (home / "evidence" / "warc" / "crawl-1" / "00001.warc.gz").open("rb") as fh:
        for record in ArchiveIterator(fh):
            if (
                record.rec_type == "response"
                and record.rec_headers.get_header("WARC-Target-URI") == url
            ):
                assert record.http_headers.get_header("Content-Encoding") == "gzip"
                stored = record.content_stream().read()  # warcio undoes the encoding
                break
        else:
            pytest.fail("no response record for the gzip page")
    assert stored == GZ_HTML
    assert served[url][2][:2] == b"\x1f\x8b"


def test_a_chunked_response_keeps_its_body_and_drops_the_framing(
    crawled: tuple[Path, dict[str, Route]],
) -> None:
    home, served = crawled
    base = next(iter(served)).rsplit("/", 1)[0]
    got = {
        r.rec_headers.get_header("WARC-Target-URI"): (r, raw)
        for r, raw in records(home / "evidence" / "warc" / "crawl-1" / "00001.warc.gz")
        if r.rec_type == "response"
    }
    record, raw = got[base + "/chunked"]
    assert raw == b"".join(CHUNKS)
    assert record.http_headers.get_header("Transfer-Encoding") is None  # Twisted consumed it


def test_warcinfo_and_requests_say_who_what_and_how(
    crawled: tuple[Path, dict[str, Route]],
) -> None:
    home, served = crawled
    found = records(home / "evidence" / "warc" / "crawl-1" / "00001.warc.gz")
    info, payload = found[0]
    assert info.rec_type == "warcinfo"
    fields = dict(line.split(": ", 1) for line in payload.decode().splitlines() if ": " in line)
    assert fields["plainsight-crawl-id"] == "crawl-1"
    assert fields["operator"] == "dc.jones"
    assert fields["plainsight-profile"] == "test-site"
    assert fields["plainsight-profile-sha256"] == PROFILE_SHA
    assert "plainsight/" in fields["software"] and "Scrapy/" in fields["software"]
    responses = {r.rec_headers.get_header("WARC-Record-ID"): r for r, _ in found[1:]}
    requests = [r for r, _ in found if r.rec_type == "request"]
    assert len(requests) == len(served) + 1  # and /chunked
    for request in requests:
        response = responses[request.rec_headers.get_header("WARC-Concurrent-To")]
        assert response.rec_type == "response"
        uri = request.rec_headers.get_header("WARC-Target-URI")
        assert response.rec_headers.get_header("WARC-Target-URI") == uri
        assert request.http_headers.protocol == "GET"
        assert request.http_headers.get_header("Host") == uri.split("/")[2]
        assert request.rec_headers.get_header("WARC-Date") <= response.rec_headers.get_header(
            "WARC-Date"
        )


def test_custody_lists_the_file_and_every_record_with_sha256(
    crawled: tuple[Path, dict[str, Route]],
) -> None:
    home, served = crawled
    path = home / "evidence" / "warc" / "crawl-1" / "00001.warc.gz"
    custody = CustodyLog(Workspace.open(load_settings(home)))
    entries = list(custody.entries(crawl_id="crawl-1"))
    (file_entry,) = [e for e in entries if e.kind == "warc_file"]
    assert file_entry.path == "evidence/warc/crawl-1/00001.warc.gz"
    assert file_entry.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert file_entry.size == path.stat().st_size
    assert detail(file_entry)["records"] == 1 + 2 * (len(served) + 1)
    payloads = {
        e.target_uri: e.sha256
        for e in entries
        if e.kind == "warc_record" and e.record_type == "response"
    }
    expected = {url: hashlib.sha256(body).hexdigest() for url, (_, _, body) in served.items()}
    chunked = next(iter(served)).rstrip("/") + "/chunked"
    expected[chunked] = hashlib.sha256(b"".join(CHUNKS)).hexdigest()
    assert payloads == expected
    for entry in entries:
        assert entry.operator == "dc.jones" and entry.profile_sha256 == PROFILE_SHA
        assert entry.tool.startswith("plainsight/") and entry.crawl_id == "crawl-1"
    assert custody.verify().ok
    assert path.stat().st_mode & 0o222 == 0  # sealed files are read-only


def test_files_rotate_by_size_and_keep_requests_with_their_responses(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    site = Site(routes())
    try:
        run_crawl(home, [site.url + "/"], "small", settings={"PLAINSIGHT_WARC_MAX_BYTES": 1500})
    finally:
        site.close()
    files = sorted((home / "evidence" / "warc" / "small").iterdir())
    assert len(files) >= 3 and not [f for f in files if f.name.endswith(".open")]
    assert [f.name for f in files][:2] == ["00001.warc.gz", "00002.warc.gz"]
    custody = CustodyLog(Workspace.open(load_settings(home)))
    sealed = {e.path for e in custody.entries(kind="warc_file")}
    assert sealed == {f"evidence/warc/small/{f.name}" for f in files}
    for path in files:
        found = records(path)
        assert found[0][0].rec_type == "warcinfo"
        ids = {r.rec_headers.get_header("WARC-Record-ID") for r, _ in found}
        for record, _ in found[1:]:
            assert record.rec_headers.get_header("WARC-Concurrent-To") in ids


def test_a_failed_request_is_recorded_with_the_reason(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    home = tmp_path / "ws"
    run_crawl(
        home, [f"http://127.0.0.1:{port}/nobody"], "refused", settings={"RETRY_ENABLED": False}
    )
    (path,) = (home / "evidence" / "warc" / "refused").iterdir()
    (request,) = [r for r, _ in records(path) if r.rec_type == "request"]
    assert "refused" in request.rec_headers.get_header("WARC-Plainsight-Failure").lower()
    assert not [r for r, _ in records(path) if r.rec_type == "response"]


def test_responses_from_scrapys_cache_are_not_recorded_as_received(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    cache = {"HTTPCACHE_ENABLED": True, "HTTPCACHE_DIR": str(tmp_path / "cache")}
    site = Site(routes())
    try:
        run_crawl(home, [site.url + "/"], "first", settings=cache)
        run_crawl(home, [site.url + "/"], "cached", settings=cache)
    finally:
        site.close()
    first = records(home / "evidence" / "warc" / "first" / "00001.warc.gz")
    assert len([r for r, _ in first if r.rec_type == "response"]) == 5
    assert not list((home / "evidence" / "warc" / "cached").iterdir())  # nothing received


def test_the_middleware_is_off_without_a_warc_folder(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    site = Site(routes())
    try:
        run_crawl(home, [site.url + "/"], "off", settings={"PLAINSIGHT_WARC_DIR": ""})
    finally:
        site.close()
    assert not (home / "evidence" / "warc").exists()


def test_a_crawl_killed_part_way_is_recovered_whole_when_it_resumes(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    served = routes()
    served["/"] = (
        200,
        [("Content-Type", "text/html")],
        PAGE.replace(b"</body>", b"<a href='/slow'>s</a></body>"),
    )
    site = Site(served)
    folder = home / "evidence" / "warc" / "killed"
    left = folder / "00001.warc.gz.open"
    try:
        process = start_crawl(home, [site.url + "/"], "killed")
        for _ in range(600):  # wait until all but the slow page is on disk, then kill
            if process.poll() is not None:
                break
            if left.exists() and left.read_bytes().count(b"\x1f\x8b\x08") >= 11:
                break
            time.sleep(0.1)
        process.send_signal(signal.SIGKILL)
        _, stderr = process.communicate()
        assert left.exists(), stderr
        custody = CustodyLog(Workspace.open(load_settings(home)))
        assert not list(custody.entries(crawl_id="killed"))  # killed before sealing
        run_crawl(home, [site.url + "/gz"], "killed")  # resume: same crawl id
    finally:
        site.close()
    assert not left.exists()
    sealed = {e.path: detail(e) for e in custody.entries(crawl_id="killed", kind="warc_file")}
    first, second = sorted(sealed)
    assert first.endswith("00001.warc.gz") and sealed[first]["state"] == "recovered"
    assert sealed[first]["records"] >= 11 and second.endswith("00002.warc.gz")
    found = {
        r.rec_headers.get_header("WARC-Target-URI")
        for r, _ in records(folder / "00001.warc.gz")
        if r.rec_type == "response"
    }
    assert site.url + "/gz" in found and site.url + "/slow" not in found
    assert verify_evidence(Workspace.open(load_settings(home))).ok
