"""Places an advert names: postcodes, districts, stations, streets, landmarks and towns.

:class:`PlaceExtractor` reads the title, body and location field and resolves every place
through the :class:`~plainsight.extract.gazetteer.Gazetteer`, so each fact carries
coordinates (WGS84 and British National Grid) and whether the place is inside the City of
London. It yields ``postcode`` facts (``EC2M 7PY``, or a district such as ``EC2M``) and
``place`` facts (the canonical name: ``Liverpool Street station``, ``Manchester``).

Two compiled regular expressions do the reading, each in one pass over a field: one for
the UK postcode format, and one built once from every spelling of every named place as a
character trie (so a position costs a handful of comparisons however many names there
are). Candidates are then checked:

* a postcode must be in the gazetteer (a full postcode not in it counts only if its district
  is, and is placed at the district's centre); a district written alone in free text must
  be upper case, and a two-character one (``M1``, ``E1``) needs place context (``in``,
  ``near``, ``postcode``, ``area``) - otherwise motorways and vitamins would be places;
* a name that is also a common word (Bank, Reading, Bath, Victoria, Angel...) needs a
  capital letter and place context ("near Bank", "new in Reading", "Bank station"), except
  in the location field, which is about place by definition.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from plainsight.extract.facts import AdvertText, Fact, Span
from plainsight.extract.gazetteer import Gazetteer, Name, Place, name_key, postcode_key

__all__ = ["PLACE_FIELDS", "PlaceExtractor"]

PLACE_FIELDS = ("title", "body", "location_text")
LOCATION_FIELD = "location_text"
LONDON_AREAS = frozenset({"E", "EC", "N", "NW", "SE", "SW", "W", "WC"})
"""Postcode areas of London, whose districts are safe to read alone (``EC2M``, ``SE1``)."""
MONTHS_TOO = frozenset({"march"})
"""Names that are also months: "in March" is a date unless a station or centre follows."""
WINDOW = 24
"""How many characters either side of a name are read for place context."""

_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{1,2}[0-9][A-Za-z0-9]?)(?:[ \t]{0,2}([0-9][A-Za-z]{2}))?"
    r"(?![A-Za-z0-9])"
)
_BEFORE = re.compile(
    r"(?:^|[^\w'])(?:in|near|nr|at|around|from|visiting|based|to|by|off|opposite|outside|"
    r"postcode|area|location|located|central|@)\s*[:\-]?\s*$",
    re.IGNORECASE,
)
_AFTER = re.compile(
    r"\s*(?:station|stn|tube|underground|overground|dlr|city centre|city center|"
    r"town centre|town center|centre|center|area|based|london)\b",
    re.IGNORECASE,
)
_NOT_PLACE_AFTER = re.compile(
    r"\s*(?:holidays?|account|card|transfer|details|statements?)\b", re.IGNORECASE
)
_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _lower(text: str) -> str:
    """Lower case with every character where it was (``"İ".lower()`` is two characters)."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = text.translate(_LOWER)
    if "\u2019" in lowered or "\u2018" in lowered:
        lowered = lowered.replace("\u2019", "'").replace("\u2018", "'")
    return lowered


class PlaceExtractor:
    """Postcode and place facts from an advert's title, body and location field.

    Example::

        facts = PlaceExtractor().extract(advert)
        [(f.kind, f.value, f.detail["in_city"]) for f in facts]
        # [("place", "Liverpool Street station", True), ("postcode", "EC2M 7PY", True)]
    """

    name = "places"

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer or Gazetteer.builtin()
        self._names = _trie_pattern(self.gazetteer.names)

    def extract(self, advert: AdvertText) -> list[Fact]:
        """Every place the advert names, one fact per place with all its spans."""
        found: dict[tuple[str, str], tuple[list[Span], dict[str, Any]]] = {}
        for field in PLACE_FIELDS:
            text = advert.text(field)
            if not text:
                continue
            taken: list[tuple[int, int]] = []
            for start, end, kind, value, detail in self._postcodes(field, text):
                taken.append((start, end))
                self._add(found, kind, value, detail, Span(field, start, end, text[start:end]))
            for start, end, place in self._named(field, text, taken):
                span = Span(field, start, end, text[start:end])
                self._add(found, "place", place.name, _detail(place), span)
        facts = [
            Fact(kind, value, tuple(sorted(spans, key=_span_order)), "plain", detail)
            for (kind, value), (spans, detail) in found.items()
        ]
        facts.sort(key=lambda f: _span_order(f.spans[0]))
        return facts

    @staticmethod
    def _add(
        found: dict[tuple[str, str], tuple[list[Span], dict[str, Any]]],
        kind: str,
        value: str,
        detail: dict[str, Any],
        span: Span,
    ) -> None:
        entry = found.setdefault((kind, value), ([], detail))
        entry[0].append(span)

    def _postcodes(
        self, field: str, text: str
    ) -> Iterable[tuple[int, int, str, str, dict[str, Any]]]:
        for match in _POSTCODE.finditer(text):
            outward, inward = match.group(1), match.group(2)
            start, end = match.span()
            if inward:
                key = postcode_key(outward + inward)
                place = self.gazetteer.postcode(key)
                if place is not None:
                    yield start, end, "postcode", place.name, _detail(place, "postcode")
                    continue
                district = self.gazetteer.district(key)
                if district is not None:
                    value = f"{key[:-3]} {key[-3:]}"
                    yield start, end, "postcode", value, _detail(district, "district")
                continue
            place = self.gazetteer.postcode(outward)
            if place is None or not self._district_stands(field, text, start, end):
                continue
            yield start, end, "postcode", place.name, _detail(place, "district")

    @staticmethod
    def _district_stands(field: str, text: str, start: int, end: int) -> bool:
        """Whether a district written alone (``EC2M``) is meant as one."""
        if field == LOCATION_FIELD:
            return True
        written = text[start:end]
        if not written.isupper():
            return False
        area = written[:2] if written[1].isalpha() else written[:1]
        if area in LONDON_AREAS and len(written) >= 3:
            return True
        return _in_context(text, start, end)

    def _named(
        self, field: str, text: str, taken: list[tuple[int, int]]
    ) -> Iterable[tuple[int, int, Place]]:
        lowered = _lower(text)
        names = self.gazetteer.names
        for match in self._names.finditer(lowered):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            entry: Name | None = names.get(name_key(match.group()))
            if entry is None:
                continue
            if entry.ambiguous and not _stands_as_place(field, text, start, end):
                continue
            yield start, end, entry.place


def _stands_as_place(field: str, text: str, start: int, end: int) -> bool:
    """Whether a name that is also a word (Bank, Reading) is written as a place here."""
    if _NOT_PLACE_AFTER.match(text, end, min(len(text), end + WINDOW)):
        return False
    if field == LOCATION_FIELD:
        return True
    if not text[start].isupper():
        return False
    if text[start:end].lower() in MONTHS_TOO:
        return bool(_AFTER.match(text, end, min(len(text), end + WINDOW)))
    return _in_context(text, start, end)


def _in_context(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - WINDOW) : start]
    after = text[end : end + WINDOW]
    return bool(_BEFORE.search(before) or _AFTER.match(after))


def _detail(place: Place, kind: str | None = None) -> dict[str, Any]:
    return {
        "kind": kind or place.kind,
        "lat": place.lat,
        "lon": place.lon,
        "easting": place.easting,
        "northing": place.northing,
        "in_city": place.in_city,
    }


def _span_order(span: Span) -> tuple[int, int, int]:
    field = PLACE_FIELDS.index(span.field) if span.field in PLACE_FIELDS else len(PLACE_FIELDS)
    return field, span.start, span.end


def _trie_pattern(names: Iterable[str]) -> re.Pattern[str]:
    """One regular expression matching any of ``names`` as whole words, longest first.

    The names are folded into a character trie (``bank(?:\\s+(?:station|tube))?``) so the
    engine tests one character per branch, not every name at every position. A space in a
    name matches any run of white space.
    """
    trie: dict[str, Any] = {}
    for name in names:
        node = trie
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}
    body = _trie_regex(trie)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)" if body else r"(?!x)x")


def _trie_regex(node: dict[str, Any]) -> str:
    ends = "" in node
    branches = []
    for char in sorted(k for k in node if k):
        literal = r"\s+" if char == " " else re.escape(char)
        branches.append(literal + _trie_regex(node[char]))
    if not branches:
        return ""
    inner = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:
        return f"(?:{inner})?"
    return inner
