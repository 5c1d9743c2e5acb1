"""``plainsight crawl`` as an operator meets it: clear refusals, evidence on by default."""

from __future__ import annotations

import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from plainsight.synth.site import serve_site
from tests.crawl.conftest import WriteProfile, crawl_command, rows, run_crawl


def test_a_bad_profile_is_refused_in_one_line_before_anything_is_fetched(
    tmp_path: Path, write_profile: WriteProfile
) -> None:
    text = (
        write_profile("http://127.0.0.1:9/")
        .read_text()
        .replace("concurrency = 8", "concurrency = 0")
    )
    done = run_crawl(tmp_path / "ws", write_profile("", "bad.toml", text))
    assert done.returncode == 1
    message = done.stderr.strip()
    assert "politeness.concurrency: Input should be greater than or equal to 1" in message
    assert message.count("\n") == 0


def test_outside_the_allowed_hours_the_crawl_does_not_start(
    tmp_path: Path, write_profile: WriteProfile
) -> None:
    now = datetime.now(UTC).astimezone(ZoneInfo("Europe/London"))
    start, end = now + timedelta(hours=2), now + timedelta(hours=3)
    hours = f'"{start:%H}:00-{end:%H}:00"'
    profile = write_profile("http://127.0.0.1:9/", hours=hours)
    done = run_crawl(tmp_path / "ws", profile)
    assert done.returncode == 1
    assert "outside the profile's allowed hours" in done.stderr


@pytest.mark.slow
def test_evidence_is_written_unless_turned_off(
    world: Path, tmp_path: Path, write_profile: WriteProfile
) -> None:
    with serve_site(world, limit=10, seed=1, faults=False) as site:
        profile = write_profile(site.url)
        with_warc = run_crawl(tmp_path / "a", profile)
        without = run_crawl(tmp_path / "b", profile, "--no-warc")
    assert with_warc.returncode == 0 and without.returncode == 0, with_warc.stderr
    (crawl,) = rows(tmp_path / "a", "SELECT crawl_id, warc FROM crawls")
    assert crawl["warc"]
    assert list((tmp_path / "a" / "evidence" / "warc" / crawl["crawl_id"]).glob("*.warc.gz"))
    extra = rows(tmp_path / "a", "SELECT extra FROM captures")[0]["extra"]
    assert '"record_id":"<urn:uuid:' in extra  # each capture cites its WARC record
    assert not (tmp_path / "b" / "evidence" / "warc").exists()
    assert rows(tmp_path / "b", "SELECT warc FROM crawls") == [{"warc": False}]
    assert "No WARC evidence" in without.stderr


@pytest.mark.slow
def test_one_crawl_of_a_profile_at_a_time(
    world: Path, tmp_path: Path, write_profile: WriteProfile
) -> None:
    home = tmp_path / "ws"
    with serve_site(world, limit=30, seed=1, faults=False) as site:
        profile = write_profile(site.url, concurrency="1", delay_seconds="0.05")
        first = subprocess.Popen(
            crawl_command(home, profile), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + 60
            while not list((home / "crawls").rglob("journal.log")):
                assert first.poll() is None and time.monotonic() < deadline
                time.sleep(0.02)
            second = run_crawl(home, profile)
        finally:
            first.wait(timeout=120)
    assert second.returncode == 1
    assert "another crawl of profile local-site is running" in second.stderr
    assert first.returncode == 0
