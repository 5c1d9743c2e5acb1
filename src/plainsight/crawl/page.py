"""Reading a page with a profile's selectors: links out of a listing, fields out of an advert.

Pure functions over HTML text and a URL (no Scrapy, no workspace), so they are tested on their
own. Each field's alternatives are tried in order and the first that matches wins. A match
that is an element stands for all the text inside it (XPath's ``string()``); a ``::text`` or
``::attr()`` match is taken as it is. Values are stripped of surrounding white space; several
matches of one alternative are joined with the rule's ``join``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urldefrag, urljoin

import orjson
from parsel import Selector

from plainsight.crawl.profile import TEXT_FIELDS, FieldRule, Profile, split_selector

_AGE = re.compile(r"\b(\d{1,3})\b")


def select(page: Selector, url: str, alternatives: Sequence[str]) -> list[str]:
    """The values of the first alternative that matches anything (empty list if none do)."""
    for alternative in alternatives:
        values = _apply(page, url, alternative)
        if values:
            return values
    return []


def _apply(page: Selector, url: str, alternative: str) -> list[str]:
    kind, expression = split_selector(alternative)
    if kind == "url":
        match = re.search(expression, url)
        value = match.group(1) if match else None
        return [value] if value else []
    nodes = page.xpath(expression) if kind == "xpath" else page.css(expression)
    values = []
    for node in nodes:
        root = node.root
        text = root if isinstance(root, str) else node.xpath("string()").get() or ""
        text = text.strip()
        if text:
            values.append(text)
    return values


def links(page: Selector, url: str, alternatives: Sequence[str] | None) -> list[str]:
    """Absolute URLs (fragment dropped) of every link the alternatives find, in page order."""
    if not alternatives:
        return []
    found: dict[str, None] = {}
    for value in select(page, url, alternatives):
        absolute = urldefrag(urljoin(url, value))[0]
        if absolute.startswith(("http://", "https://")):
            found.setdefault(absolute)
    return list(found)


@dataclass
class AdvertReading:
    """What an advert page gave: its key, the fields found, and what could not be read."""

    url: str
    source: str | None
    ad_id: str | None
    fields: dict[str, Any] = field(default_factory=dict)
    image_srcs: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    truncated: bool = False

    @property
    def image_urls(self) -> list[str]:
        """The pictures' absolute URLs, in page order, each once."""
        return list(dict.fromkeys(urljoin(self.url, src) for src in self.image_srcs))

    @property
    def problem(self) -> str | None:
        """Why this page is not whole (to record with the capture), or ``None``."""
        parts = []
        if self.truncated:
            parts.append("page truncated (its end is missing)")
        if self.missing:
            parts.append("not found on the page: " + ", ".join(self.missing))
        parts.extend(self.notes)
        return "; ".join(parts) or None

    def digest(self) -> str:
        """SHA-256 of what the page says (fields and pictures' addresses as written).

        The same advert shown the same way gives the same digest in every crawl, whatever
        the site's host or port, so an unchanged page is recognised without a new capture.
        """
        content = {
            "source": self.source,
            "ad_id": self.ad_id,
            "fields": self.fields,
            "images": self.image_srcs,
        }
        return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _text(page: Selector, url: str, rule: FieldRule) -> str | None:
    values = select(page, url, rule.select)
    return rule.join.join(values) if values else None


def _timestamp(value: str) -> str | None:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return value.strip() if parsed.tzinfo is not None else None


def read_advert(html: str, url: str, profile: Profile) -> AdvertReading:
    """Read an advert page with the profile's selectors.

    Every field the profile names and the page does not show is listed in ``missing`` when
    the profile says the site always shows it (``advert.expected``) or when the page is cut
    short (no ``advert.complete_marker``); a value that cannot be used (an age that is not a
    number, a date without a UTC offset) is left out with a note.
    """
    page = Selector(text=html)
    found_source = select(page, url, profile.advert.source)
    found_id = select(page, url, profile.advert.ad_id)
    reading = AdvertReading(
        url=url,
        source=found_source[0] if found_source else None,
        ad_id=found_id[0] if found_id else None,
    )
    marker = profile.advert.complete_marker
    reading.truncated = marker is not None and marker.lower() not in html[-4096:].lower()
    rules = profile.fields.rules()
    for name, rule in rules.items():
        if name == "images":
            reading.image_srcs = list(dict.fromkeys(select(page, url, rule.select)))
            continue
        value = _text(page, url, rule)
        if value is None:
            continue
        if name == "age":
            match = _AGE.search(value)
            if match is None:
                reading.notes.append(f"age is not a number: {value[:40]!r}")
                continue
            reading.fields["age"] = int(match.group(1))
        elif name == "posted_at":
            stamp = _timestamp(value)
            if stamp is None:
                reading.notes.append(f"posted_at is not an ISO 8601 time with offset: {value!r}")
                continue
            reading.fields["posted_at"] = stamp
        elif name == "email":
            reading.fields["email"] = value.removeprefix("mailto:").strip()
        elif name in TEXT_FIELDS:
            reading.fields[name] = value
    watched = set(profile.advert.expected) | (set(rules) if reading.truncated else set())
    shown = set(reading.fields) | ({"images"} if reading.image_srcs else set())
    reading.missing = [name for name in rules if name in watched and name not in shown]
    return reading
