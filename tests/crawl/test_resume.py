"""Stopping and resuming a crawl loses nothing and duplicates nothing.

A real ``plainsight crawl`` process is killed with SIGKILL (no clean-up runs) part-way, twice,
then resumed; the workspace must hold what one uninterrupted crawl of the same site holds.
A crawl stopped cleanly (``--limit-pages``) resumes from Scrapy's JOBDIR instead.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from plainsight.synth.site import SiteServer, serve_site
from tests.crawl.conftest import WriteProfile, crawl_command, rows, run_crawl

pytestmark = pytest.mark.slow

# What a capture holds, less what says when and by which crawl it was taken.
CONTENT = (
    "source, ad_id, url, title, body, name, age, location_text, phone, email, posted_at, "
    "image_sha256"
)


def holdings(home: Path) -> dict[str, Any]:
    """The workspace's captures and presence, without times and crawl ids."""
    captures = rows(home, f"SELECT {CONTENT} FROM captures ORDER BY source, ad_id")
    presence = rows(
        home,
        "SELECT source, ad_id, url, removed_at, last_status, content_sha256 "
        "FROM advert_presence ORDER BY source, ad_id",
    )
    problems = rows(home, "SELECT url, kind, reason FROM crawl_problems ORDER BY url")
    return {"captures": captures, "presence": presence, "problems": problems}


def journal_lines(home: Path) -> int:
    # crawls/<profile>/<crawl>/journal.log: a glob of those levels only, as Scrapy creates and
    # removes folders below them (its job directory) while the crawl runs
    journals = list((home / "crawls").glob("*/*/journal.log"))
    return sum(1 for j in journals for _ in j.open("rb")) if journals else 0


def kill_after(home: Path, profile: Path, lines: int) -> None:
    """Start a crawl and SIGKILL it once its journal holds ``lines`` lines."""
    process = subprocess.Popen(
        crawl_command(home, profile), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    try:
        while journal_lines(home) < lines:
            assert process.poll() is None, "the crawl ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture
def site(world: Path) -> Any:
    with serve_site(world, limit=90, seed=4, faults=False) as server:
        yield server


def test_a_killed_crawl_resumes_to_the_state_of_an_uninterrupted_one(
    site: SiteServer, tmp_path: Path, write_profile: WriteProfile
) -> None:
    # Slow enough to be killed part-way: two pages at a time, 30 ms apart.
    profile = write_profile(site.url, concurrency="2", delay_seconds="0.03")
    clean = run_crawl(tmp_path / "clean", profile)
    assert clean.returncode == 0, clean.stderr
    reference = holdings(tmp_path / "clean")
    assert len(reference["captures"]) == len(site.expected().adverts)

    before = len(site.requests())
    home = tmp_path / "killed"
    kill_after(home, profile, 15)
    kill_after(home, profile, 50)  # the second session is killed too
    assert 50 <= journal_lines(home) < len(reference["captures"]) + 10
    resumed = run_crawl(home, profile)
    assert resumed.returncode == 0, resumed.stderr
    assert "interrupted" in resumed.stdout and "Crawl complete" in resumed.stdout

    assert holdings(home) == reference
    crawls = rows(home, "SELECT * FROM crawls")
    assert [(c["sessions"], c["complete"]) for c in crawls] == [(3, True)]
    # Advert pages done before a kill were not fetched again: only the few in flight at each
    # kill (two at a time) were, and the listings were read again.
    adverts = [r.path for r in site.requests()[before:] if "/ad/" in r.path]
    assert len(reference["captures"]) <= len(adverts) <= len(reference["captures"]) + 8


def test_a_crawl_stopped_at_a_page_limit_resumes_where_it_stopped(
    site: SiteServer, tmp_path: Path, write_profile: WriteProfile
) -> None:
    profile = write_profile(site.url, concurrency="1")
    home = tmp_path / "ws"
    first = run_crawl(home, profile, "--limit-pages", "20")
    assert first.returncode == 0, first.stderr
    assert "stopped at the page limit" in first.stdout
    part = len(rows(home, "SELECT * FROM captures"))
    assert 10 <= part < len(site.expected().adverts)  # imported at once, not at the end

    second = run_crawl(home, profile)
    assert second.returncode == 0, second.stderr
    assert "Crawl complete" in second.stdout and "interrupted" not in second.stdout
    keys = [(r["source"], r["ad_id"]) for r in rows(home, "SELECT * FROM captures")]
    assert sorted(keys) == sorted(site.expected().adverts)  # each once
    # The second session carried on from Scrapy's queue: no listing page was read twice.
    listings = [
        r.path for r in site.requests() if r.path.startswith("/s/") and "/ad/" not in r.path
    ]
    assert len(listings) == len(set(listings)) == len(site.expected().listing_paths)


def test_fresh_abandons_an_unfinished_crawl_but_keeps_its_captures(
    site: SiteServer, tmp_path: Path, write_profile: WriteProfile
) -> None:
    profile = write_profile(site.url, concurrency="1")
    home = tmp_path / "ws"
    assert run_crawl(home, profile, "--limit-pages", "10").returncode == 0
    kept = rows(home, "SELECT capture_id FROM captures")
    assert kept

    changed = write_profile(site.url, concurrency="1", delay_seconds="0.01")
    refused = run_crawl(home, changed)
    assert refused.returncode == 1
    assert "the profile changed since crawl" in refused.stderr and "--fresh" in refused.stderr

    fresh = run_crawl(home, changed, "--fresh")
    assert fresh.returncode == 0, fresh.stderr
    crawls = rows(home, "SELECT finish_reason, complete FROM crawls ORDER BY started_at")
    assert crawls == [
        {"finish_reason": "abandoned", "complete": False},
        {"finish_reason": "finished", "complete": True},
    ]
    held = {r["capture_id"] for r in rows(home, "SELECT capture_id FROM captures")}
    assert {r["capture_id"] for r in kept} <= held
    # The adverts the abandoned crawl took were unchanged, so not captured again.
    assert len(held) == len(site.expected().adverts)


def test_settling_again_after_a_kill_changes_nothing(
    site: SiteServer, tmp_path: Path, write_profile: WriteProfile
) -> None:
    """A run killed between its crawl and its commit is settled by the next run, to the same
    state: the import and the fold into ``advert_presence`` are idempotent."""
    from plainsight.crawl.journal import CrawlFolder
    from plainsight.crawl.profile import load_profile
    from plainsight.crawl.run import settle
    from plainsight.settings import load_settings
    from plainsight.workspace import Workspace

    profile = write_profile(site.url)
    home = tmp_path / "ws"
    assert run_crawl(home, profile).returncode == 0
    before = holdings(home)
    crawls_before = rows(home, "SELECT * FROM crawls")

    (state_file,) = (home / "crawls").rglob("crawl.json")
    folder = CrawlFolder(state_file.parent)
    settle(Workspace.open(load_settings(home)), folder, load_profile(profile))
    assert holdings(home) == before and rows(home, "SELECT * FROM crawls") == crawls_before

    # As if killed after crawling, before anything was imported or committed.
    state = folder.load()
    state.settled, state.exported_upto, state.parts = False, 0, []
    folder.save(state)
    again = run_crawl(home, profile)
    assert again.returncode == 0, again.stderr
    assert f"Settled the earlier crawl {state.crawl_id}" in again.stdout
    after = holdings(home)
    assert after["captures"] == before["captures"]  # nothing captured twice
    summary = "SELECT crawl_id, complete, captured, unchanged FROM crawls ORDER BY started_at"
    assert rows(home, summary) == [
        {"crawl_id": state.crawl_id, "complete": True, "captured": len(before["captures"]),
         "unchanged": 0},
        {"crawl_id": rows(home, "SELECT max(crawl_id) AS c FROM crawls")[0]["c"],
         "complete": True, "captured": 0, "unchanged": len(before["captures"])},
    ]  # fmt: skip
