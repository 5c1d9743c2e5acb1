"""WARC evidence of a crawl: the Scrapy downloader middleware that records it.

The files themselves (numbering, rotation, sealing into custody, recovery after a kill)
are :mod:`plainsight.capture.crawlwarcs`; the design is in ``docs/evidence.md``.

Enable it at order 950 (after every built-in downloader middleware, so ``process_response``
sees each response as the download handler returned it: before ``HttpCompressionMiddleware``
(590) decompresses it, before redirects, retries and cookies act on it)::

    DOWNLOADER_MIDDLEWARES = {"plainsight.capture.warc.WarcCaptureMiddleware": 950}

Settings it reads (it is off when ``PLAINSIGHT_WARC_DIR`` is unset):

``PLAINSIGHT_WARC_DIR``
    Root of the crawl's WARC files, normally ``<workspace>/evidence/warc``; files go to
    ``<PLAINSIGHT_WARC_DIR>/<crawl id>/NNNNN.warc.gz`` (if the folder is already named after
    the crawl id, directly into it).
``PLAINSIGHT_CRAWL_ID``
    The crawl's id (letters, digits, ``.``, ``_``, ``-``); the same id on resume. Default: a
    new one from the clock.
``PLAINSIGHT_PROFILE_NAME``, ``PLAINSIGHT_PROFILE_SHA256``
    The crawl profile and the SHA-256 of its file (the profile's version).
``PLAINSIGHT_OPERATOR``
    Who runs the crawl (default: the workspace's operator setting).
``PLAINSIGHT_WORKSPACE``
    The workspace folder, whose ``ops.db`` holds the custody log. Without it the files are
    written but never entered in custody, so ``plainsight evidence verify`` will not trust
    them.
``PLAINSIGHT_WARC_MAX_BYTES``
    Start a new file once one reaches this size (default 100 MB).

Each file starts with a ``warcinfo`` record naming the software, profile, operator and crawl.
Each request that reaches the network gives a ``request`` record and its response a
``response`` record (linked by ``WARC-Concurrent-To``); a request that fails (timeout,
refused connection) gives its ``request`` record with ``WARC-Plainsight-Failure``. Responses
served from Scrapy's HTTP cache are not recorded: they were not received from the site.
After a response is recorded, ``response.meta["plainsight_warc"]`` says where (record id,
file, payload SHA-256), so a spider can cite it.
"""

from __future__ import annotations

import getpass
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured

from plainsight.capture.crawlwarcs import CrawlWarcs, crawl_folder, utc_now
from plainsight.capture.custody import CustodyLog
from plainsight.capture.warcfile import MAX_BYTES, HttpMessage, Provenance, new_record_id, software

logger = logging.getLogger(__name__)

TOKEN = "_plainsight_warc_token"
META = "plainsight_warc"


def request_message(request: Any) -> HttpMessage:
    """A request as sent: its line and headers as Scrapy hands them to the download handler.

    Twisted adds ``Host`` (and ``Content-Length`` for a body) when sending; they are added
    here the same way when absent.
    """
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [f"{request.method} {target} HTTP/1.1".encode("latin-1")]
    names = set()
    for name, values in request.headers.items():
        names.add(name.lower())
        lines.extend(name + b": " + value for value in values)
    if b"host" not in names:
        lines.append(b"Host: " + (parts.hostname or "").encode("idna") + _port(parts))
    body = request.body or b""
    if body and b"content-length" not in names:
        lines.append(b"Content-Length: " + str(len(body)).encode())
    return HttpMessage(b"\r\n".join(lines) + b"\r\n\r\n", body)


def _port(parts: Any) -> bytes:
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return b"" if parts.port in (None, default) else f":{parts.port}".encode()


def response_message(response: Any) -> HttpMessage:
    """A response as received: status line, entity headers in Scrapy's order, raw body."""
    protocol = response.protocol or "HTTP/1.1"
    try:
        phrase = HTTPStatus(response.status).phrase
    except ValueError:
        phrase = ""
    lines = [f"{protocol} {response.status} {phrase}".encode("latin-1")]
    for name, values in response.headers.items():
        lines.extend(name + b": " + value for value in values)
    return HttpMessage(b"\r\n".join(lines) + b"\r\n\r\n", response.body)


@dataclass
class _Sent:
    record_id: str
    at: datetime
    message: HttpMessage
    uri: str


class WarcCaptureMiddleware:
    """Writes every request that reaches the network, and its response, to WARC files."""

    def __init__(self, warcs: CrawlWarcs, clock: Callable[[], datetime] = utc_now) -> None:
        self.warcs = warcs
        self.clock = clock
        self._sent: dict[str, _Sent] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> WarcCaptureMiddleware:
        settings = crawler.settings
        root = settings.get("PLAINSIGHT_WARC_DIR")
        if not root:
            raise NotConfigured("PLAINSIGHT_WARC_DIR is not set: no WARC evidence is written")
        crawl_id = settings.get("PLAINSIGHT_CRAWL_ID") or utc_now().strftime("%Y%m%dT%H%M%SZ")
        custody, operator = None, settings.get("PLAINSIGHT_OPERATOR") or ""
        home = settings.get("PLAINSIGHT_WORKSPACE")
        if home:
            from plainsight.settings import load_settings
            from plainsight.workspace import Workspace

            flags = {"operator": operator} if operator else {}
            workspace = Workspace.open(load_settings(Path(home), **flags))
            custody = CustodyLog(workspace)
            operator = workspace.settings.operator
        else:
            logger.warning("PLAINSIGHT_WORKSPACE is not set: WARC files get no custody entries")
        provenance = Provenance(
            crawl_id=crawl_id,
            operator=operator or getpass.getuser(),
            tool=software(),
            profile=settings.get("PLAINSIGHT_PROFILE_NAME") or "",
            profile_sha256=settings.get("PLAINSIGHT_PROFILE_SHA256") or "",
        )
        warcs = CrawlWarcs(
            crawl_folder(Path(root), crawl_id),
            provenance,
            custody,
            max_bytes=settings.getint("PLAINSIGHT_WARC_MAX_BYTES", MAX_BYTES),
        )
        middleware = cls(warcs)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_request(self, request: Any) -> None:
        if urlsplit(request.url).scheme not in ("http", "https"):
            return
        token = uuid.uuid4().hex
        request.meta[TOKEN] = token
        self._sent[token] = _Sent(
            new_record_id(), self.clock(), request_message(request), request.url
        )

    def process_response(self, request: Any, response: Any) -> Any:
        sent = self._sent.pop(request.meta.get(TOKEN, ""), None)
        if sent is None or "cached" in response.flags:
            return response
        now = self.clock()
        response_id = new_record_id()
        extra = {"WARC-Concurrent-To": sent.record_id}
        if response.ip_address is not None:
            extra["WARC-IP-Address"] = str(response.ip_address)
        if "dataloss" in response.flags:
            extra["WARC-Truncated"] = "disconnect"
        self.warcs.write(
            "request",
            sent.uri,
            sent.message,
            sent.at,
            record_id=sent.record_id,
            extra={"WARC-Concurrent-To": response_id},
            may_rotate=False,
        )
        written, path = self.warcs.write(
            "response",
            response.url,
            response_message(response),
            now,
            record_id=response_id,
            extra=extra,
            http_status=response.status,
        )
        request.meta[META] = {
            "record_id": written.record_id,
            "file": path.name,
            "crawl_id": self.warcs.provenance.crawl_id,
            "payload_sha256": written.payload_sha256,
            "captured_at": now.isoformat(),
        }
        return response

    def process_exception(self, request: Any, exception: BaseException) -> None:
        sent = self._sent.pop(request.meta.get(TOKEN, ""), None)
        if sent is not None:
            self._failed(sent, f"{type(exception).__name__}: {exception}")

    def _failed(self, sent: _Sent, reason: str) -> None:
        self.warcs.write(
            "request",
            sent.uri,
            sent.message,
            sent.at,
            record_id=sent.record_id,
            extra={"WARC-Plainsight-Failure": reason.replace("\n", " ")[:500]},
        )

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        """Record requests still unanswered, then seal the last file into custody."""
        for sent in list(self._sent.values()):
            self._failed(sent, f"no response before the crawl closed ({reason or 'closed'})")
        self._sent.clear()
        self.warcs.close()
