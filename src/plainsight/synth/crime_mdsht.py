"""Modern slavery crimes made from the case book: the seed picks the days, never the facts.

Each :class:`~plainsight.synth.crime_cases.CaseSpec` becomes one crime, its victims and its
outcomes. The seed chooses the day within the case's month, times of day, the recording delay,
the Modern Slavery Act sub-code, where in the City it happened and how the MO reads; the year,
the profile month, sex, age band, ethnicity and final outcome stay as the case book says.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from plainsight.synth.crime_cases import CASEBOOK, CaseSpec, VictimSpec
from plainsight.synth.crime_records import (
    CITY_PLACES,
    CrimeRecord,
    OutcomeRecord,
    VictimRecord,
    age_on,
    pick_place,
)

MDSHT_TITLES: dict[str, str] = {
    "106": "Modern slavery",
    "106/01": "Hold a person in slavery or servitude",
    "106/02": "Require a person to perform forced or compulsory labour",
    "106/03": "Arrange or facilitate the travel of another person with a view to exploitation",
}

_CODE_CHOICES: dict[str, tuple[str, ...]] = {
    "labour": ("106/02", "106/02", "106"),
    "sexual": ("106/03", "106/03", "106"),
    "criminal": ("106/03", "106"),
    "domestic_servitude": ("106/01",),
    "unknown": ("106",),
}

_MO: dict[str, tuple[str, ...]] = {
    "labour": (
        "Victim found working {hours} hours a day on a construction site near {place} for "
        "little or no pay; passport held by the gang master; housed in an overcrowded flat.",
        "Kitchen porter at a restaurant near {place} disclosed unpaid wages, debt bondage for "
        "travel costs and threats to family at home. Referred to the NRM.",
        "Cleaner on a night contract at an office block on {place}; wages paid into an account "
        "controlled by a third party; {n} other workers at the same address.",
    ),
    "sexual": (
        "Victim advertised for sexual services on an adult website; working from a short-let "
        "flat near {place}; controller kept the earnings and her phone.",
        "Welfare check at a serviced apartment near {place} following an advert; victim "
        "disclosed being moved between cities and forced to see clients.",
        "Victim approached staff at a hotel near {place}; states brought to the UK on a promise "
        "of work and made to sell sex to repay a debt.",
    ),
    "criminal": (
        "Juvenile arrested near {place} in possession of a deal-line phone and wraps; "
        "directed by adults, trafficked into the City to run drugs. Safeguarding referral.",
        "Juvenile detained for thefts around {place}; disclosed being brought to London by "
        "adults and made to steal to repay a debt. Referred to the NRM.",
        "Young person found begging and pickpocketing at {place}; controlled by adults who "
        "took the proceeds; {n} others seen with the same adults.",
    ),
    "domestic_servitude": (
        "Live-in domestic worker for a family staying near {place}; passport retained, not "
        "allowed out alone, working {hours} hours a day without pay.",
        "Victim fled a household visiting the City; states made to cook and clean for "
        "{hours} hours a day, documents withheld. Referred to the NRM.",
    ),
    "unknown": (
        "NRM referral from a partner agency; exploitation in or near {place} not yet known. "
        "Victim not supporting enquiries at this stage.",
        "Third-party report of a person being controlled near {place}; limited detail.",
    ),
}

_SDE_BY_NATIONALITY: dict[str, str] = {
    "British": "W1",
    "Nigerian": "B2",
    "Eritrean": "B2",
    "Sudanese": "B2",
    "Indian": "A1",
    "Chinese": "A4",
    "Vietnamese": "A9",
    "Filipino": "A9",
}


def build_mdsht(
    rng: random.Random,
) -> tuple[list[CrimeRecord], list[VictimRecord], list[OutcomeRecord]]:
    """All MDSHT crimes, their victims and their outcomes, in case-book order."""
    crimes: list[CrimeRecord] = []
    victims: list[VictimRecord] = []
    outcomes: list[OutcomeRecord] = []
    for case in CASEBOOK:
        crime = _crime(case, rng)
        crimes.append(crime)
        ref_day = crime.committed or crime.recorded.date()
        victims.extend(
            _victim(case.key, index, spec, ref_day, crime.recorded.date(), rng)
            for index, spec in enumerate(case.victims)
        )
        outcomes.extend(_outcomes(case, crime.recorded.date(), rng))
    return crimes, victims, outcomes


def _crime(case: CaseSpec, rng: random.Random) -> CrimeRecord:
    committed, reported, recorded = _dates(case, rng)
    exploitation = case.victims[0].exploitation
    code = case.code or rng.choice(_CODE_CHOICES[exploitation])
    lsoa, easting, northing = pick_place(rng)
    mo = rng.choice(_MO[exploitation]).format(
        place=rng.choice(CITY_PLACES), hours=rng.randint(12, 16), n=rng.randint(2, 6)
    )
    if case.status == "cancelled":
        mo += " Crime cancelled: additional verifiable information shows no offence."
    elif case.status == "transferred":
        mo += " Offence location in the MPS area: transferred to the Metropolitan Police."
    return CrimeRecord(
        key=case.key,
        recorded=recorded,
        reported=reported,
        committed=committed,
        code=code,
        title=MDSHT_TITLES[code],
        ms_flag=rng.choice(("N", "")) if "nomarker" in case.flags else "Y",
        status=case.status,
        lsoa=lsoa,
        easting=easting,
        northing=northing,
        mo_text=mo,
    )


def _dates(case: CaseSpec, rng: random.Random) -> tuple[date | None, datetime, datetime]:
    """Committed date, reported and recorded date-times, inside the case's year and month."""
    flags = case.flags
    if "late" in flags:
        delay = timedelta(days=rng.randint(2, 19), hours=rng.randint(0, 23))
    else:
        delay = timedelta(minutes=rng.randint(20, 20 * 60))
    if case.recorded_at is not None and case.reported_at is not None:
        return case.committed_on, case.reported_at, case.recorded_at
    committed: date | None
    if "blank" in flags:
        committed = None
        recorded = datetime(case.year, case.month, rng.randint(1, 28), rng.randint(7, 22))
        recorded += timedelta(minutes=rng.randint(0, 59))
        reported = recorded - delay
    else:
        year = case.year - 1 if "prior" in flags else case.year
        last = 26 if case.month == 12 else 28  # room for the lag before New Year
        day = rng.randint(22, 28) if "decrec" in flags else rng.randint(1, last)
        committed = date(year, case.month, day)
        if "prior" in flags:
            lag = rng.randint(62, 80)
        elif "decrec" in flags:
            lag = rng.randint(10, 15)
        elif "dobedge" in flags:
            lag = rng.randint(12, 20)
        else:
            lag = rng.randint(0, 3)
        clock = time(rng.randint(6, 23), rng.randint(0, 59))
        reported = datetime.combine(committed + timedelta(days=lag), clock)
        recorded = reported + delay
    if recorded.year != case.year or ("decrec" in flags and recorded.month != 12):
        raise ValueError(f"case {case.key}: recorded {recorded} outside its year")
    return committed, reported, recorded


def _victim(
    crime_key: str,
    index: int,
    spec: VictimSpec,
    ref_day: date,
    recorded_day: date,
    rng: random.Random,
) -> VictimRecord:
    born: date | None = None
    age = spec.age
    if spec.age_source in ("dob", "dobedge") and spec.age is not None:
        born = _birth_date(spec.age, ref_day, recorded_day, spec.age_source == "dobedge", rng)
        age = None
    sde = ""
    if spec.ethnicity and rng.random() < 0.6:
        sde = _SDE_BY_NATIONALITY.get(spec.nationality, "W9" if spec.ethnicity < "IC3" else "")
    return VictimRecord(
        crime_key=crime_key,
        person=spec.person or f"{crime_key}-{index}",
        sex=spec.sex,
        age=age,
        date_of_birth=born,
        ethnicity_ic=spec.ethnicity,
        ethnicity_sde=sde,
        nationality=spec.nationality,
        exploitation_type=spec.exploitation,
    )


def _birth_date(
    age: int, ref_day: date, recorded_day: date, edge: bool, rng: random.Random
) -> date:
    """A birth date giving ``age`` on ``ref_day``; with ``edge``, a birthday by the recorded day."""
    if edge:
        span = (recorded_day - ref_day).days
        birthday = ref_day + timedelta(days=rng.randint(1, span - 1))
        born = birthday.replace(year=birthday.year - age - 1)
        if age_on(born, recorded_day) != age + 1:
            raise ValueError(f"birthday edge not between {ref_day} and {recorded_day}")
    else:
        for _ in range(50):
            born = ref_day.replace(year=ref_day.year - age) - timedelta(days=rng.randint(1, 330))
            if age_on(born, ref_day) == age:
                break
    if age_on(born, ref_day) != age:
        raise ValueError(f"no birth date for age {age} on {ref_day}")
    return born


def _outcomes(case: CaseSpec, recorded_day: date, rng: random.Random) -> list[OutcomeRecord]:
    rows: list[OutcomeRecord] = []
    when = recorded_day + timedelta(days=rng.randint(10, 80))
    for position, code in enumerate(case.outcomes):
        if position:
            when += timedelta(days=rng.randint(30, 240))
        style = ""
        if "uktrap" in case.flags:
            final = position == len(case.outcomes) - 1
            if final and when.day >= 20:
                when -= timedelta(days=when.day - 10)  # "1x/..." sorts before "2019-..."
            style = "uk" if final else "iso"
        rows.append(OutcomeRecord(case.key, code, None if "nodate" in case.flags else when, style))
    if "reversed" in case.flags:
        rows.reverse()
    return rows
