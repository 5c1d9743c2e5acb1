"""Test-side reader that undoes the phone obfuscation styles the synthetic world uses.

Independent of the generator's code on purpose: if the generator starts writing numbers this
reader cannot recover, the tests that use it fail.
"""

from __future__ import annotations

import re

_WORD = {
    "oh": "0",
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_ONE_WORD = r"(?:(?:double|triple)[ -])?(?:" + "|".join(_WORD) + r")\b"
_WORD_RUN = re.compile(r"\b" + _ONE_WORD + r"(?:[ -]" + _ONE_WORD + r")+", re.IGNORECASE)
_LETTER_RUN = re.compile(r"(?<![\w])[0-9OoIil]{2,}(?:[ .\-][0-9OoIil]{2,})+(?![\w])")
_DIGIT_RUN = re.compile(r"(?:\+|\b)\d+(?:[ .\-]\d+)*")


def _words(match: re.Match[str]) -> str:
    digits = []
    for token in re.split(r"[ -]", match.group(0).lower()):
        if token in ("double", "triple"):
            digits.append(token)
            continue
        digit = _WORD[token]
        if digits and digits[-1] in ("double", "triple"):
            times = 2 if digits.pop() == "double" else 3
            digits.append(digit * times)
        else:
            digits.append(digit)
    text = "".join(digits)
    return text if len(text) >= 6 else match.group(0)


def _letters(match: re.Match[str]) -> str:
    text = match.group(0)
    if sum(ch.isdigit() for ch in text) < 3:
        return text
    return text.translate(str.maketrans("OoIil", "00111"))


def normalise(text: str) -> str:
    """``text`` with keycaps, number words and letter look-alikes turned into digits."""
    text = text.replace("\ufe0f\u20e3", "").replace("(0)", "0")
    text = _WORD_RUN.sub(_words, text)
    return _LETTER_RUN.sub(_letters, text)


def _national(digits: str) -> str:
    if digits.startswith("0044"):
        return "0" + digits[4:]
    if digits.startswith("440") and len(digits) == 13:
        return "0" + digits[3:]
    if digits.startswith("44") and len(digits) == 12:
        return "0" + digits[2:]
    return digits


def phone_runs(text: str) -> list[str]:
    """Every phone-like digit run (7+ digits) in ``text``, as national digits.

    Runs split across a sentence (``call 07700 then 900123``) are joined back together.
    """
    runs = [
        (m.start(), m.end(), _national(re.sub(r"\D", "", m.group(0))))
        for m in _DIGIT_RUN.finditer(normalise(text))
    ]
    found: list[str] = []
    skip = False
    for i, (_, end, digits) in enumerate(runs):
        if skip:
            skip = False
            continue
        if digits.startswith("0") and 4 <= len(digits) <= 5 and i + 1 < len(runs):
            start_next, _, next_digits = runs[i + 1]
            if start_next - end <= 40 and len(digits + next_digits) == 11:
                found.append(digits + next_digits)
                skip = True
                continue
        if len(digits) >= 7:
            found.append(digits)
    return found


def capture_numbers(capture: dict[str, object]) -> list[str]:
    """Phone-like runs in a capture's phone field, title and body."""
    out: list[str] = []
    for field in ("phone", "title", "body"):
        value = capture.get(field)
        if isinstance(value, str):
            out.extend(phone_runs(value))
    return out
