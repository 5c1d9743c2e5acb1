"""How a group's personas post over time: new adverts, cross-posts, bumps and edits.

Each persona posts a new advert every few days (more often for networks), mostly on her
favourite site that serves the city she is in that week, sometimes on two sites at once. The
crawler captures each advert once and, now and then, again later: a bump with the same text,
a reworded body, a new price or new pictures. Every capture carries the site's footer.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from plainsight.synth.actors import Group, Kind, Persona
from plainsight.synth.album import StockPictures
from plainsight.synth.sites import SITES, Site, sites_for
from plainsight.synth.voices import AdFacts, Wording

__all__ = ["Advert", "Capture", "Poster"]

_POST_HOURS = tuple(range(24))
_POST_WEIGHTS = (2, 1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 6, 6, 7, 8, 9, 9, 9, 8, 6, 4, 3)
_CATEGORIES = ("companionship", "massage", "dinner dates", "international", "new arrivals")


@dataclass(frozen=True)
class Capture:
    seconds: int
    """Seconds after the start of the world's span."""
    record: dict[str, object]


@dataclass(frozen=True)
class Advert:
    site: Site
    ad_id: str
    persona: Persona
    captures: list[Capture]


class Poster:
    """Turns groups into adverts with their captures, numbering ads per site."""

    def __init__(self, start: datetime, span_days: int, stock: StockPictures) -> None:
        self.start = start
        self.span_seconds = span_days * 86_400
        self.stock = stock
        self._seq = {site.slug: 0 for site in SITES}
        self._footers = {site.slug: site.footer() for site in SITES}

    def stamp(self, seconds: int) -> str:
        return (self.start + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def post(self, group: Group, rng: random.Random, pic_rng: random.Random) -> Iterator[Advert]:
        """Every advert of ``group`` in posting order per persona.

        ``pic_rng`` alone chooses pictures, so the text is the same with images on or off.
        """
        low, high = group.ad_gap
        for persona in group.personas:
            day = persona.start + rng.randint(0, 3)
            while day <= persona.end:
                for site in self._sites(persona, day, group.cross_post, rng):
                    advert = self._advert(group, persona, site, day, rng, pic_rng)
                    if advert.captures:
                        yield advert
                day += rng.randint(low, high)

    def _sites(
        self, persona: Persona, day: int, cross_post: float, rng: random.Random
    ) -> list[Site]:
        serving = sites_for(persona.leg_on(day).city)
        ranked = [s for s in persona.favourite_sites if s in serving]
        first = (
            ranked[0] if rng.random() < 0.7 else rng.choices(ranked, [s.weight for s in ranked])[0]
        )
        chosen = [first]
        if len(ranked) > 1 and rng.random() < cross_post:
            chosen.append(rng.choice([s for s in ranked if s is not first]))
        return chosen

    def _advert(
        self,
        group: Group,
        persona: Persona,
        site: Site,
        day: int,
        rng: random.Random,
        pic_rng: random.Random,
    ) -> Advert:
        self._seq[site.slug] += 1
        ad_id = site.ad_id(self._seq[site.slug])
        posted = day * 86_400 + rng.choices(_POST_HOURS, _POST_WEIGHTS)[0] * 3600
        posted += rng.randrange(3600)
        facts = self._facts(group, persona, site, day, rng)
        images = self._images(persona, site, pic_rng)
        show_age = site.age_field and rng.random() < 0.9
        wording = persona.voice.write(facts, phone_field=site.phone_field, rng=rng)
        extra = site.extra(rng, verified=persona.verified, category=rng.choice(_CATEGORIES))
        location = facts.city.location_text(facts.spot, rng)
        captures: list[Capture] = []
        seen = posted + rng.randint(600, 30 * 3600)
        while seen < self.span_seconds:
            record = self._record(
                site, ad_id, persona, facts, wording, images, location, (posted, seen)
            )
            if not show_age:
                record.pop("age", None)
            if extra:
                record["extra"] = extra
            captures.append(Capture(seen, record))
            if rng.random() >= 0.3:
                break
            seen += rng.randint(12 * 3600, 8 * 86_400)
            roll = rng.random()
            if roll < 0.35:
                wording = persona.voice.write(facts, phone_field=site.phone_field, rng=rng)
            elif roll < 0.55:
                step = rng.choice((-20, -10, 10, 20))
                facts = _with_price(facts, max(40, facts.price + step))
                wording = persona.voice.write(facts, phone_field=site.phone_field, rng=rng)
            if pic_rng.random() < 0.15:
                images = self._images(persona, site, pic_rng)
        return Advert(site, ad_id, persona, captures)

    def _facts(
        self, group: Group, persona: Persona, site: Site, day: int, rng: random.Random
    ) -> AdFacts:
        leg = persona.leg_on(day)
        moving = leg.touring and day - leg.start < 4
        age = persona.age + (rng.choice((-1, 1)) if rng.random() < 0.1 else 0)
        price = round(leg.city.median_price * persona.price_factor / 10) * 10
        friends = persona.friends
        other = rng.choice(friends) if friends else persona.name
        if group.kind is Kind.INDEPENDENT and rng.random() < 0.5:
            other = "my friend"
        return AdFacts(
            name=persona.name_on(site),
            age=max(18, age),
            nationality=persona.nationality,
            city=leg.city,
            spot=leg.spot,
            price=price,
            number=persona.number_on(day),
            moving=moving,
            other=other,
            handles=persona.handles,
        )

    def _images(self, persona: Persona, site: Site, rng: random.Random) -> list[str]:
        if not self.stock.placeholders:
            return []
        pictures = persona.gallery.pick(rng)
        if not pictures:
            pictures = [self.stock.placeholders[site.slug]]
        if rng.random() < 0.1:
            pictures.append(self.stock.logos[site.slug])
        return pictures

    def _record(
        self,
        site: Site,
        ad_id: str,
        persona: Persona,
        facts: AdFacts,
        wording: Wording,
        images: list[str],
        location: str,
        times: tuple[int, int],
    ) -> dict[str, object]:
        posted, seen = times
        record: dict[str, object] = {
            "source": site.slug,
            "ad_id": ad_id,
            "url": site.url(ad_id),
            "captured_at": self.stamp(seen),
            "posted_at": self.stamp(posted),
            "title": wording.title,
            "body": wording.body + self._footers[site.slug],
            "location_text": location,
        }
        if site.name_field:
            record["name"] = facts.name
        if site.age_field:
            record["age"] = facts.age
        if wording.phone is not None:
            record["phone"] = wording.phone
        if site.email_field and persona.email:
            record["email"] = persona.email
        if images:
            record["images"] = images
        return record


def _with_price(facts: AdFacts, price: int) -> AdFacts:
    return AdFacts(
        facts.name,
        facts.age,
        facts.nationality,
        facts.city,
        facts.spot,
        price,
        facts.number,
        facts.moving,
        facts.other,
        facts.handles,
    )
