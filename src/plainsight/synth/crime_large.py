"""A large synthetic police force in the crime-data contract, for benchmarks and scale tests.

The City of London world (:mod:`plainsight.synth.crime`) is small and fixed to the committee
report's tables; this one is big and merely realistic: a force with ``crimes`` recorded crimes
over ``years`` calendar years ending 2023, ``mdsht`` of them modern slavery crimes (Home Office
codes ``106`` and ``106/01``..``106/03``). Volume follows weekdays, seasons and the 2020
lockdowns; offences follow a typical urban mix; modern slavery victims (one or more a crime)
mix sex, age bands, IC codes, nationalities and exploitation types roughly as the national
returns do (men and labour exploitation the largest groups); outcomes follow the Home Office
outcome mix, with interim ``0`` rows, later outcomes written first, and crimes still pending.

Written as a records system exports: ISO date-times, ISO dates and UK day-first dates mixed;
``Y``/``N``/empty markers; a few cancelled and transferred crimes; victims with a date of
birth instead of an age, or with sex, age or ethnicity missing. References are synthetic
(``LF/23/0001234``, ``V12345678``); no row describes a real person or event.

Fast (plain ``random`` with bulk draws, one ``csv`` write per file): 200,000 crimes in a few
seconds. The same arguments give byte-identical files.

>>> generate_large_force(Path("big-force"), crimes=200_000, mdsht=3_000)  # doctest: +SKIP
"""

from __future__ import annotations

import calendar
import csv
import random
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

__all__ = ["LAST_YEAR", "generate_large_force"]

LAST_YEAR = 2023

CRIME_COLUMNS = (
    "crime_ref",
    "recorded_date",
    "reported_date",
    "committed_date",
    "ho_offence_code",
    "offence_title",
    "ms_flag",
    "status",
    "lsoa_code",
    "mo_text",
)
VICTIM_COLUMNS = (
    "crime_ref",
    "victim_ref",
    "sex",
    "age",
    "date_of_birth",
    "ethnicity_ic",
    "nationality",
    "exploitation_type",
)
OUTCOME_COLUMNS = ("crime_ref", "outcome_code", "outcome_date")

# code, title, weight: a typical urban force's recorded crime, modern slavery apart.
_OFFENCES: tuple[tuple[str, str, float], ...] = (
    ("39", "Theft from the person", 6.0),
    ("46", "Shoplifting", 12.0),
    ("49", "Other theft", 13.0),
    ("44", "Theft or unauthorised taking of a pedal cycle", 3.0),
    ("45", "Theft from a vehicle", 5.0),
    ("48", "Theft or unauthorised taking of a motor vehicle", 2.5),
    ("8N", "Assault with injury", 9.0),
    ("105A", "Assault without injury", 12.0),
    ("8L", "Harassment", 6.0),
    ("8Q", "Stalking", 1.5),
    ("9A", "Public fear, alarm or distress", 7.0),
    ("92A", "Trafficking in controlled drugs", 1.0),
    ("92D", "Possession of controlled drugs (excluding cannabis)", 1.5),
    ("92E", "Possession of controlled drugs (cannabis)", 2.5),
    ("28E", "Burglary - residential", 4.0),
    ("30C", "Burglary - business and community", 2.0),
    ("58A", "Criminal damage to a dwelling", 2.5),
    ("58D", "Other criminal damage", 4.0),
    ("34B", "Robbery of personal property", 2.0),
    ("19C", "Rape of a female aged 16 and over", 1.0),
    ("20A", "Sexual assault on a female aged 13 and over", 1.5),
    ("10D", "Possession of article with blade or point", 1.0),
)
_MDSHT: tuple[tuple[str, str, float], ...] = (
    ("106", "Modern slavery", 2.0),
    ("106/01", "Hold a person in slavery or servitude", 1.0),
    ("106/02", "Require a person to perform forced or compulsory labour", 4.0),
    ("106/03", "Arrange or facilitate the travel of another person with a view to exploitation",
     3.0),
)  # fmt: skip
Weights = tuple[tuple[str, float], ...]
_EXPLOITATION: Weights = (
    ("labour", 40),
    ("criminal", 25),
    ("sexual", 22),
    ("domestic_servitude", 8),
    ("unknown", 5),
)
_SEX: Weights = (("M", 70), ("F", 28), ("", 1), ("U", 1))
_AGE_BANDS = ((11, 17, 22), (18, 25, 25), (26, 35, 27), (36, 45, 15), (46, 55, 7), (56, 70, 4))
_IC: Weights = (
    ("IC1", 34),
    ("IC2", 20),
    ("IC3", 14),
    ("IC4", 10),
    ("IC5", 7),
    ("IC6", 3),
    ("IC9", 6),
    ("", 6),
)
_NATIONALITY = {
    "IC1": ("British", "Polish", "Lithuanian", "Slovak"),
    "IC2": ("Romanian", "Albanian", "Bulgarian", "Portuguese"),
    "IC3": ("British", "Nigerian", "Eritrean", "Sudanese"),
    "IC4": ("Indian", "Pakistani", "Bangladeshi"),
    "IC5": ("Vietnamese", "Chinese", "Filipino"),
    "IC6": ("Egyptian", "Iraqi", "Syrian"),
    "IC9": ("",),
    "": ("",),
}
_MDSHT_OUTCOMES: Weights = (
    ("18", 50),
    ("14", 20),
    ("16", 5),
    ("15", 3),
    ("1", 4),
    ("1a", 0.5),
    ("20", 5),
    ("8", 1.5),
    ("21", 1),
    ("pending", 10),
)
_VOLUME_OUTCOMES: Weights = (
    ("18", 45),
    ("14", 14),
    ("15", 5),
    ("16", 8),
    ("1", 8),
    ("2", 0.8),
    ("3", 1.2),
    ("3a", 0.2),
    ("8", 2.5),
    ("20", 1.5),
    ("21", 1),
    ("22", 1),
    ("pending", 12),
)
_LSOAS = tuple(f"E0100{n:04d}" for n in range(2100, 2400))
_SEASON = (0.92, 0.95, 1.0, 0.98, 1.02, 1.05, 1.08, 0.96, 1.0, 1.03, 1.02, 0.96)
_WEEKDAY = (1.05, 1.05, 1.05, 1.05, 1.1, 0.9, 0.8)
_LOCKDOWN = {2020: (1.0, 1.0, 0.8, 0.55, 0.6, 0.7, 0.8, 0.85, 0.9, 0.9, 0.7, 0.8)}
_MO: dict[str, str] = {
    "46": "Suspect left the store without paying for goods.",
    "8N": "Victim assaulted outside licensed premises after an argument.",
    "28E": "Property entered by force overnight; items taken.",
    "45": "Vehicle entered; items taken from the glovebox.",
    "8L": "Victim received repeated unwanted messages from a former partner.",
    "92D": "Stop and search: suspect found in possession.",
}
_MDSHT_MO = {
    "labour": "Workers at a car wash paid little or nothing; housed by the employer; debt owed.",
    "criminal": "Juvenile found with a deal-line phone; directed by adults to carry drugs.",
    "sexual": "Victim advertised online for sex; controller kept her earnings and phone.",
    "domestic_servitude": "Live-in worker not allowed out; passport held by the family.",
    "unknown": "Referral from a partner agency; details of exploitation not yet known.",
}


def generate_large_force(
    out: Path, *, crimes: int = 200_000, mdsht: int = 3_000, years: int = 5, seed: int = 0
) -> None:
    """Write ``crimes.csv``, ``victims.csv``, ``outcomes.csv`` and ``README.txt`` into ``out``.

    ``crimes`` rows in all, ``mdsht`` of them modern slavery crimes (a few cancelled or
    transferred, so slightly fewer are counted), recorded over the ``years`` calendar years
    ending 2023. Raises ``ValueError`` when ``mdsht`` exceeds ``crimes`` or a count is negative.
    """
    if crimes < 0 or mdsht < 0 or mdsht > crimes:
        raise ValueError("need 0 <= mdsht <= crimes")
    if years < 1:
        raise ValueError("years must be 1 or more")
    rng = random.Random(f"plainsight-large-force:{seed}")
    out.mkdir(parents=True, exist_ok=True)
    first_year = LAST_YEAR - years + 1
    days, weights = _days(first_year)
    recorded_days = sorted(rng.choices(days, weights, k=crimes))
    slavery = set(rng.sample(range(crimes), mdsht))
    writer = _Writer(rng)
    crime_rows: list[list[str]] = []
    victim_rows: list[list[str]] = []
    outcome_rows: list[list[str]] = []
    counters: dict[int, int] = {}
    people = iter(rng.sample(range(10_000_000, 99_999_999), mdsht * 5 + 1))
    for index, day in enumerate(recorded_days):
        counters[day.year] = counters.get(day.year, rng.randint(1000, 9000)) + 1
        ref = f"LF/{day.year % 100:02d}/{counters[day.year]:07d}"
        is_slavery = index in slavery
        offence = rng.choices(_MDSHT if is_slavery else _OFFENCES, _WEIGHTS[is_slavery])[0]
        kind = _pick(rng, _EXPLOITATION) if is_slavery else ""
        recorded, reported, committed = _moments(rng, day, is_slavery)
        status = _status(rng)
        crime_rows.append(
            [
                ref,
                writer.moment(recorded),
                reported.isoformat(timespec="minutes"),
                writer.day(committed),
                offence[0],
                offence[1],
                _marker(rng, is_slavery),
                status,
                rng.choice(_LSOAS),
                _MDSHT_MO[kind] if is_slavery else _MO.get(offence[0], ""),
            ]
        )
        if is_slavery:
            count = rng.choices((1, 2, 3, 4), (86, 9, 4, 1))[0]
            for _ in range(count):
                victim_rows.append(_victim(rng, writer, ref, next(people), kind, committed))
        if status == "recorded":
            table = _MDSHT_OUTCOMES if is_slavery else _VOLUME_OUTCOMES
            outcome_rows.extend(_outcomes(rng, writer, ref, recorded.date(), table))
    _write(out / "crimes.csv", CRIME_COLUMNS, crime_rows)
    _write(out / "victims.csv", VICTIM_COLUMNS, victim_rows)
    _write(out / "outcomes.csv", OUTCOME_COLUMNS, outcome_rows)
    (out / "README.txt").write_text(
        "SYNTHETIC DATA - NOT REAL CRIME RECORDS\n\n"
        f"Made by plainsight.synth.crime_large (seed {seed}): {crimes} crimes, {mdsht} of them "
        f"modern slavery, recorded {first_year}-{LAST_YEAR}; {len(victim_rows)} victim rows, "
        f"{len(outcome_rows)} outcome rows. Every reference and value is invented.\n",
        encoding="utf-8",
    )


_WEIGHTS: dict[bool, list[float]] = {
    False: [offence[2] for offence in _OFFENCES],
    True: [offence[2] for offence in _MDSHT],
}


def _pick(rng: random.Random, table: Sequence[tuple[str, float]]) -> str:
    return rng.choices([v for v, _ in table], [w for _, w in table])[0]


def _days(first_year: int) -> tuple[list[date], list[float]]:
    days: list[date] = []
    weights: list[float] = []
    for year in range(first_year, LAST_YEAR + 1):
        lockdown = _LOCKDOWN.get(year, (1.0,) * 12)
        for month in range(1, 13):
            for number in range(1, calendar.monthrange(year, month)[1] + 1):
                day = date(year, month, number)
                days.append(day)
                weights.append(_SEASON[month - 1] * lockdown[month - 1] * _WEEKDAY[day.weekday()])
    return days, weights


def _moments(
    rng: random.Random, day: date, slavery: bool
) -> tuple[datetime, datetime, date | None]:
    """Recorded and reported date-times and the committed day, consistent with each other."""
    recorded = datetime(day.year, day.month, day.day, rng.randint(0, 23), rng.randint(0, 59))
    late = rng.random() < (0.08 if slavery else 0.03)
    delay = (
        timedelta(hours=rng.randint(25, 400)) if late else timedelta(minutes=rng.randint(5, 1400))
    )
    reported = recorded - delay
    if rng.random() < 0.1:
        return recorded, reported, None
    before = rng.randint(0, 200) if slavery else rng.choice((0, 0, 0, 1, 2, 7))
    return recorded, reported, reported.date() - timedelta(days=before)


def _status(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.015:
        return "cancelled"
    if roll < 0.025:
        return "transferred"
    return "recorded" if roll < 0.85 else ""


def _marker(rng: random.Random, slavery: bool) -> str:
    if slavery:
        return "Y" if rng.random() < 0.93 else rng.choice(("N", ""))
    if rng.random() < 0.0005:
        return "Y"  # a slavery element seen on another crime
    return "N" if rng.random() < 0.9 else ""


def _victim(
    rng: random.Random, writer: _Writer, ref: str, person: int, kind: str, committed: date | None
) -> list[str]:
    low, high, _ = rng.choices(_AGE_BANDS, [band[2] for band in _AGE_BANDS])[0]
    if kind == "criminal":
        low, high = (12, 17) if rng.random() < 0.7 else (18, 24)
    age = rng.randint(low, high)
    sex = _pick(rng, _SEX)
    if kind == "sexual" and rng.random() < 0.7:
        sex = "F"
    ic = _pick(rng, _IC)
    age_cell, born_cell = str(age), ""
    roll = rng.random()
    if roll < 0.1 and committed is not None:
        born = committed - timedelta(days=age * 365 + rng.randint(10, 350))
        age_cell, born_cell = "", writer.day(born)
    elif roll < 0.14:
        age_cell = ""
    sex_cell = {"F": "Female", "M": "Male"}.get(sex, sex) if rng.random() < 0.1 else sex
    return [
        ref,
        f"V{person}",
        sex_cell,
        age_cell,
        born_cell,
        ic,
        rng.choice(_NATIONALITY[ic]),
        kind,
    ]


def _outcomes(
    rng: random.Random,
    writer: _Writer,
    ref: str,
    recorded: date,
    table: Sequence[tuple[str, float]],
) -> list[list[str]]:
    code = _pick(rng, table)
    interim = recorded + timedelta(days=rng.randint(1, 30))
    if code == "pending":
        return [[ref, "0", writer.day(interim)]] if rng.random() < 0.4 else []
    final = interim + timedelta(days=rng.randint(10, 300))
    rows = [[ref, code, writer.day(final)]]
    if rng.random() < 0.2:
        rows.append([ref, "0", writer.day(interim)])  # written after the final one
        if rng.random() < 0.5:
            rows.reverse()
    return rows


class _Writer:
    """Writes dates as a records system exports them: mostly ISO, some UK day-first."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def moment(self, value: datetime) -> str:
        roll = self.rng.random()
        if roll < 0.5:
            return value.isoformat(timespec="minutes")
        return self.day(value.date(), uk=roll >= 0.85)

    def day(self, value: date | None, *, uk: bool | None = None) -> str:
        if value is None:
            return ""
        if uk is None:
            uk = self.rng.random() < 0.2
        return value.strftime("%d/%m/%Y") if uk else value.isoformat()


def _write(path: Path, header: Sequence[str], rows: Iterable[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
