"""MO text that suggests exploitation, and crimes that share an address or an adult.

The recording audit's rule ``mo-suggests-exploitation`` (:mod:`plainsight.crime.audit`) reads
the modus operandi (MO) of crimes that carry no modern slavery marker. The words are in
``data/exploitation_terms.toml``, each with how much it says on its own and why it matters:

- a **strong** term (it names control or exploitation: "told to steal", "debt bondage") is
  a lead on its own;
- a **supporting** term ("juvenile", "appropriate adult") is a lead only when the crime is
  grouped with another such crime: the same address, postcode or appropriate adult in the
  MO, or the same area (LSOA) on the same day, each recorded within ``window_days`` of the
  next. That is the committee report's "Op Sun" (Pol 25-24, para 22): juveniles arrested for
  distraction theft, all giving one address and asking for one appropriate adult.

>>> leads = mo_leads(crimes)  # doctest: +SKIP
>>> leads[0].matched[0][0], leads[0].related[:2]  # doctest: +SKIP
('juvenile', ('CLP/19/002288', 'CLP/19/002381'))
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from plainsight.crime.records import Crime

__all__ = ["KEY_WORDS", "TERMS_FILE", "MoLead", "Term", "Vocabulary", "mo_leads"]

TERMS_FILE = Path(__file__).parent / "data" / "exploitation_terms.toml"

#: How each kind of shared key is named to the reviewer.
KEY_WORDS: dict[str, str] = {
    "address": "the address",
    "postcode": "the postcode",
    "adult": "the appropriate adult",
    "place": "the area (LSOA) and day",
}


@dataclass(frozen=True, slots=True)
class Term:
    """A phrase or pattern in MO text, whether it is a lead on its own, and why it matters."""

    label: str
    regex: re.Pattern[str]
    strong: bool
    why: str


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The terms, and how crimes are grouped: within ``window_days``, ``min_crimes`` or more."""

    terms: tuple[Term, ...]
    window_days: int = 180
    min_crimes: int = 2
    screen: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # One pass over each MO finds the few that match any term; most match none.
        either = "|".join(f"(?:{term.regex.pattern})" for term in self.terms) or r"(?!)"
        object.__setattr__(self, "screen", re.compile(either, re.IGNORECASE))

    @classmethod
    def load(cls, path: Path = TERMS_FILE) -> Vocabulary:
        """Read a vocabulary file; raises ``ValueError`` naming the entry that is wrong."""
        with path.open("rb") as handle:
            return cls.parse(tomllib.load(handle), str(path))

    @classmethod
    def parse(cls, data: Mapping[str, Any], where: str = "vocabulary") -> Vocabulary:
        """Build a vocabulary from parsed TOML (``[[term]]`` entries and ``[grouping]``)."""
        terms: list[Term] = []
        for index, entry in enumerate(data.get("term", []), start=1):
            at = f"{where}: term {index}"
            strength, why = entry.get("strength"), entry.get("why")
            if strength not in ("strong", "supporting") or not isinstance(why, str) or not why:
                raise ValueError(f"{at}: needs strength (strong or supporting) and a why")
            phrase, pattern = entry.get("phrase"), entry.get("pattern")
            if isinstance(phrase, str) and phrase.strip():
                label = phrase.strip()
                source = r"\b" + r"[\s-]+".join(re.escape(w) for w in label.split()) + r"\b"
            elif isinstance(pattern, str) and pattern:
                label = source = pattern
            else:
                raise ValueError(f"{at}: needs a phrase or a pattern")
            try:
                regex = re.compile(source, re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"{at}: bad pattern: {exc}") from exc
            terms.append(Term(label, regex, strength == "strong", why))
        grouping = data.get("grouping", {})
        window, least = grouping.get("window_days", 180), grouping.get("min_crimes", 2)
        if not (isinstance(window, int) and window >= 0 and isinstance(least, int) and least >= 2):
            raise ValueError(f"{where}: grouping needs window_days >= 0 and min_crimes >= 2")
        return cls(tuple(terms), window, least)


@cache
def default_vocabulary() -> Vocabulary:
    """The vocabulary shipped with plainsight (read once)."""
    return Vocabulary.load()


@dataclass(frozen=True, slots=True)
class MoLead:
    """A crime whose MO suggests exploitation.

    ``matched`` pairs the words as written with the term they matched; ``related`` are the
    other crimes of its group, oldest first; ``shared`` names what it shares with them, as
    (kind, words as written), kind being a key of :data:`KEY_WORDS`.
    """

    crime: Crime
    matched: tuple[tuple[str, Term], ...]
    related: tuple[str, ...] = ()
    shared: tuple[tuple[str, str], ...] = ()


def mo_leads(crimes: Iterable[Crime], vocabulary: Vocabulary | None = None) -> list[MoLead]:
    """The crimes among ``crimes`` whose MO text is a lead, in the order given.

    The caller chooses which crimes to read (the audit passes those with no marker that are
    not modern slavery offences).
    """
    vocabulary = vocabulary or default_vocabulary()
    hits: dict[str, tuple[Crime, tuple[tuple[str, Term], ...]]] = {}
    for crime in crimes:
        if not crime.mo_text or not vocabulary.screen.search(crime.mo_text):
            continue
        matched = tuple(
            (found.group(0), term)
            for term in vocabulary.terms
            if (found := term.regex.search(crime.mo_text))
        )
        if matched:
            hits[crime.crime_ref] = (crime, matched)
    groups, shared = _group({ref: crime for ref, (crime, _) in hits.items()}, vocabulary)
    leads = []
    for ref, (crime, matched) in hits.items():
        group = groups[ref]
        if len(group) >= vocabulary.min_crimes:
            others = sorted((r for r in group if r != ref), key=lambda r: (hits[r][0].recorded, r))
            leads.append(MoLead(crime, matched, tuple(others), tuple(sorted(shared[ref]))))
        elif any(term.strong for _, term in matched):
            leads.append(MoLead(crime, matched))
    return leads


_ADDRESS = re.compile(
    r"\baddress(?:es)?\s+(?:of\s+|as\s+|at\s+|:\s*)?([^;()\n]+?)\s*(?:[;()]|\.\s|\.?$)"
)
_ADULT = re.compile(
    r"\bappropriate adult(?:\s+was|\s+named|:)?\s+((?:[A-Z][\w'-]+)(?:\s+[A-Z][\w'-]+)+)"
)
_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b")


def keys_of(crime: Crime) -> dict[tuple[str, str], str]:
    """What a crime may share with another, each key with the words it came from.

    Addresses and postcodes written in the MO, the named appropriate adult, and the area
    (LSOA) with the recorded day.
    """
    text = crime.mo_text
    keys: dict[tuple[str, str], str] = {}
    for match in _ADDRESS.finditer(text):
        written = match.group(1).strip(" ,.")
        keys[("address", re.sub(r"[^a-z0-9]+", " ", written.lower()).strip())] = written
    for match in _POSTCODE.finditer(text):
        keys[("postcode", match.group(1) + match.group(2))] = f"{match.group(1)} {match.group(2)}"
    for match in _ADULT.finditer(text):
        keys[("adult", match.group(1).lower())] = match.group(1)
    if crime.lsoa_code:
        day = crime.recorded_day.isoformat()
        keys[("place", f"{crime.lsoa_code} {day}")] = f"{crime.lsoa_code} on {day}"
    return keys


def _group(
    crimes: dict[str, Crime], vocabulary: Vocabulary
) -> tuple[dict[str, set[str]], dict[str, set[tuple[str, str]]]]:
    """Crimes joined by a shared key, each recorded within the window of the next (a chain)."""
    parent = {ref: ref for ref in crimes}

    def root(ref: str) -> str:
        while parent[ref] != ref:
            parent[ref] = parent[parent[ref]]
            ref = parent[ref]
        return ref

    by_key: dict[tuple[str, str], list[tuple[datetime, str]]] = defaultdict(list)
    written: dict[str, dict[tuple[str, str], str]] = {}
    for ref, crime in crimes.items():
        written[ref] = keys_of(crime)
        for key in written[ref]:
            by_key[key].append((crime.recorded, ref))
    shared: dict[str, set[tuple[str, str]]] = defaultdict(set)
    window = timedelta(days=vocabulary.window_days)
    for key, members in by_key.items():
        members.sort()
        for (before, a), (after, b) in pairwise(members):
            if after - before <= window:
                parent[root(a)] = root(b)
                shared[a].add((key[0], written[a][key]))
                shared[b].add((key[0], written[b][key]))
    groups: dict[str, set[str]] = defaultdict(set)
    for ref in crimes:
        groups[root(ref)].add(ref)
    return {ref: groups[root(ref)] for ref in crimes}, shared
