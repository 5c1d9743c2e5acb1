"""The local advert site's HTML: the interface the crawler's worked example profile is written to.

Class names and URLs are a contract with ``crawl/profiles/local-site.toml``; see "The local
advert site" in ``docs/synthetic-worlds.md``. Everything taken from the world is HTML-escaped.
A field the capture lacks is left out of the page altogether (no empty element).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from html import escape
from typing import Any

from plainsight.synth.site_plan import (
    DISALLOWED,
    Key,
    advert_path,
    image_path,
    images_of,
    listing_path,
    paragraphs,
)

__all__ = [
    "ROBOTS_TXT",
    "advert_page",
    "home_page",
    "listing_page",
    "not_found_page",
    "private_page",
    "server_error_page",
]

ROBOTS_TXT = "User-agent: *\nDisallow: /private/\n"

_STYLE = (
    "body{font-family:sans-serif;max-width:48em;margin:auto}"
    ".body p,.ad-text{white-space:pre-line}img{max-width:12em;margin:.2em}"
)


def _page(title: str, content: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>\n<body>\n"
        '<header><a class="home" href="/">All sites</a></header>\n'
        f"{content}\n"
        "<footer><p>A synthetic site made by plainsight for tests and demonstrations. "
        "Nothing here is real.</p></footer>\n</body></html>\n"
    )


def home_page(sources: list[str]) -> str:
    links = "".join(
        f'<li><a class="site" href="/s/{escape(source)}/">{escape(source)}</a></li>'
        for source in sources
    )
    return _page(
        "Advert sites",
        f'<h1>Advert sites</h1>\n<ul class="sites">{links}</ul>\n'
        f'<p><a class="staff" href="{DISALLOWED[0]}">Staff area</a></p>',
    )


def listing_page(
    source: str, page: int, pages: int, adverts: list[tuple[Key, Mapping[str, Any]]]
) -> str:
    """One page of a source's listing: links to its adverts, and a next link if there is more."""
    items = "\n".join(
        f'<li><a class="advert-link" href="{escape(advert_path(key))}">'
        f"{escape(_text(capture, 'title') or key[1])}</a></li>"
        for key, capture in adverts
    )
    nav = f'<span class="page-number">Page {page} of {pages}</span>'
    if page < pages:
        nav += (
            f' <a rel="next" class="next" href="{escape(listing_path(source, page + 1))}">Next</a>'
        )
    return _page(
        f"{source}: page {page}",
        f"<h1>{escape(source)}</h1>\n"
        f'<ul class="adverts">\n{items}\n</ul>\n<nav class="pages">{nav}</nav>\n'
        f'<p><a class="staff" href="{DISALLOWED[0]}">Moderators: review queue</a></p>',
    )


def advert_page(key: Key, capture: Mapping[str, Any], *, v2: bool, truncated: bool) -> str:
    """An advert's page, in the usual or the changed (``ad-v2``) layout, whole or truncated.

    A truncated page is cut straight after the body text: no closing tags and nothing after it,
    so the pictures that follow are lost.
    """
    article = _advert_v2(key, capture) if v2 else _advert_usual(key, capture, truncated)
    title = _text(capture, "title") or key[1]
    page = _page(f"{title} | {key[0]}", article)
    if truncated:
        return page[: page.index(_CUT)]
    return page


_CUT = "\x00cut\x00"
"""Marks where a truncated page ends; never sent (a page is either cut there or it is removed)."""


def _advert_usual(key: Key, capture: Mapping[str, Any], truncated: bool) -> str:
    parts = [
        f'<article class="advert" data-source="{escape(key[0])}" data-ad-id="{escape(key[1])}">'
    ]
    title = _text(capture, "title")
    if title is not None:
        parts.append(f'<h1 class="title">{escape(title)}</h1>')
    facts = []
    for label, name, css in (
        ("Name", "name", "name"),
        ("Age", "age", "age"),
        ("Location", "location_text", "location"),
        ("Phone", "phone", "phone"),
    ):
        value = _age(capture) if name == "age" else _text(capture, name)
        if value is not None:
            facts.append(f'{label}: <span class="{css}">{escape(str(value))}</span>')
    email = _text(capture, "email")
    if email is not None:
        facts.append(f'E-mail: <a class="email" href="mailto:{escape(email)}">{escape(email)}</a>')
    posted = _text(capture, "posted_at")
    if posted is not None:
        facts.append(
            f'Posted: <time class="posted" datetime="{escape(posted)}">'
            f"{escape(_human_time(posted))}</time>"
        )
    if facts:
        parts.append('<p class="facts">' + "<br>\n".join(facts) + "</p>")
    body = paragraphs(_text(capture, "body") or "")
    # string(div.body) is the paragraphs joined by a blank line; a truncated page ends right
    # after the last paragraph's text.
    cut = _CUT if truncated else ""
    if body:
        text = "</p>\n\n<p>".join(escape(paragraph) for paragraph in body)
        parts.append(f'<div class="body"><p>{text}{cut}</p></div>')
    else:
        parts.append(cut)
    images = "".join(
        f'<img class="photo" src="{escape(image_path(image))}" alt="photo {n}">'
        for n, image in enumerate(images_of(capture), start=1)
    )
    parts.append(f'<div class="gallery">{images}</div>')
    parts.append(f'<p class="back"><a href="/s/{escape(key[0])}/">Back to {escape(key[0])}</a></p>')
    parts.append("</article>")
    return "\n".join(parts)


_V2_FACTS = (("Name", "name"), ("Age", "age"), ("Area", "location_text"), ("Phone", "phone"))


def _advert_v2(key: Key, capture: Mapping[str, Any]) -> str:
    parts = [f'<div class="ad ad-v2" data-source="{escape(key[0])}" data-ad-id="{escape(key[1])}">']
    title = _text(capture, "title")
    if title is not None:
        parts.append(f'<h2 class="ad-title">{escape(title)}</h2>')
    posted = _text(capture, "posted_at")
    if posted is not None:
        parts.append(
            f'<time class="ad-posted" datetime="{escape(posted)}">'
            f"{escape(_human_time(posted))}</time>"
        )
    body = paragraphs(_text(capture, "body") or "")
    if body:
        text = "\n\n".join(body)
        parts.append(f'<p class="ad-text">{escape(text)}</p>')
    facts = []
    for label, name in _V2_FACTS:
        value = _age(capture) if name == "age" else _text(capture, name)
        if value is not None:
            facts.append(f"<dt>{label}</dt><dd>{escape(str(value))}</dd>")
    if facts:
        parts.append('<dl class="ad-facts">' + "".join(facts) + "</dl>")
    images = "".join(
        f'<img src="{escape(image_path(image))}" alt="picture {n}">'
        for n, image in enumerate(images_of(capture), start=1)
    )
    parts.append(f'<div class="ad-photos">{images}</div>')
    parts.append("</div>")
    return "\n".join(parts)


def private_page() -> str:
    return _page("Staff only", "<h1>Staff only</h1>\n<p>Moderation queue: nothing to review.</p>")


def not_found_page(path: str) -> str:
    return _page("Not found", f"<h1>Not found</h1>\n<p>Nothing at {escape(path)}.</p>")


def server_error_page() -> str:
    return _page("Server error", "<h1>Something went wrong</h1>\n<p>Please try again.</p>")


def _text(capture: Mapping[str, Any], name: str) -> str | None:
    value = capture.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _age(capture: Mapping[str, Any]) -> int | None:
    value = capture.get("age")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _human_time(stamp: str) -> str:
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return when.strftime("%-d %B %Y, %H:%M")
