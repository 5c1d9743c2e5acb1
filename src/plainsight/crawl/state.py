"""Which adverts each crawl saw, changed or found removed: the ``advert_presence`` table.

A crawl's journal is folded into the table at the end of each session, together with the
pages it could not read (``crawl_problems``) and the crawl's own row (``crawls``), in one lake
commit. Folding is idempotent (first seen is a minimum, last seen a maximum, a removal keeps
its first time), so a session killed between its import and this commit folds the same
journal again on the next run and gets the same table.

An advert is marked removed, never deleted: when its page answers 404 or 410, or when a
complete crawl (every listing page read, not stopped early) no longer lists it. Its row keeps
the time it was last seen. An advert that comes back is present again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa

from plainsight import __version__
from plainsight.capture.importer import advert_id
from plainsight.crawl.journal import CrawlState
from plainsight.lake.schemas import ADVERT_PRESENCE, CRAWL_PROBLEMS, CRAWLS
from plainsight.workspace import Workspace

Row = dict[str, Any]
PROBLEM_KINDS = ("failed", "unreadable", "disallowed")


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass
class Tally:
    """What one crawl's journal adds up to."""

    listings: int = 0
    captured: int = 0
    unchanged: int = 0
    gone: int = 0
    removed: int = 0
    listing_failed: int = 0
    listed: set[str] = field(default_factory=set)
    fetched: set[str] = field(default_factory=set)
    problems: list[Row] = field(default_factory=list)


def tally(events: Iterable[dict[str, Any]], crawl_id: str) -> Tally:
    """Count a journal's outcomes and list its problems (the last outcome of a page wins)."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for event in events:
        latest[(event["kind"], event["url"])] = event
    result = Tally()
    for (kind, url), event in latest.items():
        outcome = event["outcome"]
        if kind == "listing":
            result.listings += outcome == "read"
            result.listing_failed += outcome == "failed"
            result.listed.update(event.get("adverts", []))
        else:
            result.captured += outcome == "captured"
            result.unchanged += outcome == "unchanged"
            result.gone += outcome == "gone"
            if outcome in ("captured", "unchanged", "gone"):
                result.fetched.add(url)
        if outcome in PROBLEM_KINDS or (outcome == "captured" and event.get("problem")):
            result.problems.append(
                {
                    "crawl_id": crawl_id,
                    "url": url,
                    "page": kind,
                    "kind": "partial" if outcome == "captured" else outcome,
                    "reason": event.get("problem") or event.get("reason") or "",
                    "missing": event.get("missing") or [],
                    "source": event.get("source"),
                    "ad_id": event.get("ad_id"),
                    "at": when(event["at"]),
                }
            )
    return result


def fold(
    existing: list[Row],
    events: Iterable[dict[str, Any]],
    state: CrawlState,
    *,
    complete: bool,
    set_aside: set[tuple[str, str, str]],
) -> list[Row]:
    """``advert_presence`` after a crawl's journal.

    ``set_aside`` holds ``(source, ad_id, captured_at)`` of captures the import set aside:
    their digest is not kept, so the next crawl captures them again.
    """
    rows = {(r["source"], r["ad_id"]): dict(r) for r in existing}
    by_url = {r["url"]: key for key, r in rows.items() if r["url"]}
    seen_urls: set[str] = set()
    listed: set[str] = set()
    for event in events:
        if event["kind"] == "listing":
            listed.update(event.get("adverts", []))
            continue
        outcome, at, url = event["outcome"], when(event["at"]), event["url"]
        if outcome in ("captured", "unchanged"):
            key = (event["source"], event["ad_id"])
            row = rows.setdefault(key, _new_row(key, state, at))
            by_url[url] = key
            seen_urls.add(url)
            row["url"] = url
            row["first_seen"] = min(row["first_seen"] or at, at)
            row["last_seen"] = max(row["last_seen"] or at, at)
            if row["removed_at"] is not None and at > row["removed_at"]:
                row["removed_at"], row["removed_why"] = None, None  # it came back
            row["last_crawl_id"], row["last_status"] = state.crawl_id, outcome
            row["profile"] = state.profile
            if outcome == "captured":
                row["last_captured_at"] = at
                lost = (key[0], key[1], event["at"]) in set_aside
                row["content_sha256"] = None if lost else event.get("digest")
        elif url in by_url:
            row = rows[by_url[url]]
            seen_urls.add(url)
            row["last_crawl_id"] = state.crawl_id
            if outcome == "gone":
                row["last_status"] = "removed"
                if row["removed_at"] is None:
                    row["removed_at"], row["removed_why"] = at, event.get("reason")
            elif outcome == "failed" and row["removed_at"] is None:
                row["last_status"] = "failed"
    if complete and state.finished_at:
        finished = when(state.finished_at)
        for row in rows.values():
            present = row["url"] in listed or row["url"] in seen_urls
            if row["profile"] == state.profile and row["removed_at"] is None and not present:
                row["removed_at"] = finished
                row["removed_why"] = "no longer listed (complete crawl)"
                row["last_status"] = "removed"
                row["last_crawl_id"] = state.crawl_id
    return sorted(rows.values(), key=lambda r: (r["source"], r["ad_id"]))


def _new_row(key: tuple[str, str], state: CrawlState, at: datetime) -> Row:
    return {
        "advert_id": advert_id(*key),
        "source": key[0],
        "ad_id": key[1],
        "url": None,
        "profile": state.profile,
        "first_seen": at,
        "last_seen": at,
        "removed_at": None,
        "removed_why": None,
        "last_crawl_id": state.crawl_id,
        "last_status": None,
        "content_sha256": None,
        "last_captured_at": None,
    }


def known_digests(workspace: Workspace) -> dict[str, str | None]:
    """``source\\x1fad_id`` to the digest of each advert's last crawled capture."""
    with workspace.reading() as engine:
        rows = engine.run(
            "SELECT source, ad_id, content_sha256 FROM advert_presence WHERE removed_at IS NULL"
        ).to_pylist()
    return {f"{r['source']}\x1f{r['ad_id']}": r["content_sha256"] for r in rows}


def set_aside_captures(
    workspace: Workspace, parts: dict[str, list[tuple[str, str, str]]]
) -> set[tuple[str, str, str]]:
    """Captures of the given part files (SHA-256 to their lines' keys) the import set aside."""
    if not parts:
        return set()
    with workspace.reading() as engine:
        engine.register("parts", pa.table({"file_sha256": list(parts)}))
        rows = engine.run(
            "SELECT file_sha256, line FROM rejects WHERE file_sha256 IN (SELECT * FROM parts)"
        ).to_pylist()
    found = set()
    for row in rows:
        keys = parts[row["file_sha256"]]
        if 1 <= row["line"] <= len(keys):
            found.add(keys[row["line"] - 1])
    return found


def commit(
    workspace: Workspace,
    state: CrawlState,
    events: list[dict[str, Any]],
    *,
    user_agent: str,
    set_aside: set[tuple[str, str, str]],
) -> Tally:
    """Fold a crawl's journal into the lake: presence, problems and the crawl, in one commit."""
    result = tally(events, state.crawl_id)
    complete = state.finish_reason == "finished" and not result.listing_failed
    for problem in result.problems:
        key = (problem["source"], problem["ad_id"])
        if problem["kind"] == "partial" and any(k[:2] == key for k in set_aside):
            problem["kind"] = "set_aside"
    with workspace.reading() as engine:
        existing = engine.run("SELECT * FROM advert_presence").to_pylist()
        problems = engine.run(
            "SELECT * FROM crawl_problems WHERE crawl_id <> ?", [state.crawl_id]
        ).to_pylist()
        crawls = engine.run("SELECT * FROM crawls WHERE crawl_id <> ?", [state.crawl_id])
    rows = fold(existing, events, state, complete=complete, set_aside=set_aside)
    result.removed = sum(
        r["last_crawl_id"] == state.crawl_id and r["last_status"] == "removed" for r in rows
    )
    crawl_row = {
        "crawl_id": state.crawl_id,
        "profile": state.profile,
        "profile_version": state.profile_version,
        "profile_sha256": state.profile_sha256,
        "crawler": f"plainsight/{__version__}",
        "user_agent": user_agent,
        "operator": state.operator,
        "started_at": when(state.started_at),
        "finished_at": when(state.finished_at) if state.finished_at else None,
        "sessions": state.sessions,
        "finish_reason": state.finish_reason,
        "complete": complete,
        "warc": state.warc,
        "listings": result.listings,
        "captured": result.captured,
        "unchanged": result.unchanged,
        "gone": result.gone,
        "removed": result.removed,
        "problems": len(result.problems),
    }
    with workspace.lake.transaction(note=f"crawl {state.crawl_id}") as tx:
        tx.replace("advert_presence", pa.Table.from_pylist(rows, schema=ADVERT_PRESENCE))
        tx.replace(
            "crawl_problems",
            pa.Table.from_pylist(problems + result.problems, schema=CRAWL_PROBLEMS),
        )
        everything = pa.concat_tables(
            [crawls.cast(CRAWLS), pa.Table.from_pylist([crawl_row], schema=CRAWLS)]
        )
        tx.replace("crawls", everything)
    return result
