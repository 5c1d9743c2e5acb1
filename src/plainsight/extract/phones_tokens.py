"""Reading digits the way a person would: the tokens a phone number can be written in.

Advertisers write numbers so that scrapers miss them: ``O77OO 9OO l23`` (letters for
digits), ``oh seven seven double oh`` (words), ``0️⃣7️⃣7️⃣`` (emoji keycaps), ``０７７００``
(fullwidth or other unicode digits). :func:`read_groups` finds every such token in one
linear regex pass and gathers tokens that sit next to each other, separated only by spaces,
dots, dashes, slashes, brackets or newlines, into :class:`Group` objects. Each token keeps
its character positions so that a phone fact can point at exactly what was written.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

__all__ = ["Group", "Token", "read_groups"]

_ZERO_LIKE = "OoØøОо〇"  # Latin, slashed, Cyrillic and ideographic look-alikes of 0
_ONE_LIKE = "lIi|ІіǀӀ"  # Latin l, I and i, bar, Cyrillic and click look-alikes of 1
_LOOK = _ZERO_LIKE + _ONE_LIKE
_CIRCLED = {
    **{ch: str(i) for i, ch in enumerate("⓪①②③④⑤⑥⑦⑧⑨")},
    **{ch: str(i) for i, ch in enumerate("⓿❶❷❸❹❺❻❼❽❾")},
    **{ch: str(i + 1) for i, ch in enumerate("➀➁➂➃➄➅➆➇➈")},
    **{ch: str(i + 1) for i, ch in enumerate("➊➋➌➍➎➏➐➑➒")},
}
_KEYCAP = "\ufe0f\u20e3"

_NUMBER_WORDS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "nought": "0",
    "nil": "0",
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
_REPEAT = {"double": 2, "triple": 3, "treble": 3}

_DIGIT = r"[\d" + "".join(_CIRCLED) + "]"
_DIGIT_OR_LOOK = r"[\d" + "".join(_CIRCLED) + _LOOK + "]"
_WORD_ALT = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_REPEAT_ALT = "|".join(_REPEAT)
_SEPARATORS = frozenset(" \t\r\n\u00a0\u2009\u202f.,-/()‐‑–—_")
_SEPARATOR_CLASS = "".join(re.escape(ch) for ch in sorted(_SEPARATORS))
MAX_GAP = 5
"""Most separator characters allowed between two tokens of one group."""

# Each pattern starts on a character it needs and no quantified part overlaps the next, so
# every scan is linear: a failed attempt costs at most the run of characters it started on.
_CORE = re.compile(rf"{_DIGIT}(?:{_DIGIT_OR_LOOK}|\ufe0f?\u20e3)*")
_WORDS = re.compile(
    rf"(?<!\w)(?i:(?:(?:{_REPEAT_ALT})[ \-]{{1,2}})?(?:{_WORD_ALT}|{_DIGIT}))(?!\w)"
)
_SEPARATOR_RUN = re.compile(rf"[{_SEPARATOR_CLASS}]{{0,{MAX_GAP}}}")
_LOOK_AFTER = re.compile(rf"[{_SEPARATOR_CLASS}]{{1,{MAX_GAP}}}([{_LOOK}]{{1,6}})(?!\w)")
_WORD_HINTS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_WORD_HINT_MIN = 3
_RARE_WORDS = re.compile("seven|nine|zero|nought|eight|three|four|five|six")

_TRANSLATE = str.maketrans(
    {
        **dict.fromkeys(_ZERO_LIKE, "0"),
        **dict.fromkeys(_ONE_LIKE, "1"),
        **_CIRCLED,
        "\ufe0f": None,
        "\u20e3": None,
    }
)


class Token(NamedTuple):
    """One run of digits as written (``start``..``end`` of the text) and the digits it means.

    ``how`` is a set of writing habits: ``letters``, ``words``, ``keycaps``, ``unicode``.
    """

    start: int
    end: int
    digits: str
    how: frozenset[str]
    real_digits: int


class Group(NamedTuple):
    """Tokens separated only by short runs of separator characters (``07700 900 123``).

    ``plus`` is where a leading ``+`` sign was written, or -1.
    """

    tokens: tuple[Token, ...]
    plus: int
    digit_count: int

    @property
    def begin(self) -> int:
        """Where the group starts, its ``+`` sign included."""
        return self.plus if self.plus >= 0 else self.tokens[0].start

    @property
    def finish(self) -> int:
        return self.tokens[-1].end


_NO_HOW: frozenset[str] = frozenset()
_HOW_CACHE: dict[tuple[str, ...], frozenset[str]] = {}


def _how(*names: str) -> frozenset[str]:
    found = _HOW_CACHE.get(names)
    if found is None:
        found = _HOW_CACHE[names] = frozenset(names)
    return found


def _digit_token(raw: str, start: int, end: int) -> Token:
    digits = raw.translate(_TRANSLATE)
    habits: list[str] = []
    if not digits.isascii():
        digits = "".join(str(unicodedata.decimal(ch, 0)) for ch in digits)
        habits.append("unicode")
    elif not raw.isascii() and any(ch in _CIRCLED for ch in raw):
        habits.append("unicode")
    real = sum(1 for ch in raw if ch.isdigit())
    if real < len(digits):
        habits.append("letters")
    if "\u20e3" in raw:
        habits.append("keycaps")
    return Token(start, end, digits, _how(*habits) if habits else _NO_HOW, real)


def _word_token(raw: str, start: int, end: int) -> Token:
    parts = raw.lower().replace("-", " ").split()
    times = _REPEAT.get(parts[0], 1) if len(parts) > 1 else 1
    last = parts[-1]
    digit = _NUMBER_WORDS.get(last)
    if digit is None:  # "double 7": a digit after a repeat word
        digit = str(unicodedata.decimal(last[0], 0)) if len(last) == 1 else "0"
        real = 1
        how = _how("words")
    else:
        real = 0
        how = _how("words")
    return Token(start, end, digit * times, how, real)


def _gap_is_separator(text: str, start: int, end: int) -> bool:
    gap = text[start:end]
    return gap == " " or _SEPARATOR_RUN.fullmatch(gap) is not None


def _plus_before(text: str, start: int) -> int:
    if start >= 1 and text[start - 1] in "+＋":
        return start - 1
    if start >= 2 and text[start - 1] == " " and text[start - 2] in "+＋":
        return start - 2
    return -1


def _keep(tokens: list[Token]) -> bool:
    """A group worth reading: real digits, or three number words (not ``oh`` or ``lol``)."""
    real = 0
    words = 0
    for token in tokens:
        real += token.real_digits
        if "words" in token.how:
            words += 1
    return real > 0 or words >= 3


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _core_token(text: str, start: int, end: int) -> Token | None:
    """The digit token around a run of digits, or ``None`` for a short run glued to a word.

    Look-alike letters join the run when it stands as a word of its own (``O77OO``); a run
    written against letters (``Tel07700900123xx``) keeps only its digits, if three or more.
    """
    left = start
    glued = False
    if start > 0:
        before = text[start - 1]
        if before in _LOOK:
            while left > 0 and start - left < 6 and text[left - 1] in _LOOK:
                left -= 1
            if left > 0 and _is_word(text[left - 1]):
                left = start
                glued = True
        elif before.isalnum() or before == "_":
            glued = True
    if end < len(text) and _is_word(text[end]):
        while end > start and text[end - 1] in _LOOK:
            end -= 1
        glued = True
    raw = text[left:end]
    if raw.isdigit() and raw.isascii():
        if glued and len(raw) < 3:
            return None
        return Token(left, end, raw, _NO_HOW, len(raw))
    token = _digit_token(raw, left, end)
    if glued and token.real_digits < 3:
        return None
    return token


def _look_tokens_after(text: str, end: int, limit: int) -> list[Token]:
    """Look-alike-only words (``lOO``) right after ``end`` and before ``limit``."""
    out: list[Token] = []
    while len(out) < 3:
        match = _LOOK_AFTER.match(text, end)
        if match is None or match.end() > limit:
            break
        start, end = match.span(1)
        out.append(Token(start, end, match.group(1).translate(_TRANSLATE), _how("letters"), 0))
    return out


def _look_tokens_before(text: str, start: int) -> list[Token]:
    """Look-alike-only words (``O 7 7``) right before ``start``."""
    out: list[Token] = []
    while len(out) < 3:
        gap = start
        while gap > 0 and start - gap < MAX_GAP and text[gap - 1] in _SEPARATORS:
            gap -= 1
        word = gap
        while word > 0 and gap - word < 6 and text[word - 1] in _LOOK:
            word -= 1
        if gap == start or word == gap or (word > 0 and _is_word(text[word - 1])):
            break
        raw = text[word:gap]
        out.insert(0, Token(word, gap, raw.translate(_TRANSLATE), _how("letters"), 0))
        start = word
    return out


def _has_number_words(text: str) -> bool:
    """Cheap test for a number written in words: a few number words, not just "one"."""
    low = text.lower()
    if not _RARE_WORDS.search(low):
        return False
    return sum(low.count(word) for word in _WORD_HINTS) >= _WORD_HINT_MIN


def _scan_tokens(text: str) -> list[Token]:
    """Digit tokens, and number-word tokens when the text has enough number words."""
    tokens: list[Token] = []
    size = len(text)
    for match in _CORE.finditer(text):
        start, end = match.span()
        raw = match.group()
        if (
            raw.isdigit()
            and raw.isascii()
            and (start == 0 or text[start - 1] in _SEPARATORS)
            and (end == size or text[end] in _SEPARATORS)
        ):
            tokens.append(Token(start, end, raw, _NO_HOW, end - start))
            continue
        token = _core_token(text, start, end)
        if token is not None:
            tokens.append(token)
    if not _has_number_words(text):
        return tokens
    words = [_word_token(m.group(), *m.span()) for m in _WORDS.finditer(text)]
    if not words:
        return tokens
    merged = sorted(tokens + words, key=lambda t: (t.start, -t.end))
    out: list[Token] = []
    for token in merged:
        if out and token.start < out[-1].end:
            continue  # "double 7": the word token already holds the digit
        out.append(token)
    return out


def _close(text: str, tokens: list[Token]) -> Group | None:
    if not tokens[0].real_digits and not _keep(tokens):
        return None
    start = tokens[0].start
    if start > 1 and text[start - 1] in _SEPARATORS:
        head = _look_tokens_before(text, start)
        if head:
            tokens = head + tokens
    digits = sum([len(token.digits) for token in tokens])
    return Group(tuple(tokens), _plus_before(text, tokens[0].start), digits)


def read_groups(text: str) -> list[Group]:
    """Every group of digit-like tokens in ``text``, in order.

    Example: ``read_groups("call O77OO 9OO lOO")`` gives one group of three tokens whose
    digits are ``07700``, ``900`` and ``100``.
    """
    groups: list[Group] = []
    current: list[Token] = []
    for token in _scan_tokens(text):
        if current and not _gap_is_separator(text, current[-1].end, token.start):
            bridge = _look_tokens_after(text, current[-1].end, token.start)
            if bridge:
                current.extend(bridge)
            if not bridge or not _gap_is_separator(text, bridge[-1].end, token.start):
                group = _close(text, current)
                if group is not None:
                    groups.append(group)
                current = []
        current.append(token)
    if current:
        current.extend(_look_tokens_after(text, current[-1].end, len(text)))
        group = _close(text, current)
        if group is not None:
            groups.append(group)
    return groups
