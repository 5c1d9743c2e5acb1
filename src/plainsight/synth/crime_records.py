"""The synthetic crime world's records, before they are written out, and where they happen.

Records carry real dates and a private ``key``; the force's crime reference, the date formats
and the stray spaces are decided only when :mod:`plainsight.synth.crime` writes the CSVs.
Places are the City of London's lower-layer super output areas (LSOAs), each with a box of
British National Grid coordinates inside the Square Mile.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class CrimeRecord:
    """One row of ``crimes.csv`` before formatting."""

    key: str
    recorded: datetime
    reported: datetime
    committed: date | None
    code: str
    title: str
    ms_flag: str
    status: str
    lsoa: str
    easting: int
    northing: int
    mo_text: str


@dataclass(frozen=True)
class VictimRecord:
    """One row of ``victims.csv`` before formatting; ``person`` keys the victim reference."""

    crime_key: str
    person: str
    sex: str
    age: int | None
    date_of_birth: date | None
    ethnicity_ic: str
    ethnicity_sde: str
    nationality: str
    exploitation_type: str


@dataclass(frozen=True)
class OutcomeRecord:
    """One row of ``outcomes.csv``; ``date_style`` forces a date format ("iso" or "uk")."""

    crime_key: str
    code: str
    when: date | None
    date_style: str = ""


@dataclass(frozen=True)
class Lsoa:
    code: str
    easting: tuple[int, int]
    northing: tuple[int, int]
    weight: float


#: The City's LSOAs with a box of grid coordinates each and a share of the crime.
CITY_LSOAS: tuple[Lsoa, ...] = (
    Lsoa("E01000001", (531900, 532400), (181550, 181900), 0.08),  # Barbican
    Lsoa("E01000002", (532350, 532750), (181450, 181850), 0.07),  # Golden Lane, Moorgate
    Lsoa("E01000003", (531950, 532450), (181250, 181550), 0.10),  # Smithfield, Aldersgate
    Lsoa("E01000005", (533300, 533900), (180950, 181400), 0.13),  # Portsoken, Aldgate
    Lsoa("E01032739", (531500, 532300), (180650, 181250), 0.30),  # Fleet Street, St Paul's
    Lsoa("E01032740", (532300, 533400), (180600, 181450), 0.32),  # Bank, Bishopsgate
)

#: Streets, stations and landmarks in the Square Mile, for free-text MO.
CITY_PLACES: tuple[str, ...] = (
    "Bank station",
    "Liverpool Street station",
    "Cheapside",
    "Leadenhall Market",
    "Fleet Street",
    "Moorgate",
    "Fenchurch Street",
    "Aldgate High Street",
    "St Paul's Churchyard",
    "One New Change",
    "Bishopsgate",
    "Cannon Street",
    "Cornhill",
    "London Wall",
    "Smithfield Market",
    "Ludgate Hill",
    "Eastcheap",
    "Houndsditch",
)


def pick_place(rng: random.Random) -> tuple[str, int, int]:
    """An LSOA code and a grid reference inside it, weighted by the LSOA's share of crime."""
    lsoa = rng.choices(CITY_LSOAS, weights=[area.weight for area in CITY_LSOAS])[0]
    easting = rng.randint(*lsoa.easting)
    northing = rng.randint(*lsoa.northing)
    return lsoa.code, easting, northing


def age_on(born: date, when: date) -> int:
    """Whole years between ``born`` and ``when``."""
    return when.year - born.year - ((when.month, when.day) < (born.month, born.day))
