"""Folding a crawl's journal into ``advert_presence``: seen, changed, removed, back again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from plainsight.crawl.journal import CrawlState
from plainsight.crawl.state import fold, tally

SITE = "http://127.0.0.1:9/s/velvetlist"


def state(crawl_id: str, finished_at: str = "") -> CrawlState:
    return CrawlState(
        crawl_id=crawl_id,
        profile="local-site",
        profile_version="1",
        profile_sha256="0" * 64,
        started_at="2024-03-01T09:00:00Z",
        operator="dc.test",
        finished_at=finished_at,
        finish_reason="finished" if finished_at else "page_limit",
    )


def listing(at: str, *ids: str) -> dict[str, Any]:
    return {
        "kind": "listing",
        "url": f"{SITE}/",
        "at": at,
        "outcome": "read",
        "adverts": [f"{SITE}/ad/{i}" for i in ids],
    }


def advert(ad_id: str, at: str, outcome: str, digest: str | None = "d1") -> dict[str, Any]:
    event = {"kind": "advert", "url": f"{SITE}/ad/{ad_id}", "at": at, "outcome": outcome}
    if outcome in ("captured", "unchanged"):
        event.update(source="velvetlist", ad_id=ad_id, digest=digest)
    if outcome in ("gone", "failed"):
        event["reason"] = "HTTP 404" if outcome == "gone" else "timed out: no answer within 2 s"
    return event


def by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["ad_id"]: r for r in rows}


FIRST = [
    listing("2024-03-01T09:00:01Z", "1", "2", "3"),
    advert("1", "2024-03-01T09:00:02Z", "captured"),
    advert("2", "2024-03-01T09:00:03Z", "captured"),
    advert("3", "2024-03-01T09:00:04Z", "captured", digest="d3"),
]


def test_folding_is_idempotent_so_a_killed_settle_can_run_again() -> None:
    crawl = state("c1", "2024-03-01T09:01:00Z")
    once = fold([], FIRST, crawl, complete=True, set_aside=set())
    twice = fold(once, FIRST, crawl, complete=True, set_aside=set())
    assert once == twice
    assert [r["last_status"] for r in once] == ["captured"] * 3
    assert by_id(once)["1"]["first_seen"] == datetime.fromisoformat("2024-03-01T09:00:02Z")


def test_only_a_complete_crawl_marks_unlisted_adverts_removed() -> None:
    rows = fold([], FIRST, state("c1", "2024-03-01T09:01:00Z"), complete=True, set_aside=set())
    later = [listing("2024-03-08T09:00:01Z", "1"), advert("1", "2024-03-08T09:00:02Z", "unchanged")]
    partial = fold(rows, later, state("c2"), complete=False, set_aside=set())
    assert all(r["removed_at"] is None for r in partial)

    done = by_id(
        fold(rows, later, state("c2", "2024-03-08T09:05:00Z"), complete=True, set_aside=set())
    )
    assert done["1"]["removed_at"] is None and done["1"]["last_status"] == "unchanged"
    for gone in ("2", "3"):
        assert done[gone]["removed_at"] == datetime.fromisoformat("2024-03-08T09:05:00Z")
        assert done[gone]["last_seen"] == by_id(rows)[gone]["last_seen"]  # kept, not moved
        assert done[gone]["removed_why"] == "no longer listed (complete crawl)"


def test_a_404_marks_removed_and_an_advert_that_comes_back_is_present_again() -> None:
    rows = fold([], FIRST, state("c1", "2024-03-01T09:01:00Z"), complete=True, set_aside=set())
    gone = [
        listing("2024-03-08T09:00:01Z", "1", "2", "3"),
        advert("2", "2024-03-08T09:00:02Z", "gone"),
    ]
    rows = fold(rows, gone, state("c2", "2024-03-08T09:05:00Z"), complete=True, set_aside=set())
    two = by_id(rows)["2"]
    assert (two["last_status"], two["removed_why"]) == ("removed", "HTTP 404")
    assert two["removed_at"] == datetime.fromisoformat("2024-03-08T09:00:02Z")

    back = [
        listing("2024-03-15T09:00:01Z", "1", "2", "3"),
        advert("2", "2024-03-15T09:00:02Z", "captured", "d9"),
    ]
    rows = fold(rows, back, state("c3", "2024-03-15T09:05:00Z"), complete=True, set_aside=set())
    two = by_id(rows)["2"]
    assert two["removed_at"] is None and two["content_sha256"] == "d9"
    assert two["first_seen"] == datetime.fromisoformat("2024-03-01T09:00:03Z")


def test_a_capture_the_import_set_aside_is_taken_again_next_time() -> None:
    lost = {("velvetlist", "3", "2024-03-01T09:00:04Z")}
    rows = by_id(
        fold([], FIRST, state("c1", "2024-03-01T09:01:00Z"), complete=True, set_aside=lost)
    )
    assert rows["3"]["content_sha256"] is None and rows["1"]["content_sha256"] == "d1"


def test_the_last_outcome_of_a_page_counts_and_failures_are_problems() -> None:
    events = [
        listing("2024-03-01T09:00:01Z", "1", "2"),
        advert("1", "2024-03-01T09:00:02Z", "failed"),
        advert("2", "2024-03-01T09:00:03Z", "failed"),
        advert("1", "2024-03-01T10:00:02Z", "captured"),  # a later session got it
    ]
    result = tally(events, "c1")
    assert (result.listings, result.captured) == (1, 1)
    assert [(p["kind"], p["url"]) for p in result.problems] == [("failed", f"{SITE}/ad/2")]
    assert result.problems[0]["reason"].startswith("timed out")
