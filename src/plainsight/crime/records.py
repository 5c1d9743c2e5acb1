"""A force's crime records as plainsight holds them (``docs/contracts/crime-data.md``).

Types only here, shared by the importer, the statistics, the recording audit and the report.
Values are already normalised: trimmed, dates parsed (ISO or UK day-first), sex as ``F``/``M``/
``U``, ethnicity as ``IC1``..``IC6`` or ``IC9``, outcome codes as ``"1"``..``"22"`` (``1a`` →
``"1"``) or ``"0"``. A row that cannot be normalised is a :class:`Reject`, never a record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

MDSHT_CODES_DEFAULT: tuple[str, ...] = ("106", "72")
"""Offence codes that make a crime MDSHT: ``106`` and any ``106/..``, and legacy ``72``."""


def is_mdsht_code(code: str, mdsht_codes: Sequence[str] = MDSHT_CODES_DEFAULT) -> bool:
    """The crime-data contract's rule: a listed code, or one beginning ``code/``."""
    return any(code == c or code.startswith(c + "/") for c in mdsht_codes)


@dataclass(frozen=True, slots=True)
class Where:
    """Where a record came from: file name (within the input folder) and 1-based line."""

    file: str
    line: int


@dataclass(frozen=True, slots=True)
class Crime:
    crime_ref: str
    recorded: datetime  # a date alone is midnight; ``recorded_date_only`` says which
    recorded_date_only: bool
    reported: datetime | None
    reported_date_only: bool
    committed: date | None
    ho_offence_code: str  # as written, trimmed, upper-case: "106", "106/01", "8N"
    offence_title: str
    ms_flag: bool | None  # None: not known
    status: str  # "recorded", "cancelled" or "transferred"
    lsoa_code: str
    easting: float | None
    northing: float | None
    mo_text: str
    where: Where

    @property
    def recorded_day(self) -> date:
        return self.recorded.date()


@dataclass(frozen=True, slots=True)
class Victim:
    crime_ref: str
    victim_ref: str
    sex: str  # "F", "M" or "U"
    age: int | None  # whole years; from date_of_birth when age is empty
    date_of_birth: date | None
    ethnicity_ic: str  # "IC1".."IC6" or "IC9" (unknown)
    ethnicity_sde: str
    nationality: str
    exploitation_type: str  # one of the contract's words, or "" when not known
    where: Where


@dataclass(frozen=True, slots=True)
class Outcome:
    crime_ref: str
    outcome_code: str  # "0".."22"
    outcome_date: date | None
    where: Where


@dataclass(frozen=True, slots=True)
class Reject:
    """A row set aside whole: where it came from, why, and the row as written."""

    file: str
    line: int
    reason: str
    raw: str


@dataclass(slots=True)
class CrimeRecords:
    crimes: list[Crime] = field(default_factory=list)
    victims: list[Victim] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    mdsht_codes: tuple[str, ...] = MDSHT_CODES_DEFAULT

    def is_mdsht(self, crime: Crime) -> bool:
        """The contract's rule: the code is one of ``mdsht_codes`` or begins ``code/``."""
        return is_mdsht_code(crime.ho_offence_code, self.mdsht_codes)
