"""The persona vocabulary: word lists loaded from a data file and compiled into tries.

``data/persona_vocab.toml`` holds the words (nationalities, countries, ethnicities,
languages, services, availability, incall/outcall, words that are not names). This module
reads it once and turns each word list into a *trie regex*: one alternation in which shared
prefixes are factored out, so a long list costs little more than a short one at match time
and the longest phrase starting at a place always wins.

The phrase syntax (shared with the indicator catalogue): matching ignores case; a space
matches a run of spaces or hyphens; a hyphen matches a space, a hyphen or nothing; an
apostrophe may be straight, curly or missing. :func:`phrase_key` gives the form two ways of
writing the same phrase share, for looking a match up in a table.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "DATA_DIR",
    "PersonaVocab",
    "VocabEntry",
    "load_vocab",
    "lower_in_place",
    "phrase_key",
    "phrase_pattern",
]

DATA_DIR = Path(__file__).parent / "data"
VOCAB_FILE = DATA_DIR / "persona_vocab.toml"

_KEY_DROP = re.compile(r"[\s\-'’]+")
_TOKEN_REGEX = {" ": r"[\s\-]+", "-": r"[\s\-]*", "'": r"['’]?", "’": r"['’]?"}

Trie = dict[str, "Trie"]


def phrase_key(text: str) -> str:
    """The lookup form of a phrase: lower case, without spaces, hyphens or apostrophes."""
    return _KEY_DROP.sub("", text).lower()


def lower_in_place(text: str) -> str:
    """Lower case with every character kept at its position (a few letters grow when lowered).

    Patterns from :func:`phrase_pattern` are lower case and run on this, without IGNORECASE.
    """
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def phrase_pattern(phrases: Iterable[str]) -> str:
    """One regex (no groups, no boundaries) matching any of ``phrases``, longest first.

    >>> re.fullmatch(phrase_pattern(["new in town", "new"]), "new  in-town") is not None
    True
    """
    trie: Trie = {}
    for phrase in phrases:
        words = " ".join(phrase.lower().split())
        if not words:
            continue
        node = trie
        for char in words:
            node = node.setdefault(char, {})
        node[""] = {}
    return _emit(trie)


def _emit(node: Trie) -> str:
    branches = [_TOKEN_REGEX.get(c, re.escape(c)) + _emit(child) for c, child in node.items() if c]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return f"(?:{body})?"
    return body


@dataclass(frozen=True)
class VocabEntry:
    """What a vocabulary phrase says: facts of ``kind`` with ``value`` (one phrase may say two)."""

    facts: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PersonaVocab:
    """The loaded vocabulary, ready to compile."""

    phrases: Mapping[str, VocabEntry]
    """phrase key -> facts, for every phrase matched anywhere (demonyms, ethnicities...)."""
    written: tuple[str, ...]
    """Every phrase of ``phrases`` as written, for building the trie."""
    countries: Mapping[str, str]
    """country key -> demonym (matched only after "from")."""
    country_names: tuple[str, ...]
    languages: Mapping[str, str]
    """language key -> language name."""
    language_names: tuple[str, ...]
    levels: Mapping[str, str]
    """level word -> normal level ("no" -> "none")."""
    not_names: frozenset[str]
    """lower-case words never taken as a name."""


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: expected a list of strings")
    return list(value)


def _table(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    table = data.get(name)
    if not isinstance(table, dict):
        raise ValueError(f"persona vocabulary: missing table [{name}]")
    return table


def _add(phrases: dict[str, list[tuple[str, str]]], phrase: str, kind: str, value: str) -> None:
    facts = phrases.setdefault(phrase, [])
    if (kind, value) not in facts:
        facts.append((kind, value))


def _parse(data: Mapping[str, Any]) -> PersonaVocab:
    phrases: dict[str, list[tuple[str, str]]] = {}
    for demonym, others in _table(data, "nationalities").items():
        for phrase in [demonym, *_strings(others, f"nationalities.{demonym}")]:
            _add(phrases, phrase, "nationality", demonym)
    for canonical, written in _table(data, "ethnicities").items():
        for phrase in _strings(written, f"ethnicities.{canonical}"):
            _add(phrases, phrase, "ethnicity", canonical)
    for category, written in _table(data, "services").items():
        for phrase in _strings(written, f"services.{category}"):
            _add(phrases, phrase, "service", category)
    for value, written in _table(data, "availability").items():
        for phrase in _strings(written, f"availability.{value}"):
            _add(phrases, phrase, "availability", value)
    for phrase, triple in _table(data, "calls").items():
        kind, value, availability = _strings(triple, f"calls.{phrase}")
        _add(phrases, phrase, kind, value)
        if availability:
            _add(phrases, phrase, "availability", availability)
    countries = {str(k): str(v) for k, v in _table(data, "countries").items()}
    languages = _table(data, "languages")
    language_names = _strings(languages.get("names"), "languages.names")
    levels = {str(k): str(v) for k, v in languages.get("levels", {}).items()}
    not_names = {w.lower() for w in _strings(_table(data, "names").get("not_names"), "names")}
    not_names |= {p.lower() for p in phrases}
    not_names |= {n.lower() for n in language_names} | {c.lower() for c in countries}
    return PersonaVocab(
        phrases={phrase_key(p): VocabEntry(tuple(f)) for p, f in phrases.items()},
        written=tuple(phrases),
        countries={phrase_key(c): d for c, d in countries.items()},
        country_names=tuple(countries),
        languages={phrase_key(n): n for n in language_names},
        language_names=tuple(language_names),
        levels={phrase_key(k): v for k, v in levels.items()},
        not_names=frozenset(not_names),
    )


@cache
def _load_default() -> PersonaVocab:
    with VOCAB_FILE.open("rb") as handle:
        return _parse(tomllib.load(handle))


def load_vocab(path: Path | None = None) -> PersonaVocab:
    """Read the vocabulary (the packaged file unless ``path``); raises ValueError if malformed."""
    if path is None:
        return _load_default()
    with path.open("rb") as handle:
        return _parse(tomllib.load(handle))
