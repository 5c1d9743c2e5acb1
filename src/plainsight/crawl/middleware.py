"""The crawler's own Scrapy parts around the download: retries with back-off, the time each
response arrived, and the allowed-hours guard.

Each reads its settings in one constructor and switches itself off with ``NotConfigured``,
as Scrapy's own parts do.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scrapy import Request, signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet import task

from plainsight.crawl.profile import Politeness

RECEIVED_AT = "plainsight_received_at"
"""Request meta key: when the response arrived (UTC, ISO 8601), set as it leaves the wire."""


def stamp(moment: datetime) -> str:
    """A UTC instant as ISO 8601 with ``Z`` and microseconds."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class BackoffRetryMiddleware:
    """Scrapy's retries (5xx, 408, 429, timeouts, dropped connections), waiting before each.

    The wait doubles with each attempt: ``PLAINSIGHT_RETRY_BACKOFF`` seconds before the first
    retry, twice that before the second, up to ``PLAINSIGHT_RETRY_BACKOFF_MAX``. A site that
    is struggling is given time to recover instead of being asked again at once. Which
    responses and errors are retried, and how often, is Scrapy's ``RetryMiddleware``'s
    decision (``RETRY_TIMES``, ``RETRY_HTTP_CODES``); this only adds the wait.
    """

    def __init__(self, retry: RetryMiddleware, backoff: float, backoff_max: float) -> None:
        self.retry = retry
        self.backoff = backoff
        self.backoff_max = backoff_max

    @classmethod
    def from_crawler(cls, crawler: Any) -> BackoffRetryMiddleware:
        settings = crawler.settings
        return cls(
            RetryMiddleware.from_crawler(crawler),  # raises NotConfigured when retries are off
            settings.getfloat("PLAINSIGHT_RETRY_BACKOFF", 1.0),
            settings.getfloat("PLAINSIGHT_RETRY_BACKOFF_MAX", 60.0),
        )

    async def process_response(self, request: Request, response: Any) -> Any:
        result = self.retry.process_response(request, response)
        if isinstance(result, Request):
            await self._wait(result)
        return result

    async def process_exception(self, request: Request, exception: Exception) -> Any:
        result = self.retry.process_exception(request, exception)
        if isinstance(result, Request):
            await self._wait(result)
        return result

    async def _wait(self, retry: Request) -> None:
        attempt = int(retry.meta.get("retry_times", 1))
        delay = min(self.backoff * 2 ** (attempt - 1), self.backoff_max)
        if delay > 0:
            from twisted.internet import reactor  # the reactor Scrapy installed, never our own

            await maybe_deferred_to_future(task.deferLater(reactor, delay, lambda: None))


class ReceivedAtMiddleware:
    """Notes when each response arrived, next to the wire (after WARC capture sees it).

    ``captured_at`` of a capture is this instant, so it matches the evidence of the response.
    """

    def process_response(self, request: Request, response: Any) -> Any:
        request.meta[RECEIVED_AT] = stamp(datetime.now(UTC))
        return response


class HoursGuard:
    """Stops the crawl, cleanly and resumably, when the profile's allowed hours end.

    Checks every ``PLAINSIGHT_HOURS_CHECK_SECONDS`` (default 30); the spider closes with the
    reason ``outside_hours``, and ``plainsight crawl`` resumes it later.
    """

    def __init__(self, crawler: Any, politeness: Politeness, every: float) -> None:
        self.crawler = crawler
        self.politeness = politeness
        self.every = every
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> HoursGuard:
        politeness = crawler.settings.get("PLAINSIGHT_POLITENESS")
        if not isinstance(politeness, Politeness) or politeness.hours is None:
            raise NotConfigured
        guard = cls(crawler, politeness, crawler.settings.getfloat("PLAINSIGHT_HOURS_CHECK", 30))
        crawler.signals.connect(guard.opened, signal=signals.spider_opened)
        crawler.signals.connect(guard.closed, signal=signals.spider_closed)
        return guard

    def opened(self) -> None:
        self.loop = task.LoopingCall(self.check)
        self.loop.start(self.every, now=True)

    def check(self) -> None:
        engine = self.crawler.engine
        if engine is None or self.politeness.allowed_now(datetime.now(UTC)):
            return
        deferred_from_coro(engine.close_spider_async(reason="outside_hours"))

    def closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
