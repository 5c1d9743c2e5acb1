"""The case book: every modern slavery (MDSHT) crime in the synthetic world, as fixed facts.

The 41 crimes recorded 2019–2023 are the seed report's tables cell by cell (committee report
Pol 25-24, 22 February 2024): year, sex, age, ethnicity and final outcome of each crime are
fixed here, so no seed can change a table. A seed varies only days, times, references and
wording (:mod:`plainsight.synth.crime_mdsht`).

Assumption: the report's outcome row "Resolved" (2021: 1) is not a Home Office outcome type;
it is taken to be outcome 8 (community resolution).

Flags on a case:

- ``blank``: no committed date, so the recorded month is the month of the temporal profile;
- ``prior``: committed in the year before it was recorded (November 2018, recorded 2019);
- ``decrec``: committed late November, recorded in December (the profile still says November);
- ``late``: recorded more than 24 hours after it was reported;
- ``dob``: the victim's date of birth is given instead of an age;
- ``dobedge``: as ``dob``, with the 18th birthday between committed and recorded dates;
- ``uktrap``: the interim outcome's date is ISO and the final one's UK, so a string comparison
  of the dates picks the wrong one; ``reversed``: outcome rows written latest first;
- ``nodate``: the only outcome has no date; ``nomarker``: the record lacks the MS marker.

The planted cases after the 41 are for the recording-integrity audit: cancelled and transferred
crimes, a December crime that was cancelled, several victims on one crime, missing sex or age,
a repeat victim, and crimes recorded in 2024 (some still pending).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class VictimSpec:
    """A victim as recorded: ``sex`` and ``ethnicity`` are written as given ("" unknown)."""

    sex: str
    age: int | None
    ethnicity: str
    nationality: str
    exploitation: str
    age_source: str = "age"  # "age", "dob", "dobedge" or "none"
    person: str = ""


@dataclass(frozen=True)
class CaseSpec:
    """One MDSHT crime: where its dates fall, who the victims are and its outcomes in order."""

    key: str
    year: int
    month: int
    victims: tuple[VictimSpec, ...]
    outcomes: tuple[str, ...]
    flags: frozenset[str] = frozenset()
    status: str = "recorded"
    code: str = ""
    recorded_at: datetime | None = None
    reported_at: datetime | None = None
    committed_on: date | None = None
    note: str = field(default="")


# key  year month sex age eth outcome(s) exploitation nationality flags
_COUNTED = """
a19 2019  1 M      16 IC1   18     criminal           British    -
b19 2019  1 M      13 IC1   18     criminal           Romanian   blank,dob
c19 2019  1 F      11 IC2   18     criminal           Romanian   dob
d19 2019  2 M      16 IC2   18     criminal           Romanian   late
e19 2019  2 F      15 IC2   14     sexual             Romanian   -
f19 2019  3 M      22 IC1   18     labour             Romanian   blank
g19 2019  3 M      24 IC1   0,1    labour             Polish     -
h19 2019  4 male   15 IC3   18     criminal           British    nomarker
i19 2019  4 M      28 IC1   18     labour             Romanian   -
j19 2019  5 M      20 IC2   14     labour             Albanian   -
k19 2019  6 M      19 IC1   18     criminal           British    blank,late
l19 2019  7 F      27 IC1   18     sexual             Polish     late
m19 2019  8 M      31 IC1   20,18  labour             Polish     uktrap
n19 2019  8 M      17 IC1   18     criminal           British    dobedge
o19 2019  9 M      14 -     18     criminal           British    -
p19 2019 10 M      41 IC1   14     labour             Romanian   -
q19 2019 11 M      33 -     18     labour             -          prior
r19 2019 11 F      19 IC2   18     sexual             Albanian   -
a20 2020  1 M      21 IC1   14     labour             Lithuanian nodate
b20 2020  2 Female 31 IC3   14,16  sexual             Nigerian   -
c20 2020  3 M      27 IC2   14     labour             Portuguese late
d20 2020  9 M      17 IC3   18     criminal           Eritrean   -
e20 2020 10 F      28 IC9   14     sexual             -          -
a21 2021  6 M      29 IC4   18     labour             Indian     dob
b21 2021  8 F      42 -     8      domestic_servitude Filipino   -
c21 2021 11 M      47 IC5   14     labour             Chinese    decrec
a22 2022  1 M      25 IC1   18     labour             Slovak     blank
b22 2022  3 F      23 IC5   14     sexual             Vietnamese -
c22 2022  4 M      18 IC5   16     criminal           Vietnamese late
d22 2022  7 M      38 IC9   0,18   labour             -          reversed
e22 2022  9 M      52 IC1   14     labour             British    nomarker
f22 2022 10 F      16 IC1   18     sexual             British    dob
a23 2023  1 M      23 IC2   18     criminal           Albanian   -
b23 2023  2 M      19 IC3   18     labour             Sudanese   -
c23 2023  2 M      34 IC1   18     labour             British    -
d23 2023  3 M      26 IC9   0,20   unknown            -          -
e23 2023  4 F      34 IC4   14     domestic_servitude Indian     late
f23 2023  4 M      22 IC9   18     unknown            -          -
g23 2023  5 M      58 IC1   18     labour             British    dob
h23 2023  6 M      15 IC1   20     criminal           British    -
"""


def _parse(table: str) -> list[CaseSpec]:
    cases = []
    for line in table.strip().splitlines():
        key, year, month, sex, age, eth, outcomes, exploitation, nationality, flags = line.split()
        flag_set = frozenset() if flags == "-" else frozenset(flags.split(","))
        age_source = next((f for f in ("dobedge", "dob") if f in flag_set), "age")
        victim = VictimSpec(
            sex=sex,
            age=int(age),
            ethnicity="" if eth == "-" else eth,
            nationality="" if nationality == "-" else nationality,
            exploitation=exploitation,
            age_source=age_source,
            person=key,
        )
        cases.append(
            CaseSpec(key, int(year), int(month), (victim,), tuple(outcomes.split(",")), flag_set)
        )
    return cases


def _victim(
    sex: str, age: int | None, eth: str, nationality: str, kind: str, person: str = ""
) -> VictimSpec:
    return VictimSpec(sex, age, eth, nationality, kind, "age" if age else "none", person)


# The last counted crime: committed in July 2023, disclosed on 30 December and recorded on the
# 31st, 27 hours later: late, and in 2023 only by its recorded date.
_LAST_OF_2023 = CaseSpec(
    "i23",
    2023,
    7,
    (_victim("M", 20, "IC1", "Romanian", "labour", "i23"),),
    ("18",),
    frozenset({"late"}),
    recorded_at=datetime(2023, 12, 31, 22, 40),
    reported_at=datetime(2023, 12, 30, 19, 15),
    committed_on=date(2023, 7, 14),
)

_PLANTED: tuple[CaseSpec, ...] = (
    CaseSpec(
        "x19t",
        2019,
        6,
        (_victim("M", None, "IC2", "Albanian", "labour"),),
        (),
        status="transferred",
        note="transferred",
    ),
    CaseSpec(
        "x20c",
        2020,
        5,
        (_victim("", None, "", "", "unknown"),),
        ("18",),
        frozenset({"late"}),
        status="cancelled",
        note="cancelled",
    ),
    CaseSpec(
        "x22t",
        2022,
        8,
        (_victim("U", None, "IC1", "Romanian", "labour"),),
        (),
        status="transferred",
        code="106/02",
        note="transferred",
    ),
    CaseSpec(
        "x23c",
        2023,
        12,
        (
            _victim("F", 24, "IC2", "Romanian", "sexual"),
            _victim("F", None, "", "", "sexual"),
        ),
        (),
        status="cancelled",
        code="106/03",
        note="cancelled",
    ),
    CaseSpec(
        "x24a",
        2024,
        12,
        (_victim("F", 20, "IC3", "Nigerian", "sexual"),),
        (),
        code="106/03",
        recorded_at=datetime(2024, 1, 1, 0, 20),
        reported_at=datetime(2023, 12, 31, 23, 50),
        committed_on=date(2023, 12, 31),
    ),
    CaseSpec(
        "x24b",
        2024,
        2,
        (
            _victim("M", 31, "IC1", "Romanian", "labour"),
            _victim("M", None, "IC1", "Romanian", "labour"),
            _victim("", 44, "", "Moldovan", "labour"),
        ),
        ("0",),
        code="106/02",
    ),
    CaseSpec("x24c", 2024, 3, (_victim("M", 17, "IC3", "British", "criminal"),), ("18",)),
    CaseSpec(
        "x24d",
        2024,
        5,
        (_victim("F", 35, "IC4", "Indian", "domestic_servitude", "e23"),),
        ("14",),
        code="106/01",
    ),
    CaseSpec(
        "x24e",
        2024,
        7,
        (_victim("M", 24, "IC2", "Albanian", "labour"),),
        (),
        frozenset({"late"}),
    ),
    CaseSpec(
        "x24f",
        2024,
        6,
        (_victim("F", 45, "IC5", "Filipino", "domestic_servitude"),),
        ("20",),
        code="106/01",
    ),
)

#: Every MDSHT crime in the world: the 41 counted in 2019–2023, then the planted ones.
CASEBOOK: tuple[CaseSpec, ...] = (*_parse(_COUNTED), _LAST_OF_2023, *_PLANTED)
