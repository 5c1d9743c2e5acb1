"""The sanitised copy of an intelligence report, for sharing more widely.

What is removed, in this order (each replaced by a marker saying what was there):

1. e-mail addresses → ``[e-mail removed]``;
2. web addresses (``http://``, ``https://``, ``www.``) → ``[URL removed]``;
3. messaging handles: the handles the draft found in the evidence (``telegram:@name``), any
   ``service:@name`` and any bare ``@name`` → ``[handle removed]``;
4. advert ids: plainsight's own (``A`` and 20 hex digits) and the sites' ad ids (of 5
   characters or more) the draft found in the evidence → ``[advert id removed]``;
5. phone numbers: a run of digits, spaces, dots and dashes (after an optional ``+44`` and an
   optional bracketed area code) holding 10 to 15 digits → ``[phone removed]``;
6. names: the working names the draft found in the evidence and any the analyst gives
   (``--name``), as whole words, any case → ``[name removed]``;
7. exact addresses: addresses the analyst gives (``--address``; these go first of all, so
   a phone number or name inside one cannot break it up), street addresses (a house
   number then a street name ending Street, Road, Lane, ...), flat or unit numbers →
   ``[address removed]``; full postcodes are cut to their district (``EC2M 7PY`` →
   ``EC2M``), so the area stays and the address goes.

Kept: persona and network ids (references within plainsight, for a request to the owner),
towns, areas, stations, dates, counts and the grading. The sanitiser cannot know a name the
evidence did not hold and the analyst did not give: the analyst reads the copy before it goes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

MIN_AD_ID = 5
"""Shortest site ad id removed as a term (plainsight's own ids are always removed)."""

KINDS = ("email", "url", "handle", "advert_id", "phone", "name", "address", "postcode")

MARKERS = {
    "email": "[e-mail removed]",
    "url": "[URL removed]",
    "handle": "[handle removed]",
    "advert_id": "[advert id removed]",
    "phone": "[phone removed]",
    "name": "[name removed]",
    "address": "[address removed]",
}

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]*[^\s<>\"')\].,;:!?]", re.IGNORECASE)
_HANDLE = re.compile(r"\b[a-z]+:@[\w.]*\w|(?<![\w@])@[A-Za-z_][\w.]*\w", re.IGNORECASE)
_LAKE_ADVERT = re.compile(r"\bA[0-9a-f]{20}\b")
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?)?\d[\d\s.-]{6,}\d(?!\w)")
_STREET = re.compile(
    r"\b(?:(?i:flat|unit|apartment|room)\s+\d+[a-z]?,?\s+)?\d{1,4}[a-z]?,?\s+"
    r"(?:[A-Z][a-z']+\s+){1,3}"
    r"(?:Street|St|Road|Rd|Lane|Ln|Avenue|Ave|Close|Court|Place|Square|Gardens|Terrace|Way|"
    r"Drive|Crescent|Row|Hill|Walk|Mews|Yard|Wharf|Grove|Parade|Buildings)\b\.?",
)
_FLAT = re.compile(r"\b(?:flat|unit|apartment)\s+\d+[a-z]?\b", re.IGNORECASE)
_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b")


@dataclass(frozen=True)
class Sanitised:
    """The sanitised text and how many of each kind were removed."""

    text: str
    removed: dict[str, int]


def _terms(values: Iterable[str]) -> list[str]:
    """Distinct non-empty terms, longest first (so "Anna Maria" goes before "Anna")."""
    return sorted({v.strip() for v in values if v and v.strip()}, key=lambda v: (-len(v), v))


def _words(values: Iterable[str]) -> re.Pattern[str] | None:
    terms = _terms(values)
    if not terms:
        return None
    alternatives = "|".join(re.escape(t) for t in terms)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


def _phone(match: re.Match[str]) -> bool:
    return 10 <= sum(ch.isdigit() for ch in match.group(0)) <= 15


class Sanitiser:
    """Removes identifying details from text (see the module's list).

    ``known`` is the draft's terms (``name``, ``ad_id``, ``handle``, ``postcode``);
    ``names`` and ``addresses`` are extra terms the analyst gives.
    """

    def __init__(
        self,
        known: dict[str, list[str]] | None = None,
        *,
        names: Iterable[str] = (),
        addresses: Iterable[str] = (),
    ) -> None:
        known = known or {}
        self._handles = _words(known.get("handle", []))
        # A site's ad id shorter than 5 characters would match ordinary numbers and words.
        self._ad_ids = _words(a for a in known.get("ad_id", []) if len(a) >= MIN_AD_ID)
        self._names = _words([*known.get("name", []), *names])
        self._addresses = _words(addresses)

    def sanitise(self, text: str) -> Sanitised:
        """The text with every identifying detail replaced, and the counts removed."""
        counts: Counter[str] = Counter()

        def sub(kind: str, pattern: re.Pattern[str] | None, keep: Callable[..., bool]) -> None:
            nonlocal text
            if pattern is None:
                return

            def replace(match: re.Match[str]) -> str:
                if not keep(match):
                    return match.group(0)
                counts[kind] += 1
                return MARKERS[kind]

            text = pattern.sub(replace, text)

        always = lambda _m: True  # noqa: E731 - a local shorthand
        sub("address", self._addresses, always)
        sub("email", _EMAIL, always)
        sub("url", _URL, always)
        sub("handle", self._handles, always)
        sub("handle", _HANDLE, always)
        sub("advert_id", _LAKE_ADVERT, always)
        sub("advert_id", self._ad_ids, always)
        sub("phone", _PHONE, _phone)
        sub("name", self._names, always)
        sub("address", _STREET, always)
        sub("address", _FLAT, always)

        def district(match: re.Match[str]) -> str:
            counts["postcode"] += 1
            return match.group(1)

        text = _POSTCODE.sub(district, text)
        return Sanitised(text, {k: counts[k] for k in KINDS if counts[k]})
