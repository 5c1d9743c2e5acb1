"""Indicators: the catalogue of MDSHT screening signals, and the engine that finds them in adverts.

An indicator is a **lead for a person to review, never a finding**. The catalogue
(``data/indicators.toml``, documented in ``docs/indicators.md``) gives each one an id, a
plain-English label, the level it applies to (advert, persona, network), a default weight, a
direction, and the published basis for it. A force changes the weights without touching the
file::

    catalogue = Catalogue.load(weights={"price_below_median": 0.0, "youth_language": 1.5})
    hits = IndicatorEngine(catalogue, price_medians={"default": 150.0}).evaluate(advert, facts)

:class:`IndicatorEngine` evaluates the advert-level indicators (persona and network ones are
catalogued here and evaluated by the linking stage). The text cues are found in one regex
pass per field; the others read the facts the extractors produced (phones written
``obfuscated``, nationality and ethnicity, availability, prices, ages). Every
:class:`~plainsight.extract.facts.Hit` carries its evidence spans and a note; its ``weight``
is signed: negative for an indicator whose direction is ``lowers``. A weight of 0 switches an
indicator off.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast, get_args

from plainsight.extract.facts import TEXT_FIELDS, AdvertText, Fact, Hit, Span
from plainsight.extract.persona_vocab import DATA_DIR, lower_in_place, phrase_key, phrase_pattern

__all__ = [
    "ADVERT_CHECKS",
    "CATALOGUE_FILE",
    "PRICE_RATIO",
    "Catalogue",
    "Indicator",
    "IndicatorEngine",
]

CATALOGUE_FILE = DATA_DIR / "indicators.toml"
PRICE_RATIO = 0.6
"""price_below_median fires when a one-hour price is below this share of the local median."""
YOUNG_AGES = range(16, 20)

Level = Literal["advert", "persona", "network"]
Direction = Literal["raises", "lowers"]
_ID = re.compile(r"[a-z][a-z0-9_]*\Z")


@dataclass(frozen=True)
class Indicator:
    """One catalogued indicator. ``phrases``/``unless``/``values`` feed the text checks."""

    id: str
    label: str
    level: Level
    weight: float
    direction: Direction
    basis: str
    description: str
    phrases: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    values: tuple[str, ...] = ()

    @property
    def signed_weight(self) -> float:
        """The weight a hit carries: negative when the indicator lowers concern."""
        return -self.weight if self.direction == "lowers" else self.weight


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _texts(entry: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(value)


def _weight(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where}: weight must be a number")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{where}: weight must be finite and not negative, got {value}")
    return float(value)


def _indicator(entry: Mapping[str, Any], number: int) -> Indicator:
    where = f"indicator #{number}"
    ident = _text(entry, "id", where)
    where = f"indicator {ident!r}"
    if not _ID.match(ident):
        raise ValueError(f"{where}: ids are lower-case letters, digits and underscores")
    level = _text(entry, "level", where)
    direction = _text(entry, "direction", where)
    if level not in get_args(Level):
        raise ValueError(f"{where}: level must be one of {get_args(Level)}, got {level!r}")
    if direction not in get_args(Direction):
        raise ValueError(f"{where}: direction must be one of {get_args(Direction)}")
    return Indicator(
        id=ident,
        label=_text(entry, "label", where),
        level=cast(Level, level),
        weight=_weight(entry.get("weight"), where),
        direction=cast(Direction, direction),
        basis=_text(entry, "basis", where),
        description=_text(entry, "description", where),
        phrases=_texts(entry, "phrases", where),
        unless=_texts(entry, "unless", where),
        values=_texts(entry, "values", where),
    )


class Catalogue:
    """The indicators, in catalogue order, with any per-force weights applied."""

    def __init__(self, indicators: Sequence[Indicator]) -> None:
        self._by_id: dict[str, Indicator] = {}
        for indicator in indicators:
            if indicator.id in self._by_id:
                raise ValueError(f"indicator {indicator.id!r} is catalogued twice")
            self._by_id[indicator.id] = indicator

    @classmethod
    def load(
        cls, path: Path | None = None, weights: Mapping[str, float] | None = None
    ) -> Catalogue:
        """Read the catalogue (the packaged one unless ``path``), then apply ``weights``.

        Raises ValueError for a malformed file, or for weights naming unknown indicators
        (all unknown ids are named) or that are negative or not finite.
        """
        with (path or CATALOGUE_FILE).open("rb") as handle:
            data = tomllib.load(handle)
        entries = data.get("indicator")
        if not isinstance(entries, list) or not entries:
            raise ValueError("indicator catalogue: no [[indicator]] entries")
        catalogue = cls([_indicator(entry, n) for n, entry in enumerate(entries, 1)])
        return catalogue.with_weights(weights) if weights else catalogue

    def with_weights(self, weights: Mapping[str, float]) -> Catalogue:
        """A copy with some weights replaced (a force's settings)."""
        unknown = sorted(set(weights) - set(self._by_id))
        if unknown:
            raise ValueError(f"unknown indicator ids in weights: {', '.join(unknown)}")
        return Catalogue(
            [
                _replace_weight(i, _weight(weights[i.id], f"weight for {i.id!r}"))
                if i.id in weights
                else i
                for i in self
            ]
        )

    def get(self, id: str) -> Indicator:
        """The indicator ``id``; KeyError naming it if not catalogued."""
        try:
            return self._by_id[id]
        except KeyError:
            raise KeyError(f"no indicator {id!r} in the catalogue") from None

    def __contains__(self, id: object) -> bool:
        return id in self._by_id

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)


def _replace_weight(indicator: Indicator, weight: float) -> Indicator:
    return Indicator(**{**indicator.__dict__, "weight": weight})


@dataclass
class _Evidence:
    """What one evaluation has to go on: the advert, its facts by kind, its phrase matches."""

    advert: AdvertText
    facts: dict[str, list[Fact]]
    phrases: dict[str, list[Span]]
    medians: Mapping[str, float]
    area: str | None = None


Finding = tuple[tuple[Span, ...], str] | None
"""(evidence spans, note) when an indicator fires, else None."""


def _spans(facts: Sequence[Fact]) -> tuple[Span, ...]:
    return tuple(span for fact in facts for span in fact.spans)


def _quoted(spans: Sequence[Span]) -> str:
    seen = dict.fromkeys(span.text.strip().lower() for span in spans)
    return ", ".join(f"'{text}'" for text in list(seen)[:6])


def _phrase_check(ident: str) -> Callable[[Indicator, _Evidence], Finding]:
    def check(indicator: Indicator, evidence: _Evidence) -> Finding:
        spans = evidence.phrases.get(ident)
        if not spans:
            return None
        return tuple(spans), f"{indicator.label}: {_quoted(spans)}."

    return check


def _obscured_contact(indicator: Indicator, evidence: _Evidence) -> Finding:
    hidden = [f for f in evidence.facts.get("phone", []) if f.written == "obfuscated"]
    if not hidden:
        return None
    numbers = ", ".join(dict.fromkeys(f.value for f in hidden))
    return _spans(hidden), f"{indicator.label}: {numbers} written as {_quoted(_spans(hidden))}."


def _stated_ethnicity(indicator: Indicator, evidence: _Evidence) -> Finding:
    stated = evidence.facts.get("ethnicity", []) + evidence.facts.get("nationality", [])
    if not stated:
        return None
    values = ", ".join(dict.fromkeys(f.value for f in stated))
    return _spans(stated), f"{indicator.label}: {values}."


def _restricted_availability(indicator: Indicator, evidence: _Evidence) -> Finding:
    wanted = {v.lower() for v in indicator.values}
    found = [f for f in evidence.facts.get("availability", []) if f.value.lower() in wanted]
    if not found:
        return None
    return _spans(found), f"{indicator.label}: {', '.join(dict.fromkeys(f.value for f in found))}."


def _very_young_age(indicator: Indicator, evidence: _Evidence) -> Finding:
    young = [
        f for f in evidence.facts.get("age", []) if f.value.isdigit() and int(f.value) in YOUNG_AGES
    ]
    if not young:
        return None
    ages = sorted({int(f.value) for f in young})
    where = ["age field" if f.detail.get("from") == "field" else "text" for f in young]
    note = f"Stated age {', '.join(map(str, ages))} ({' and '.join(dict.fromkeys(where))})."
    if ages[0] < 18:
        note += " Under 18: a possible child - safeguarding priority."
    return _spans(young), note


def _town_median(evidence: _Evidence) -> tuple[str, float] | None:
    if evidence.area is not None and evidence.area in evidence.medians:
        return evidence.area, evidence.medians[evidence.area]
    medians = {k.lower(): (k, v) for k, v in evidence.medians.items()}
    for place in evidence.facts.get("place", []):
        if place.value.lower() in medians:
            return medians[place.value.lower()]
    location = phrase_key(evidence.advert.text("location_text"))
    for key, (town, value) in medians.items():
        if key != "default" and location and phrase_key(key) in location:
            return town, value
    return medians.get("default")


def _price_below_median(indicator: Indicator, evidence: _Evidence) -> Finding:
    hourly = [f for f in evidence.facts.get("price", []) if f.detail.get("minutes") == 60]
    median = _town_median(evidence) if hourly else None
    if median is None:
        return None
    town, value = median
    cheap = [f for f in hourly if float(f.detail.get("amount", 0)) < PRICE_RATIO * value]
    if not cheap:
        return None
    lowest = min(cheap, key=lambda f: float(f.detail.get("amount", 0)))
    return _spans(cheap), (
        f"{indicator.label}: {lowest.value} against a median of {value:g} per hour ({town}); "
        f"below {PRICE_RATIO:g} of the median."
    )


ADVERT_CHECKS: tuple[tuple[str, Callable[[Indicator, _Evidence], Finding]], ...] = (
    ("obscured_contact", _obscured_contact),
    ("youth_language", _phrase_check("youth_language")),
    ("stated_ethnicity", _stated_ethnicity),
    ("reassurance_language", _phrase_check("reassurance_language")),
    ("movement_language", _phrase_check("movement_language")),
    ("third_person", _phrase_check("third_person")),
    ("several_workers", _phrase_check("several_workers")),
    ("controller_cues", _phrase_check("controller_cues")),
    ("restricted_availability", _restricted_availability),
    ("price_below_median", _price_below_median),
    ("very_young_age", _very_young_age),
)
"""The advert-level checks, registered in one explicit list: (indicator id, check)."""

_UNLESS = ""
"""Key under which a cancelling phrase ("not an agency") is recorded, then ignored."""


class IndicatorEngine:
    """Advert-level indicator hits for one advert and its facts.

    ``price_medians`` maps a town (as a place fact or in the location text) or ``"default"``
    to the median one-hour price there; without it price_below_median never fires.
    """

    def __init__(
        self,
        catalogue: Catalogue | None = None,
        price_medians: Mapping[str, float] | None = None,
    ) -> None:
        self.catalogue = catalogue or Catalogue.load()
        self.price_medians = dict(price_medians or {})
        for town, median in self.price_medians.items():
            if not math.isfinite(median) or median <= 0:
                raise ValueError(f"price median for {town!r} must be positive, got {median}")
        self._checks = [
            (self.catalogue.get(ident), check)
            for ident, check in ADVERT_CHECKS
            if ident in self.catalogue and self.catalogue.get(ident).weight > 0
        ]
        self._owners: dict[str, list[str]] = {}
        for indicator, _ in self._checks:
            for phrase in indicator.phrases:
                self._owners.setdefault(phrase_key(phrase), []).append(indicator.id)
            for phrase in indicator.unless:
                self._owners.setdefault(phrase_key(phrase), []).insert(0, _UNLESS)
        written = self._written()
        self._phrases = re.compile(rf"(?<!\w){phrase_pattern(written)}(?!\w)") if written else None
        self._seen: dict[str, list[str]] = {}

    def _owners_of(self, written: str) -> list[str]:
        owners = self._seen.get(written)
        if owners is None:
            owners = self._owners.get(phrase_key(written), [])
            if len(self._seen) < 4096:
                self._seen[written] = owners
        return owners

    def _written(self) -> list[str]:
        return [p for i, _ in self._checks for p in (*i.phrases, *i.unless)]

    def evaluate(
        self,
        advert: AdvertText,
        facts: Sequence[Fact],
        *,
        area: str | None = None,
        only: Collection[str] | None = None,
    ) -> list[Hit]:
        """The hits on ``advert``, in catalogue order, each with its evidence and a note.

        ``area`` names the key of ``price_medians`` that applies to this advert, where the
        caller knows it; ``only`` restricts evaluation to those indicator ids.
        """
        by_kind: dict[str, list[Fact]] = {}
        for fact in facts:
            by_kind.setdefault(fact.kind, []).append(fact)
        phrases = self._phrase_spans(advert) if only is None else {}
        evidence = _Evidence(advert, by_kind, phrases, self.price_medians, area)
        hits = []
        for indicator, check in self._checks:
            if only is not None and indicator.id not in only:
                continue
            finding = check(indicator, evidence)
            if finding is not None:
                spans, note = finding
                hits.append(
                    Hit(indicator.id, indicator.level, indicator.signed_weight, spans, note)
                )
        return hits

    def _phrase_spans(self, advert: AdvertText) -> dict[str, list[Span]]:
        found: dict[str, list[Span]] = {}
        if self._phrases is None:
            return found
        for field_name in TEXT_FIELDS:
            text = advert.text(field_name)
            if not text:
                continue
            for match in self._phrases.finditer(lower_in_place(text)):
                owners = self._owners_of(match.group())
                if not owners or owners[0] == _UNLESS:
                    continue
                start, end = match.span()
                span = Span(field_name, start, end, text[start:end])
                for ident in owners:
                    found.setdefault(ident, []).append(span)
        return found
