"""The crawl profile: a site described in a TOML file, not in code.

A profile names where to start, how to find listing pages, advert pages and the next page,
where each interchange field is on an advert page (a list of CSS or XPath alternatives, the
first that matches wins), and how politely to crawl. :func:`load_profile` validates it and
raises :class:`ProfileError` with a one-line message naming the field at fault.
``docs/crawl.md`` documents every field with the worked example for the local site.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from datetime import datetime, time
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from parsel import Selector
from parsel.csstranslator import HTMLTranslator
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from plainsight import __version__
from plainsight.errors import PlainsightError

TEXT_FIELDS = ("title", "body", "name", "location_text", "phone", "email", "posted_at")
"""Interchange fields read as text; ``age`` is read as a number and ``images`` as URLs."""
FIELD_NAMES = (*TEXT_FIELDS, "age", "images")

_CSS = HTMLTranslator()
_EMPTY = Selector(text="<html></html>")
_CONTACT = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+|https?://\S+")
_HOURS = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class ProfileError(PlainsightError):
    """A profile file that cannot be used: unreadable, not TOML, or a field is invalid."""


def check_selector(text: str) -> str:
    """Check one selector alternative compiles; return it unchanged.

    ``xpath:EXPR`` is XPath 1.0, ``url:REGEX`` a regular expression searched in the page's
    URL (its first group is the value), ``css:EXPR`` or a bare string CSS (with parsel's
    ``::text`` and ``::attr(name)``).

    Raises:
        ValueError: the selector does not compile, with the reason.
    """
    kind, expression = split_selector(text)
    if not expression.strip():
        raise ValueError(f"empty selector {text!r}")
    try:
        if kind == "url":
            groups = re.compile(expression).groups
        elif kind == "xpath":
            _EMPTY.xpath(expression)
        else:
            _CSS.css_to_xpath(expression)
    except Exception as exc:  # re.error, parsel's ValueError, cssselect's SelectorError
        raise ValueError(f"not a valid {kind} selector {expression!r}: {exc}") from None
    if kind == "url" and groups < 1:
        raise ValueError(f"URL pattern {expression!r} needs a group (…) for the value")
    return text


def split_selector(text: str) -> tuple[str, str]:
    """``"xpath:…"`` to ``("xpath", "…")``; ``"url:…"`` and ``"css:…"`` alike; bare is CSS."""
    for kind in ("xpath", "url", "css"):
        if text.startswith(kind + ":"):
            return kind, text[len(kind) + 1 :]
    return "css", text


def _alternatives(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Selectors = Annotated[
    list[Annotated[str, BeforeValidator(check_selector)]],
    BeforeValidator(_alternatives),
    Field(min_length=1),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldRule(_Strict):
    """Where one field is on an advert page: alternatives, and how several matches are joined."""

    select: Selectors
    join: str = "\n\n"


def _rule(value: Any) -> Any:
    if isinstance(value, (str, list)):
        return {"select": value}
    return value


Rule = Annotated[FieldRule, BeforeValidator(_rule)]


class Links(_Strict):
    """How pages lead to each other: listing pages, advert pages and the next listing page."""

    listing: Selectors | None = None
    advert: Selectors
    next_page: Selectors | None = None


class Fields(_Strict):
    """Where each interchange field is on an advert page (a field left out is not read)."""

    title: Rule | None = None
    body: Rule | None = None
    name: Rule | None = None
    age: Rule | None = None
    location_text: Rule | None = None
    phone: Rule | None = None
    email: Rule | None = None
    posted_at: Rule | None = None
    images: Rule | None = None

    def rules(self) -> dict[str, FieldRule]:
        """The fields the profile reads, by interchange name."""
        return {name: rule for name in FIELD_NAMES if (rule := getattr(self, name)) is not None}


class Advert(_Strict):
    """How an advert page says which advert it is, and what makes it whole."""

    source: Selectors
    ad_id: Selectors
    expected: list[str] = Field(default_factory=list)
    complete_marker: str | None = "</html>"

    @field_validator("expected")
    @classmethod
    def _known(cls, names: list[str]) -> list[str]:
        unknown = [n for n in names if n not in FIELD_NAMES]
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(unknown)}; known: {FIELD_NAMES}")
        return names


class Politeness(_Strict):
    """How gently to crawl, and who the site is told is crawling."""

    delay_seconds: float = Field(default=2.0, ge=0)
    concurrency: int = Field(default=2, ge=1, le=256)
    autothrottle: bool = True
    hours: str | None = None
    timezone: str = "Europe/London"
    obey_robots: bool = True
    organisation: str = "City of London Police"
    contact: str | None = None
    user_agent: str | None = None
    timeout_seconds: float = Field(default=30.0, gt=0)
    retries: int = Field(default=2, ge=0, le=20)
    backoff_seconds: float = Field(default=2.0, ge=0)

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        if value is not None:
            window(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. 'Europe/London')") from None
        return value

    @field_validator("contact", "user_agent")
    @classmethod
    def _reachable(cls, value: str | None) -> str | None:
        if value is not None and not _CONTACT.search(value):
            raise ValueError("must give a contact: an e-mail address or an http(s) URL")
        return value

    @model_validator(mode="after")
    def _someone(self) -> Politeness:
        if self.user_agent is None and self.contact is None:
            raise ValueError(
                "give 'contact' (an e-mail address or URL the site can reach) or a whole "
                "'user_agent' that says who is crawling and how to reach them"
            )
        return self

    def agent(self) -> str:
        """The User-Agent header: who is crawling and how to reach them."""
        if self.user_agent is not None:
            return self.user_agent
        return f"plainsight/{__version__} (+{self.organisation}; contact: {self.contact})"

    def allowed_now(self, now: datetime) -> bool:
        """Whether ``now`` falls in the allowed hours (always, when no hours are set)."""
        if self.hours is None:
            return True
        start, end = window(self.hours)
        local = now.astimezone(ZoneInfo(self.timezone)).time()
        if start <= end:
            return start <= local < end
        return local >= start or local < end  # the window wraps midnight


class Profile(_Strict):
    """A whole profile: what to crawl, how to read it, how politely."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    version: str = Field(min_length=1)
    start_urls: list[str] = Field(min_length=1)
    allowed_domains: list[str] = Field(default_factory=list)
    links: Links
    advert: Advert
    fields: Fields
    politeness: Politeness

    @field_validator("start_urls")
    @classmethod
    def _web(cls, urls: list[str]) -> list[str]:
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"not an http(s) URL: {url!r}")
        return urls

    def domains(self) -> list[str]:
        """The hosts the crawl may visit: the start URLs' hosts and ``allowed_domains``."""
        hosts = {urlsplit(url).hostname or "" for url in self.start_urls}
        return sorted(hosts | set(self.allowed_domains))


def window(hours: str) -> tuple[time, time]:
    """``"20:00-06:00"`` to its start and end times.

    Raises:
        ValueError: not ``HH:MM-HH:MM``, or an impossible time.
    """
    match = _HOURS.match(hours.strip())
    if not match:
        raise ValueError(f"hours must look like '20:00-06:00', found {hours!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        raise ValueError(f"not a time of day in {hours!r}")
    return time(h1, m1), time(23, 59, 59, 999999) if h2 == 24 else time(h2, m2)


def _where(error: Any) -> str:
    parts = [str(p) for p in error["loc"] if not str(p).startswith("function-")]
    text = ""
    for part in parts:
        text += f"[{part}]" if part.isdigit() else (f".{part}" if text else part)
    return text or "(top level)"


def _message(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown field (a typo?)"
    if error["type"] == "missing":
        return "required"
    return str(error["msg"]).removeprefix("Value error, ")


def parse_profile(data: dict[str, Any], origin: str = "profile") -> Profile:
    """A profile from already-parsed TOML.

    Raises:
        ProfileError: the first problem, naming the field (``politeness.contact: …``).
    """
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = len(exc.errors()) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise ProfileError(f"{origin}: {_where(first)}: {_message(first)}{tail}") from None


def load_profile(path: Path) -> Profile:
    """Read and validate a profile file.

    Example::

        profile = load_profile(Path("profiles/local-site.toml"))
        profile.politeness.agent()   # 'plainsight/0.1.0 (+City of London Police; contact: …)'

    Raises:
        ProfileError: unreadable, not TOML, or a field is invalid (the message names it).
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProfileError(f"cannot read profile {path}: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from None
    return parse_profile(data, str(path))


def profile_sha256(path: Path) -> str:
    """SHA-256 of the profile file's bytes: which profile, exactly, a crawl ran."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
