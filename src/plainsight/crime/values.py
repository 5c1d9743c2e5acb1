"""Reading one value of a force's crime export: dates, ages, flags, codes.

The contract's forms (``docs/contracts/crime-data.md``): ISO 8601 dates or date-times, or the
UK's day-first ``dd/mm/yyyy``, never month first; ages in whole years; ``Y``/``N`` flags;
``IC`` codes; Home Office outcome types. A value that cannot be read raises :class:`CellError`
(or gives ``None``), whose message becomes part of the row's reject reason.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from plainsight.crime.codes import IC_NAMES, IC_UNKNOWN

MAX_AGE = 120
FLAGS: dict[str, bool | None] = {"": None, "y": True, "yes": True, "true": True, "1": True}
FLAGS.update({"n": False, "no": False, "false": False, "0": False})
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_UK = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


class CellError(ValueError):
    """One value that cannot be normalised; the message is the reject reason's part."""


class Dates:
    """Parses the contract's date forms, each distinct string once; ``None`` when it cannot."""

    def __init__(self) -> None:
        self._moments: dict[str, tuple[datetime, bool] | None] = {}
        self._days: dict[str, date | None] = {}

    def moment(self, text: str) -> tuple[datetime, bool] | None:
        """A date or date-time as a naive local datetime, and whether it was a date alone."""
        try:
            return self._moments[text]
        except KeyError:
            try:
                found: tuple[datetime, bool] | None = parse_moment(text)
            except ValueError:
                found = None
            self._moments[text] = found
            return found

    def day(self, text: str) -> date | None:
        """The day of a date or date-time."""
        try:
            return self._days[text]
        except KeyError:
            found = self.moment(text)
            day = None if found is None else found[0].date()
            self._days[text] = day
            return day


def not_a_date(column: str, text: str) -> str:
    return f"{column} '{text}' is not a date (ISO 2023-02-14 or UK day-first 14/02/2023)"


def parse_moment(text: str) -> tuple[datetime, bool]:
    """Parse ISO 8601 or UK day-first text; raises ``ValueError`` for anything else."""
    if _ISO_DAY.fullmatch(text):
        return datetime.combine(date.fromisoformat(text), datetime.min.time()), True
    uk = _UK.fullmatch(text)
    if uk:
        day, month, year, hour, minute, second = uk.groups()
        moment = datetime(int(year), int(month), int(day))
        if hour is None:
            return moment, True
        return moment.replace(hour=int(hour), minute=int(minute), second=int(second or 0)), False
    if not text[:4].isdigit():  # fromisoformat accepts oddities such as week dates; stay strict
        raise ValueError(text)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = london_time(moment)
    return moment, len(text) <= 10


def london_time(moment: datetime) -> datetime:
    """An aware date-time as the UK's local wall-clock time (the day a crime counts in)."""
    try:
        from zoneinfo import ZoneInfo

        return moment.astimezone(ZoneInfo("Europe/London")).replace(tzinfo=None)
    except (ImportError, KeyError, OSError):  # no time-zone database: keep the written clock
        return moment.replace(tzinfo=None)


def parse_number(text: str, column: str, problems: list[str]) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        problems.append(f"{column} '{text}' is not a number")
        return None


def parse_age(text: str) -> int | None:
    if not text:
        return None
    if text.isdigit():
        age = int(text)
    else:
        try:
            number = float(text)
        except ValueError:
            raise CellError(f"age '{text}' is not a whole number of years") from None
        if number < 0:
            raise CellError(f"age '{text}' is impossible (negative)")
        if not number.is_integer():
            raise CellError(f"age '{text}' is not a whole number of years")
        age = int(number)
    if age > MAX_AGE:
        raise CellError(f"age '{text}' is impossible (over {MAX_AGE})")
    return age


def age_on(born: date, when: date) -> int:
    """Whole years from ``born`` to ``when`` (the committed date, else the recorded date)."""
    age = when.year - born.year - ((when.month, when.day) < (born.month, born.day))
    if age < 0:
        raise CellError(
            f"date_of_birth {born.isoformat()} is after the offence ({when.isoformat()})"
        )
    if age > MAX_AGE:
        raise CellError(f"date_of_birth {born.isoformat()} gives an impossible age ({age})")
    return age


def ic_code(text: str) -> str | None:
    """``IC1``..``IC6`` or ``IC9`` (empty is ``IC9``); ``None`` for anything else."""
    if not text:
        return IC_UNKNOWN
    code = text.upper().replace(" ", "")
    return code if code in IC_NAMES else None


_OUTCOME_CODES: dict[str, str] = {str(n): str(n) for n in range(23)}
_OUTCOME_CODES.update({f"0{n}": str(n) for n in range(10)})
_OUTCOME_CODES.update({"1a": "1", "2a": "2", "3a": "3"})


def outcome_code(text: str) -> str | None:
    """The outcome type as ``"0"``..``"22"`` (``1a`` → ``"1"``), or ``None`` if not one.

    >>> outcome_code("1A"), outcome_code("018"), outcome_code("23")
    ('1', '18', None)
    """
    code = text.strip().lower()
    if code in _OUTCOME_CODES:
        return _OUTCOME_CODES[code]
    if code.isdigit() and int(code) <= 22:
        return str(int(code))
    return None
