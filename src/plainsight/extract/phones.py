"""Phone numbers in an advert, however they were written, as E.164 facts.

:class:`PhoneExtractor` reads every text field of an advert, turns look-alike writing into
digits (:mod:`plainsight.extract.phones_tokens`), and keeps a run of digits as a phone number
only when it is *possible* under its country's numbering plan (``phonenumbers``'s
``is_possible_number``, which admits Ofcom's drama ranges that ``is_valid_number`` refuses),
with UK lengths checked strictly. A number split by words (``07700 call me 900 123``) is
joined back when its parts lie a few words apart and neither looks like a price.

Each fact records every span it was written in and how: ``detail["style"]`` lists the habits
seen (``spaced``, ``dotted``, ``letters``, ``words``, ``keycaps``, ``split``...), ``written``
is ``obfuscated`` when any of them is meant to defeat a scraper, and ``detail["valid"]``
says whether ``phonenumbers`` considers the number assigned.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import pairwise

import phonenumbers

from plainsight.extract.facts import TEXT_FIELDS, AdvertText, Fact, Span
from plainsight.extract.phones_tokens import Group, Token, read_groups

__all__ = ["OBFUSCATING_STYLES", "PhoneExtractor"]

OBFUSCATING_STYLES = frozenset(
    {"letters", "words", "keycaps", "unicode", "split", "digit_spaced", "line_broken"}
)
"""Styles that mark a number as written to defeat a scraper."""

_SEPARATOR_STYLE = {" ": "spaced", ".": "dotted", "-": "dashed", "/": "slashed"}
_MAX_DIGITS = 17  # 00 + country code + 15 digits
_MIN_DIGITS = 7
_MAX_FRAGMENT_TOKENS = 40
_CACHE_LIMIT = 50_000
_JOIN_GAP_CHARS = 60
_JOIN_GAP_WORDS = 8

_REFERENCE_BEFORE = re.compile(
    r"(?i)(?:\bref(?:erence)?|\bid|\border|\binvoice|\baccount|\bacc|\bcard|\bpin|#)"
    r"\s*(?:no\.?|num(?:ber)?)?\s*[:.#=-]?\s*$"
)
_REFERENCE_HINTS = ("ref", "id", "order", "invoice", "acc", "card", "pin", "#")
_PRICE_AFTER = re.compile(
    r"(?i)\s*(?:ph\b|p/h|/h|per\b|hr|hrs\b|hour|min|gbp|pounds?\b|quid|roses|£|\$|€)"
)
_CURRENCY = "£$€"
_WORD = re.compile(r"\w+")
_DATE_SEPARATORS = frozenset("/.-")


@dataclass(frozen=True, slots=True)
class _Found:
    """One occurrence of a number: its E.164 form, the spans and styles it was written in."""

    e164: str
    valid: bool
    spans: tuple[tuple[int, int], ...]
    styles: frozenset[str]


class PhoneExtractor:
    """Finds phone numbers in every text field of an advert.

    Example::

        facts = PhoneExtractor().extract(
            AdvertText("site", "1", {"body": "call O77OO 9OO l23"})
        )
        facts[0].value  # '+447700900123', written 'obfuscated'
    """

    name = "phones"

    def __init__(self, default_region: str = "GB") -> None:
        region = default_region.upper()
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        if metadata is None:
            raise ValueError(f"unknown region {default_region!r}")
        self.default_region = region
        self._trunk = metadata.national_prefix or "0"
        self._country = str(metadata.country_code)
        self._cache: dict[str, tuple[str, bool] | None] = {}
        self._last: tuple[AdvertText | None, tuple[Fact, ...]] = (None, ())

    def extract(self, advert: AdvertText) -> list[Fact]:
        """One fact per distinct number, with every span of the advert it was written in.

        The facts of the last advert are kept, so a second extractor sharing this one (the
        contacts' WhatsApp numbers) does not read the same advert twice.
        """
        if advert is self._last[0]:
            return list(self._last[1])
        facts = self._extract(advert)
        self._last = (advert, tuple(facts))
        return facts

    def _extract(self, advert: AdvertText) -> list[Fact]:
        by_number: dict[str, list[tuple[str, _Found]]] = {}
        for field in TEXT_FIELDS:
            text = advert.text(field)
            if not text:
                continue
            for found in self.find(text):
                by_number.setdefault(found.e164, []).append((field, found))
        facts = []
        for e164, occurrences in by_number.items():
            styles: set[str] = set()
            spans: list[Span] = []
            for field, found in occurrences:
                styles |= found.styles
                text = advert.text(field)
                spans.extend(Span(field, s, e, text[s:e]) for s, e in found.spans)
            facts.append(
                Fact(
                    kind="phone",
                    value=e164,
                    spans=tuple(spans),
                    written="obfuscated" if styles & OBFUSCATING_STYLES else "plain",
                    detail={"style": sorted(styles), "valid": occurrences[0][1].valid},
                )
            )
        return facts

    def find(self, text: str) -> list[_Found]:
        """Every phone number written in ``text``, in order of appearance."""
        groups = read_groups(text)
        if not groups:
            return []
        found: list[_Found] = []
        leftovers: list[Group] = []
        for group in groups:
            if group.digit_count >= _MIN_DIGITS:
                numbers = self._read_group(text, [group])
                if numbers:
                    found.extend(numbers)
                    continue
            if len(group.tokens) < _MAX_FRAGMENT_TOKENS:
                leftovers.append(group)
        if len(leftovers) > 1:
            found.extend(self._join_split(text, leftovers))
        found.sort(key=lambda f: f.spans[0])
        return found

    def _join_split(self, text: str, fragments: list[Group]) -> list[_Found]:
        """Numbers written in two or three parts with a few words between them."""
        found: list[_Found] = []
        i = 0
        while i < len(fragments) - 1:
            first = fragments[i]
            joined = [first]
            taken: list[_Found] = []
            if first.tokens[0].digits[:1] in ("0", "+") or first.plus >= 0:
                if _price_before(text, first.begin):
                    i += 1
                    continue
                for nxt in fragments[i + 1 : i + 3]:
                    if not self._joinable(text, joined[-1], nxt):
                        break
                    joined.append(nxt)
                    numbers = self._read_group(text, joined, whole=True)
                    if numbers:
                        taken = numbers
                        break
            if taken:
                found.extend(taken)
                i += len(joined)
            else:
                i += 1
        return found

    @staticmethod
    def _joinable(text: str, before: Group, after: Group) -> bool:
        gap = text[before.finish : after.begin]
        if len(gap) > _JOIN_GAP_CHARS or len(_WORD.findall(gap)) > _JOIN_GAP_WORDS:
            return False
        if _price_before(text, after.begin):
            return False
        return not _PRICE_AFTER.match(text, after.finish)

    def _read_group(self, text: str, groups: list[Group], whole: bool = False) -> list[_Found]:
        """Numbers in consecutive tokens; ``whole`` demands one number using every group."""
        tokens: list[Token] = []
        owner: list[int] = []
        for index, group in enumerate(groups):
            tokens.extend(group.tokens)
            owner.extend([index] * len(group.tokens))
        cumulative = [0]
        for token in tokens:
            cumulative.append(cumulative[-1] + len(token.digits))
        digits = "".join(token.digits for token in tokens)
        plus = groups[0].plus >= 0
        found: list[_Found] = []
        i = 0
        last = len(tokens) - 1
        while i <= last:
            if whole and i > 0 and owner[i] > 0:
                break
            result = self._longest_from(digits, cumulative, tokens, i, plus and i == 0)
            if result is not None:
                j, e164, valid = result
                if whole and owner[j] != len(groups) - 1:
                    return []
                if self._plausible(text, tokens, i, j, e164, valid):
                    start = groups[0].plus if plus and i == 0 else tokens[i].start
                    found.append(self._occurrence(text, tokens, owner, i, j, start, e164, valid))
                    i = j + 1
                    continue
            i += 1
        return found

    def _longest_from(
        self, digits: str, cumulative: list[int], tokens: list[Token], i: int, plus: bool
    ) -> tuple[int, str, bool] | None:
        first = tokens[i].digits
        if not plus and not first.startswith(self._trunk) and not first.startswith("44"):
            return None
        base = cumulative[i]
        lo = bisect_left(cumulative, base + _MIN_DIGITS, i + 1)
        hi = bisect_right(cumulative, base + _MAX_DIGITS, i + 1) - 1
        for end in range(hi, lo - 1, -1):
            resolved = self._resolve(digits[base : cumulative[end]], plus)
            if resolved is not None:
                return end - 1, resolved[0], resolved[1]
        return None

    def _resolve(self, digits: str, plus: bool) -> tuple[str, bool] | None:
        """E.164 and validity of ``digits`` if they can be a phone number, else ``None``."""
        key = ("+" if plus else "") + digits
        if key in self._cache:
            return self._cache[key]
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        result = self._cache[key] = self._parse(digits, plus)
        return result

    def _parse(self, digits: str, plus: bool) -> tuple[str, bool] | None:
        if plus:
            international = digits
        elif digits.startswith("00"):
            international = digits[2:]
        elif digits.startswith(self._trunk):
            international = None
        elif self._country == "44" and digits.startswith("44") and len(digits) == 12:
            international = digits
        else:
            return None
        if international is not None:
            if len(international) < 8 or international.startswith("0"):
                return None
            text = "+" + international
            region = None
        else:
            text = digits
            region = self.default_region
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            return None
        national = str(number.national_number)
        if number.country_code == 44:
            if not (len(national) == 10 or (len(national) == 9 and national[0] != "7")):
                return None
        elif len(national) < 7:
            return None
        if not phonenumbers.is_possible_number(number):
            return None
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return e164, phonenumbers.is_valid_number(number)

    @staticmethod
    def _plausible(text: str, tokens: list[Token], i: int, j: int, e164: str, valid: bool) -> bool:
        """Whether tokens i..j look like a phone number rather than a date or a reference."""
        start = tokens[i].start
        window = text[max(0, start - 16) : start].lower()
        if any(hint in window for hint in _REFERENCE_HINTS) and _REFERENCE_BEFORE.search(window):
            return False
        if _price_before(text, start):
            return False
        used = tokens[i : j + 1]
        international = _plus_sign_near(text, start)
        lead = used[0].digits
        if len(used) < 2 or international or lead.startswith(("00", "44")):
            return True
        gaps = {text[a.end : b.start].strip() for a, b in pairwise(used)}
        longest = max((len(t.digits) for t in used if t.real_digits), default=0)
        short_lead = len(lead) <= 2 and len(used[1].digits) <= 2
        if short_lead and gaps & _DATE_SEPARATORS and longest >= 4:
            return False  # 01/05/2023 07..., 01.05.2023-01.06.2023
        # "01 052023 01" is not how anyone groups a number (unless it is an assigned one)
        return valid or len(lead) > 2 or longest <= 2

    @staticmethod
    def _occurrence(
        text: str,
        tokens: list[Token],
        owner: list[int],
        i: int,
        j: int,
        start: int,
        e164: str,
        valid: bool,
    ) -> _Found:
        spans: list[tuple[int, int]] = []
        span_start = start
        styles: set[str] = set()
        separators: set[str] = set()
        for k in range(i, j + 1):
            styles |= tokens[k].how
            if k == j or owner[k + 1] != owner[k]:
                spans.append((span_start, tokens[k].end))
                if k < j:
                    span_start = tokens[k + 1].start
            else:
                gap = text[tokens[k].end : tokens[k + 1].start]
                separators.update(ch for ch in gap if ch not in "()")
        if len(spans) > 1:
            styles.add("split")
        if "\n" in separators or "\r" in separators:
            styles.add("line_broken")
        for ch in separators:
            style = _SEPARATOR_STYLE.get(ch)
            if style is not None:
                styles.add(style)
        used = tokens[i : j + 1]
        numeric = [t for t in used if "words" not in t.how]
        if len(numeric) >= 6 and all(len(t.digits) <= 2 for t in numeric):
            styles.add("digit_spaced")
        if text[start : start + 1] in ("+", "＋"):
            styles.add("intl")
        elif used[0].digits.startswith(("00", "44")):
            styles.add("intl00" if used[0].digits.startswith("00") else "intl")
        for token in used[1:3]:
            if token.digits == "0" and text[token.start - 1 : token.start] == "(":
                styles.add("intl_paren")
        if not styles:
            styles.add("plain")
        return _Found(e164, valid, tuple(spans), frozenset(styles))


def _plus_sign_near(text: str, start: int) -> bool:
    before = text[max(0, start - 2) : start]
    return "+" in before or "＋" in before


def _price_before(text: str, start: int) -> bool:
    """Whether a currency sign is written just before ``start`` (``£150``, ``£ 150``)."""
    before = text[max(0, start - 2) : start].rstrip()
    return bool(before) and before[-1] in _CURRENCY
