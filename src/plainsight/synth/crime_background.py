"""Everyday City of London crime: the all-crime denominator, Op Sun and the marked crimes.

Volume crime is drawn from a City mix of Home Office offence codes (theft dominates; the
night-time economy brings violence and public order), on days weighted by season, weekday
(the City empties at weekends) and the 2020–21 lockdowns. Recorded totals per year are fixed
(:data:`ALL_CRIME_BY_YEAR`); the seed moves crimes between days, places and offences.

Two planted patterns for the recording-integrity audit live here too: the Op Sun juveniles
(2019 distraction thefts, one address, one appropriate adult, no slavery marker) and crimes
with a modern slavery marker but a non-slavery offence code, which count only as all crime.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import replace
from datetime import date, datetime, timedelta

from plainsight.synth.crime_records import CITY_PLACES, CrimeRecord, VictimRecord, pick_place

#: Recorded crimes of every kind (MDSHT included) per calendar year; 2024 runs to 30 September.
ALL_CRIME_BY_YEAR: dict[int, int] = {
    2019: 7862,
    2020: 5534,
    2021: 5617,
    2022: 6418,
    2023: 6923,
    2024: 5386,
}
LAST_DAY = date(2024, 9, 30)
#: The day the force exported its records: later outcomes are not known yet.
EXTRACT_DAY = date(2024, 10, 15)

# code, title, share, MO group
_OFFENCES: tuple[tuple[str, str, float, str], ...] = (
    ("39", "Theft from the person", 14.0, "theft_person"),
    ("46", "Shoplifting", 11.0, "shop"),
    ("49", "Other theft", 12.0, "theft"),
    ("44", "Theft or unauthorised taking of a pedal cycle", 6.0, "cycle"),
    ("45", "Theft from a vehicle", 1.5, "vehicle"),
    ("48", "Theft or unauthorised taking of a motor vehicle", 0.8, "vehicle"),
    ("126", "Interfering with a motor vehicle", 0.4, "vehicle"),
    ("8N", "Assault with injury", 6.0, "violence"),
    ("5D", "Assault with intent to cause serious harm", 0.6, "violence"),
    ("8P", "Racially or religiously aggravated assault with injury", 0.4, "violence"),
    ("105A", "Assault without injury", 8.0, "violence"),
    ("105B", "Racially or religiously aggravated assault without injury", 0.6, "violence"),
    ("104", "Assault without injury on a constable", 1.5, "violence"),
    ("8L", "Harassment", 2.5, "harassment"),
    ("9A", "Public fear, alarm or distress", 5.0, "disorder"),
    ("125", "Racially or religiously aggravated public fear, alarm or distress", 1.2, "disorder"),
    ("62A", "Violent disorder", 0.2, "disorder"),
    ("92A", "Trafficking in controlled drugs", 1.5, "drugs"),
    ("92D", "Possession of controlled drugs (excluding cannabis)", 3.0, "drugs"),
    ("92E", "Possession of controlled drugs (cannabis)", 2.5, "drugs"),
    ("53A", "Fraud by false representation (Action Fraud referral)", 1.0, "fraud"),
    ("30C", "Burglary - business and community", 3.0, "burglary"),
    ("28E", "Burglary - residential", 0.4, "burglary"),
    ("58A", "Criminal damage to a dwelling", 0.3, "damage"),
    ("58B", "Criminal damage to a building other than a dwelling", 2.5, "damage"),
    ("58C", "Criminal damage to a vehicle", 1.2, "damage"),
    ("58D", "Other criminal damage", 1.2, "damage"),
    ("34B", "Robbery of personal property", 1.5, "robbery"),
    ("34A", "Robbery of business property", 0.3, "robbery"),
    ("20A", "Sexual assault on a female aged 13 and over", 1.2, "sexual"),
    ("17A", "Sexual assault on a male aged 13 and over", 0.3, "sexual"),
    ("19C", "Rape of a female aged 16 and over", 0.4, "sexual"),
    ("10D", "Possession of article with blade or point", 0.8, "weapon"),
)

_MO: dict[str, tuple[str, ...]] = {
    "theft_person": (
        "Phone taken from victim's hand by suspect on a bicycle on {place}.",
        "Wallet taken from bag while victim stood at the bar of a pub near {place}.",
    ),
    "shop": (
        "Suspect selected {item} at a store on {place} and left without paying.",
        "Known shoplifter concealed {item} in a bag at {place}; detained by security.",
    ),
    "theft": (
        "Laptop bag left unattended in a café near {place}, taken.",
        "Parcel stolen from an office reception on {place}.",
    ),
    "cycle": ("Pedal cycle locked to a stand on {place} taken; lock cut.",),
    "vehicle": ("Vehicle parked on {place} entered, items taken.",),
    "violence": (
        "Victim punched outside a bar near {place} after an argument.",
        "Dispute in a queue at {place}; suspect pushed victim to the ground.",
    ),
    "harassment": ("Former colleague sending repeated unwanted messages to victim.",),
    "disorder": ("Suspect shouting abuse at door staff near {place}, causing alarm.",),
    "drugs": ("Stop and search near {place}: suspect found with {item}.",),
    "fraud": ("Victim paid a deposit for a City flat advertised online; no flat exists.",),
    "burglary": ("Office on {place} entered overnight; laptops taken.",),
    "damage": ("Window of premises on {place} smashed.",),
    "robbery": ("Victim threatened with a knife near {place} and phone taken.",),
    "sexual": ("Victim touched sexually without consent in a crowded bar near {place}.",),
    "weapon": ("Suspect found with a lock knife during a stop near {place}.",),
}
_ITEMS = ("razor blades", "spirits", "cosmetics", "meal deals", "wraps of cocaine", "cannabis")

# The Op Sun juveniles all gave one address in the MPS and asked for one appropriate adult.
OP_SUN_ADDRESS = "Flat 2, 118 Lanark Terrace, London E13"
OP_SUN_ADULT = "Elena Marinescu"
_OP_SUN_MONTHS = (1, 2, 2, 3, 4, 5, 6, 7, 9, 10, 11)


def day_weights(year: int) -> tuple[list[date], list[float]]:
    """Every recordable day of ``year`` with its relative crime volume."""
    season = (0.9, 0.95, 1.0, 0.98, 1.02, 1.05, 1.08, 0.92, 1.0, 1.03, 1.05, 0.95)
    covid = {
        2020: (1.0, 1.0, 0.8, 0.3, 0.35, 0.45, 0.55, 0.6, 0.7, 0.7, 0.45, 0.5),
        2021: (0.4, 0.4, 0.5, 0.65, 0.75, 0.85, 0.95, 0.95, 1.0, 1.0, 1.0, 0.9),
    }.get(year, (1.0,) * 12)
    weekday = (1.05, 1.1, 1.15, 1.15, 1.2, 0.6, 0.45)
    days: list[date] = []
    weights: list[float] = []
    for month in range(1, 13):
        for day in range(1, calendar.monthrange(year, month)[1] + 1):
            when = date(year, month, day)
            if when > LAST_DAY:
                return days, weights
            days.append(when)
            weights.append(season[month - 1] * covid[month - 1] * weekday[when.weekday()])
    return days, weights


def volume_crimes(rng: random.Random, year: int, count: int) -> list[CrimeRecord]:
    """``count`` recorded non-MDSHT crimes in ``year``, plus a few cancelled or transferred."""
    days, weights = day_weights(year)
    shares = [offence[2] for offence in _OFFENCES]
    hours = [1.0] * 24
    for hour, weight in ((12, 2.2), (13, 2.2), (17, 2.0), (18, 2.4), (19, 2.4), (20, 2.2)):
        hours[hour] = weight
    for hour in (2, 3, 4, 5):
        hours[hour] = 0.3
    crimes = []
    extra = count // 70  # cancelled or transferred: not counted
    for index, day in enumerate(rng.choices(days, weights, k=count + extra)):
        code, title, _, group = rng.choices(_OFFENCES, weights=shares)[0]
        status = "recorded" if index < count else rng.choice(("cancelled", "transferred"))
        hour = rng.choices(range(24), weights=hours)[0]
        crimes.append(_volume_crime(rng, f"v{year}-{index}", day, hour, code, title, group, status))
    return crimes


def _volume_crime(
    rng: random.Random,
    key: str,
    day: date,
    hour: int,
    code: str,
    title: str,
    group: str,
    status: str,
    *,
    mo_text: str | None = None,
    ms_flag: str = "N",
) -> CrimeRecord:
    recorded = datetime(day.year, day.month, day.day, hour, rng.randint(0, 59))
    if rng.random() < 0.03:
        delay = timedelta(days=rng.randint(2, 15), hours=rng.randint(0, 23))
    else:
        delay = timedelta(minutes=rng.randint(5, 20 * 60))
    reported = recorded - delay
    committed = None if rng.random() < 0.08 else reported.date() - timedelta(rng.choice((0, 0, 1)))
    lsoa, easting, northing = pick_place(rng)
    if mo_text is None:
        mo_text = ""
        if rng.random() < 0.5:
            mo_text = rng.choice(_MO[group]).format(
                place=rng.choice(CITY_PLACES), item=rng.choice(_ITEMS)
            )
    return CrimeRecord(
        key=key,
        recorded=recorded,
        reported=reported,
        committed=committed,
        code=code,
        title=title,
        ms_flag=ms_flag if rng.random() < 0.9 else "",
        status=status,
        lsoa=lsoa,
        easting=easting,
        northing=northing,
        mo_text=mo_text,
    )


def op_sun_crimes(rng: random.Random) -> list[CrimeRecord]:
    """The 2019 distraction thefts by juveniles behind Op Sun: theft, no marker."""
    crimes = []
    for index, month in enumerate(_OP_SUN_MONTHS):
        day = date(2019, month, rng.randint(1, 28))
        sex = rng.choice(("female", "male", "female"))
        mo = (
            f"Distraction theft: juvenile {sex} aged {rng.randint(12, 16)} approached victim at "
            f"{rng.choice(CITY_PLACES)} with a clipboard petition while another took "
            f"{rng.choice(('a phone', 'a purse', 'a wallet'))} from the table. Suspect arrested; "
            f"gave address {OP_SUN_ADDRESS}; asked for appropriate adult {OP_SUN_ADULT} "
            f"(stated to be {rng.choice(('aunt', 'family friend', 'cousin'))})."
        )
        crimes.append(
            _volume_crime(
                rng,
                f"opsun-{index}",
                day,
                rng.randint(11, 16),
                "39",
                "Theft from the person",
                "theft_person",
                "recorded",
                mo_text=mo,
            )
        )
    return crimes


# key, day, code, title, MO, victim (sex, age, ethnicity, nationality, exploitation) or None
_MARKED: tuple[tuple[str, date, str, str, str, tuple[str, int, str, str, str] | None], ...] = (
    ("ms20a", date(2020, 2, 11), "39", "Theft from the person",
     "Op Sun juvenile re-arrested for distraction theft; modern slavery marker added.", None),
    ("ms20b", date(2020, 3, 4), "39", "Theft from the person",
     "Op Sun juvenile arrested with an adult from the same address; MS marker added.", None),
    ("ms21a", date(2021, 9, 16), "92A", "Trafficking in controlled drugs",
     "Juvenile from Essex found with 20 wraps near Aldgate; county line runner.",
     ("M", 16, "IC3", "British", "criminal")),
    ("ms22a", date(2022, 11, 8), "92A", "Trafficking in controlled drugs",
     "Warrant at a short-let flat: cannabis, cash; occupant controlled by the line holders.",
     None),
    ("ms23a", date(2023, 6, 21), "46", "Shoplifting",
     "Girl stealing to order from a store on Cheapside; adult waiting outside took the goods.",
     ("F", 15, "IC2", "Romanian", "criminal")),
    ("ms24a", date(2024, 4, 17), "92A", "Trafficking in controlled drugs",
     "Drug supply investigation; one subject believed to be exploited by the group.", None),
)  # fmt: skip


def marked_crimes(rng: random.Random) -> tuple[list[CrimeRecord], list[VictimRecord]]:
    """Crimes with a modern slavery marker but a non-MDSHT offence code, and their victims."""
    crimes: list[CrimeRecord] = []
    victims: list[VictimRecord] = []
    for key, day, code, title, mo, victim in _MARKED:
        crime = _volume_crime(rng, key, day, 15, code, title, "", "recorded", mo_text=mo)
        crimes.append(replace(crime, ms_flag="Y"))
        if victim is not None:
            sex, age, ethnicity, nationality, kind = victim
            victims.append(VictimRecord(key, key, sex, age, None, ethnicity, "", nationality, kind))
    return crimes, victims


def volume_outcome(rng: random.Random, crime: CrimeRecord) -> list[tuple[str, date | None]]:
    """Outcome rows for a non-MDSHT crime: codes and dates, interim first."""
    if crime.status != "recorded":
        return []
    day = crime.recorded.date() + timedelta(days=rng.randint(3, 120))
    if day > EXTRACT_DAY:
        return [] if rng.random() < 0.5 else [("0", crime.recorded.date())]
    codes = ("18", "14", "15", "16", "1", "1a", "2", "2a", "3", "3a", "8", "20", "21", "22")
    shares = (52, 12, 6, 6, 8, 0.3, 1.5, 0.4, 1.2, 0.3, 2.5, 2.0, 1.0, 1.0)
    code = rng.choices(codes, weights=shares)[0]
    rows: list[tuple[str, date | None]] = []
    if rng.random() < 0.02:
        rows.append(("0", crime.recorded.date()))
    rows.append((code, None if rng.random() < 0.01 else day))
    return rows
