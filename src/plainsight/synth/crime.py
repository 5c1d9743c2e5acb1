"""``plainsight synth crime``: a synthetic City of London crime world in the crime-data contract.

Writes ``crimes.csv``, ``victims.csv`` and ``outcomes.csv`` (``shared/contracts/crime-data.md``)
and a ``README.txt``. Counted by the contract's rules over 2019-01-01..2023-12-31, the files give
exactly the tables of the committee report Pol 25-24 (22 February 2024): 41 MDSHT crimes with
one victim each, by year, by sex and age band, by sex and ethnicity, by outcome and year, the
monthly profile, and 6,923 recorded crimes of all kinds in 2023 (a 0.13% share).

Assumption: the report's outcome "Resolved" (2021: 1) is taken as Home Office outcome 8
(community resolution), as there is no outcome type called "Resolved".

The seed varies only incidental detail (references, days, times, places, MO wording, the mix
of everyday crime and how each value is written); the report's tables never change. The files
also exercise the contract's tolerances: a byte-order mark on ``crimes.csv``, mixed-case
headers in ``victims.csv``, an extra ``source_system`` column, ISO and UK (day-first) dates,
date-times and values with stray spaces.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from plainsight.synth.crime_background import (
    ALL_CRIME_BY_YEAR,
    marked_crimes,
    op_sun_crimes,
    volume_crimes,
    volume_outcome,
)
from plainsight.synth.crime_mdsht import build_mdsht
from plainsight.synth.crime_records import CrimeRecord, OutcomeRecord, VictimRecord

CRIME_COLUMNS = (
    "crime_ref",
    "source_system",
    "recorded_date",
    "reported_date",
    "committed_date",
    "ho_offence_code",
    "offence_title",
    "ms_flag",
    "status",
    "lsoa_code",
    "easting",
    "northing",
    "mo_text",
)
VICTIM_COLUMNS = (
    "Crime_Ref",
    "Victim_Ref",
    "Sex",
    "Age",
    "Date_Of_Birth",
    "Ethnicity_IC",
    "Ethnicity_SDE",
    "Nationality",
    "Exploitation_Type",
)
OUTCOME_COLUMNS = ("crime_ref", "outcome_code", "outcome_date")

_README = """\
SYNTHETIC DATA - NOT REAL CRIME RECORDS

Made by `plainsight synth crime --seed {seed}`. Every person, reference, address and event in
these files is invented. The files follow plainsight's crime-data contract
(shared/contracts/crime-data.md): crimes.csv, victims.csv, outcomes.csv.

Counted over 2019-01-01..2023-12-31 they reproduce the tables of the City of London Police
committee report "Modern Day Slavery and Human Trafficking update" (Pol 25-24, 22 February
2024): 41 modern slavery crimes, one victim each, 6,923 recorded crimes in 2023.

Assumption: the report's outcome row "Resolved" (2021: 1) is not a Home Office outcome type;
it is recorded here as outcome 8 (community resolution).

Also present, for the recording-integrity audit: crimes with a modern slavery marker but a
non-slavery offence code; cancelled and transferred slavery crimes; crimes recorded more than
24 hours after report; victims with missing sex, age or ethnicity; a crime with several
victims; crimes still pending; the 2019 "Op Sun" distraction thefts; and crimes recorded
January-September 2024.

Totals: {crimes} crime rows, {mdsht} recorded modern slavery crimes (all years),
{victims} victim rows, {outcomes} outcome rows.
"""


@dataclass(frozen=True)
class CrimeWorldSummary:
    """What :func:`generate_crime` wrote."""

    out_dir: Path
    crimes: int  # rows in crimes.csv
    mdsht_crimes: int  # recorded MDSHT crimes, all years (counting rules of the contract)
    victims: int  # rows in victims.csv
    outcomes: int  # rows in outcomes.csv
    seed: int


def generate_crime(out_dir: Path, *, seed: int = 0) -> CrimeWorldSummary:
    """Write the synthetic crime world for ``seed`` into ``out_dir`` (created if missing).

    The same seed gives byte-identical files. Returns the row counts written.

    >>> summary = generate_crime(Path("crime-world"), seed=0)  # doctest: +SKIP
    >>> summary.victims  # doctest: +SKIP
    56
    """
    rng = random.Random(f"plainsight-crime:{seed}")
    crimes, victims, outcomes = build_mdsht(random.Random(f"plainsight-crime:{seed}:mdsht"))
    crimes.extend(op_sun_crimes(rng))
    marked, marked_victims = marked_crimes(rng)
    crimes.extend(marked)
    victims.extend(marked_victims)
    taken = Counter(crime.recorded.year for crime in crimes if crime.status == "recorded")
    volume: list[CrimeRecord] = []
    for year, total in ALL_CRIME_BY_YEAR.items():
        volume.extend(volume_crimes(rng, year, total - taken[year]))
    for crime in volume:
        outcomes.extend(
            OutcomeRecord(crime.key, code, when) for code, when in volume_outcome(rng, crime)
        )
    crimes.extend(volume)
    crimes.sort(key=lambda crime: (crime.recorded, crime.key))

    refs = _crime_refs(crimes, rng)
    people = _victim_refs(victims, rng)
    order = {crime.key: position for position, crime in enumerate(crimes)}
    victims.sort(key=lambda victim: order[victim.crime_key])
    outcomes.sort(key=lambda outcome: order[outcome.crime_key])  # stable: keeps row order

    out_dir.mkdir(parents=True, exist_ok=True)
    cells = _Cells(random.Random(f"plainsight-crime:{seed}:cells"))
    _write(
        out_dir / "crimes.csv",
        CRIME_COLUMNS,
        (cells.pad(cells.crime(crime, refs[crime.key])) for crime in crimes),
        bom=True,
    )
    _write(
        out_dir / "victims.csv",
        VICTIM_COLUMNS,
        (
            cells.pad(cells.victim(victim, refs[victim.crime_key], people[victim.person]))
            for victim in victims
        ),
    )
    _write(
        out_dir / "outcomes.csv",
        OUTCOME_COLUMNS,
        (cells.pad(cells.outcome(outcome, refs[outcome.crime_key])) for outcome in outcomes),
    )
    mdsht = sum(1 for crime in crimes if crime.status == "recorded" and _is_mdsht(crime.code))
    summary = CrimeWorldSummary(out_dir, len(crimes), mdsht, len(victims), len(outcomes), seed)
    readme = _README.format(
        seed=seed, crimes=len(crimes), mdsht=mdsht, victims=len(victims), outcomes=len(outcomes)
    )
    (out_dir / "README.txt").write_text(readme, encoding="utf-8")
    return summary


def _is_mdsht(code: str) -> bool:
    return code == "106" or code.startswith("106/")


def _crime_refs(crimes: Sequence[CrimeRecord], rng: random.Random) -> dict[str, str]:
    """Force references rising through each year from a random start, in recorded order."""
    refs: dict[str, str] = {}
    counters: dict[int, int] = {}
    for crime in crimes:
        year = crime.recorded.year
        counters[year] = counters.get(year, rng.randint(100, 900)) + rng.randint(1, 3)
        refs[crime.key] = f"CLP/{year % 100:02d}/{counters[year]:06d}"
    return refs


def _victim_refs(victims: Sequence[VictimRecord], rng: random.Random) -> dict[str, str]:
    people = sorted({victim.person for victim in victims})
    numbers = rng.sample(range(1_000_000, 9_999_999), len(people))
    return {person: f"P{number}" for person, number in zip(people, numbers, strict=True)}


class _Cells:
    """Writes values as a records system would export them, varied by the seed."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def crime(self, crime: CrimeRecord, ref: str) -> list[str]:
        status = crime.status
        if status == "recorded" and self.rng.random() < 0.15:
            status = ""
        return [
            ref,
            "NICHE",
            self._recorded(crime.recorded),
            crime.reported.isoformat(timespec="minutes" if self.rng.random() < 0.7 else "seconds"),
            self._day(crime.committed),
            crime.code,
            crime.title,
            crime.ms_flag,
            status,
            crime.lsoa,
            str(crime.easting),
            str(crime.northing),
            crime.mo_text,
        ]

    def victim(self, victim: VictimRecord, crime_ref: str, victim_ref: str) -> list[str]:
        return [
            crime_ref,
            victim_ref,
            victim.sex,
            "" if victim.age is None else str(victim.age),
            self._day(victim.date_of_birth),
            victim.ethnicity_ic,
            victim.ethnicity_sde,
            victim.nationality,
            victim.exploitation_type,
        ]

    def outcome(self, outcome: OutcomeRecord, crime_ref: str) -> list[str]:
        return [crime_ref, outcome.code, self._day(outcome.when, outcome.date_style)]

    def pad(self, row: list[str]) -> list[str]:
        """Surround a few non-empty values with spaces, as hand-edited exports do."""
        return [
            f"{' ' * self.rng.randint(0, 1)}{value} "
            if value and self.rng.random() < 0.02
            else value
            for value in row
        ]

    def _recorded(self, value: datetime) -> str:
        roll = self.rng.random()
        if roll < 0.45:
            return value.isoformat(timespec="minutes")
        return self._day(value.date(), "iso" if roll < 0.8 else "uk")

    def _day(self, value: date | None, style: str = "") -> str:
        if value is None:
            return ""
        if not style:
            style = "iso" if self.rng.random() < 0.6 else "uk"
        return value.isoformat() if style == "iso" else value.strftime("%d/%m/%Y")


def _write(
    path: Path, header: Sequence[str], rows: Iterable[list[str]], *, bom: bool = False
) -> None:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
