"""How advertisers write a phone number so that scrapers miss it.

Each :class:`Style` is a habit a writer keeps from advert to advert: spaced or dotted digits,
the letter O for zero, digits spelled out in words, international prefixes, emoji keycaps, or
the number split across a sentence. :func:`render` writes a number in one style;
:data:`CALLS` are the call-to-action sentences writers wrap it in.
"""

from __future__ import annotations

import random
from enum import StrEnum

from plainsight.synth.numbers import PhoneNumber

__all__ = ["CALLS", "FIELD_STYLES", "Style", "render"]


class Style(StrEnum):
    PLAIN = "plain"  # 07700900123
    SPACED = "spaced"  # 07700 900 123
    DOTTED = "dotted"  # 07700.900.123
    DASHED = "dashed"  # 07700-900-123
    LETTERS = "letters"  # O77OO 9OO l23
    WORDS = "words"  # oh seven seven double oh ...
    INTL = "intl"  # +44 7700 900123
    INTL00 = "intl00"  # 0044 7700 900123
    INTL_PAREN = "intl_paren"  # +44 (0) 7700 900123
    KEYCAPS = "keycaps"  # 0️⃣7️⃣7️⃣...
    SPLIT = "split"  # call 07700 then 900123


FIELD_STYLES: tuple[Style, ...] = tuple(s for s in Style if s is not Style.SPLIT)
"""Styles that fit in a site's one-line phone field."""

_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_KEYCAP = "\ufe0f\u20e3"


def _thirds(national: str) -> list[str]:
    """``07700900123`` -> ``['07700', '900', '123']`` (mobile-like three-way split)."""
    return [national[:5], national[5:8], national[8:]]


def _letters(text: str, rng: random.Random) -> str:
    out = []
    for ch in text:
        if ch == "0":
            out.append("O" if rng.random() < 0.85 else "o")
        elif ch == "1":
            out.append("l" if rng.random() < 0.6 else "I")
        else:
            out.append(ch)
    return "".join(out)


def _words(national: str, rng: random.Random) -> str:
    zero = "oh" if rng.random() < 0.6 else "zero"
    use_double = rng.random() < 0.6
    words: list[str] = []
    i = 0
    while i < len(national):
        digit = national[i]
        word = zero if digit == "0" else _WORDS[int(digit)]
        run = 1
        while i + run < len(national) and national[i + run] == digit and run < 3:
            run += 1
        if use_double and run == 3:
            words.append(f"triple {word}")
        elif use_double and run == 2:
            words.append(f"double {word}")
        else:
            run = 1
            words.append(word)
        i += run
    sep = " " if rng.random() < 0.8 else "-"
    return sep.join(words)


def _international(number: PhoneNumber, style: Style) -> str:
    if number.is_mobile:
        head, tail = number.national[1:5], number.national[5:]
    else:
        parts = number.parts()
        head, tail = parts[0][1:], " ".join(parts[1:])
    prefix = {Style.INTL: "+44 ", Style.INTL00: "0044 ", Style.INTL_PAREN: "+44 (0) "}[style]
    return f"{prefix}{head} {tail}"


def render(number: PhoneNumber, style: Style, rng: random.Random) -> str:
    """``number`` written in ``style`` (SPLIT gives the two halves joined by a phrase)."""
    national = number.national
    if style is Style.PLAIN:
        return national
    if style is Style.SPACED:
        return " ".join(_thirds(national)) if rng.random() < 0.5 else number.grouped(" ")
    if style is Style.DOTTED:
        return ".".join(_thirds(national))
    if style is Style.DASHED:
        return "-".join(_thirds(national)) if rng.random() < 0.7 else number.grouped("-")
    if style is Style.LETTERS:
        return _letters(" ".join(_thirds(national)), rng)
    if style is Style.WORDS:
        return _words(national, rng)
    if style in (Style.INTL, Style.INTL00, Style.INTL_PAREN):
        return _international(number, style)
    if style is Style.KEYCAPS:
        groups = _thirds(national)
        return " ".join("".join(d + _KEYCAP for d in g) for g in groups)
    first, last = national[:5], national[5:]
    last_text = last if rng.random() < 0.5 else f"{last[:3]} {last[3:]}"
    joiner = rng.choice(
        (
            "call {a} then {b}",
            "first part {a} last part {b}",
            "{a} ... rest of the number is {b}",
            "start with {a} and finish with {b}",
            "{a} and then {b}",
        )
    )
    return joiner.format(a=first, b=last_text)


CALLS = (
    "Call or text {n}",
    "Call me on {n}",
    "Text {n}",
    "Contact: {n}",
    "Number: {n}",
    "Tel {n}",
    "Bookings {n}",
    "Reach me on {n}",
    "Phone {n} (no withheld numbers)",
    "Mob {n}",
)
