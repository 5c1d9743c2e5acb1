"""Persona details: who an advert says the person is, what she offers, when and for how much.

:class:`PersonaExtractor` reads the title, body and location text in **one regex pass per
field** (every vocabulary is compiled into a single alternation when the extractor is built)
and yields :class:`~plainsight.extract.facts.Fact` objects of these kinds:

========================  ======================================================================
kind                      value (and detail)
========================  ======================================================================
``name``                  advertised name: the name field, "I'm Anna", "my name is Anna",
                          "Meet Anna", "Anna, 23", "Anna here"
``age``                   "21": the age field (``detail={"from": "field"}``, no spans) or the
                          text ("21yo", "21 y/o", "age 21", "aged 21", "21 years old",
                          "I'm twenty one", "twenty-one years"). Ages below 16 or above 80 are
                          dropped; 16 and 17 are kept, since they matter most.
``nationality``           a demonym: "Romanian girl" or "from Romania" -> ``Romanian``
``ethnicity``             ``Asian``, ``Black``, ``Latina``, ``Eastern European``... The dated
                          "Oriental" is recorded as ``East Asian`` with ``{"as_written": ...}``
``language``              "speaks English and Russian", "English: basic" (``{"level": ...}``)
``price``                 ``GBP 150/1h`` with ``{"amount", "currency", "minutes", "per_hour"}``
``incall`` / ``outcall``  ``yes`` (or ``no`` for "no outcall")
``availability``          ``24/7``, ``evenings``, ``weekends``, ``daytime``, ``by appointment``,
                          ``short notice``, ``no rush``, ``incall only``, ``outcall only``
``service``               ``companionship``, ``dinner_date``, ``massage``, ``overnight``,
                          ``travel``, ``gfe``, ``couples``, ``duo``, ``fetish_other``
========================  ======================================================================

The same thing said twice is one fact with several spans. Every span's text is exactly the
field's text at its positions. No text makes it raise.
"""

from __future__ import annotations

import re
from typing import Any

from plainsight.extract.facts import AdvertText, Fact, Span
from plainsight.extract.persona_grammar import NAME, RULES, Grammar, number_word_value
from plainsight.extract.persona_price import price_detail
from plainsight.extract.persona_vocab import (
    PersonaVocab,
    VocabEntry,
    load_vocab,
    lower_in_place,
    phrase_key,
)

__all__ = ["MAX_AGE", "MIN_AGE", "PersonaExtractor"]

MIN_AGE = 16
"""Youngest age kept: 16 and 17 are the ages that matter most to safeguarding."""
MAX_AGE = 80

SCANNED_FIELDS = ("title", "body", "location_text")
"""Fields read as free text (the name field is read as a name; phone and e-mail are not)."""

Found = tuple[str, str, int, int, dict[str, Any]]
"""(kind, value, start, end, detail) of one fact in one field."""
Anchor = tuple[tuple[tuple[str, re.Pattern[str]], ...], VocabEntry | None]
"""What to do at a scanned word: (rule name, pattern) pairs to try, then its vocabulary entry."""
ANCHOR_CACHE = 4096
"""Distinct spellings of anchor words remembered per extractor."""
Merged = dict[
    tuple[Any, ...], tuple[str, str, list[Span], dict[str, Any], set[tuple[str, int, int]]]
]
"""(kind, value, detail) -> (kind, value, spans, detail, positions already recorded)."""


class PersonaExtractor:
    """Persona facts from an advert's text: names, ages, nationality... (see the module doc).

    >>> ad = AdvertText("site", "1", {"title": "Anna, 23", "body": "Romanian girl, £150 per hour"})
    >>> [(f.kind, f.value) for f in PersonaExtractor().extract(ad)]
    [('name', 'Anna'), ('age', '23'), ('nationality', 'Romanian'), ('price', 'GBP 150/1h')]
    """

    name = "persona"

    def __init__(self, vocab: PersonaVocab | None = None) -> None:
        self.vocab = vocab or load_vocab()
        self.grammar = Grammar.build(self.vocab)
        self._anchors: dict[str, Anchor] = {}
        self._fixed = {
            group: tuple((name, self.grammar.rules[name]) for name in RULES[group])
            for group in ("digit", "currency")
        }

    def extract(self, advert: AdvertText) -> list[Fact]:
        """Every persona fact in ``advert``, in the order first written (field age first)."""
        merged: Merged = {}
        if advert.age is not None and MIN_AGE <= advert.age <= MAX_AGE:
            value = str(advert.age)
            merged[("age", value, "field")] = ("age", value, [], {"from": "field"}, set())
        name_text = advert.text("name")
        name_field = self._name_field(name_text)
        if name_field is not None:
            _merge(merged, "name", name_field, name_text)
        for field_name in SCANNED_FIELDS:
            text = advert.text(field_name)
            if text:
                for found in self._scan(text):
                    _merge(merged, field_name, found, text)
        return [
            Fact(kind=kind, value=value, spans=tuple(spans), detail=detail)
            for kind, value, spans, detail, _ in merged.values()
        ]

    def _name_field(self, text: str) -> Found | None:
        match = _NAME_WORD.search(text)
        if match is None or match.group().lower() in self.vocab.not_names:
            return None
        return ("name", _name_value(match.group()), match.start(), match.end(), {})

    def _is_name(self, word: str) -> bool:
        return word[:1].isupper() and word.lower() not in self.vocab.not_names

    def _anchor(self, written: str) -> Anchor:
        """The rules to try at a scanned word, and its vocabulary entry (cached by spelling)."""
        anchor = self._anchors.get(written)
        if anchor is None:
            key = phrase_key(written)
            names = self.grammar.anchors.get(key, ())
            rules = tuple((name, self.grammar.rules[name]) for name in names)
            anchor = (rules, self.vocab.phrases.get(key))
            if len(self._anchors) < ANCHOR_CACHE:
                self._anchors[written] = anchor
        return anchor

    def _scan(self, text: str) -> list[Found]:
        low = lower_in_place(text)
        search = self.grammar.scan.search
        found: list[Found] = []
        pos = 0
        while (hit := search(low, pos)) is not None:
            start, pos = hit.span()
            group = hit.lastgroup
            if group == "word":
                rules, entry = self._anchor(hit.group())
            else:
                rules, entry = self._fixed[group or "digit"], None
            for name, rule in rules:
                match = rule.match(low, start)
                if match is not None:
                    facts, resume = self._rule(name, match, text)
                    if facts or resume > start:
                        found.extend(facts)
                        pos = max(resume, start + 1)
                        break
            else:
                if entry is not None:
                    found.extend(self._vocab(entry, text, start, hit.end()))
        return found

    def _rule(self, rule: str, match: re.Match[str], text: str) -> tuple[list[Found], int]:
        """Facts a rule's match gives, and where scanning resumes (its start: nothing found)."""
        start, end = match.span()
        if rule in ("price_a", "price_b"):
            priced = price_detail(match.groupdict(), duration_first=rule == "price_b")
            return ([("price", priced[0], start, end, priced[1])], end) if priced else ([], end)
        if rule == "languages":
            return self._languages(match), end
        if rule in ("language_level", "language_speaking", "level_language"):
            return [self._language(match, "lang", match.groupdict().get("level"))], end
        if rule == "country":
            written = text[match.start("country") : match.end("country")]
            demonym = self.vocab.countries[phrase_key(written)]
            detail = {"as_written": written}
            return [("nationality", demonym, *match.span("country"), detail)], end
        if rule in ("name_age", "name_here"):
            return self._name_before(rule, match, text)
        return self._person(rule, match, text)

    def _person(self, rule: str, match: re.Match[str], text: str) -> tuple[list[Found], int]:
        found: list[Found] = []
        groups = match.groupdict()
        resume = match.end()
        if groups.get("name") is not None:
            name_start, name_end = match.span("name")
            resume = name_start
            word = text[name_start:name_end]
            if not self._is_name(word):
                return [], resume
            found.append(("name", _name_value(word), name_start, name_end, {}))
        if groups.get("age") is not None:
            found.extend(_age(int(groups["age"]), match.span("age")))
        if groups.get("words") is not None:
            found.extend(_age(number_word_value(groups["words"]), match.span("words")))
        return found, resume

    def _name_before(self, rule: str, match: re.Match[str], text: str) -> tuple[list[Found], int]:
        """ "Anna, 23" and "Anna here": the name is the word before the anchor."""
        start = match.start()
        pattern = self.grammar.name_before if rule == "name_age" else self.grammar.name_before_here
        before = pattern.search(text, max(0, start - 45), start)
        if before is None or not self._is_name(before.group("name")):
            return [], start
        found: list[Found] = [("name", _name_value(before.group("name")), *before.span("name"), {})]
        if rule == "name_age":
            found.extend(_age(int(match.group("age")), match.span("age")))
        return found, match.end()

    @staticmethod
    def _vocab(entry: VocabEntry, text: str, start: int, end: int) -> list[Found]:
        written = text[start:end]
        found: list[Found] = []
        for kind, value in entry.facts:
            detail: dict[str, Any] = {}
            if kind in ("ethnicity", "nationality") and phrase_key(value) != phrase_key(written):
                detail["as_written"] = written
            found.append((kind, value, start, end, detail))
        return found

    def _languages(self, match: re.Match[str]) -> list[Found]:
        fluent = match.group().startswith("fluent")
        items = self.grammar.language_item.finditer(match.string, *match.span())
        return [
            self._language(item, "lang", item.group("level") or ("fluent" if fluent else None))
            for item in items
        ]

    def _language(self, match: re.Match[str], group: str, level: str | None) -> Found:
        name = self.vocab.languages.get(phrase_key(match.group(group)), match.group(group).title())
        detail = {"level": self.vocab.levels.get(phrase_key(level), level)} if level else {}
        return ("language", name, *match.span(group), detail)


_NAME_WORD = re.compile(NAME)


def _age(age: int, span: tuple[int, int]) -> list[Found]:
    if MIN_AGE <= age <= MAX_AGE:
        return [("age", str(age), span[0], span[1], {"from": "text"})]
    return []


def _merge(merged: Merged, field_name: str, found: Found, text: str) -> None:
    kind, value, start, end, detail = found
    key = (kind, value, *detail.items())
    entry = merged.get(key)
    if entry is None:
        merged[key] = entry = (kind, value, [], detail, set())
    if (field_name, start, end) not in entry[4]:
        entry[4].add((field_name, start, end))
        entry[2].append(Span(field_name, start, end, text[start:end]))


def _name_value(word: str) -> str:
    """A name as it would be written on a form: ``ANNA`` and ``anna`` become ``Anna``."""
    if word.isupper() or word.islower():
        return "-".join(part.capitalize() for part in word.split("-"))
    return word
