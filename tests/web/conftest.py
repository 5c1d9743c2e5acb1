"""The web app in a real browser: a small linked workspace, a user per role, a live server.

The browser is Debian's Chromium (``/usr/bin/chromium``), driven by Playwright; nothing is
downloaded. Without Chromium the browser tests are skipped, except in CI, where they fail:
CI must run them (``make test`` installs Debian's chromium when run as root).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
import uvicorn
from typer.testing import CliRunner

from plainsight.cli import app as cli
from plainsight.settings import load_settings
from plainsight.synth.adverts import generate_adverts
from plainsight.synth.crime import generate_crime
from plainsight.web.app import create_app
from plainsight.web.auth import add_user
from plainsight.workspace import Workspace

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "correct horse battery staple"
ROLES = ("viewer", "analyst", "investigator", "supervisor", "admin")


def chromium() -> str:
    """The browser's path; skips the test without one (fails it in CI)."""
    found = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("CI must run the browser tests: install Debian's chromium")
    pytest.skip("no Chromium at /usr/bin/chromium (.ci/run installs Debian's)")


HOSTILE_AD_ID = "999000001"
HOSTILE_BODY = (
    '<script>window.__pwned = 1</script><img src="/pwned.png" onerror="window.__pwned = 2">'
    " New girl, call 07700 900 999"
)


@dataclass
class Linked:
    """A linked workspace and an advert in it to search for."""

    home: Path
    phone: str
    """A mobile number one or more adverts carry, written with spaces (``07700 900 123``)."""
    ad_ids: set[str]
    """The adverts that carry it."""
    hostile_ad_id: str = HOSTILE_AD_ID
    """The site's id of an advert whose text is script and markup (it must show as text)."""


@pytest.fixture(scope="session")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Linked:
    """A small synthetic world, imported and run (extracted, fingerprinted and linked), with
    one advert whose text is script and markup, and the synthetic crime world imported."""
    root = tmp_path_factory.mktemp("web")
    world = root / "world"
    generate_adverts(world, scale=0.1, seed=2026)
    adverts = world / "adverts.jsonl"
    first: dict[str, Any] = orjson.loads(adverts.read_bytes().splitlines()[0])
    hostile = {
        **first,
        "ad_id": HOSTILE_AD_ID,
        "url": first["url"].rsplit("/", 1)[0] + "/" + HOSTILE_AD_ID,
        "title": '<b>Mia</b> <a href="/logout">new</a>',
        "body": HOSTILE_BODY,
        "name": "<i>Mia</i>",
        "phone": "07700 900 999",
        "images": [],
    }
    with adverts.open("ab") as out:
        out.write(orjson.dumps(hostile) + b"\n")
    crimes = root / "crimes"
    generate_crime(crimes, seed=0)
    home = root / "home"
    runner = CliRunner()
    done = runner.invoke(cli, ["--home", str(home), "import", "adverts", str(adverts)])
    assert done.exit_code == 0, done.output
    imported = runner.invoke(cli, ["--home", str(home), "crime", "import", str(crimes)])
    assert imported.exit_code == 0, imported.output
    ran = runner.invoke(cli, ["--home", str(home), "run"])
    assert ran.exit_code == 0, ran.output
    by_phone: dict[str, set[str]] = {}
    for line in (world / "adverts.jsonl").read_bytes().splitlines():
        record: dict[str, Any] = orjson.loads(line)
        digits = re.sub(r"\D", "", str(record.get("phone") or ""))
        if re.fullmatch(r"07\d{9}", digits):
            by_phone.setdefault(digits, set()).add(str(record["ad_id"]))
    digits, ad_ids = max(sorted(by_phone.items()), key=lambda kv: len(kv[1]))
    return Linked(home, f"{digits[:5]} {digits[5:8]} {digits[8:]}", ad_ids)


@pytest.fixture(scope="session")
def users(linked: Linked) -> dict[str, str]:
    """One active user per role; their names by role (each signs in with ``PASSWORD``)."""
    workspace = Workspace.open(load_settings(linked.home))
    names = {role: f"{role}-one" for role in ROLES}
    for role, name in names.items():
        add_user(workspace, name, PASSWORD, role)
    return names


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serving(application: Any) -> Iterator[str]:
    """``application`` served by uvicorn on 127.0.0.1 and a free port; yields its origin."""
    port = _free_port()
    config = uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning")
    served = uvicorn.Server(config)
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not served.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the web app did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        served.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def server(linked: Linked, users: dict[str, str]) -> Iterator[str]:
    """The app over the linked workspace, served on loopback; yields its origin."""
    application = create_app(linked.home, secret="test-secret-not-for-use", login_delay=0.0)
    with serving(application) as origin:
        yield origin


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright."""
    path = chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Session:
    """A fresh browser context on the live server, recording what its pages do."""

    page: Any
    origin: str
    users: dict[str, str]
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    """Responses with an error status, as ``status url`` (to explain console errors)."""

    def url(self, path: str) -> str:
        return self.origin + path

    def login(self, role: str = "analyst") -> None:
        """Sign in through the login form as the user of ``role``."""
        self.page.goto(self.url("/login"))
        form = self.page.locator("form").filter(has=self.page.locator("input[type=password]"))
        form.locator("input:not([type=hidden]):not([type=password])").first.fill(self.users[role])
        form.locator("input[type=password]").fill(PASSWORD)
        form.locator("[type=submit]").first.click()
        self.page.wait_for_load_state("networkidle")
        if "/enquiry" in self.page.url:  # casework asks for the line of enquiry first
            self.page.fill("#reference", ENQUIRY)
            self.page.click("#enquiry-form [type=submit]")
            self.page.wait_for_load_state("networkidle")

    def off_site(self) -> list[str]:
        """Every request that left the server (there must be none: the app works offline)."""
        return [u for u in self.requests if not u.startswith(self.origin + "/")]


@pytest.fixture
def session(browser: Any, server: str, users: dict[str, str]) -> Iterator[Session]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    recorded = Session(page, server, users)
    page.on("request", lambda request: recorded.requests.append(request.url))

    def console(msg: Any) -> None:
        where = str(msg.location.get("url", ""))
        # Chromium asks for /favicon.ico by itself; a missing one is not the app's page.
        if msg.type == "error" and not where.endswith("/favicon.ico"):
            recorded.errors.append(f"{msg.text} ({where})")

    page.on("console", console)
    page.on(
        "response",
        lambda r: recorded.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.on("pageerror", lambda exc: recorded.errors.append(str(exc)))
    try:
        yield recorded
    finally:
        context.close()


@pytest.fixture
def page(session: Session) -> Any:
    """The Playwright page of ``session``."""
    return session.page


# -- signing in with the TestClient (for tests of the app without a browser) ---------------

ENQUIRY = "Op Lantern"
"""The line of enquiry tests name after signing in as a casework role."""


def csrf(html: str) -> str:
    """The CSRF token in a page's forms."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def sign_in(
    client: Any, name: str, password: str = PASSWORD, *, enquiry: str | None = ENQUIRY
) -> Any:
    """Sign ``name`` in through the form and, unless ``enquiry`` is None, name a line of
    enquiry (casework pages ask for one). Returns the client."""
    page = client.get("/login")
    done = client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": csrf(page.text), "next": "/"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    if enquiry is not None:
        form = client.get("/enquiry")
        named = client.post(
            "/enquiry",
            data={"reference": enquiry, "csrf_token": csrf(form.text), "next": "/"},
            follow_redirects=False,
        )
        assert named.status_code == 303, named.text
    return client
