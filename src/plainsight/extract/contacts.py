"""E-mail addresses, web addresses and messaging handles written in an advert.

:class:`ContactExtractor` finds e-mails, plain (``anna.1234@example.com``) or spelled out
(``anna dot 1234 at example dot com``, ``anna(at)example(dot)com``); URLs with or without a
scheme; and handles on messaging and social sites, either after the site's name (``telegram:
@anna_ldn``, ``snap: annaxx``, ``SC annaxx``, ``insta @anna.ldn``) or in a profile link
(``t.me/anna_ldn``, ``onlyfans.com/anna``). A number given as WhatsApp (``WhatsApp 07700
900123``, or ``WhatsApp same number`` in an advert with one number) becomes the handle
``whatsapp:+447700900123``.

Every scan is a precompiled regex whose repeats are bounded or cannot overlap, run only when
a cheap substring test says the text may hold what it looks for.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator

from plainsight.extract.facts import TEXT_FIELDS, AdvertText, Fact, Span
from plainsight.extract.phones import PhoneExtractor

__all__ = ["ContactExtractor"]

_TLDS = (
    "com|co\\.uk|uk|org\\.uk|me\\.uk|net|org|info|biz|io|me|tv|xyz|online|site|club|vip|"
    "london|eu|de|fr|es|it|nl|pl|ro|ru|ua|bg|hu|cz|sk|lt|lv|ie|ch|at|be|pt|gr|se|no|dk|fi|"
    "br|cn|th|vn|ph|al|ly|gg|cc|ws|to|fans|link|live|app|page|email|mail|example"
)
_BRACKET_OPEN = r"[\(\[\{<]"
_BRACKET_CLOSE = r"[\)\]\}>]"
_DOT = (
    rf"(?:\s{{0,2}}{_BRACKET_OPEN}\s{{0,2}}dot\s{{0,2}}{_BRACKET_CLOSE}\s{{0,2}}"
    r"|\s{1,2}dot\s{1,2}|\.)"
)
_AT = (
    rf"(?:\s{{0,2}}{_BRACKET_OPEN}\s{{0,2}}(?:at|@)\s{{0,2}}{_BRACKET_CLOSE}\s{{0,2}}"
    r"|\s{1,2}at\s{1,2}|\s{0,2}@\s{0,2})"
)
_LOCAL = r"[a-z0-9_%+\-]{1,64}"
_LABEL = r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?"
_EMAIL = re.compile(
    rf"(?i)(?<![\w.%+\-])(?P<local>{_LOCAL}(?:{_DOT}{_LOCAL}){{0,4}})"
    rf"{_AT}(?P<domain>{_LABEL}(?:{_DOT}{_LABEL}){{0,3}}?{_DOT}(?:{_TLDS}))(?![\w\-])"
)
_OBFUSCATED_MARK = re.compile(r"(?i)\bdot\b|\(at\)|\[at\]|\{at\}|<at>|\sat\s|\s@|@\s")

_URL = re.compile(
    rf"(?i)(?<![\w@.\-/])(?:(?P<scheme>https?)://|www\.)[^\s<>\"'\]\[{{}}|\\^`]{{1,2000}}"
    rf"|(?<![\w@.\-/])(?P<bare>(?:{_LABEL}\.){{1,4}}(?:{_TLDS}))"
    rf"(?P<path>/[^\s<>\"'\]\[{{}}|\\^`]{{0,2000}})?(?![\w\-@])"
)
_DOMAIN_HINT = re.compile(rf"(?i)\.(?:{_TLDS}|[a-z]{{2}})(?![a-z0-9\-])")
_TRAILING = ".,;:!?)]}'\"»…"

_PLATFORMS = {
    "telegram": "telegram",
    "tele": "telegram",
    "tg": "telegram",
    "snapchat": "snapchat",
    "snap": "snapchat",
    "sc": "snapchat",
    "instagram": "instagram",
    "insta": "instagram",
    "ig": "instagram",
    "onlyfans": "onlyfans",
    "twitter": "x",
    "tiktok": "tiktok",
    "kik": "kik",
    "wickr": "wickr",
    "skype": "skype",
}
_SHORT = frozenset({"tg", "sc", "ig"})
_LONG_HINTS = ("tele", "snap", "insta", "onlyfans", "twitter", "tiktok", "kik", "wickr", "skype")
_SHORT_HINTS = ("SC", "IG", "TG", "Sc", "Ig", "Tg")
_SEPARATED_HINTS = ("sc:", "ig:", "tg:", "sc @", "ig @", "tg @", "sc: ", "sc -", "ig -")
_KEYWORD = re.compile(
    r"(?i)(?<!\w)(?P<kw>" + "|".join(sorted(_PLATFORMS, key=len, reverse=True)) + r")"
    r"(?!\w)(?P<filler>(?:\s{0,3}(?:[:\-=–]|(?:me|on|is|id|add|name|handle|username)(?!\w))){0,3})"
    r"\s{0,3}(?P<at>@)?(?P<handle>[a-z0-9_][a-z0-9_.\-]{1,31})"
)
_NOT_HANDLES = frozenset(
    {
        *("me", "on", "is", "and", "or", "at", "my", "the", "for", "add", "to", "now"),
        *("please", "also", "too", "here", "us", "ok", "yes", "no", "only", "available"),
        *("same", "number", "with", "you", "your", "app", "account"),
    }
)
_PROFILE_LINK = re.compile(
    r"(?i)(?<![\w.])(?:https?://)?(?:www\.)?(?P<site>t\.me|telegram\.me|wa\.me|"
    r"instagram\.com|snapchat\.com/add|onlyfans\.com|twitter\.com|x\.com|tiktok\.com)"
    r"/(?P<handle>[@+]?[a-z0-9_.\-]{2,40})"
)
_LINK_PLATFORM = {
    "t.me": "telegram",
    "telegram.me": "telegram",
    "wa.me": "whatsapp",
    "instagram.com": "instagram",
    "snapchat.com/add": "snapchat",
    "onlyfans.com": "onlyfans",
    "twitter.com": "x",
    "x.com": "x",
    "tiktok.com": "tiktok",
}
_WHATSAPP = re.compile(r"(?i)(?<!\w)(?:whats\s?app|whatsap|watsapp|wapp|wa)(?!\w)(?!\.me/)")
_WHATSAPP_AFTER = 30
_BREAK = re.compile(r"[.!?;\n]\s|\n")
_WHATSAPP_BEFORE = 20
_LONGEST_SPAN = 200


class ContactExtractor:
    """Finds e-mails, URLs and messaging handles in every text field of an advert.

    Example::

        facts = ContactExtractor().extract(
            AdvertText("site", "1", {"body": "anna dot 1234 at example dot com"})
        )
        facts[0].value  # 'anna.1234@example.com', written 'obfuscated'
    """

    name = "contacts"

    def __init__(self, phones: PhoneExtractor | None = None) -> None:
        """``phones``: the pipeline's phone extractor, shared so numbers are read only once."""
        self._phones = phones or PhoneExtractor()

    def extract(self, advert: AdvertText) -> list[Fact]:
        """One fact per distinct e-mail, URL and handle, with every span it was written in."""
        found: dict[tuple[str, str], tuple[list[Span], bool, dict[str, object]]] = {}

        def add(kind: str, value: str, spans: list[Span], hidden: bool, **detail: object) -> None:
            entry = found.setdefault((kind, value), ([], False, dict(detail)))
            entry[0].extend(spans)
            if hidden and not entry[1]:
                found[(kind, value)] = (entry[0], True, entry[2])

        whatsapp_fields: list[str] = []
        for field in TEXT_FIELDS:
            text = advert.text(field)
            if not text:
                continue
            email_spans: list[tuple[int, int]] = []
            for start, end, value, hidden in _emails(text):
                email_spans.append((start, end))
                add("email", value, [Span(field, start, end, text[start:end])], hidden)
            if "." in text:
                for start, end, value in _urls(text, email_spans):
                    add("url", value, [Span(field, start, end, text[start:end])], False)
                for start, end, value in _profile_links(text):
                    add("handle", value, [Span(field, start, end, text[start:end])], False)
            for start, end, value in _keyword_handles(text):
                add("handle", value, [Span(field, start, end, text[start:end])], False)
            if _has_whatsapp(text):
                whatsapp_fields.append(field)
        if whatsapp_fields:
            for value, spans, inferred in self._whatsapp(advert, whatsapp_fields):
                add("handle", value, spans, False, inferred=inferred)
        return [
            Fact(
                kind=kind,
                value=value,
                spans=tuple(spans),
                written="obfuscated" if hidden else "plain",
                detail=detail,
            )
            for (kind, value), (spans, hidden, detail) in found.items()
        ]

    def _whatsapp(
        self, advert: AdvertText, fields: list[str]
    ) -> Iterator[tuple[str, list[Span], bool]]:
        """``whatsapp:+44...`` for each number given as WhatsApp."""
        numbers = self._phones.extract(advert)
        if not numbers:
            return
        for field in fields:
            text = advert.text(field)
            in_field = sorted(
                (span.start, span.end, fact.value)
                for fact in numbers
                for span in fact.spans
                if span.field == field
            )
            starts = [item[0] for item in in_field]
            for match in _WHATSAPP.finditer(text):
                start, end = match.span()
                keyword = Span(field, start, end, text[start:end])
                lo = bisect_left(starts, start - _WHATSAPP_BEFORE - _LONGEST_SPAN)
                hi = bisect_right(starts, end + _WHATSAPP_AFTER)
                near = [
                    (Span(field, s, e, text[s:e]), value)
                    for s, e, value in in_field[lo:hi]
                    if (end <= s and _BREAK.search(text, end, s) is None)
                    or (
                        start - _WHATSAPP_BEFORE <= e <= start
                        and _BREAK.search(text, e, start) is None
                    )
                ]
                if near:
                    span, value = min(near, key=lambda item: abs(item[0].start - end))
                    yield f"whatsapp:{value}", [keyword, span], False
                    continue
                guess = _same_number(numbers, in_field, hi, start)
                if guess is not None:
                    yield f"whatsapp:{guess}", [keyword], True


def _same_number(
    numbers: list[Fact], in_field: list[tuple[int, int, str]], upto: int, at: int
) -> str | None:
    """The number "WhatsApp same number" means: the phone field's, else the one just before."""
    in_phone_field = [f.value for f in numbers if f.spans[0].field == "phone"]
    if len(in_phone_field) == 1:
        return in_phone_field[0]
    for index in range(min(upto, len(in_field)) - 1, -1, -1):
        if in_field[index][1] <= at:
            return in_field[index][2]
    return numbers[0].value if len(numbers) == 1 else None


def _contains_any(text: str, hints: tuple[str, ...]) -> bool:
    # a plain loop: several times faster than any() over a generator
    for hint in hints:  # noqa: SIM110
        if hint in text:
            return True
    return False


def _has_whatsapp(text: str) -> bool:
    low = text.lower()
    return ("whats" in low or "wapp" in low or "wa" in low) and _WHATSAPP.search(text) is not None


def _emails(text: str) -> Iterator[tuple[int, int, str, bool]]:
    low = text.lower()
    if "@" not in text and "dot" not in low and "(at)" not in low and "[at]" not in low:
        return
    for match in _EMAIL.finditer(text):
        raw = match.group()
        hidden = _OBFUSCATED_MARK.search(raw) is not None
        local = _undot(match.group("local"))
        domain = _undot(match.group("domain"))
        yield match.start(), match.end(), f"{local}@{domain}".lower(), hidden


_DOT_WORD = re.compile(rf"(?i){_DOT}")


def _undot(text: str) -> str:
    return _DOT_WORD.sub(".", text)


def _urls(text: str, emails: list[tuple[int, int]]) -> Iterator[tuple[int, int, str]]:
    if "://" not in text and _DOMAIN_HINT.search(text) is None:
        return
    for match in _URL.finditer(text):
        start, end = match.span()
        raw = match.group().rstrip(_TRAILING)
        end = start + len(raw)
        if any(s <= start < e for s, e in emails):
            continue
        host = match.group("bare")
        if host and not host.rsplit(".", 1)[-1].islower():
            continue  # "in town.No rush": a missing space, not a domain
        yield start, end, _normal_url(raw)


def _normal_url(raw: str) -> str:
    """``HTTP://WWW.Example.com/Anna/`` -> ``https://example.com/Anna``."""
    rest = raw.split("://", 1)[1] if "://" in raw else raw
    host, _, path = rest.partition("/")
    host = host.lower()
    if host.startswith("www."):
        host = host[4:]
    path = path.rstrip("/")
    return f"https://{host}/{path}" if path else f"https://{host}"


def _profile_links(text: str) -> Iterator[tuple[int, int, str]]:
    low = text.lower()
    if not _contains_any(low, ("t.me", "wa.me", ".com")):
        return
    for match in _PROFILE_LINK.finditer(text):
        platform = _LINK_PLATFORM[match.group("site").lower()]
        handle = match.group("handle").rstrip(_TRAILING).lower()
        end = match.start("handle") + len(handle)
        handle = handle.lstrip("@")
        if platform == "whatsapp":
            digits = handle.lstrip("+")
            if not digits.isdigit():
                continue
            value = f"whatsapp:+{digits}"
        elif platform == "telegram":
            value = f"telegram:@{handle}"
        else:
            value = f"{platform}:{handle}"
        yield match.start(), end, value


def _keyword_handles(text: str) -> Iterator[tuple[int, int, str]]:
    low = text.lower()
    if not (
        _contains_any(low, _LONG_HINTS)
        or _contains_any(text, _SHORT_HINTS)
        or _contains_any(low, _SEPARATED_HINTS)
    ):
        return
    for match in _KEYWORD.finditer(text):
        keyword = match.group("kw")
        platform = _PLATFORMS[keyword.lower()]
        handle = match.group("handle").rstrip(".-_")
        separated = bool(match.group("at")) or ":" in match.group("filler")
        if keyword.lower() in _SHORT and not (keyword.isupper() or separated):
            continue
        if len(handle) < 2 or handle.lower() in _NOT_HANDLES or handle[0].isdigit():
            continue
        site_like = handle.lower().endswith((".com", ".co.uk"))
        if platform in ("snapchat", "instagram") and not separated and site_like:
            continue
        end = match.start("handle") + len(handle)
        handle = handle.lower()
        value = f"telegram:@{handle}" if platform == "telegram" else f"{platform}:{handle}"
        yield match.start(), end, value
