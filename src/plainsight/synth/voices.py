"""Advert writers: an independent worker's own voice, a controller's templates, an agency's copy.

A *voice* turns the facts of one advert (name, age, place, price, number) into a title, a body
and what goes in the site's phone field. Each kind of writer uses the indicator vocabulary at its
own rate (:class:`Rates`): networks state youth and nationality more and movement less,
independents write in the first person with a personal style, agencies name themselves.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from plainsight.synth import phrases
from plainsight.synth.identity import Nationality
from plainsight.synth.numbers import PhoneNumber
from plainsight.synth.obfuscation import CALLS, FIELD_STYLES, Style, render
from plainsight.synth.places import City, Spot

__all__ = ["AdFacts", "NumberHabit", "Rates", "Voice", "Wording"]


@dataclass(frozen=True)
class AdFacts:
    """What one advert says, before it is worded."""

    name: str
    age: int
    nationality: Nationality
    city: City
    spot: Spot
    price: int
    number: PhoneNumber
    moving: bool
    other: str
    handles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Wording:
    title: str
    body: str
    phone: str | None


@dataclass(frozen=True)
class Rates:
    """How often a kind of writer uses each indicator (chance a persona/network has the habit)."""

    nationality: float
    youth: float
    genuine: float
    movement: float
    third_person: float
    multi: float
    cue: float
    restricted: float


INDEPENDENT_RATES = Rates(0.35, 0.15, 0.45, 0.45, 0.02, 0.02, 0.02, 0.08)
NETWORK_RATES = Rates(0.8, 0.6, 0.3, 0.06, 0.75, 0.3, 0.6, 0.55)
AGENCY_RATES = Rates(0.65, 0.35, 0.6, 0.05, 0.9, 0.25, 0.15, 0.3)


@dataclass(frozen=True)
class NumberHabit:
    """Where and how a writer prints the number."""

    styles: tuple[Style, ...]
    in_field: float
    in_title: float

    @classmethod
    def create(cls, rng: random.Random, *, business: bool) -> NumberHabit:
        if business:
            pool = [Style.PLAIN, Style.SPACED, Style.INTL, Style.INTL_PAREN, Style.DASHED]
            return cls((rng.choice(pool),), 0.95, 0.05)
        pool = list(Style)
        weights = [3, 5, 2, 2, 2, 1.5, 2, 1, 1, 1, 1.2]
        count = 1 if rng.random() < 0.55 else 2
        styles = tuple(dict.fromkeys(rng.choices(pool, weights, k=count)))
        return cls(styles, rng.choice((0.0, 0.5, 0.8, 0.95, 1.0)), rng.choice((0.0, 0.1, 0.4)))

    def place(
        self, number: PhoneNumber, phone_field: bool, rng: random.Random
    ) -> tuple[str | None, str, str]:
        """(field text or None, title suffix or '', the number as the body writes it or '')."""
        style = rng.choice(self.styles)
        field: str | None = None
        if phone_field and rng.random() < self.in_field:
            field_style = style if style in FIELD_STYLES else Style.SPACED
            field = render(number, field_style, rng)
        title = ""
        if rng.random() < self.in_title:
            title_style = style if style in FIELD_STYLES else Style.SPACED
            title = rng.choice((" - ", " | ", " ☎ ", " 📞 ")) + render(number, title_style, rng)
        body = ""
        if field is None or rng.random() < 0.6:
            body = render(number, style, rng)
        return field, title, body


def _fill(template: str, facts: AdFacts, extra: dict[str, str]) -> str:
    values = {
        "name": facts.name,
        "age": str(facts.age),
        "nat": facts.nationality.adjective,
        "broad": facts.nationality.broad,
        "city": facts.city.name,
        "place": extra.get("place", facts.spot.name),
        "price": str(facts.price),
        "half": str(max(40, round(facts.price * 0.65 / 10) * 10)),
        "two": str(round(facts.price * 1.8 / 10) * 10),
        "other": facts.other,
        "lang": phrases.LANGUAGES.get(facts.nationality.adjective, "a little French"),
    }
    values.update(extra)
    return template.format(**values)


class Voice:
    """Base writer: habits chosen once, then :meth:`write` for each advert or edit."""

    def __init__(self, rng: random.Random, rates: Rates, bank: dict[str, tuple[str, ...]]):
        self.bank = bank
        self.habits = {
            name: rng.random() < getattr(rates, name)
            for name in (
                "nationality",
                "youth",
                "genuine",
                "movement",
                "third_person",
                "multi",
                "cue",
                "restricted",
            )
        }
        self.picks = {key: rng.choice(options) for key, options in bank.items()}
        self.emoji = tuple(rng.sample(phrases.EMOJI, rng.choice((0, 0, 1, 2, 3))))
        self.emoji_rate = rng.choice((0.2, 0.5, 0.9))
        self.terminator = rng.choice((".", ".", "!", "!!", "...", " x", " ~"))
        self.case = rng.choices(("normal", "lower", "caps_title"), (6, 1.5, 2))[0]
        self.numbers = NumberHabit.create(rng, business=False)
        self.constants: dict[str, str] = {}

    def phrase(self, key: str, rng: random.Random, *, loyal: float = 0.75) -> str:
        """The writer's usual phrase for ``key``, or now and then another from the bank."""
        if rng.random() < loyal:
            return self.picks[key]
        return rng.choice(self.bank[key])

    def uses(self, habit: str, rng: random.Random, *, often: float = 0.8) -> bool:
        return self.habits[habit] and rng.random() < often

    def decorate(self, sentences: list[str], rng: random.Random) -> str:
        out = []
        for text in sentences:
            if text.endswith(".") and self.terminator != ".":
                text = text[:-1] + self.terminator
            if self.emoji and rng.random() < self.emoji_rate / 2:
                text = f"{text} {rng.choice(self.emoji)}"
            out.append(text)
        body = " ".join(out) if rng.random() < 0.6 else "\n".join(out)
        return body.lower() if self.case == "lower" else body

    def title_case(self, title: str) -> str:
        return title.upper() if self.case == "caps_title" else title

    def body_sentences(self, facts: AdFacts, rng: random.Random) -> list[str]:
        raise NotImplementedError

    def contact(self, written: str, rng: random.Random) -> str:
        """A call-to-action sentence around the number as written."""
        if "contact" in self.bank:
            text = self.phrase("contact", rng, loyal=0.6).replace("{number}", written)
            for key, value in self.constants.items():
                text = text.replace("{" + key + "}", value)
        elif written[:1].islower():
            text = written[0].upper() + written[1:]
        else:
            text = rng.choice(CALLS).format(n=written)
        return text if text.endswith((".", ")")) else text + "."

    def write(self, facts: AdFacts, *, phone_field: bool, rng: random.Random) -> Wording:
        extra = {"place": facts.city.place_phrase(facts.spot, rng), **self.constants}
        field, title_number, written = self.numbers.place(facts.number, phone_field, rng)
        title = _fill(self.phrase("title", rng, loyal=0.5), facts, extra)
        if self.emoji and rng.random() < self.emoji_rate:
            title = f"{rng.choice(self.emoji)} {title} {rng.choice(self.emoji)}"
        sentences = [_fill(s, facts, extra) for s in self.body_sentences(facts, rng)]
        if written:
            contact = self.contact(written, rng)
            at = len(sentences) if rng.random() < 0.8 else rng.randrange(1, len(sentences) + 1)
            sentences.insert(at, contact)
        sentences.extend(facts.handles)
        return Wording(self.title_case(title) + title_number, self.decorate(sentences, rng), field)


class IndependentVoice(Voice):
    """A worker writing for herself: first person, favourite phrases, her own punctuation."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__(rng, INDEPENDENT_RATES, phrases.INDEPENDENT)
        count = rng.randint(3, 5)
        self.favourites = tuple(rng.sample(phrases.INDEPENDENT["favourite"], count))
        self.signoff = rng.choice((*phrases.INDEPENDENT["signoff"], "", ""))

    def body_sentences(self, facts: AdFacts, rng: random.Random) -> list[str]:
        out = [self.phrase("opener", rng)]
        if (facts.moving and rng.random() < 0.7) or self.uses("movement", rng, often=0.7):
            out.append(rng.choice(self.bank["movement"]))
        if self.uses("nationality", rng):
            out.append(self.phrase("nationality", rng))
        if self.uses("youth", rng):
            out.append(self.phrase("youth", rng))
        favourites = list(self.favourites)
        rng.shuffle(favourites)
        out.extend(favourites[: rng.randint(2, len(favourites))])
        out.append(self.phrase("service", rng))
        if self.uses("genuine", rng):
            out.append(self.phrase("genuine", rng))
        if self.uses("restricted", rng):
            out.append(self.phrase("restricted", rng))
        if self.uses("multi", rng, often=0.3):
            out.append(self.phrase("multi", rng))
        if self.uses("third_person", rng, often=0.3):
            out.append(self.phrase("third_person", rng))
        if self.uses("cue", rng, often=0.3):
            out.append(self.phrase("cue", rng))
        if rng.random() < 0.85:
            out.append(self.phrase("price", rng))
        if rng.random() < 0.6:
            out.append(self.phrase("availability", rng))
        if facts.nationality.adjective in phrases.LANGUAGES and rng.random() < 0.3:
            out.append(self.phrase("language", rng))
        if self.signoff:
            out.append(self.signoff)
        return out


class ControllerVoice(Voice):
    """One controller writing for every persona of a network, from a few slot templates."""

    SLOTS = (
        "intro",
        "youth",
        "third_person",
        "service",
        "restricted",
        "multi",
        "price",
        "genuine",
        "movement",
        "cue",
        "availability",
    )

    def __init__(self, rng: random.Random) -> None:
        super().__init__(rng, NETWORK_RATES, phrases.NETWORK)
        self.terminator = rng.choice((".", ".", "!", "!!"))
        self.case = rng.choices(("normal", "caps_title"), (1, 1.5))[0]
        optional = {"youth", "third_person", "restricted", "multi", "genuine", "movement", "cue"}
        wanted = [s for s in self.SLOTS if s not in optional or self.habits[s]]
        self.templates = tuple(
            tuple((slot, rng.choice(self.bank[slot])) for slot in wanted if rng.random() < 0.9)
            for _ in range(rng.randint(2, 3))
        )

    def body_sentences(self, facts: AdFacts, rng: random.Random) -> list[str]:
        template = rng.choice(self.templates)
        out = [text for slot, text in template if slot == "intro" or rng.random() < 0.9]
        if not out or not out[0].startswith(("{name}", "Meet", "Sweet", "This", "Hello")):
            out.insert(0, self.picks["intro"])
        if facts.moving and rng.random() < 0.1:
            out.insert(1, rng.choice(self.bank["movement"]))
        return out


class AgencyVoice(Voice):
    """An agency's copy: its name, its website, its one booking line."""

    def __init__(self, rng: random.Random, agency: str, website: str) -> None:
        super().__init__(rng, AGENCY_RATES, phrases.AGENCY)
        self.constants = {"agency": agency, "website": website}
        self.terminator = "."
        self.case = "normal"
        self.emoji = ()
        self.numbers = NumberHabit.create(rng, business=True)

    def body_sentences(self, facts: AdFacts, rng: random.Random) -> list[str]:
        out = [self.phrase("intro", rng, loyal=0.6)]
        for key in ("youth", "multi", "movement", "restricted", "genuine"):
            if self.uses(key, rng, often=0.6):
                out.append(self.phrase(key, rng))
        out += [self.phrase("service", rng), self.phrase("location", rng)]
        out.append(self.phrase("price", rng))
        out.append(rng.choice(("See all our ladies at {website}.", "{agency}: {website}.")))
        return out
