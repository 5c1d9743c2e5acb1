"""The Scrapy spider a profile drives: listings lead to adverts, adverts become journal events.

The spider only reads pages and says what it saw; the pipeline
(:mod:`plainsight.crawl.pipeline`) fetches pictures and writes the journal. Every request
carries its page kind in ``meta`` and an errback, so a page that never loads is recorded as
failed with the reason, never silently dropped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import TimeoutError as ConnectTimeout
from twisted.python.failure import Failure

from plainsight.crawl.journal import CrawlFolder
from plainsight.crawl.middleware import RECEIVED_AT, stamp
from plainsight.crawl.page import links, read_advert
from plainsight.crawl.profile import Profile

PAGE = "plainsight_page"
"""Request meta key: ``listing``, ``advert`` or ``image``."""
GONE = (404, 410)

Event = dict[str, Any]


@dataclass
class Session:
    """What one session of a crawl needs to know before it starts."""

    crawl_id: str
    profile: Profile
    folder: CrawlFolder
    known: dict[str, str | None] = field(default_factory=dict)
    """``source\\x1fad_id`` to the digest of the advert's last crawled capture."""
    done: set[str] = field(default_factory=set)
    """Advert links this crawl already has a final outcome for (from the journal)."""
    page_limit: int | None = None
    on_event: Callable[[Event], None] | None = None


def advert_key(source: str, ad_id: str) -> str:
    return f"{source}\x1f{ad_id}"


def link_of(request: Any) -> str:
    """The URL a request was made for, before any redirect."""
    redirects = request.meta.get("redirect_urls")
    return str(redirects[0]) if redirects else str(request.url)


WARC_META = "plainsight_warc"
"""Request meta key the WARC middleware sets: the response's record id, file and time."""


def received(response: Any) -> str:
    """When the response arrived: the WARC record's time when evidence is captured, so the
    capture and its evidence agree to the microsecond; else the time noted off the wire."""
    warc = response.meta.get(WARC_META)
    if isinstance(warc, dict) and warc.get("captured_at"):
        return str(warc["captured_at"])
    value = response.meta.get(RECEIVED_AT)
    return str(value) if value else stamp(datetime.now(UTC))


def describe(failure: Failure, request: Any, timeout: float) -> tuple[str, str]:
    """``(outcome, reason)`` of a request that failed: ``disallowed`` or ``failed``."""
    error = failure.value
    attempts = int(request.meta.get("retry_times", 0)) + 1
    tries = f"{attempts} attempt{'s' if attempts > 1 else ''}"
    if isinstance(error, IgnoreRequest) and "robots.txt" in str(error):
        return "disallowed", "not fetched: robots.txt forbids it"
    if isinstance(error, HttpError):
        return "failed", f"HTTP {error.response.status} ({tries})"
    if isinstance(error, ConnectTimeout) or "timeout" in type(error).__name__.lower():
        return "failed", f"timed out: no answer within {timeout:g} s ({tries})"
    message = str(error).strip() or type(error).__name__
    return "failed", f"{type(error).__name__}: {message} ({tries})"


def _warc_reference(response: Any) -> dict[str, str] | None:
    warc = response.meta.get(WARC_META)
    if not isinstance(warc, dict) or not warc.get("record_id"):
        return None
    return {name: str(warc[name]) for name in ("file", "record_id") if name in warc}


class ProfileSpider(scrapy.Spider):
    """Crawls the site a profile describes. ``session`` says what is already done."""

    name = "plainsight"

    def __init__(self, session: Session, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.profile = session.profile
        self.allowed_domains = session.profile.domains()
        self.pages = 0
        self.stopping = False

    async def start(self) -> AsyncIterator[Any]:
        for url in self.profile.start_urls:
            yield self._listing(url)

    def _listing(self, url: str) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse_listing, errback=self.page_failed, meta={PAGE: "listing"}
        )

    def _advert(self, url: str) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_advert,
            errback=self.page_failed,
            meta={PAGE: "advert", "handle_httpstatus_list": list(GONE)},
        )

    def parse_listing(self, response: Any) -> Iterator[Any]:
        """A start or listing page: the adverts it lists, and the listing pages it leads to."""
        event: Event = {
            "kind": "listing",
            "url": link_of(response.request),
            "at": received(response),
            "status": response.status,
        }
        if not isinstance(response, TextResponse):
            yield {**event, "outcome": "failed", "reason": "not an HTML page"}
            yield from self._count()
            return
        page = response.selector
        adverts = links(page, response.url, self.profile.links.advert)
        onward = links(page, response.url, self.profile.links.listing)
        onward += links(page, response.url, self.profile.links.next_page)
        yield {**event, "outcome": "read", "adverts": adverts}
        for url in onward:
            yield self._listing(url)
        for url in adverts:
            if url not in self.session.done:
                yield self._advert(url)
        yield from self._count()

    def parse_advert(self, response: Any) -> Iterator[Any]:
        """An advert page: gone, unreadable, unchanged since the last crawl, or a capture."""
        event: Event = {
            "kind": "advert",
            "url": link_of(response.request),
            "page_url": response.url,
            "at": received(response),
            "status": response.status,
        }
        yield self._advert_event(response, event)
        yield from self._count()

    def _advert_event(self, response: Any, event: Event) -> Event:
        if response.status in GONE:
            return {**event, "outcome": "gone", "reason": f"HTTP {response.status}"}
        if not isinstance(response, TextResponse):
            kind = response.headers.get(b"Content-Type", b"").decode("latin-1")
            return {**event, "outcome": "unreadable", "reason": f"not an HTML page ({kind})"}
        reading = read_advert(response.text, response.url, self.profile)
        if reading.source is None or reading.ad_id is None:
            pairs = (("source", reading.source), ("ad_id", reading.ad_id))
            missing = [name for name, value in pairs if not value]
            reason = f"no {' or '.join(missing)} found on the page, so it cannot be a capture"
            if reading.truncated:
                reason += " (the page is truncated)"
            return {**event, "outcome": "unreadable", "reason": reason}
        digest = reading.digest()
        keyed = {**event, "source": reading.source, "ad_id": reading.ad_id, "digest": digest}
        if self.session.known.get(advert_key(reading.source, reading.ad_id)) == digest:
            return {**keyed, "outcome": "unchanged"}
        return {
            **keyed,
            "outcome": "capture",  # the pipeline fetches the pictures, then records "captured"
            "fields": reading.fields,
            "image_urls": reading.image_urls,
            "missing": reading.missing,
            "problem": reading.problem,
            "warc": _warc_reference(response),
        }

    def page_failed(self, failure: Failure) -> Iterator[Event]:
        """A listing or advert page that could not be fetched: recorded with the reason."""
        request = getattr(failure, "request", None)
        if request is None and isinstance(failure.value, HttpError):
            request = failure.value.response.request
        if request is None:
            self.logger.error("a request failed without its request: %s", failure)
            return
        timeout = float(request.meta.get("download_timeout") or self.settings["DOWNLOAD_TIMEOUT"])
        outcome, reason = describe(failure, request, timeout)
        yield {
            "kind": request.meta.get(PAGE, "listing"),
            "url": link_of(request),
            "at": stamp(datetime.now(UTC)),
            "outcome": outcome,
            "reason": reason,
        }
        yield from self._count()

    def _count(self) -> Iterator[Any]:
        """Count a page; stop cleanly (resumable) once the session's page limit is reached."""
        self.pages += 1
        limit = self.session.page_limit
        if limit is not None and self.pages >= limit and not self.stopping:
            self.stopping = True
            raise CloseSpider("page_limit")
        yield from ()
