"""The local advert site: its pages, rounds and faults, read back the way a crawler reads them."""

from __future__ import annotations

import html
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from parsel import Selector

from plainsight.errors import PlainsightError
from plainsight.synth.adverts import generate_adverts
from plainsight.synth.site import SiteServer, serve_site
from plainsight.synth.site_plan import SitePlan, load_world

Key = tuple[str, str]


@dataclass
class Page:
    status: int
    content_type: str
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(url: str, timeout: float = 10.0) -> Page:
    request = urllib.request.Request(url, headers={"User-Agent": "plainsight-test/1"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Page(response.status, response.headers["Content-Type"], response.read())
    except urllib.error.HTTPError as error:
        return Page(error.code, error.headers["Content-Type"], error.read())


def read_advert(html: str, url: str) -> dict[str, Any]:
    """Read an advert page as a profile with alternative selectors would: first match wins."""
    page = Selector(text=html)
    node = (page.css("article.advert") or page.css("div.ad.ad-v2"))[0]

    def first(*queries: str) -> str | None:
        for query in queries:
            value = node.xpath(query).get()
            if value is not None and value.strip():
                return value.strip()
        return None

    def fact(label: str) -> str:
        return f".//dl[@class='ad-facts']/dt[.='{label}']/following-sibling::dd[1]/text()"

    found: dict[str, Any] = {
        "source": node.attrib["data-source"],
        "ad_id": node.attrib["data-ad-id"],
        "url": url,
        "title": first(".//h1[@class='title']/text()", ".//h2[@class='ad-title']/text()"),
        "body": first("string(.//div[@class='body'][1])", "string(.//p[@class='ad-text'][1])"),
        "name": first(".//span[@class='name']/text()", fact("Name")),
        "age": first(".//span[@class='age']/text()", fact("Age")),
        "location_text": first(".//span[@class='location']/text()", fact("Area")),
        "phone": first(".//span[@class='phone']/text()", fact("Phone")),
        "email": first(".//a[@class='email']/text()"),
        "posted_at": first(
            ".//time[@class='posted']/@datetime", ".//time[@class='ad-posted']/@datetime"
        ),
    }
    images = (
        node.css("div.gallery img::attr(src)").getall()
        or node.css("div.ad-photos img::attr(src)").getall()
    )
    if images:
        found["images"] = [urljoin(url, src) for src in images]
    if found["age"] is not None:
        found["age"] = int(found["age"])
    return {name: value for name, value in found.items() if value is not None}


def walk_listings(site: SiteServer) -> tuple[list[Key], list[str]]:
    """Follow the home page to every listing and its next links; the adverts linked, in order."""
    home = Selector(text=fetch(site.url + "/").text)
    linked: list[Key] = []
    visited: list[str] = []
    for href in home.css("a.site::attr(href)").getall():
        url: str | None = urljoin(site.url, href)
        while url is not None:
            page = fetch(url)
            assert page.status == 200, url
            visited.append(url.removeprefix(site.url))
            listing = Selector(text=page.text)
            links = listing.css("ul.adverts a.advert-link::attr(href)").getall()
            assert len(links) <= 20
            assert "/private/admin" in listing.css("a::attr(href)").getall()
            for link in links:
                _, source, _, ad_id = link.removeprefix("/").split("/")
                linked.append((source, ad_id))
            following = listing.css("a.next[rel=next]::attr(href)").get()
            if following is not None:
                assert len(links) == 20, "only the last page is short"
            url = urljoin(url, following) if following is not None else None
    return linked, visited


def read_every_advert(site: SiteServer, keys: set[Key]) -> dict[Key, tuple[int, Page]]:
    """Fetch each advert page (retrying 500s, as a crawler does): the 500s seen and the page."""

    def read(key: Key) -> tuple[Key, tuple[int, Page]]:
        failures = 0
        page = fetch(f"{site.url}/s/{key[0]}/ad/{key[1]}")
        while page.status == 500 and failures < 5:
            failures += 1
            page = fetch(f"{site.url}/s/{key[0]}/ad/{key[1]}")
        return key, (failures, page)

    with ThreadPoolExecutor(max_workers=24) as pool:
        return dict(pool.map(read, sorted(keys)))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("world")
    generate_adverts(root, scale=0.05, seed=3, images=True)
    return root


@pytest.fixture
def site(world: Path, tmp_path: Path) -> Iterator[SiteServer]:
    with serve_site(world, seed=1, log=tmp_path / "requests.jsonl") as running:
        yield running


def test_robots_txt_disallows_the_private_section_that_the_site_links_to(
    site: SiteServer,
) -> None:
    robots = fetch(site.url + "/robots.txt")
    assert robots.status == 200 and robots.content_type.startswith("text/plain")
    assert robots.text.splitlines() == ["User-agent: *", "Disallow: /private/"]
    home = Selector(text=fetch(site.url + "/").text)
    assert sorted(home.css("a.site::attr(href)").getall()) == [
        f"/s/{source}/" for source in sorted(site.plan.sources)
    ]
    assert len(site.plan.sources) == 5
    assert site.expected().disallowed == ("/private/admin",)
    assert "/private/admin" in home.css("a::attr(href)").getall()
    assert fetch(site.url + "/private/admin").status == 200  # there, for an impolite crawler


def test_listings_show_every_visible_advert_exactly_once_20_a_page(site: SiteServer) -> None:
    linked, visited = walk_listings(site)
    expected = site.expected()
    counts = Counter(linked)
    assert set(counts) == expected.listed and set(counts.values()) == {1}
    assert len(linked) == len(expected.listed) > 150
    first_pages = {path.replace("/?page=1", "/") for path in expected.listing_paths}
    assert set(visited) == first_pages
    pages = site.plan.pages(1, "velvetlist")
    assert pages >= 2 and f"/s/velvetlist/?page={pages}" in expected.listing_paths
    assert fetch(site.url + f"/s/velvetlist/?page={pages + 1}").status == 404
    assert fetch(site.url + "/s/velvetlist/?page=0").status == 404
    assert fetch(site.url + "/s/no-such-site/").status == 404


def test_every_advert_page_shows_what_expected_says_with_its_faults(site: SiteServer) -> None:
    expected = site.expected()
    assert expected.hanging is not None and expected.hanging in expected.listed
    capturable = set(expected.listed) - {expected.hanging}
    assert set(expected.adverts) == capturable
    pages = read_every_advert(site, capturable)
    for key, (failures, page) in pages.items():
        assert page.status == 200, key
        assert failures == expected.transient.get(key, 0), key
        url = site.url + f"/s/{key[0]}/ad/{key[1]}"
        assert read_advert(page.text, url) == expected.adverts[key], key
        v2 = 'class="ad ad-v2"' in page.text
        assert v2 == (key in expected.changed_layout), key
        whole = page.text.rstrip().endswith("</html>")
        assert whole == (key not in expected.truncated), key
    assert {n for n in expected.transient.values()} == {1, 2}
    assert len(expected.changed_layout) >= 10 and len(expected.truncated) >= 5
    for key in expected.truncated:
        text = pages[key][1].text
        last_paragraph = expected.adverts[key]["body"].split("\n\n")[-1]
        assert 'class="gallery"' not in text and "images" not in expected.adverts[key]
        assert text.endswith(html.escape(last_paragraph)), "cut straight after the body text"
    for key in expected.changed_layout:
        assert "email" not in expected.adverts[key]
    slow = {f"/s/{key[0]}/ad/{key[1]}" for key in capturable} & expected.slow_paths
    assert slow, "some advert pages are slow"


def test_round_two_edits_removes_and_adds_adverts(site: SiteServer, world: Path) -> None:
    first = site.expected()
    site.set_round(2)
    second = site.expected()
    linked, _ = walk_listings(site)
    assert Counter(linked) == Counter(second.listed)
    assert second.removed and second.new and second.changed
    assert second.removed <= first.listed and not second.removed & set(linked)
    assert second.new.isdisjoint(first.listed) and second.new <= set(linked)
    assert len(first.listed) // 10 <= len(second.removed) <= len(first.listed) // 10 + 1
    for key in second.removed:
        assert fetch(f"{site.url}/s/{key[0]}/ad/{key[1]}").status == 404
    latest: dict[Key, dict[str, Any]] = {}
    for line in (world / "adverts.jsonl").read_text().splitlines():
        record = json.loads(line)
        latest[(record["source"], record["ad_id"])] = record
    pages = read_every_advert(site, set(second.adverts))
    for key, (_, page) in pages.items():
        url = site.url + f"/s/{key[0]}/ad/{key[1]}"
        shown = read_advert(page.text, url)
        assert shown == second.adverts[key], key
        assert shown["title"] == latest[key]["title"].strip()
        if key in second.changed:
            assert shown != first.adverts[key]
        elif key in first.adverts:
            assert shown == first.adverts[key]
    assert second.hanging == first.hanging, "the hanging page hangs in both rounds"


def test_a_transient_page_fails_again_after_a_switch_of_round(site: SiteServer) -> None:
    key, failures = sorted(site.expected().transient.items())[0]
    url = f"{site.url}/s/{key[0]}/ad/{key[1]}"
    statuses = [fetch(url).status for _ in range(failures + 2)]
    assert statuses == [500] * failures + [200, 200]
    site.set_round(2)
    site.set_round(1)
    assert fetch(url).status == 500


def test_the_hanging_page_blocks_nothing_else_and_ends_when_the_site_closes(
    site: SiteServer,
) -> None:
    path = site.expected().hanging_path
    assert path is not None
    with socket.create_connection(("127.0.0.1", int(site.url.rsplit(":", 1)[1]))) as hung:
        hung.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        assert fetch(site.url + "/").status == 200  # served while the other hangs
        hung.settimeout(0.5)
        with pytest.raises(TimeoutError):
            hung.recv(1)
        hung.settimeout(30)
        site.close()
        assert hung.recv(1024) == b"", "closed without an answer"
    assert [(r.path, r.status) for r in site.requests() if r.path == path] == [(path, None)]


def test_pictures_are_the_worlds_files_with_their_content_type(
    site: SiteServer, world: Path
) -> None:
    files = site.expected().image_files
    by_kind = {file.suffix: url for url, file in files.items()}
    assert set(by_kind) == {".jpg", ".png"}
    for suffix, url in by_kind.items():
        picture = fetch(url)
        assert picture.status == 200
        assert picture.content_type == {".jpg": "image/jpeg", ".png": "image/png"}[suffix]
        assert picture.body == files[url].read_bytes()
    (world / "outside.jpg").write_bytes(b"not for the site")
    for outside in ("/img/../outside.jpg", "/img/%2e%2e/outside.jpg", "/img/00/none.jpg"):
        assert fetch(site.url + outside).status == 404


def test_the_request_log_records_every_request_in_memory_and_on_disk(
    site: SiteServer, tmp_path: Path
) -> None:
    for path in ("/robots.txt", "/", "/s/velvetlist/?page=1", "/nowhere"):
        fetch(site.url + path)
    records = site.requests()
    assert [(r.method, r.path, r.status) for r in records] == [
        ("GET", "/robots.txt", 200),
        ("GET", "/", 200),
        ("GET", "/s/velvetlist/?page=1", 200),
        ("GET", "/nowhere", 404),
    ]
    assert {r.user_agent for r in records} == {"plainsight-test/1"}
    site.close()
    logged = [json.loads(line) for line in (tmp_path / "requests.jsonl").read_text().splitlines()]
    assert [(row["path"], row["status"]) for row in logged] == [(r.path, r.status) for r in records]
    assert all(row["time"].endswith("Z") and row["method"] == "GET" for row in logged)


def test_without_faults_every_page_answers_promptly_and_whole(world: Path) -> None:
    with serve_site(world, seed=1, faults=False, limit=60) as site:
        expected = site.expected()
        assert expected.hanging is None and not expected.transient and not expected.truncated
        assert not expected.changed_layout and not expected.slow_paths
        assert len(expected.listed) == 60 - 60 * 15 // 100
        for key, (failures, page) in read_every_advert(site, set(expected.listed)).items():
            assert failures == 0 and page.text.rstrip().endswith("</html>")
            assert 'class="advert"' in page.text
            url = site.url + f"/s/{key[0]}/ad/{key[1]}"
            assert read_advert(page.text, url) == expected.adverts[key]


def test_the_limit_shows_the_worlds_first_adverts_only(world: Path) -> None:
    first: list[Key] = []
    for line in (world / "adverts.jsonl").read_text().splitlines():
        record = json.loads(line)
        if (record["source"], record["ad_id"]) not in first:
            first.append((record["source"], record["ad_id"]))
    with serve_site(world, limit=40, round=2) as site:
        assert site.expected().listed | site.expected().removed == set(first[:40])
        assert site.expected().new == set(first[34:40])


def test_removals_and_faults_are_deterministic_by_seed(world: Path) -> None:
    adverts, _ = load_world(world, None)
    plans = [SitePlan(world, adverts, seed=seed, faults=True) for seed in (4, 4, 5)]
    same = [(p.removed, p.faults.hanging, p.faults.transient, p.faults.truncated) for p in plans]
    assert same[0] == same[1]
    assert same[0][0] != same[2][0] and same[0][2] != same[2][2]
    assert plans[0].expected(2, "http://x").adverts == plans[1].expected(2, "http://x").adverts


def test_everything_from_the_world_is_html_escaped_and_bad_lines_set_aside(
    tmp_path: Path,
) -> None:
    hostile = {
        "source": "velvetlist",
        "ad_id": "a b?c&d",
        "captured_at": "2023-01-01T10:00:00Z",
        "posted_at": "2023-01-01T09:00:00Z",
        "title": "<script>alert(\"x\")</script> & 'co'",
        "body": "First <b>line</b>\nsame paragraph\n\n\n  Second & last  ",
        "name": "<i>Eve</i>",
        "age": 25,
        "email": 'x"@example.net',
        "images": ["images/aa/<pic>.jpg"],
    }
    lines = [json.dumps(hostile), "{oops", json.dumps({"source": "velvetlist"}), "[1]"]
    (tmp_path / "adverts.jsonl").write_text("\n".join(lines) + "\n")
    with serve_site(tmp_path, faults=False) as site:
        assert [(s.line, s.reason) for s in site.skipped] == [
            (2, "not JSON"),
            (3, "field 'ad_id' must be a non-empty string"),
            (4, "not a JSON object"),
        ]
        page = fetch(site.url + "/s/velvetlist/ad/a%20b%3Fc%26d")
        assert page.status == 200 and "<script>" not in page.text and "<b>" not in page.text
        url = site.url + "/s/velvetlist/ad/a%20b%3Fc%26d"
        shown = read_advert(page.text, url)
        assert shown == site.expected().adverts[("velvetlist", "a b?c&d")]
        assert shown["title"] == hostile["title"] and shown["name"] == "<i>Eve</i>"
        assert shown["body"] == "First <b>line</b>\nsame paragraph\n\nSecond & last"
        assert shown["images"] == [site.url + "/img/aa/%3Cpic%3E.jpg"]
        listing = Selector(text=fetch(site.url + "/s/velvetlist/").text)
        assert listing.css("a.advert-link::text").get() == hostile["title"]


def test_bad_arguments_are_refused_clearly(world: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="round must be 1 or 2"):
        serve_site(world, round=3)
    with pytest.raises(ValueError, match="limit must be at least 1"):
        serve_site(world, limit=0)
    with pytest.raises(PlainsightError, match=r"adverts\.jsonl not found"):
        serve_site(tmp_path / "nothing")


def test_the_command_serves_until_interrupted(world: Path, tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    command = [sys.executable, "-m", "plainsight", "synth", "site", "--world", str(world)]
    options = ["--port", "0", "--limit", "20", "--no-faults", "--log", str(log)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        command + options, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as server:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert "Serving 17 adverts (round 1)" in line, line
        url = line.split(" at ")[1].split()[0].rstrip("/")
        assert fetch(url + "/robots.txt").status == 200
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0
    assert [json.loads(row)["path"] for row in log.read_text().splitlines()] == ["/robots.txt"]
    missing = subprocess.run(
        [*command[:-1], str(tmp_path / "none")], capture_output=True, text=True, check=False
    )
    assert missing.returncode == 1 and "adverts.jsonl not found" in missing.stderr
