"""The item pipeline: fetch a capture's pictures, then write every event to the journal.

A capture's pictures are fetched through Scrapy's downloader (so robots.txt, retries,
politeness and evidence capture apply to them as to pages) and written into the crawl folder
before the journal line that names them; a picture that cannot be fetched is left out and
the reason kept with the capture.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.exceptions import IgnoreRequest

from plainsight import __version__
from plainsight.crawl.journal import Journal
from plainsight.crawl.spider import PAGE, Event, Session


class PictureFailed(Exception):  # noqa: N818 - a verdict on one picture
    """A picture that could not be fetched, with the reason."""


class JournalPipeline:
    """Turns the spider's events into journal lines (``capture`` becomes ``captured``)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.journal: Journal | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> JournalPipeline:
        return cls(crawler)

    @property
    def session(self) -> Session:
        session = self.crawler.spider.session
        assert isinstance(session, Session)
        return session

    def open_spider(self) -> None:
        self.journal = Journal(self.session.folder)

    def close_spider(self) -> None:
        if self.journal is not None:
            self.journal.close()
            self.journal = None

    async def process_item(self, item: Event) -> Event:
        if item.get("outcome") == "capture":
            item = await self._captured(item)
        assert self.journal is not None
        self.journal.append(item)
        if self.session.on_event is not None:
            self.session.on_event(item)
        return item

    async def _captured(self, item: Event) -> Event:
        folder = self.session.folder
        profile = self.session.profile
        images: list[str] = []
        problems: list[str] = [item["problem"]] if item.get("problem") else []
        for url in item["image_urls"]:
            path = folder.existing_image(url)
            if path is None:
                try:
                    path = await self._fetch(url)
                except PictureFailed as failed:
                    problems.append(f"picture {url} not fetched: {failed}")
                    continue
            images.append(path.relative_to(folder.root).as_posix())
        crawl: dict[str, Any] = {
            "crawl_id": self.session.crawl_id,
            "crawler": f"plainsight/{__version__}",
            "profile": profile.name,
            "profile_version": profile.version,
            "http_status": item["status"],
        }
        if item.get("warc"):
            crawl["warc"] = item["warc"]  # the WARC record of the page, as received
        if problems:
            crawl["problem"] = "; ".join(problems)
        record = {
            "source": item["source"],
            "ad_id": item["ad_id"],
            "url": item["page_url"],
            "captured_at": item["at"],
            **item["fields"],
            "images": images,
            "extra": {"crawl": crawl},
        }
        pictures_lost = len(images) < len(item["image_urls"])
        return {
            "kind": "advert",
            "outcome": "captured",
            "url": item["url"],
            "page_url": item["page_url"],
            "at": item["at"],
            "status": item["status"],
            "source": item["source"],
            "ad_id": item["ad_id"],
            # A capture missing a picture is not the page as shown: the next crawl takes it again.
            "digest": None if pictures_lost else item["digest"],
            "missing": item["missing"],
            "problem": crawl.get("problem"),
            "record": record,
        }

    async def _fetch(self, url: str) -> Any:
        request = Request(url, meta={PAGE: "image", "allow_offsite": True}, dont_filter=True)
        try:
            response = await self.crawler.engine.download_async(request)
        except IgnoreRequest as exc:
            raise PictureFailed(str(exc) or "ignored") from None
        except Exception as exc:
            raise PictureFailed(f"{type(exc).__name__}: {exc}") from None
        if response.status != 200:
            raise PictureFailed(f"HTTP {response.status}")
        kind = response.headers.get(b"Content-Type", b"").decode("latin-1")
        path = self.session.folder.image_path(url, kind)
        self.session.folder.write_image(path, response.body)
        return path
