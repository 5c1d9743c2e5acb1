"""All of extraction for one advert: every extractor, then the advert-level indicators.

The extractors are registered in one explicit list, the way a third party's would be; each
is a small class with ``name`` and ``extract(AdvertText) -> list[Fact]``. An extractor that
fails on an advert is reported on that advert (``errors``), never fatal to the run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from plainsight.extract.contacts import ContactExtractor
from plainsight.extract.facts import AdvertText, Fact, Hit
from plainsight.extract.gazetteer import Gazetteer
from plainsight.extract.indicators import Catalogue, IndicatorEngine
from plainsight.extract.persona import PersonaExtractor
from plainsight.extract.phones import PhoneExtractor
from plainsight.extract.places import PlaceExtractor

VERSION = "1"
"""Bumped when extraction changes what it finds, so a workspace re-extracts its captures."""


class Extractor(Protocol):
    name: str

    def extract(self, advert: AdvertText) -> list[Fact]: ...


@dataclass(frozen=True)
class ExtractionConfig:
    """What a force may change: indicator weights and the places it knows."""

    weights: Mapping[str, float] = field(default_factory=dict)
    gazetteer: Gazetteer | None = None


def _extractors(config: ExtractionConfig) -> list[Extractor]:
    """The registered extractors, in order (contacts share the phone reader's work)."""
    phones = PhoneExtractor()
    return [
        phones,
        ContactExtractor(phones=phones),
        PersonaExtractor(),
        PlaceExtractor(config.gazetteer),
    ]


@dataclass(frozen=True)
class Extraction:
    facts: list[Fact]
    hits: list[Hit]
    errors: list[str]


class AdvertExtraction:
    """Every registered extractor and the indicator engine, built once, used per advert."""

    def __init__(self, config: ExtractionConfig | None = None) -> None:
        self.config = config or ExtractionConfig()
        self.extractors = _extractors(self.config)
        self.catalogue = Catalogue.load(weights=self.config.weights)
        self.indicators = IndicatorEngine(self.catalogue)

    def run(self, advert: AdvertText) -> Extraction:
        """Every fact and every advert-level hit (but the price indicator: see prices.py)."""
        facts: list[Fact] = []
        errors: list[str] = []
        for extractor in self.extractors:
            try:
                facts.extend(extractor.extract(advert))
            except Exception as exc:  # one extractor's bug must not lose the advert
                errors.append(f"{extractor.name}: {type(exc).__name__}: {exc}")
        try:
            hits = self.indicators.evaluate(advert, facts)
        except Exception as exc:
            errors.append(f"indicators: {type(exc).__name__}: {exc}")
            hits = []
        return Extraction(facts, hits, errors)


def values(facts: Sequence[Fact], kind: str) -> list[str]:
    """Sorted unique values of one kind of fact."""
    return sorted({f.value for f in facts if f.kind == kind})
