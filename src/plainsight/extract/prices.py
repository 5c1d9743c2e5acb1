"""Local price medians, and the price indicator that needs them.

"A price far below the local median" can only be judged against the other adverts, so it is
computed after every advert's facts are known: each capture is given an *area* (the town it
names, else London when it names a place in Greater London, else the whole country), the
median one-hour price is taken per area over adverts (each advert's lowest hourly price in
its latest capture), and the indicator is evaluated with those medians. Areas with fewer
than ``MIN_ADVERTS`` priced adverts use the national median.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from plainsight.extract.facts import AdvertText, Fact, Hit
from plainsight.extract.indicators import IndicatorEngine

MIN_ADVERTS = 20
NATIONAL = "default"
LONDON_BOX = (51.28, 51.70, -0.51, 0.34)  # Greater London: lat min, lat max, lon min, lon max
INDICATOR = "price_below_median"


def area_of(facts: Iterable[Fact]) -> str:
    """The area an advert's prices are compared within."""
    london = False
    for fact in facts:
        if fact.kind not in ("place", "postcode"):
            continue
        if fact.detail.get("kind") == "town" and fact.value != "London":
            return fact.value
        lat, lon = fact.detail.get("lat"), fact.detail.get("lon")
        if isinstance(lat, float | int) and isinstance(lon, float | int):
            south, north, west, east = LONDON_BOX
            london = london or (south <= lat <= north and west <= lon <= east)
    return "London" if london else NATIONAL


def hourly_prices(facts: Iterable[Fact]) -> list[float]:
    return [
        float(f.detail["amount"])
        for f in facts
        if f.kind == "price" and f.detail.get("minutes") == 60 and "amount" in f.detail
    ]


@dataclass(frozen=True)
class Medians:
    """Median one-hour price per area, and how many adverts each rests on."""

    by_area: Mapping[str, float]
    adverts: Mapping[str, int]

    def for_area(self, area: str) -> str:
        """The key to use for an area: its own when it has enough adverts, else national."""
        return area if area in self.by_area else NATIONAL


def medians(adverts: Iterable[tuple[str, Sequence[float]]]) -> Medians:
    """Medians from (area, hourly prices of one advert) pairs; each advert counts once."""
    lowest: dict[str, list[float]] = {}
    for area, prices in adverts:
        if prices:
            lowest.setdefault(area, []).append(min(prices))
    everyone = [p for prices in lowest.values() for p in prices]
    by_area: dict[str, float] = {}
    counts: dict[str, int] = {}
    if everyone:
        by_area[NATIONAL] = float(statistics.median(everyone))
        counts[NATIONAL] = len(everyone)
    for area, prices in lowest.items():
        if area != NATIONAL and len(prices) >= MIN_ADVERTS:
            by_area[area] = float(statistics.median(prices))
            counts[area] = len(prices)
    return Medians(by_area, counts)


class PriceIndicator:
    """Evaluates ``price_below_median`` for adverts, given the medians."""

    def __init__(self, engine: IndicatorEngine, found: Medians) -> None:
        self.found = found
        self.engine = IndicatorEngine(engine.catalogue, price_medians=dict(found.by_area))

    def hits(self, advert: AdvertText, facts: Sequence[Fact]) -> list[Hit]:
        if not self.found.by_area or not hourly_prices(facts):
            return []
        area = self.found.for_area(area_of(facts))
        return self.engine.evaluate(advert, facts, area=area, only={INDICATOR})
