"""The issue's "done means": crawl the local site twice, with edits and removals between.

Every advert, edit and removal is captured exactly once, checked against what the site says
a perfect crawl captures; disallowed pages are never requested; the hanging page is recorded
as failed with the reason; transient 500s are retried and captured; truncated pages keep the
fields found and record what is missing.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from plainsight.capture.importer import advert_id
from plainsight.cli import EXIT_SET_ASIDE
from plainsight.synth.site import serve_site
from plainsight.synth.site_plan import ExpectedCrawl
from tests.crawl.conftest import WriteProfile, rows, run_crawl

pytestmark = pytest.mark.slow

Key = tuple[str, str]
FIELDS = ("url", "title", "body", "name", "age", "location_text", "phone", "email")


def captures(home: Path) -> dict[Key, list[dict[str, Any]]]:
    found: dict[Key, list[dict[str, Any]]] = defaultdict(list)
    for row in rows(home, "SELECT * FROM captures ORDER BY captured_at"):
        found[(row["source"], row["ad_id"])].append(row)
    return found


def assert_shows(capture: dict[str, Any], shown: dict[str, Any], site: ExpectedCrawl) -> None:
    """A capture holds exactly what the page showed: fields, time posted and pictures."""
    for name in FIELDS:
        assert capture[name] == shown.get(name), name
    posted = shown.get("posted_at")
    expected_posted = datetime.fromisoformat(posted) if posted else None
    assert capture["posted_at"] == expected_posted
    pictures = [
        hashlib.sha256(site.image_files[url].read_bytes()).hexdigest()
        for url in shown.get("images", [])
    ]
    assert capture["image_sha256"] == pictures


def test_two_rounds_capture_every_advert_edit_and_removal_once(
    world: Path, tmp_path: Path, write_profile: WriteProfile
) -> None:
    home = tmp_path / "ws"
    with serve_site(world, limit=100, seed=2, log=tmp_path / "site.jsonl") as site:
        profile = write_profile(site.url)
        one = site.expected()
        first = run_crawl(home, profile)
        assert first.returncode == EXIT_SET_ASIDE, first.stderr  # the hanging page failed
        assert "Crawl complete" in first.stdout
        round_one_requests = site.requests()

        site.set_round(2)
        two = site.expected()
        second = run_crawl(home, profile)
        assert second.returncode == EXIT_SET_ASIDE, second.stderr
        requests = site.requests()

    assert two.changed and two.removed and two.new and one.transient and one.truncated
    held = captures(home)

    # Round 1 and round 2: each advert once, plus once more for each edit; nothing else.
    expected_counts = {key: 1 for key in one.adverts}
    for key in two.adverts:
        expected_counts[key] = expected_counts.get(key, 0) + (key in two.changed or key in two.new)
    assert {key: len(found) for key, found in held.items()} == expected_counts
    for key, shown in one.adverts.items():
        assert_shows(held[key][0], shown, one)
    for key, shown in two.adverts.items():
        assert_shows(held[key][-1], shown, two)
    assert two.hanging is not None and two.hanging not in held

    # Presence: removals marked (never deleted) with the time last seen; the rest present.
    presence = {(r["source"], r["ad_id"]): r for r in rows(home, "SELECT * FROM advert_presence")}
    assert set(presence) == set(one.adverts) | set(two.adverts)
    crawls = rows(home, "SELECT * FROM crawls ORDER BY started_at")
    assert [c["complete"] for c in crawls] == [True, True]
    assert [c["removed"] for c in crawls] == [0, len(two.removed)]
    for key, row in presence.items():
        assert row["advert_id"] == advert_id(*key)
        if key in two.removed:
            assert row["removed_at"] is not None and row["last_status"] == "removed"
            assert row["last_seen"] == held[key][-1]["captured_at"]  # last seen in round 1
            assert row["last_seen"] < crawls[1]["started_at"] <= row["removed_at"]
            assert len(held[key]) == 1  # its capture is kept
        else:
            assert row["removed_at"] is None
            assert row["last_seen"] >= crawls[1]["started_at"]
            taken_again = key in two.changed or key in two.new
            assert row["last_status"] == ("captured" if taken_again else "unchanged")

    # Politeness: robots.txt read first, nothing under /private/ ever requested.
    assert requests[0].path == "/robots.txt"
    assert not [r.path for r in requests if r.path.startswith("/private/")]
    assert {r.user_agent for r in requests} == {
        "plainsight/0.1.0 (+City of London Police; contact: capture-team@example.org)"
    }

    # Faults: the hanging page failed with the reason, in both crawls.
    problems = rows(home, "SELECT * FROM crawl_problems")
    hanging = [p for p in problems if p["url"] == one.url + str(one.hanging_path)]
    assert [p["kind"] for p in hanging] == ["failed", "failed"]
    assert all("timed out" in p["reason"] and "3 attempts" in p["reason"] for p in hanging)
    # Transient 500s were retried and the adverts captured (first round's log).
    by_path = defaultdict(list)
    for r in round_one_requests:
        by_path[r.path].append(r.status)
    for key, failures in one.transient.items():
        path = f"/s/{key[0]}/ad/{key[1]}"
        assert by_path[path] == [500] * failures + [200], key
        assert key in held
    # Truncated pages: what could be read is captured, and the loss is recorded.
    cut_again = set(two.truncated) & (two.changed | two.new)
    partial = [(p["source"], p["ad_id"]) for p in problems if p["kind"] == "partial"]
    assert sorted(partial) == sorted([*one.truncated, *cut_again])
    assert all("images" in p["missing"] for p in problems if p["kind"] == "partial")
    assert Counter(p["kind"] for p in problems) == Counter({"failed": 2, "partial": len(partial)})
    # Each capture names its crawl, and the profile it was read with.
    extra = held[next(iter(one.adverts))][0]["extra"]
    assert '"profile":"local-site"' in extra and '"crawl_id":"local-site-' in extra


def test_robots_txt_stops_a_profile_that_would_follow_private_links(
    world: Path, tmp_path: Path, write_profile: WriteProfile
) -> None:
    """A careless profile that treats the staff links as adverts still never fetches them."""
    with serve_site(world, limit=20, seed=2, faults=False) as site:
        text = write_profile(site.url).read_text()
        careless = text.replace(
            'advert = ["ul.adverts a.advert-link::attr(href)"]',
            'advert = ["a.staff::attr(href)", "ul.adverts a.advert-link::attr(href)"]',
        )
        assert careless != text
        done = run_crawl(tmp_path / "ws", write_profile(site.url, "careless.toml", careless))
        requests = site.requests()
    assert not [r.path for r in requests if r.path.startswith("/private/")]
    problems = rows(tmp_path / "ws", "SELECT * FROM crawl_problems")
    assert {(p["kind"], p["url"].removeprefix(site.url)) for p in problems} == {
        ("disallowed", "/private/admin")
    }
    assert all("robots.txt" in p["reason"] for p in problems)
    assert done.returncode == 0, done.stderr  # a page robots.txt forbids is not set aside
