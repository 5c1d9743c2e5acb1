"""A synthetic advert world served as a website on 127.0.0.1, with the faults real sites have.

``plainsight synth site`` and :func:`serve_site` serve a world made by ``plainsight synth
adverts`` so the crawler can be tested and demonstrated without touching the internet:

* ``/robots.txt`` disallows ``/private/``; ``/private/admin`` exists and is linked from the home
  page and every listing page, so a crawl that ignores robots.txt shows in the request log.
* ``/`` links to each source's listing; ``/s/{source}/?page=N`` lists 20 adverts a page, newest
  first, with a ``rel="next"`` link; ``/s/{source}/ad/{ad_id}`` is an advert's page;
  ``/img/{file}`` serves the world's pictures with their Content-Type.
* Rounds 1 and 2 (edits, removals, new adverts) and the faults (slow, transient 500, truncated,
  changed layout, one hanging page) are decided by :class:`~plainsight.synth.site_plan.SitePlan`.

Every request is logged (time, method, path, status, user agent, round) in memory and, with
``log``, as JSON Lines appended to a file. The server is threaded, so a slow or hanging page
never holds up the others; closing the server releases the hanging page at once.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import IO
from urllib.parse import parse_qs, unquote, urlsplit

import orjson

from plainsight.synth import site_pages as pages
from plainsight.synth.site_plan import (
    PER_PAGE,
    ExpectedCrawl,
    SitePlan,
    SkippedLine,
    load_world,
)

__all__ = ["RequestRecord", "SiteServer", "serve_site"]

SLOW_SECONDS = 1.0
"""How long a slow page takes to answer."""
HANG_SECONDS = 600.0
"""How long the hanging page holds a connection before dropping it unanswered, unless the
server closes first (far beyond any crawler's timeout)."""
IDLE_SECONDS = 30.0
"""A kept-alive connection with no request for this long is closed."""

_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
_HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class RequestRecord:
    """One request the site answered (``status`` is ``None`` for the hanging page)."""

    time: str
    method: str
    path: str
    status: int | None
    user_agent: str
    round: int


@dataclass(frozen=True)
class _Reply:
    status: int
    body: bytes = b""
    content_type: str = _HTML
    delay: float = 0.0
    hang: bool = False


class SiteServer:
    """The running site: its address, its request log, and a switch between rounds.

    Made by :func:`serve_site`; use it as a context manager or call :meth:`close`.
    """

    def __init__(
        self,
        plan: SitePlan,
        skipped: list[SkippedLine],
        *,
        port: int,
        round_: int,
        log: Path | None,
    ) -> None:
        _check_round(round_)
        self.plan = plan
        self.skipped = skipped
        """Lines of the world's ``adverts.jsonl`` that could not be shown, and why."""
        self._round = round_
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._served: dict[str, int] = {}
        self._records: list[RequestRecord] = []
        self._connections: set[socket.socket] = set()
        self._log: IO[bytes] | None = None
        if log is not None:
            log.parent.mkdir(parents=True, exist_ok=True)
            self._log = log.open("ab")
        try:
            self._httpd = _Server(("127.0.0.1", port), _Handler)
        except OSError:
            if self._log is not None:
                self._log.close()
            raise
        self._httpd.site = self
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        """The site's address, without a trailing slash, e.g. ``http://127.0.0.1:54321``."""
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="synth-site", daemon=True
        )
        self._thread.start()

    @property
    def round(self) -> int:
        return self._round

    def set_round(self, round_: int) -> None:
        """Show round 1 or 2 from now on; transient faults fail afresh in the new round."""
        _check_round(round_)
        with self._lock:
            self._round = round_
            self._served.clear()

    def requests(self) -> list[RequestRecord]:
        """Every request answered so far, in the order answered."""
        with self._lock:
            return list(self._records)

    def expected(self) -> ExpectedCrawl:
        """What a perfect crawl of the current round captures (see :class:`ExpectedCrawl`)."""
        return self.plan.expected(self._round, self.url)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the server is closed (or ``timeout`` passes); ``True`` once closed."""
        return self._closing.wait(timeout)

    def close(self) -> None:
        """Stop serving, release slow and hanging pages, and close every connection."""
        if self._closing.is_set():
            return
        self._closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the other side
                connection.shutdown(socket.SHUT_RDWR)
        self._thread.join()
        with self._lock:
            if self._log is not None:
                self._log.close()
                self._log = None

    def __enter__(self) -> SiteServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    # -- the handler's side ------------------------------------------------------------------

    def _track(self, connection: socket.socket, *, open_: bool) -> None:
        with self._lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def _record(self, method: str, path: str, status: int | None, user_agent: str) -> None:
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        record = RequestRecord(now, method, path, status, user_agent, self._round)
        with self._lock:
            self._records.append(record)
            if self._log is not None:
                self._log.write(orjson.dumps(asdict(record)) + b"\n")
                self._log.flush()

    def _answer(self, handler: _Handler) -> None:
        reply = self._route(handler.path)
        if reply.hang:
            self._record(handler.command, handler.path, None, _agent(handler))
            self._closing.wait(HANG_SECONDS)
            handler.close_connection = True
            return
        if reply.delay and self._closing.wait(reply.delay):
            handler.close_connection = True
            return
        handler.send_response(reply.status)
        handler.send_header("Content-Type", reply.content_type)
        handler.send_header("Content-Length", str(len(reply.body)))
        handler.end_headers()
        handler.wfile.write(reply.body)

    def _route(self, target: str) -> _Reply:
        parts = urlsplit(target)
        path = parts.path
        with self._lock:
            round_ = self._round
        if path == "/robots.txt":
            return _Reply(200, pages.ROBOTS_TXT.encode(), "text/plain; charset=utf-8")
        if path == "/":
            return _html(200, pages.home_page(self.plan.sources))
        if path.startswith("/private/"):
            return _html(200, pages.private_page())
        if path.startswith("/img/"):
            return self._picture(unquote(path.removeprefix("/img/")))
        segments = path.split("/")
        if len(segments) == 4 and segments[1] == "s" and segments[3] == "":
            return self._listing(round_, unquote(segments[2]), parts.query, path)
        if len(segments) == 5 and segments[1] == "s" and segments[3] == "ad":
            return self._advert(round_, (unquote(segments[2]), unquote(segments[4])), path)
        return _html(404, pages.not_found_page(path))

    def _listing(self, round_: int, source: str, query: str, path: str) -> _Reply:
        keys = self.plan.listing(round_, source)
        pages_ = self.plan.pages(round_, source)
        values = parse_qs(query).get("page", ["1"])
        page = int(values[0]) if values[0].isdigit() else 0
        if keys is None or not 1 <= page <= pages_:
            return _html(404, pages.not_found_page(path))
        shown = keys[(page - 1) * PER_PAGE : page * PER_PAGE]
        adverts = [(key, self.plan.capture(round_, key) or {}) for key in shown]
        delay = SLOW_SECONDS if self.plan.faults.slow_listing(source, page) else 0.0
        return _html(200, pages.listing_page(source, page, pages_, adverts), delay)

    def _advert(self, round_: int, key: tuple[str, str], path: str) -> _Reply:
        capture = self.plan.capture(round_, key)
        if capture is None:
            return _html(404, pages.not_found_page(path))
        faults = self.plan.faults
        if key == faults.hanging:
            return _Reply(0, hang=True)
        delay = SLOW_SECONDS if key in faults.slow else 0.0
        failures = faults.transient.get(key, 0)
        if failures:
            with self._lock:
                served = self._served.get(path, 0)
                self._served[path] = served + 1
            if served < failures:
                return _html(500, pages.server_error_page(), delay)
        page = pages.advert_page(
            key, capture, v2=key in faults.changed_layout, truncated=key in faults.truncated
        )
        return _html(200, page, delay)

    def _picture(self, name: str) -> _Reply:
        folder = (self.plan.world / "images").resolve()
        path = (folder / name).resolve()
        kind = _TYPES.get(path.suffix.lower())
        if kind is None or not path.is_relative_to(folder) or not path.is_file():
            return _html(404, pages.not_found_page("/img/" + name))
        return _Reply(200, path.read_bytes(), kind)


def serve_site(
    world: Path,
    *,
    port: int = 0,
    round: int = 1,
    seed: int = 0,
    limit: int | None = None,
    faults: bool = True,
    log: Path | None = None,
) -> SiteServer:
    """Serve ``world`` on ``127.0.0.1:port`` (0: any free port) in a background thread.

    ``round`` 1 or 2 (switch later with :meth:`SiteServer.set_round`); ``seed`` chooses the
    removals and faults; ``limit`` shows only the world's first N adverts; ``faults=False``
    serves every page promptly and whole in the usual layout; ``log`` appends every request
    as a JSON line. Raises ``ValueError`` for a bad round or limit, :class:`PlainsightError`
    if ``world`` holds no ``adverts.jsonl``, ``OSError`` if the port is taken.

    Example::

        with serve_site(Path("world"), limit=200) as site:
            urllib.request.urlopen(site.url + "/robots.txt")
            site.set_round(2)
            expected = site.expected()
    """
    _check_round(round)
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    adverts, skipped = load_world(world, limit)
    plan = SitePlan(world, adverts, seed=seed, faults=faults)
    return SiteServer(plan, skipped, port=port, round_=round, log=log)


def _check_round(round_: int) -> None:
    if round_ not in (1, 2):
        raise ValueError(f"round must be 1 or 2, got {round_}")


def _html(status: int, page: str, delay: float = 0.0) -> _Reply:
    return _Reply(status, page.encode(), _HTML, delay)


def _agent(handler: BaseHTTPRequestHandler) -> str:
    return str(handler.headers.get("User-Agent", "")) if handler.headers else ""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a crawler at high concurrency must not overflow the backlog
    site: SiteServer


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "plainsight-synth-site/1"
    timeout = IDLE_SECONDS

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle's algorithm and the
        # client's delayed ACK hold each response back by about 40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.site._track(self.connection, open_=True)

    def finish(self) -> None:
        self.server.site._track(self.connection, open_=False)
        with contextlib.suppress(OSError):  # the client or close() dropped the connection
            super().finish()

    def do_GET(self) -> None:
        try:
            self.server.site._answer(self)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the crawler gave up on this page

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        status = int(code) if isinstance(code, int) else None
        method = getattr(self, "command", None) or "-"
        self.server.site._record(method, getattr(self, "path", "-"), status, _agent(self))

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the site keeps its own request log."""
