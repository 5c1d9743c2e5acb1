"""Where the synthetic adverts say they are: UK cities, stations, areas and postcodes.

London carries the most weight, and within London a good share of adverts sit in or near the
City of London (the force's own area): Liverpool Street, Bank, Moorgate, Aldgate and the EC
postcodes. Postcodes and districts are real public data; the adverts are not.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["CITIES", "City", "Spot", "pick_city"]


@dataclass(frozen=True)
class Spot:
    """A place inside a city as an advert names it: a station or area, and its postcode."""

    name: str
    district: str
    postcode: str | None = None


@dataclass(frozen=True)
class City:
    name: str
    weight: float
    median_price: int
    """Local median price for an hour, in pounds."""
    north: bool
    spots: tuple[Spot, ...]

    def pick_spot(self, rng: random.Random) -> Spot:
        if self.name == "London" and rng.random() < 0.45:
            return rng.choice(CITY_OF_LONDON)
        return rng.choice(self.spots)

    def location_text(self, spot: Spot, rng: random.Random) -> str:
        """The site's location field: a postcode, a district, a station or just the town."""
        roll = rng.random()
        if roll < 0.2 and spot.postcode:
            return spot.postcode
        if roll < 0.35:
            return spot.district
        if roll < 0.7:
            return spot.name
        if roll < 0.85:
            return f"{spot.name}, {self.name}"
        return self.name

    def place_phrase(self, spot: Spot, rng: random.Random) -> str:
        """How the body text names the place (``near Liverpool Street``)."""
        return rng.choice(
            (
                f"near {spot.name}",
                f"{spot.name} area",
                f"in {self.name}",
                f"{spot.district}, {self.name}",
                f"close to {spot.name} station" if spot.postcode else f"in {spot.name}",
                f"central {self.name}",
            )
        )


CITY_OF_LONDON: tuple[Spot, ...] = (
    Spot("Liverpool Street", "EC2M", "EC2M 7PY"),
    Spot("Liverpool Street", "EC2M", "EC2M 7QN"),
    Spot("Bank", "EC2R", "EC2R 8AH"),
    Spot("Moorgate", "EC2M", "EC2M 6TX"),
    Spot("Moorgate", "EC2Y", "EC2Y 9AE"),
    Spot("Aldgate", "EC3N", "EC3N 1LT"),
    Spot("Aldgate", "EC3A", "EC3A 8BE"),
    Spot("Barbican", "EC2Y", "EC2Y 8DS"),
    Spot("Barbican", "EC1A", "EC1A 4JQ"),
    Spot("Farringdon", "EC1M", "EC1M 6BY"),
    Spot("Farringdon", "EC1M", "EC1M 3HE"),
    Spot("Monument", "EC3R", "EC3R 8AH"),
    Spot("Fenchurch Street", "EC3M", "EC3M 4AJ"),
    Spot("Cannon Street", "EC4N", "EC4N 6AP"),
    Spot("Tower Hill", "EC3N", "EC3N 4AB"),
    Spot("Tower Hill", "EC3N", "EC3N 4DJ"),
    Spot("St Paul's", "EC4M", "EC4M 7LS"),
    Spot("St Paul's", "EC4M", "EC4M 8AD"),
    Spot("Mansion House", "EC4V", "EC4V 4AJ"),
    Spot("Blackfriars", "EC4V", "EC4V 4DY"),
    Spot("Chancery Lane", "EC4A", "EC4A 1AB"),
    Spot("City of London", "EC2V", "EC2V 7HH"),
)
"""Stations and postcodes in and around the City of London."""


def _spots(*rows: tuple[str, str]) -> tuple[Spot, ...]:
    return tuple(Spot(name, district) for name, district in rows)


CITIES: tuple[City, ...] = (
    City(
        "London",
        42.0,
        160,
        False,
        _spots(
            ("Paddington", "W2"),
            ("Bayswater", "W2"),
            ("Marble Arch", "W1H"),
            ("Edgware Road", "W2"),
            ("Kings Cross", "N1C"),
            ("Euston", "NW1"),
            ("Earls Court", "SW5"),
            ("Victoria", "SW1V"),
            ("Canary Wharf", "E14"),
            ("Shoreditch", "E1"),
            ("Whitechapel", "E1"),
            ("Stratford", "E15"),
            ("Croydon", "CR0"),
            ("Wembley", "HA9"),
            ("Ilford", "IG1"),
            ("Hammersmith", "W6"),
            ("Camden", "NW1"),
            ("Bond Street", "W1S"),
            ("Kensington", "W8"),
            ("Finsbury Park", "N4"),
        ),
    ),
    City(
        "Manchester",
        9.0,
        130,
        True,
        _spots(
            ("Piccadilly", "M1"),
            ("Deansgate", "M3"),
            ("Northern Quarter", "M4"),
            ("Salford Quays", "M50"),
            ("Cheetham Hill", "M8"),
        ),
    ),
    City(
        "Birmingham",
        7.0,
        120,
        False,
        _spots(
            ("New Street", "B2"),
            ("Broad Street", "B1"),
            ("Digbeth", "B5"),
            ("Edgbaston", "B15"),
            ("Jewellery Quarter", "B18"),
        ),
    ),
    City(
        "Leeds",
        4.5,
        120,
        True,
        _spots(("City Centre", "LS1"), ("Headingley", "LS6"), ("Holbeck", "LS11")),
    ),
    City(
        "Liverpool",
        4.0,
        115,
        True,
        _spots(("Lime Street", "L1"), ("Albert Dock", "L3"), ("Kensington", "L7")),
    ),
    City(
        "Glasgow",
        4.0,
        120,
        True,
        _spots(("Central Station", "G1"), ("Merchant City", "G1"), ("West End", "G12")),
    ),
    City(
        "Bristol",
        3.5,
        125,
        False,
        _spots(("Temple Meads", "BS1"), ("Clifton", "BS8"), ("Cabot Circus", "BS1")),
    ),
    City(
        "Newcastle",
        3.0,
        110,
        True,
        _spots(("Central Station", "NE1"), ("Quayside", "NE1"), ("Jesmond", "NE2")),
    ),
    City(
        "Nottingham",
        3.0,
        110,
        False,
        _spots(("Lace Market", "NG1"), ("Hockley", "NG1"), ("Sneinton", "NG2")),
    ),
    City(
        "Sheffield",
        2.5,
        110,
        True,
        _spots(("City Centre", "S1"), ("Kelham Island", "S3"), ("Ecclesall Road", "S11")),
    ),
    City(
        "Cardiff",
        2.5,
        115,
        False,
        _spots(("Cardiff Central", "CF10"), ("Cathays", "CF24"), ("Cardiff Bay", "CF10")),
    ),
    City(
        "Brighton",
        2.0,
        130,
        False,
        _spots(("Brighton Station", "BN1"), ("Kemptown", "BN2"), ("Hove", "BN3")),
    ),
    City(
        "Reading",
        2.0,
        130,
        False,
        _spots(("Reading Station", "RG1"), ("Caversham", "RG4")),
    ),
    City(
        "Edinburgh",
        2.5,
        130,
        True,
        _spots(("Waverley", "EH1"), ("Leith", "EH6"), ("Haymarket", "EH12")),
    ),
    City(
        "Leicester",
        1.5,
        105,
        False,
        _spots(("City Centre", "LE1"), ("Highfields", "LE2")),
    ),
    City(
        "Southampton",
        1.2,
        115,
        False,
        _spots(("Southampton Central", "SO15"), ("Ocean Village", "SO14")),
    ),
    City(
        "Milton Keynes",
        1.0,
        120,
        False,
        _spots(("Central Milton Keynes", "MK9"), ("Bletchley", "MK2")),
    ),
    City(
        "Luton",
        1.0,
        110,
        False,
        _spots(("Luton Town Centre", "LU1"), ("Luton Airport", "LU2")),
    ),
    City(
        "Slough",
        0.8,
        120,
        False,
        _spots(("Slough Station", "SL1"), ("Langley", "SL3")),
    ),
    City(
        "Bradford",
        1.0,
        100,
        True,
        _spots(("City Centre", "BD1"), ("Manningham", "BD8")),
    ),
)

_WEIGHTS = tuple(c.weight for c in CITIES)


def pick_city(rng: random.Random, *, london_bias: float = 1.0) -> City:
    """A city, London weighted heavily (``london_bias`` multiplies London's weight)."""
    weights = [
        w * london_bias if c.name == "London" else w for c, w in zip(CITIES, _WEIGHTS, strict=True)
    ]
    return rng.choices(CITIES, weights)[0]
