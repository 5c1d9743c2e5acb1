"""The statistics of the crime-data contract, counted from a force's crime records.

:func:`crime_stats` returns the JSON object ``plainsight crime stats`` writes
(``docs/contracts/crime-data.md``): every contract key with its exact type, then extra keys
the committee report words its findings from (``docs/crime.md``). The counting rules:

- a crime counts in the period when its ``recorded_date`` falls within ``start``..``end``
  (both included), and only when its status is ``recorded``; the recorded date also decides
  its calendar and financial year;
- a crime is MDSHT by :meth:`CrimeRecords.is_mdsht` (``106``, ``106/..``, legacy ``72``);
- ``victims`` are the victim rows of those crimes (a crime with three victims counts three);
- the month of the temporal profile is the ``committed_date``'s, else the ``recorded_date``'s;
- a crime's outcome is its latest: outcome ``0`` rows are placeholders and count only when
  there is nothing else (then the crime is ``pending``, as is a crime with no outcome row);
  among the others the latest ``outcome_date`` wins, an undated outcome counts only when none
  is dated, and a tie (same date, or all undated) goes to the row later in ``outcomes.csv``;
- the share of all crime is MDSHT ÷ all recorded crimes × 100, rounded half up to two
  decimals, for each year whose all-crime count is known: from ``all_crimes_by_year`` when
  given (e.g. police.uk), otherwise from ``crimes.csv`` for the years in which it holds
  recorded crimes that are not MDSHT (an export of MDSHT crimes alone has no denominator).

Percentages in the extra keys are unrounded and come with their ``n``, so the report can
word them ("76% (n=31)") without this module deciding how.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from plainsight.crime.codes import IC_CODES, IC_NAMES, IC_UNKNOWN, PENDING, SEXES, outcome_group
from plainsight.crime.codes import OUTCOME_NAMES as _NAMES
from plainsight.crime.records import Crime, CrimeRecords, Outcome, Victim
from plainsight.stats.trends import financial_year, year_changes

AgeBands = Sequence[tuple[int, int | None]]

#: The contract's default age bands: 0-17, 18-25, ..., 66+ (then "unknown").
AGE_BANDS_DEFAULT: tuple[tuple[int, int | None], ...] = (
    (0, 17),
    (18, 25),
    (26, 35),
    (36, 45),
    (46, 55),
    (56, 65),
    (66, None),
)
UNKNOWN_BAND = "unknown"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def band_labels(age_bands: AgeBands) -> list[str]:
    """Labels of the bands, then ``"unknown"``: ``(0, 17)`` is ``"0-17"``, ``(66, None)``
    is ``"66+"``.
    """
    return [f"{low}+" if high is None else f"{low}-{high}" for low, high in age_bands] + [
        UNKNOWN_BAND
    ]


def _check_bands(age_bands: AgeBands) -> None:
    """Bands must cover every age from 0 up, without gaps or overlaps, the last open-ended."""
    expected = 0
    for index, (low, high) in enumerate(age_bands):
        if low != expected:
            raise ValueError(
                f"age band {low}-{high} should start at {expected}: bands must run from 0 "
                "without gaps or overlaps"
            )
        if high is None:
            if index != len(age_bands) - 1:
                raise ValueError("only the last age band may be open-ended (e.g. 66+)")
            return
        if high < low:
            raise ValueError(f"age band {low}-{high} ends before it starts")
        expected = high + 1
    raise ValueError("the last age band must be open-ended (e.g. (66, None) for 66+)")


def _band_of(age: int | None, age_bands: AgeBands) -> int:
    """Index of the band holding ``age``; the last index (unknown) for no age."""
    if age is None:
        return len(age_bands)
    for index, (_, high) in enumerate(age_bands):
        if high is None or age <= high:
            return index
    return len(age_bands)  # unreachable with checked bands


def _financial_years(start: date, end: date) -> list[str]:
    first = start.year if start.month >= 4 else start.year - 1
    last = end.year if end.month >= 4 else end.year - 1
    return [f"{y}/{(y + 1) % 100:02d}" for y in range(first, last + 1)]


def share_percent(part: int, whole: int) -> float:
    """``part`` ÷ ``whole`` × 100 rounded half up to two decimals (9 of 6,923 is 0.13)."""
    exact = Decimal(part) * 100 / Decimal(whole)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else part * 100 / whole


def latest_outcomes(outcomes: Sequence[Outcome]) -> dict[str, str]:
    """Each crime's outcome code by the rules above; a crime absent here is pending.

    Rows are compared by (has a date, date, position in the file), so the latest dated row
    wins, an undated row only counts when none is dated, and ties go to the later row.
    """
    best: dict[str, tuple[tuple[bool, date, int], str]] = {}
    for position, outcome in enumerate(outcomes):
        if outcome.outcome_code == "0":
            continue
        dated = outcome.outcome_date is not None
        key = (dated, outcome.outcome_date or date.min, position)
        current = best.get(outcome.crime_ref)
        if current is None or key > current[0]:
            best[outcome.crime_ref] = (key, outcome.outcome_code)
    return {ref: code for ref, (_, code) in best.items()}


def _code_order(code: str) -> tuple[int, int]:
    return (1, 0) if code == PENDING else (0, int(code))


CONTRACT_KEYS = (
    "period",
    "crimes",
    "victims",
    "crimes_by_year",
    "victims_by_sex",
    "victims_by_sex_age",
    "victims_by_sex_ethnicity",
    "outcomes_by_year",
    "crimes_by_month_of_year",
    "all_crimes_by_year",
    "share_of_all_crime_by_year",
)
"""The keys of the contract's ``stats.json`` (contracts/crime-data.md); :func:`crime_stats`
gives these and more."""


def crime_stats(
    records: CrimeRecords,
    start: date,
    end: date,
    *,
    age_bands: AgeBands | None = None,
    all_crimes_by_year: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """The contract's statistics for MDSHT crimes recorded from ``start`` to ``end`` inclusive.

    ``age_bands`` replaces the default bands (they must run from 0 without gaps, the last
    open-ended). ``all_crimes_by_year`` (year → recorded crimes of every kind, e.g. from
    police.uk) replaces the all-crime counts taken from ``crimes.csv``. Raises
    ``ValueError`` for a period that ends before it starts or bands that do not fit.

    >>> stats = crime_stats(records, date(2019, 1, 1), date(2023, 12, 31))  # doctest: +SKIP
    >>> stats["crimes"], stats["crimes_by_year"]["2023"]  # doctest: +SKIP
    (41, 9)
    """
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    bands = tuple(age_bands) if age_bands is not None else AGE_BANDS_DEFAULT
    _check_bands(bands)
    labels = band_labels(bands)
    years = [str(y) for y in range(start.year, end.year + 1)]

    in_period: list[Crime] = []
    all_counted: Counter[str] = Counter()
    other_crime_years: set[str] = set()
    first, after = datetime.combine(start, time()), datetime.combine(end + timedelta(1), time())
    mdsht_code: dict[str, bool] = {}  # is_mdsht once per distinct offence code
    for crime in records.crimes:
        if crime.status != "recorded" or not first <= crime.recorded < after:
            continue
        year = str(crime.recorded.year)
        all_counted[year] += 1
        mdsht = mdsht_code.get(crime.ho_offence_code)
        if mdsht is None:
            mdsht = mdsht_code[crime.ho_offence_code] = records.is_mdsht(crime)
        if mdsht:
            in_period.append(crime)
        else:
            other_crime_years.add(year)
    refs = {crime.crime_ref: crime for crime in in_period}
    victims = [victim for victim in records.victims if victim.crime_ref in refs]

    by_year = Counter(str(crime.recorded.year) for crime in in_period)
    by_month = [0] * 12
    for crime in in_period:
        by_month[(crime.committed or crime.recorded.date()).month - 1] += 1

    sex_count = Counter(victim.sex for victim in victims)
    sex_age = {sex: [0] * len(labels) for sex in SEXES}
    sex_eth = {sex: [0] * len(IC_CODES) for sex in SEXES}
    ic_index = {code: index for index, code in enumerate(IC_CODES)}
    for victim in victims:
        sex_age[victim.sex][_band_of(victim.age, bands)] += 1
        sex_eth[victim.sex][ic_index[victim.ethnicity_ic]] += 1

    latest = latest_outcomes(records.outcomes)
    outcome_of = {crime.crime_ref: latest.get(crime.crime_ref, PENDING) for crime in in_period}
    outcomes_by_year: dict[str, dict[str, int]] = {}
    for crime in in_period:
        per_year = outcomes_by_year.setdefault(outcome_of[crime.crime_ref], {})
        year = str(crime.recorded.year)
        per_year[year] = per_year.get(year, 0) + 1
    outcomes_by_year.setdefault(PENDING, {})
    outcomes_by_year = {
        code: dict(sorted(outcomes_by_year[code].items()))
        for code in sorted(outcomes_by_year, key=_code_order)
    }

    if all_crimes_by_year is not None:
        all_source = "supplied"
        all_by_year = {y: int(all_crimes_by_year[y]) for y in years if y in all_crimes_by_year}
    else:
        all_source = "crimes.csv"
        all_by_year = {y: all_counted[y] for y in years if y in other_crime_years}
    shares = {y: share_percent(by_year.get(y, 0), n) for y, n in all_by_year.items() if n > 0}

    stats: dict[str, Any] = {
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "crimes": len(in_period),
        "victims": len(victims),
        "crimes_by_year": {y: by_year.get(y, 0) for y in years},
        "victims_by_sex": {sex: sex_count.get(sex, 0) for sex in SEXES},
        "victims_by_sex_age": {"bands": labels, **sex_age},
        "victims_by_sex_ethnicity": {"codes": list(IC_CODES), **sex_eth},
        "outcomes_by_year": outcomes_by_year,
        "crimes_by_month_of_year": by_month,
        "all_crimes_by_year": all_by_year,
        "share_of_all_crime_by_year": shares,
    }
    stats.update(
        _extras(stats, in_period, victims, outcome_of, labels, bands, start, end, all_source)
    )
    return stats


def _extras(
    stats: dict[str, Any],
    crimes: list[Crime],
    victims: list[Victim],
    outcome_of: dict[str, str],
    labels: list[str],
    bands: AgeBands,
    start: date,
    end: date,
    all_source: str,
) -> dict[str, Any]:
    """The keys beyond the contract (documented in ``docs/crime.md``)."""
    total_crimes, total_victims = len(crimes), len(victims)
    financial = Counter(financial_year(crime.recorded.date()) for crime in crimes)
    fin_years = _financial_years(start, end)
    partial_fin = [
        fy
        for fy in fin_years
        if date(int(fy[:4]), 4, 1) < start or date(int(fy[:4]) + 1, 3, 31) > end
    ]
    partial_cal = [
        y
        for y in stats["crimes_by_year"]
        if date(int(y), 1, 1) < start or date(int(y), 12, 31) > end
    ]

    months = stats["crimes_by_month_of_year"]
    average = total_crimes / 12
    monthly = {
        "months": list(_MONTHS),
        "counts": months,
        "n": total_crimes,
        "average": average,
        "share": [_percent(c, total_crimes) for c in months],
        "percent_vs_average": [
            None if average == 0 else (c - average) * 100 / average for c in months
        ],
    }

    outcome_counts = Counter(outcome_of.values())
    outcome_shares = {
        code: {
            "count": outcome_counts[code],
            "share": _percent(outcome_counts[code], total_crimes),
            "name": "Pending (no outcome yet)" if code == PENDING else _NAMES[code],
            "group": outcome_group(code),
        }
        for code in sorted(outcome_counts, key=_code_order)
    }

    eth_totals = Counter(victim.ethnicity_ic for victim in victims)
    declared = total_victims - eth_totals.get(IC_UNKNOWN, 0)
    by_ethnicity = {
        code: {
            "name": IC_NAMES[code],
            "count": eth_totals.get(code, 0),
            "share_all": _percent(eth_totals.get(code, 0), total_victims),
            "share_declared": None
            if code == IC_UNKNOWN
            else _percent(eth_totals.get(code, 0), declared),
        }
        for code in IC_CODES
    }

    sex_age = stats["victims_by_sex_age"]
    by_band = {label: sum(sex_age[sex][i] for sex in SEXES) for i, label in enumerate(labels)}
    under_18 = [victim for victim in victims if victim.age is not None and victim.age < 18]
    under_sex = Counter(victim.sex for victim in under_18)
    ages = [victim.age for victim in victims if victim.age is not None]
    sex_count = stats["victims_by_sex"]

    return {
        "crimes_by_financial_year": {fy: financial.get(fy, 0) for fy in fin_years},
        "partial_years": {"calendar": partial_cal, "financial": partial_fin},
        "all_crimes_source": all_source,
        "monthly_profile": monthly,
        "victim_profile": {
            sex: _profile(sex, victims, labels, bands) for sex in SEXES if sex_count[sex]
        },
        "outcome_shares": outcome_shares,
        "victims_by_ethnicity": {"n": total_victims, "declared": declared, "codes": by_ethnicity},
        "victims_by_age_band": by_band,
        "victim_ages": {
            "known": len(ages),
            "min": min(ages) if ages else None,
            "max": max(ages) if ages else None,
        },
        "under_18": {
            "count": len(under_18),
            "share": _percent(len(under_18), total_victims),
            "by_sex": {sex: under_sex.get(sex, 0) for sex in SEXES},
        },
        "sex_shares": {
            sex: {"count": sex_count[sex], "share": _percent(sex_count[sex], total_victims)}
            for sex in SEXES
        },
        "trends": _trends(stats["crimes_by_year"], partial_cal, financial, fin_years, partial_fin),
    }


def _profile(sex: str, victims: list[Victim], labels: list[str], bands: AgeBands) -> dict[str, Any]:
    """The most common known age band and ethnicity among one sex's victims.

    Ties go to the earlier band and the lower IC code; unknown ages and IC9 are left out
    of "most common", but not of ``n``.
    """
    own = [victim for victim in victims if victim.sex == sex]
    band_counts = Counter(_band_of(victim.age, bands) for victim in own)
    band_counts.pop(len(bands), None)
    eth_counts = Counter(victim.ethnicity_ic for victim in own)
    eth_counts.pop(IC_UNKNOWN, None)
    profile: dict[str, Any] = {"n": len(own)}
    if band_counts:
        index = min(band_counts, key=lambda i: (-band_counts[i], i))
        profile["age_band"] = {
            "band": labels[index],
            "count": band_counts[index],
            "share": _percent(band_counts[index], len(own)),
        }
    else:
        profile["age_band"] = None
    if eth_counts:
        code = min(eth_counts, key=lambda c: (-eth_counts[c], c))
        profile["ethnicity"] = {
            "code": code,
            "name": IC_NAMES[code],
            "count": eth_counts[code],
            "share": _percent(eth_counts[code], len(own)),
        }
    else:
        profile["ethnicity"] = None
    return profile


def _trends(
    by_year: dict[str, int],
    partial_cal: list[str],
    financial: Counter[str],
    fin_years: list[str],
    partial_fin: list[str],
) -> dict[str, Any]:
    """Year-on-year changes with exact intervals (:mod:`plainsight.stats.trends`), over whole
    years only: a part-year against a whole one would mislead.
    """
    calendar = {y: n for y, n in by_year.items() if y not in partial_cal}
    fiscal = {fy: financial.get(fy, 0) for fy in fin_years if fy not in partial_fin}
    return {
        "calendar": [asdict(change) for change in year_changes(calendar)],
        "financial": [asdict(change) for change in year_changes(fiscal)],
    }
