"""One ``plainsight crawl`` from start to import: open or resume the crawl, run Scrapy, settle.

A *crawl* is one pass over a site; it may take several *sessions* (stopped by
``--limit-pages``, the allowed hours, Ctrl-C, or a kill) and is resumed by default until it
finishes. Each session:

1. opens the crawl (a new one, or the unfinished one of this profile), discarding Scrapy's
   JOBDIR unless the last session closed cleanly (the journal then rebuilds what is left:
   listings are read again, advert pages already done are not fetched again);
2. runs Scrapy in this process (Twisted's reactor cannot be restarted, so one crawl per
   process: tests and benchmarks run ``plainsight crawl`` in a subprocess);
3. *settles*: the journal's new captures become an interchange file, imported through
   :class:`~plainsight.capture.importer.AdvertImport` like any other, and the journal is folded
   into ``advert_presence`` (:mod:`plainsight.crawl.state`) in one lake commit.

Settling is idempotent, so a process killed while settling is settled again by the next run.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from plainsight.capture.importer import AdvertImport, ImportResult
from plainsight.crawl.journal import CrawlFolder, CrawlState, progress_of
from plainsight.crawl.middleware import stamp
from plainsight.crawl.profile import Profile, load_profile, profile_sha256
from plainsight.crawl.state import Tally, commit, known_digests, set_aside_captures
from plainsight.errors import PlainsightError
from plainsight.workspace import Workspace

WARC_MIDDLEWARE = "plainsight.capture.warc.WarcCaptureMiddleware"
STOPPED = {
    "page_limit": "stopped at the page limit",
    "outside_hours": "stopped: outside the profile's allowed hours",
    "shutdown": "stopped by the operator (Ctrl-C)",
}


class CrawlError(PlainsightError):
    """A crawl that cannot start or resume (the message says what to do)."""


@dataclass
class CrawlOptions:
    """How to run: resume or start afresh, evidence capture, a page limit, progress."""

    resume: bool = True
    warc: bool = True
    limit_pages: int | None = None
    on_event: Callable[[dict[str, Any]], None] | None = None


@dataclass
class CrawlResult:
    """What a session did, and where the crawl stands."""

    crawl_id: str
    folder: Path
    session: int
    finish_reason: str
    finished: bool
    complete: bool
    resumed: bool
    recovered: bool
    tally: Tally
    imported: ImportResult | None = None
    set_aside: int = 0
    settled_earlier: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[dict[str, Any]]:
        return self.tally.problems


def crawl(workspace: Workspace, profile_path: Path, options: CrawlOptions) -> CrawlResult:
    """Run one session of the profile's crawl into the workspace.

    Raises:
        ProfileError: the profile is invalid.
        CrawlError: outside the allowed hours, the profile changed under an unfinished
            crawl, or WARC capture is wanted but not available.
    """
    profile = preflight(profile_path, options)
    sha = profile_sha256(profile_path)
    base = workspace.home / "crawls" / profile.name
    base.mkdir(parents=True, exist_ok=True)
    with (base / ".lock").open("a+") as lock:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CrawlError(
                f"another crawl of profile {profile.name} is running in this workspace"
            ) from None
        return _session(workspace, base, profile, sha, options)


def _session(
    workspace: Workspace, base: Path, profile: Profile, sha: str, options: CrawlOptions
) -> CrawlResult:
    """One session, while this process holds the profile's lock."""
    settled: list[str] = []
    folder, resumed = _open(workspace, base, profile, sha, options, settled)
    state = folder.load()
    recovered = state.running
    if recovered or not state.jobdir_clean:
        folder.discard_jobdir()
    state.sessions += 1
    state.running, state.jobdir_clean, state.settled = True, False, False
    state.warc = state.warc or options.warc
    folder.save(state)

    reason, clean = _run_scrapy(workspace, profile, folder, state, options)
    state = folder.load()
    state.running, state.jobdir_clean, state.finish_reason = False, clean, reason
    if reason == "finished":
        state.finished, state.finished_at = True, stamp(datetime.now(UTC))
    folder.save(state)
    imported, tally, set_aside = settle(workspace, folder, profile)
    state = folder.load()
    return CrawlResult(
        crawl_id=state.crawl_id,
        folder=folder.root,
        session=state.sessions,
        finish_reason=reason,
        finished=state.finished,
        complete=state.complete,
        resumed=resumed,
        recovered=recovered,
        tally=tally,
        imported=imported,
        set_aside=set_aside,
        settled_earlier=settled,
    )


def preflight(profile_path: Path, options: CrawlOptions) -> Profile:
    """Everything that can refuse a crawl before it starts: the profile, the hours, WARC.

    Raises:
        ProfileError: the profile is invalid.
        CrawlError: outside the allowed hours, or WARC capture is wanted but not available.
    """
    profile = load_profile(profile_path)
    if not profile.politeness.allowed_now(datetime.now(UTC)):
        raise CrawlError(
            f"outside the profile's allowed hours ({profile.politeness.hours} "
            f"{profile.politeness.timezone}); run again within them"
        )
    if options.warc and importlib.util.find_spec("plainsight.capture.warc") is None:
        raise CrawlError("WARC evidence capture is not available; use --no-warc to crawl anyway")
    return profile


def _open(
    workspace: Workspace,
    base: Path,
    profile: Profile,
    sha: str,
    options: CrawlOptions,
    settled: list[str],
) -> tuple[CrawlFolder, bool]:
    """The crawl this session continues, or a new one; earlier loose ends are settled first."""
    crawls = sorted(p for p in base.glob("*/crawl.json")) if base.is_dir() else []
    if crawls:
        latest = CrawlFolder(crawls[-1].parent)
        state = latest.load()
        if not state.settled and not state.running:
            settle(workspace, latest, profile)  # a run died after crawling, before its commit
            settled.append(state.crawl_id)
        if not state.finished:
            if options.resume:
                if state.profile_sha256 != sha:
                    raise CrawlError(
                        f"the profile changed since crawl {state.crawl_id} began; run with "
                        "--fresh to start a new crawl (what it captured is kept)"
                    )
                return latest, True
            state = latest.load()
            state.running, state.finished, state.finish_reason = False, True, "abandoned"
            state.finished_at = stamp(datetime.now(UTC))
            latest.save(state)
            settle(workspace, latest, profile)
            settled.append(state.crawl_id)
    now = datetime.now(UTC)
    crawl_id = f"{profile.name}-{now:%Y%m%dT%H%M%SZ}"
    suffix = 1
    while (base / crawl_id).exists():
        suffix += 1
        crawl_id = f"{profile.name}-{now:%Y%m%dT%H%M%SZ}-{suffix}"
    state = CrawlState(
        crawl_id=crawl_id,
        profile=profile.name,
        profile_version=profile.version,
        profile_sha256=sha,
        started_at=stamp(now),
        operator=workspace.settings.operator,
    )
    return CrawlFolder.create(base / crawl_id, state), False


def scrapy_settings(
    workspace: Workspace, profile: Profile, folder: CrawlFolder, state: CrawlState, warc: bool
) -> dict[str, Any]:
    """The Scrapy settings of a session: politeness from the profile, our parts, evidence."""
    polite = profile.politeness
    middlewares: dict[str, int | None] = {
        "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
        "plainsight.crawl.middleware.BackoffRetryMiddleware": 550,
        "plainsight.crawl.middleware.ReceivedAtMiddleware": 960,
    }
    settings: dict[str, Any] = {
        "BOT_NAME": "plainsight",
        "USER_AGENT": polite.agent(),
        "ROBOTSTXT_OBEY": polite.obey_robots,
        "DOWNLOAD_DELAY": polite.delay_seconds,
        "CONCURRENT_REQUESTS": polite.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": polite.concurrency,
        # A page yields one event or a listing's few dozen requests; Scrapy starts this many
        # workers for every page's output, so the default of 100 is pure overhead here.
        "CONCURRENT_ITEMS": 8,
        "AUTOTHROTTLE_ENABLED": polite.autothrottle,
        "AUTOTHROTTLE_START_DELAY": polite.delay_seconds,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(polite.concurrency),
        "DOWNLOAD_TIMEOUT": polite.timeout_seconds,
        "RETRY_TIMES": polite.retries,
        "PLAINSIGHT_RETRY_BACKOFF": polite.backoff_seconds,
        "PLAINSIGHT_POLITENESS": polite,
        "JOBDIR": str(folder.jobdir),
        "LOG_FILE": str(folder.logs / f"session-{state.sessions:03d}.log"),
        "LOG_LEVEL": "INFO",
        "TELNETCONSOLE_ENABLED": False,
        "ITEM_PIPELINES": {"plainsight.crawl.pipeline.JournalPipeline": 300},
        "DOWNLOADER_MIDDLEWARES": middlewares,
        "EXTENSIONS": {"plainsight.crawl.middleware.HoursGuard": 500},
    }
    if warc:
        middlewares[WARC_MIDDLEWARE] = 950
        settings.update(
            {
                "PLAINSIGHT_WARC_DIR": str(workspace.home / "evidence" / "warc"),
                "PLAINSIGHT_CRAWL_ID": state.crawl_id,
                "PLAINSIGHT_PROFILE_NAME": profile.name,
                "PLAINSIGHT_PROFILE_SHA256": state.profile_sha256,
                "PLAINSIGHT_OPERATOR": workspace.settings.operator,
                "PLAINSIGHT_WORKSPACE": str(workspace.home),
            }
        )
    return settings


def _run_scrapy(
    workspace: Workspace,
    profile: Profile,
    folder: CrawlFolder,
    state: CrawlState,
    options: CrawlOptions,
) -> tuple[str, bool]:
    """Run the spider until it closes; returns the close reason and whether it closed cleanly."""
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from plainsight.crawl.spider import ProfileSpider, Session

    done = progress_of(folder).done_adverts
    session = Session(
        crawl_id=state.crawl_id,
        profile=profile,
        folder=folder,
        known=known_digests(workspace),
        done=done,
        page_limit=options.limit_pages,
        on_event=options.on_event,
    )
    settings = scrapy_settings(workspace, profile, folder, state, options.warc)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(ProfileSpider)
    closed: dict[str, str] = {}

    def spider_closed(reason: str) -> None:
        closed["reason"] = reason

    crawler.signals.connect(spider_closed, signal=signals.spider_closed)
    process.crawl(crawler, session=session)
    process.start()
    reason = closed.get("reason", "killed")
    return reason, "reason" in closed


def settle(
    workspace: Workspace, folder: CrawlFolder, profile: Profile
) -> tuple[ImportResult | None, Tally, int]:
    """Import the journal's new captures and fold the whole journal into the lake.

    Returns the import's result (``None`` when there was nothing new), the crawl's tally, and
    how many captures the import set aside.
    """
    state = folder.load()
    folder.repair_journal()
    end = folder.journal_size()
    journal = list(folder.events())
    events = [event for _, event in journal]
    records = [
        event["record"]
        for offset, event in journal
        if offset > state.exported_upto
        and event["kind"] == "advert"
        and event["outcome"] == "captured"
    ]
    for stale in folder.stale_parts(state.exported_upto):
        stale.unlink()
    imported = None
    parts = list(state.parts)
    if records:
        part = folder.part_path(state.exported_upto, end)
        tmp = part.with_suffix(".tmp")
        tmp.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
        tmp.replace(part)
        imported = AdvertImport(workspace).run([part])
        parts.append(part.name)
    keys: dict[str, list[tuple[str, str, str]]] = {}
    for name in parts:
        data = (folder.root / name).read_bytes()
        keys[hashlib.sha256(data).hexdigest()] = [
            (r["source"], r["ad_id"], r["captured_at"])
            for r in map(orjson.loads, filter(None, data.split(b"\n")))
        ]
    set_aside = set_aside_captures(workspace, keys)
    tally = commit(
        workspace, state, events, user_agent=profile.politeness.agent(), set_aside=set_aside
    )
    state.exported_upto, state.parts, state.settled = end, parts, True
    state.complete = state.finish_reason == "finished" and not tally.listing_failed
    folder.save(state)
    return imported, tally, len(set_aside)
