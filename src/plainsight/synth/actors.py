"""The people behind the adverts: independent workers, controlled networks and agencies.

The world is planned first as a list of :class:`GroupPlan` (kind, size, active window), sorted
by start so that phone numbers can be handed out and recycled in time order. Each plan is then
built into a :class:`Group` of :class:`Persona` objects, one group at a time, so memory stays
bounded however large the world.

* An *independent* worker is a singleton group with her own voice, number and rooms.
* A *controlled network* (2-15 personas, mostly small) shares one to three numbers, one
  controller's templates, the same rooms, and tours UK cities week by week.
* An *agency* (5-30 personas) has one booking number, a name and a website.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import StrEnum

from plainsight.synth.album import Gallery, ImageStore, RoomSet, StockPictures
from plainsight.synth.identity import (
    Nationality,
    email_for,
    handle_for,
    pick_age,
    pick_name,
    pick_nationality,
)
from plainsight.synth.numbers import NumberPool, PhoneNumber
from plainsight.synth.places import City, Spot, pick_city
from plainsight.synth.sites import SITES, Site
from plainsight.synth.voices import AgencyVoice, ControllerVoice, IndependentVoice, Voice

__all__ = ["Group", "GroupPlan", "Kind", "Leg", "Persona", "WorldBuilder", "plan_world"]


class Kind(StrEnum):
    INDEPENDENT = "independent"
    NETWORK = "network"
    AGENCY = "agency"


@dataclass(frozen=True, order=True)
class GroupPlan:
    start: int
    kind: Kind
    index: int
    end: int
    size: int


@dataclass(frozen=True)
class Leg:
    """Where a persona works from ``start`` (a day number) until the next leg."""

    start: int
    city: City
    spot: Spot
    touring: bool


@dataclass
class Persona:
    persona_id: str
    name: str
    age: int
    nationality: Nationality
    start: int
    end: int
    voice: Voice
    numbers: list[tuple[int, PhoneNumber]]
    legs: list[Leg]
    price_factor: float
    gallery: Gallery
    alias: tuple[str, str] | None = None
    """(site slug, other name) when she posts on one site under another name."""
    handles: tuple[str, ...] = ()
    email: str | None = None
    verified: bool = False
    favourite_sites: tuple[Site, ...] = ()
    friends: tuple[str, ...] = field(default_factory=tuple)

    def number_on(self, day: int) -> PhoneNumber:
        current = self.numbers[0][1]
        for since, number in self.numbers:
            if since <= day:
                current = number
        return current

    def leg_on(self, day: int) -> Leg:
        current = self.legs[0]
        for leg in self.legs:
            if leg.start <= day:
                current = leg
        return current

    def name_on(self, site: Site) -> str:
        if self.alias is not None and self.alias[0] == site.slug:
            return self.alias[1]
        return self.name


@dataclass
class Group:
    network_id: str
    kind: Kind
    personas: list[Persona]
    cross_post: float
    ad_gap: tuple[int, int]
    """Days between a persona's new adverts (low, high)."""


def _sized(rng: random.Random, low: int, high: int, power: float) -> int:
    sizes = list(range(low, high + 1))
    return rng.choices(sizes, [1 / (k - low + 1) ** power for k in sizes])[0]


def plan_world(rng: random.Random, scale: float, span: int) -> list[GroupPlan]:
    """Every group of the world with its size and active window, sorted by start day."""
    plans: list[GroupPlan] = []
    counts = {
        Kind.INDEPENDENT: round(270 * scale),
        Kind.NETWORK: max(1, round(37 * scale)),
        Kind.AGENCY: max(1, round(5 * scale)),
    }
    for kind, count in counts.items():
        for index in range(count):
            if kind is Kind.INDEPENDENT:
                length, size = round(14 * (365 / 14) ** rng.random()), 1
            elif kind is Kind.NETWORK:
                length, size = rng.randint(40, 300), _sized(rng, 2, 15, 1.3)
            else:
                length, size = rng.randint(120, 365), _sized(rng, 5, 30, 0.8)
            start = rng.randrange(max(1, span - min(length, span - 1) // 2))
            plans.append(GroupPlan(start, kind, index, min(span - 1, start + length), size))
    plans.sort()
    return plans


_AGENCY_WORDS = (
    ("Velvet", "Rose", "Silk", "Mayfair", "Royal", "Diamond", "Elite", "Secret", "Golden"),
    ("Companions", "Angels", "Club", "Models", "Society", "Collection", "Escapes", "Ladies"),
)


class WorldBuilder:
    """Builds each planned group into personas, numbers, voices and pictures."""

    def __init__(self, seed: int, store: ImageStore, stock: StockPictures, span: int) -> None:
        self.seed = seed
        self.store = store
        self.stock = stock
        self.span = span
        self.pool = NumberPool(random.Random(f"{seed}:numbers"), reserved=_reserved())
        self._persona_seq = 0

    def build(self, plan: GroupPlan) -> Group:
        rng = random.Random(f"{self.seed}:{plan.kind}:{plan.index}")
        pic_rng = random.Random(f"{self.seed}:{plan.kind}:{plan.index}:pictures")
        if plan.kind is Kind.INDEPENDENT:
            return self._independent(plan, rng, pic_rng)
        if plan.kind is Kind.NETWORK:
            return self._network(plan, rng, pic_rng)
        return self._agency(plan, rng, pic_rng)

    def _next_id(self) -> str:
        self._persona_seq += 1
        return f"P-{self._persona_seq:07d}"

    def _gallery(
        self, rooms: RoomSet, pic_rng: random.Random, caption: str, stock_rate: float
    ) -> Gallery:
        if pic_rng.random() < 0.06:
            return Gallery(self.store, rooms, pic_rng, caption, bases=0)
        gallery = Gallery(self.store, rooms, pic_rng, caption, bases=pic_rng.randint(2, 4))
        if self.stock.web and pic_rng.random() < stock_rate:
            gallery.paths.append(pic_rng.choice(self.stock.web))
        return gallery

    def _numbers(self, rng: random.Random, start: int, end: int) -> list[tuple[int, PhoneNumber]]:
        if end - start > 30 and rng.random() < 0.15:
            switch = rng.randint(start + 10, end - 10)
            return [(start, self.pool.take(start, switch)), (switch, self.pool.take(switch, end))]
        return [(start, self.pool.take(start, end))]

    def _handles(self, rng: random.Random, name: str, whatsapp: float) -> tuple[str, ...]:
        out = []
        if rng.random() < whatsapp:
            out.append(rng.choice(("WhatsApp same number.", "WhatsApp available.", "WhatsApp me")))
        if rng.random() < 0.15:
            out.append(f"Telegram @{handle_for(name, rng)}")
        if rng.random() < 0.08:
            out.append(f"Snapchat: {handle_for(name, rng)}")
        return tuple(out)

    def _independent(self, plan: GroupPlan, rng: random.Random, pic_rng: random.Random) -> Group:
        name = pick_name(rng)
        home = pick_city(rng)
        legs = [Leg(plan.start, home, home.pick_spot(rng), False)]
        if rng.random() < 0.3:
            day = plan.start + rng.randint(10, 40)
            while day < plan.end - 5:
                city = pick_city(rng, london_bias=0.5)
                legs.append(Leg(day, city, city.pick_spot(rng), city != home))
                back = day + rng.randint(3, 7)
                legs.append(Leg(back, home, legs[0].spot, False))
                day = back + rng.randint(20, 60)
        persona = Persona(
            persona_id=self._next_id(),
            name=name,
            age=pick_age(rng, low=20, mode=27, high=48),
            nationality=pick_nationality(rng, network=False),
            start=plan.start,
            end=plan.end,
            voice=IndependentVoice(rng),
            numbers=self._numbers(rng, plan.start, plan.end),
            legs=legs,
            price_factor=min(1.5, max(0.75, rng.gauss(1.0, 0.15))),
            gallery=self._gallery(RoomSet(pic_rng, pic_rng.randint(1, 2)), pic_rng, name, 0.04),
            alias=_alias(rng, name, 0.2),
            handles=self._handles(rng, name, 0.35),
            email=email_for(name, rng) if rng.random() < 0.35 else None,
            verified=rng.random() < 0.4,
            favourite_sites=_favourites(rng),
        )
        network_id = f"N-solo-{plan.index:06d}"
        return Group(network_id, plan.kind, [persona], 0.15, (9, 33))

    def _tour(self, rng: random.Random, plan: GroupPlan) -> list[Leg]:
        home = pick_city(rng, london_bias=1.4)
        if rng.random() < 0.4:
            return [Leg(plan.start, home, home.pick_spot(rng), False)]
        cities = [home] + [pick_city(rng, london_bias=0.6) for _ in range(rng.randint(1, 3))]
        spots = {c.name: c.pick_spot(rng) for c in cities}
        legs, day, at = [], plan.start, 0
        while day < plan.end:
            city = cities[at % len(cities)]
            legs.append(Leg(day, city, spots[city.name], at > 0))
            day += 7 * rng.choice((1, 1, 2, 2, 3))
            at += 1
        return legs

    def _network(self, plan: GroupPlan, rng: random.Random, pic_rng: random.Random) -> Group:
        network_id = f"N-net-{plan.index:06d}"
        voice = ControllerVoice(rng)
        numbers = [self.pool.take(plan.start, plan.end) for _ in range(rng.choice((1, 1, 2, 3)))]
        legs = self._tour(rng, plan)
        rooms = RoomSet(pic_rng, pic_rng.randint(1, 2))
        origin = [pick_nationality(rng, network=True) for _ in range(2)]
        shared_handles = self._handles(rng, pick_name(rng), 0.4)
        email = email_for(pick_name(rng), rng) if rng.random() < 0.3 else None
        cut = rng.uniform(0.6, 0.9)
        sites = _favourites(rng)
        personas: list[Persona] = []
        for _ in range(plan.size):
            start = rng.randint(plan.start, max(plan.start, plan.end - 14))
            end = min(plan.end, start + rng.randint(20, 120))
            own = rng.randrange(len(numbers))
            held = [(start, numbers[own])]
            if len(numbers) > 1 and end - start > 20 and rng.random() < 0.25:
                held.append((rng.randint(start + 7, end - 7), numbers[(own + 1) % len(numbers)]))
            name = pick_name(rng)
            gallery = self._gallery(rooms, pic_rng, "NEW", 0.12)
            if personas and personas[0].gallery.paths and pic_rng.random() < 0.3:
                gallery.paths.append(pic_rng.choice(personas[0].gallery.paths))
            personas.append(
                Persona(
                    persona_id=self._next_id(),
                    name=name,
                    age=pick_age(rng, low=18, mode=21, high=30),
                    nationality=rng.choice(origin),
                    start=start,
                    end=end,
                    voice=voice,
                    numbers=held,
                    legs=_from(legs, start),
                    price_factor=cut,
                    gallery=gallery,
                    alias=_alias(rng, name, 0.3),
                    handles=shared_handles,
                    email=email,
                    verified=rng.random() < 0.1,
                    favourite_sites=sites,
                )
            )
        for persona in personas:
            persona.friends = tuple(p.name for p in personas if p is not persona)
        return Group(network_id, plan.kind, personas, 0.35, (5, 16))

    def _agency(self, plan: GroupPlan, rng: random.Random, pic_rng: random.Random) -> Group:
        network_id = f"N-agency-{plan.index:06d}"
        first, second = rng.choice(_AGENCY_WORDS[0]), rng.choice(_AGENCY_WORDS[1])
        agency = f"{first} {second}"
        website = f"www.{first.lower()}{second.lower()}{rng.randrange(10, 99)}.example.com"
        voice = AgencyVoice(rng, agency, website)
        booking = self.pool.take(plan.start, plan.end)
        city = pick_city(rng, london_bias=2.0)
        rooms = RoomSet(pic_rng, pic_rng.randint(2, 3))
        email = f"bookings.{first.lower()}{rng.randrange(10, 99)}@example.com"
        sites = _favourites(rng)
        personas: list[Persona] = []
        for _ in range(plan.size):
            start = rng.randint(plan.start, max(plan.start, plan.end - 30))
            end = min(plan.end, start + rng.randint(30, 240))
            name = pick_name(rng)
            personas.append(
                Persona(
                    persona_id=self._next_id(),
                    name=name,
                    age=pick_age(rng, low=19, mode=24, high=35),
                    nationality=pick_nationality(rng, network=rng.random() < 0.5),
                    start=start,
                    end=end,
                    voice=voice,
                    numbers=[(start, booking)],
                    legs=[Leg(start, city, city.pick_spot(rng), False)],
                    price_factor=rng.uniform(1.0, 1.4),
                    gallery=self._gallery(rooms, pic_rng, agency, 0.02),
                    email=email if rng.random() < 0.7 else None,
                    verified=rng.random() < 0.6,
                    favourite_sites=sites,
                )
            )
        for persona in personas:
            persona.friends = tuple(p.name for p in personas if p is not persona)
        return Group(network_id, plan.kind, personas, 0.5, (12, 35))


def _from(legs: list[Leg], start: int) -> list[Leg]:
    """The legs in force from ``start`` on, the first one moved to begin at ``start``."""
    current = [leg for leg in legs if leg.start <= start][-1]
    later = [leg for leg in legs if leg.start > start]
    return [Leg(start, current.city, current.spot, current.touring), *later]


def _alias(rng: random.Random, name: str, rate: float) -> tuple[str, str] | None:
    if rng.random() >= rate:
        return None
    return rng.choice(SITES).slug, pick_name(rng, avoid=name)


def _favourites(rng: random.Random) -> tuple[Site, ...]:
    """Sites in the order this poster prefers them."""
    order = list(SITES)
    rng.shuffle(order)
    order.sort(key=lambda s: -s.weight * rng.random())
    return tuple(order)


def _reserved() -> tuple[PhoneNumber, ...]:
    return tuple(s.customer_service for s in SITES if s.customer_service is not None)
