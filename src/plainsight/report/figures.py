"""The figures the report is written from: the statistics, read once and checked.

The numbers come from :func:`plainsight.stats.counts.crime_stats` (the keys of the contract
``docs/contracts/crime-data.md``); this module reads that dictionary into typed fields, fills
in the years and outcomes the statistics may leave out, and adds the few victim-level facts
the tables cannot give (single ages, for "aged 35 or under"; the commonest combination of sex,
age band and ethnicity). Victim-level facts are taken from the records by the contract's
counting rules and used only when they count the same victims as the statistics.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from plainsight.crime.codes import IC_CODES, IC_UNKNOWN, PENDING, SEXES
from plainsight.crime.records import CrimeRecords
from plainsight.errors import PlainsightError

UNKNOWN_BAND = "unknown"


class ReportDataError(PlainsightError):
    """The statistics cannot make a report (a key is missing or the period holds nothing)."""


@dataclass(frozen=True)
class VictimFacts:
    """One victim counted in the period: what the tables cannot show on their own."""

    sex: str
    age: int | None
    band: str
    ethnicity: str


@dataclass(frozen=True)
class Figures:
    """The statistics of one period, typed, with every calendar year of the period present."""

    start: date
    end: date
    crimes: int
    victims: int
    years: tuple[str, ...]
    crimes_by_year: dict[str, int]
    bands: tuple[str, ...]
    sex_age: dict[str, tuple[int, ...]]
    codes: tuple[str, ...]
    sex_ethnicity: dict[str, tuple[int, ...]]
    outcomes_by_year: dict[str, dict[str, int]]
    months: tuple[int, ...]
    all_crimes_by_year: dict[str, int]
    share_by_year: dict[str, float]
    victim_facts: tuple[VictimFacts, ...] | None

    # --- victims ---------------------------------------------------------------------

    def victims_of_sex(self, sex: str) -> int:
        return sum(self.sex_age.get(sex, ()))

    def band_total(self, band: str) -> int:
        i = self.bands.index(band)
        return sum(row[i] for row in self.sex_age.values())

    def ethnicity_total(self, code: str) -> int:
        i = self.codes.index(code)
        return sum(row[i] for row in self.sex_ethnicity.values())

    @property
    def known_ethnicity(self) -> int:
        """Victims whose ethnicity was recorded (any IC code but unknown)."""
        return self.victims - self.ethnicity_total(IC_UNKNOWN)

    def victims_aged(self, low: int, high: int | None, sex: str | None = None) -> int | None:
        """Victims aged ``low``..``high`` (inclusive), from single ages where they are known,
        else from whole age bands; ``None`` when the bands cannot answer."""
        if self.victim_facts is not None:
            return sum(
                1
                for v in self.victim_facts
                if v.age is not None
                and low <= v.age
                and (high is None or v.age <= high)
                and (sex is None or v.sex == sex)
            )
        total = 0
        for i, band in enumerate(self.bands):
            span = band_span(band)
            if span is None:
                continue
            lo, hi = span
            inside = lo >= low and (high is None or (hi is not None and hi <= high))
            overlaps = (hi is None or hi >= low) and (high is None or lo <= high)
            if inside:
                total += sum(row[i] for s, row in self.sex_age.items() if sex is None or s == sex)
            elif overlaps:
                return None
        return total

    @property
    def youngest(self) -> int | None:
        if not self.victim_facts:
            return None
        ages = [v.age for v in self.victim_facts if v.age is not None]
        return min(ages) if ages else None

    # --- outcomes --------------------------------------------------------------------

    def outcome_total(self, code: str) -> int:
        return sum(self.outcomes_by_year.get(code, {}).values())

    @property
    def outcome_codes(self) -> tuple[str, ...]:
        """Outcome codes with at least one crime, in numerical order, pending last."""
        present = [c for c in self.outcomes_by_year if self.outcome_total(c) > 0]
        numbered = sorted((c for c in present if c != PENDING), key=_outcome_order)
        return (*numbered, *([PENDING] if PENDING in present else []))


def band_span(band: str) -> tuple[int, int | None] | None:
    """``"18-25"`` → ``(18, 25)``, ``"66+"`` → ``(66, None)``, ``"unknown"`` → ``None``."""
    text = band.strip()
    if text.endswith("+") and text[:-1].isdigit():
        return int(text[:-1]), None
    low, sep, high = text.partition("-")
    if sep and low.isdigit() and high.isdigit():
        return int(low), int(high)
    return None


def band_of(age: int | None, bands: Sequence[str]) -> str:
    """The band an age falls in (``unknown`` for no age or no band)."""
    if age is not None:
        for band in bands:
            span = band_span(band)
            if span and span[0] <= age and (span[1] is None or age <= span[1]):
                return band
    return UNKNOWN_BAND


def figures_from_stats(stats: Mapping[str, Any], records: CrimeRecords | None = None) -> Figures:
    """Read the statistics dictionary (the contract's keys) into :class:`Figures`.

    Raises :class:`ReportDataError` naming the first missing key.
    """
    try:
        start = date.fromisoformat(str(stats["period"]["from"]))
        end = date.fromisoformat(str(stats["period"]["to"]))
        years = tuple(str(y) for y in range(start.year, end.year + 1))
        by_year = {y: int(stats["crimes_by_year"].get(y, 0)) for y in years}
        age_table = stats["victims_by_sex_age"]
        bands = tuple(str(b) for b in age_table["bands"])
        sex_age = {s: tuple(int(n) for n in age_table.get(s, [0] * len(bands))) for s in SEXES}
        eth_table = stats["victims_by_sex_ethnicity"]
        codes = tuple(str(c) for c in eth_table["codes"])
        sex_eth = {s: tuple(int(n) for n in eth_table.get(s, [0] * len(codes))) for s in SEXES}
        outcomes = {
            str(code): {str(y): int(n) for y, n in counts.items()}
            for code, counts in stats["outcomes_by_year"].items()
        }
        months = tuple(int(n) for n in stats["crimes_by_month_of_year"])
        all_crimes = {str(y): int(n) for y, n in stats.get("all_crimes_by_year", {}).items()}
        shares = {str(y): float(s) for y, s in stats.get("share_of_all_crime_by_year", {}).items()}
        crimes, victims = int(stats["crimes"]), int(stats["victims"])
    except KeyError as exc:
        raise ReportDataError(
            f"the statistics have no {exc.args[0]!r}: cannot build the report"
        ) from exc
    if len(months) != 12:
        raise ReportDataError("the monthly profile (crimes_by_month_of_year) needs 12 months")
    missing_codes = [c for c in IC_CODES if c not in codes]
    if missing_codes:
        raise ReportDataError(f"the ethnicity table has no column for {', '.join(missing_codes)}")
    facts = _victim_facts(records, start, end, bands) if records is not None else None
    if facts is not None and len(facts) != victims:
        facts = None  # counted differently from the statistics: use the tables alone
    return Figures(
        start=start,
        end=end,
        crimes=crimes,
        victims=victims,
        years=years,
        crimes_by_year=by_year,
        bands=bands,
        sex_age=sex_age,
        codes=codes,
        sex_ethnicity=sex_eth,
        outcomes_by_year=outcomes,
        months=months,
        all_crimes_by_year=all_crimes,
        share_by_year=shares,
        victim_facts=facts,
    )


def _victim_facts(
    records: CrimeRecords, start: date, end: date, bands: Sequence[str]
) -> tuple[VictimFacts, ...]:
    """Victims of recorded MDSHT crimes recorded in the period (the contract's rule)."""
    counted = {
        c.crime_ref
        for c in records.crimes
        if c.status == "recorded" and records.is_mdsht(c) and start <= c.recorded_day <= end
    }
    return tuple(
        VictimFacts(v.sex, v.age, band_of(v.age, bands), v.ethnicity_ic)
        for v in records.victims
        if v.crime_ref in counted
    )


def commonest_profile(facts: Sequence[VictimFacts], sex: str) -> tuple[tuple[str, str], int] | None:
    """The commonest (age band, ethnicity) among victims of ``sex`` with both known."""
    counts = Counter(
        (v.band, v.ethnicity)
        for v in facts
        if v.sex == sex and v.band != UNKNOWN_BAND and v.ethnicity != IC_UNKNOWN
    )
    if not counts:
        return None
    best = max(counts.values())
    ties = sorted(key for key, n in counts.items() if n == best)
    return (ties[0], best) if len(ties) == 1 else None


def _outcome_order(code: str) -> tuple[int, str]:
    return (int(code), code) if code.isdigit() else (999, code)
