"""The grammar of persona details: one scanning regex, and the small regexes tried at each hit.

Speed comes from doing little at most characters. :class:`Grammar` compiles:

* ``scan``: one trie regex over *anchors*, the words where a persona detail can start
  (every vocabulary phrase, cue words such as "I'm", "aged", "speaks", "from", level and
  language words, number words), plus any digit and any currency sign;
* ``anchors``: for each anchor (by :func:`~plainsight.extract.persona_vocab.phrase_key`), the
  rules to try there, in order;
* one anchored regex per rule, matched only where the scan stopped.

All patterns are written in lower case and run on lower-cased text without ``IGNORECASE``
(the extractor lower-cases each field once, keeping every character position), which lets
the regex engine skip quickly over characters that cannot start a match.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from plainsight.extract.persona_price import AMOUNT_FIRST, DURATION_FIRST
from plainsight.extract.persona_vocab import PersonaVocab, phrase_key, phrase_pattern

__all__ = ["NUMBER_WORDS", "Grammar", "number_word_value"]

_UNITS = (
    r"m|mins?|minutes?|h|hrs?|hours?|ph|p/h|k|st|nd|rd|th|am|pm|cm|kg|ft|mph|miles|quid|"
    r"pounds?|gbp|euros?|x|sec|secs|seconds|days?|weeks?|months?"
)
AGE_TAIL = rf"(?![\d%/:£$€+]|[.,]\d|\s*(?:{_UNITS})(?!\w))"
"""After an age: not a longer number, a time, a price, an ordinal or a quantity."""
AGE_HEAD = r"(?<![£$€\d.,:/#+])"
"""Before an age: not part of a price, decimal, time, reference or phone number."""
NAME = r"[^\W\d_]{2,20}(?:-[^\W\d_]{2,20})?"

_ONES = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy")
_TEENS = {"sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "eighty": 80}
NUMBER_WORDS = (*_TEENS, *_TENS)
_NUMBER_WORD = rf"(?:{'|'.join(_TEENS)}|(?:{'|'.join(_TENS)})(?:[\s\-]+(?:{'|'.join(_ONES)}))?)"


def number_word_value(text: str) -> int:
    """``twenty-one`` -> 21 (only the words :data:`_NUMBER_WORD` accepts)."""
    words = text.lower().replace("-", " ").split()
    if words[0] in _TEENS:
        return _TEENS[words[0]]
    value = (_TENS.index(words[0]) + 2) * 10
    return value + (_ONES.index(words[1]) + 1 if len(words) > 1 else 0)


AGE_CUES = ("aged", "age", "age is", "i'm", "i am", "im", "she is", "she's")
NAME_CUES = ("my name is", "my name's", "call me", "this is", "meet", "introducing", "presents")
NAME_CUES_WITH_SELF = ("i'm", "i am", "im", *NAME_CUES)
LANGUAGE_CUES = ("speak", "speaks", "speaking", "fluent in", "language", "languages")
PRICE_WORDS = ("half", "overnight", "one", "gbp", "usd", "eur")

RULES: Mapping[str, tuple[str, ...]] = {
    "digit": ("price_b", "price_a", "age_years", "name_age"),
    "currency": ("price_a",),
    "age_cue": ("age_cue", "age_words", "intro"),
    "name_cue": ("intro",),
    "language_cue": ("languages",),
    "language": ("language_level", "language_speaking"),
    "level": ("level_language",),
    "from": ("country",),
    "here": ("name_here",),
    "number_word": ("age_number",),
    "price_word": ("price_b", "price_a"),
}
"""Anchor class -> rules tried there in order (then the vocabulary, if the anchor is in it)."""


def _cue(phrases: tuple[str, ...]) -> str:
    return f"(?:{phrase_pattern(phrases)})"


@dataclass(frozen=True)
class Grammar:
    """Compiled patterns for one vocabulary (see the module doc)."""

    scan: re.Pattern[str]
    anchors: Mapping[str, tuple[str, ...]]
    rules: Mapping[str, re.Pattern[str]]
    language_item: re.Pattern[str]
    name_before: re.Pattern[str]
    """The word just before an age ("Anna, " in "Anna, 23"), searched up to the age."""
    name_before_here: re.Pattern[str]

    @classmethod
    def build(cls, vocab: PersonaVocab) -> Grammar:
        languages = phrase_pattern(vocab.language_names)
        levels = phrase_pattern(vocab.levels)
        one_language = rf"(?:(?:{levels})\s+)?(?:{languages})(?!\w)"
        rules = {
            "price_b": DURATION_FIRST,
            "price_a": AMOUNT_FIRST,
            "age_years": rf"{AGE_HEAD}(?P<age>\d{{2}})(?!\d)\s*-?\s*"
            r"(?:yo|y\.\s*o\.?|y\s*/\s*o|yrs?|years?)(?:[\s\-]+old)?(?!\w)"
            r"(?!\s+(?:of\s+)?(?:experience|exp|ago|in\b))",
            "name_age": rf"{AGE_HEAD}(?P<age>\d{{2}})(?!\d){AGE_TAIL}",
            "age_cue": rf"{_cue(AGE_CUES)}\s*[:\-]?\s*(?P<age>\d{{1,3}})(?!\d){AGE_TAIL}",
            "age_words": rf"{_cue(AGE_CUES)}\s*:?\s*(?P<words>{_NUMBER_WORD})(?!\w)",
            "age_number": rf"(?P<words>{_NUMBER_WORD})[\s\-]*(?:years?|yrs?|yo|y/o)(?!\w)",
            "intro": rf"{_cue(NAME_CUES_WITH_SELF)}\s*:?\s+(?P<name>{NAME})(?!\w)"
            rf"(?:\s*,\s*{AGE_HEAD}(?P<age>\d{{2}})(?!\d){AGE_TAIL})?",
            "languages": rf"{_cue(LANGUAGE_CUES)}\s*:?\s+{one_language}"
            rf"(?:\s*(?:,|&|/|\+|and|or)\s*{one_language})*",
            "language_level": rf"(?P<lang>{languages})\s*[:\-–]\s*(?P<level>{levels})(?!\w)",
            "language_speaking": rf"(?P<lang>{languages})[\s\-]+speak(?:ing|er)(?!\w)",
            "level_language": rf"(?P<level>{levels})\s+(?P<lang>{languages})(?!\w)",
            "country": rf"from\s+(?:the\s+)?(?P<country>{phrase_pattern(vocab.country_names)})"
            r"(?!\w)",
            "name_here": r"here(?!\w)",
        }
        classes: dict[str, tuple[str, ...]] = {
            "age_cue": AGE_CUES,
            "name_cue": NAME_CUES,
            "language_cue": LANGUAGE_CUES,
            "language": vocab.language_names,
            "level": tuple(vocab.levels),
            "from": ("from",),
            "here": ("here",),
            "number_word": NUMBER_WORDS,
            "price_word": PRICE_WORDS,
        }
        anchors: dict[str, tuple[str, ...]] = {}
        for anchor_class, words in classes.items():
            for word in words:
                key = phrase_key(word)
                anchors[key] = anchors.get(key, ()) + tuple(
                    r for r in RULES[anchor_class] if r not in anchors.get(key, ())
                )
        written = (*vocab.written, *(w for words in classes.values() for w in words))
        anchor = rf"(?P<word>{phrase_pattern(written)})(?!\w)"
        scan = rf"(?<!\w)(?:{anchor}|(?P<digit>\d)|(?P<currency>[£€$]))"
        return cls(
            scan=re.compile(scan),
            anchors=anchors,
            rules={name: re.compile(regex) for name, regex in rules.items()},
            language_item=re.compile(rf"(?:(?P<level>{levels})\s+)?(?P<lang>{languages})(?!\w)"),
            name_before=re.compile(rf"(?<![\w'’])(?P<name>{NAME})[ \t]*,?[ \t]*\Z"),
            name_before_here=re.compile(rf"(?<![\w'’])(?P<name>{NAME})[ \t]+\Z"),
        )
