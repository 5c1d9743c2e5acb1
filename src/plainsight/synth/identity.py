"""Who a persona says she is: working name, age, nationality, e-mail and messaging handles.

Working names come from a pool of about 150 with a heavy head (Zipf-like weights), so unrelated
people often share a name, exactly as on real sites. E-mail addresses use only the domains
RFC 2606 reserves (example.com, example.org, example.net).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["NAMES", "NATIONALITIES", "Nationality", "email_for", "handle_for", "pick_name"]

NAMES: tuple[str, ...] = (
    "Anna", "Bella", "Mia", "Lily", "Sophie", "Emma", "Chloe", "Jessica", "Amber", "Ruby",
    "Sofia", "Natalia", "Nikki", "Jasmine", "Candy", "Angel", "Daisy", "Eva", "Kate", "Lucy",
    "Maria", "Monica", "Nina", "Olivia", "Paula", "Roxy", "Sara", "Tina", "Vanessa", "Victoria",
    "Alexa", "Alina", "Bianca", "Carla", "Diana", "Elena", "Gabriella", "Ivy", "Jade", "Kira",
    "Lara", "Layla", "Lola", "Megan", "Mila", "Naomi", "Paris", "Rosa", "Scarlett", "Stella",
    "Tanya", "Valentina", "Violet", "Yasmin", "Zara", "Adriana", "Alice", "Amelia", "Andrea",
    "Ariana", "Ava", "Barbie", "Brenda", "Camila", "Cassie", "Charlotte", "Cherry", "Claudia",
    "Crystal", "Dana", "Destiny", "Dominika", "Ella", "Emily", "Erika", "Eve", "Fiona",
    "Gina", "Grace", "Hannah", "Holly", "Isabella", "Jenny", "Julia", "Karina", "Katya",
    "Kim", "Kitty", "Lana", "Laura", "Lea", "Lena", "Lisa", "Luna", "Maya", "Melissa",
    "Michelle", "Milly", "Miranda", "Molly", "Nadia", "Natasha", "Nicole", "Noemi", "Penny",
    "Poppy", "Rachel", "Rebecca", "Rita", "Sabrina", "Samantha", "Selena", "Sienna", "Simona",
    "Skye", "Stephanie", "Summer", "Susie", "Tara", "Tiffany", "Vera", "Veronica", "Vicky",
    "Yuki", "Zoe", "Aiko", "Mei", "Lin", "Suki", "Ploy", "Nok", "Linh", "Mai", "Ioana",
    "Denisa", "Roxana", "Andreea", "Bianka", "Daria", "Irina", "Oksana", "Olga", "Kasia",
    "Agata", "Larissa", "Fernanda", "Juliana", "Thalia", "Precious", "Blessing",
)  # fmt: skip

_NAME_WEIGHTS = tuple(1.0 / (rank + 1) ** 1.05 for rank in range(len(NAMES)))


def pick_name(rng: random.Random, *, avoid: str | None = None) -> str:
    """A working name from the heavy-headed pool (never ``avoid``)."""
    while True:
        name = rng.choices(NAMES, _NAME_WEIGHTS)[0]
        if name != avoid:
            return name


@dataclass(frozen=True)
class Nationality:
    """How adverts name a nationality (``Romanian``) and the broader word (``Eastern European``)."""

    adjective: str
    broad: str
    weight_independent: float
    weight_network: float


NATIONALITIES: tuple[Nationality, ...] = (
    Nationality("English", "British", 8.0, 0.3),
    Nationality("Scottish", "British", 1.5, 0.1),
    Nationality("Welsh", "British", 0.8, 0.05),
    Nationality("Irish", "European", 0.8, 0.1),
    Nationality("Romanian", "Eastern European", 3.0, 6.0),
    Nationality("Bulgarian", "Eastern European", 1.0, 2.5),
    Nationality("Hungarian", "Eastern European", 1.0, 2.0),
    Nationality("Polish", "Eastern European", 2.0, 1.5),
    Nationality("Czech", "Eastern European", 1.0, 1.0),
    Nationality("Latvian", "Eastern European", 0.6, 1.0),
    Nationality("Lithuanian", "Eastern European", 0.6, 1.0),
    Nationality("Ukrainian", "Eastern European", 1.0, 1.5),
    Nationality("Albanian", "European", 0.3, 2.0),
    Nationality("Spanish", "Latina", 1.5, 0.5),
    Nationality("Italian", "European", 1.5, 0.5),
    Nationality("Portuguese", "European", 0.8, 0.5),
    Nationality("French", "European", 1.0, 0.3),
    Nationality("Brazilian", "Latina", 2.5, 3.0),
    Nationality("Colombian", "Latina", 1.0, 1.5),
    Nationality("Venezuelan", "Latina", 0.6, 1.0),
    Nationality("Thai", "Asian", 1.5, 3.5),
    Nationality("Chinese", "Asian", 1.0, 4.0),
    Nationality("Vietnamese", "Asian", 0.5, 2.5),
    Nationality("Filipino", "Asian", 0.8, 1.0),
    Nationality("Malaysian", "Asian", 0.5, 1.0),
    Nationality("Japanese", "Asian", 0.5, 0.5),
    Nationality("Korean", "Asian", 0.4, 0.8),
    Nationality("Nigerian", "African", 0.6, 2.0),
    Nationality("Jamaican", "Caribbean", 0.8, 0.3),
    Nationality("Mixed-race British", "British", 1.5, 0.2),
)


def pick_nationality(rng: random.Random, *, network: bool) -> Nationality:
    weights = [n.weight_network if network else n.weight_independent for n in NATIONALITIES]
    return rng.choices(NATIONALITIES, weights)[0]


def pick_age(rng: random.Random, *, low: int, mode: int, high: int) -> int:
    """An advertised age, triangular between ``low`` and ``high``, never under 18."""
    return max(18, min(high, round(rng.triangular(low, high, mode))))


_EMAIL_DOMAINS = ("example.com", "example.org", "example.net")


def email_for(name: str, rng: random.Random) -> str:
    """An e-mail at an RFC 2606 domain, ``name.1234@example.com`` style."""
    local = rng.choice(
        (
            f"{name.lower()}.{rng.randrange(10, 9999)}",
            f"{name.lower()}{rng.randrange(80, 2005)}",
            f"sweet.{name.lower()}{rng.randrange(1, 99)}",
            f"{name.lower()}_bookings{rng.randrange(1, 99)}",
        )
    )
    return f"{local}@{rng.choice(_EMAIL_DOMAINS)}"


def handle_for(name: str, rng: random.Random) -> str:
    """A messaging handle without the ``@`` (``bella_ldn92``)."""
    tail = rng.choice(("", "_ldn", "_uk", "x", "xx", "_vip", "_official", "love", "_real"))
    return f"{name.lower()}{tail}{rng.randrange(1, 999)}"
