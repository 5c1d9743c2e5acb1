"""The national comparison: a force's MDSHT share of crime against the other forces'.

The seed committee report says "MDSHT currently accounts for 0.13% of crime within the City
of London compared to the national average of all other forces at 0.24%". The national side
of that sentence comes from the Home Office's *police recorded crime open data table* for
police force areas, which has one row per financial year, quarter, force and offence:

    Financial Year, Financial Quarter, Force Name, Offence Description, Offence Group,
    Offence Subgroup, Offence Code, Number of Offences

:func:`read_national_table` reads that table as published, from CSV, ODS or XLSX (title rows,
notes sheets and several data sheets are allowed: it finds every sheet and row with these
headers); :func:`national_comparison` turns it into the comparison.

**Which "national average".** Two averages of the other territorial forces are given:

- the *pooled* share: all their MDSHT crimes ÷ all their crimes. This is the share of crime
  recorded outside the force that is MDSHT, the figure "nationally" means in a sentence like
  the seed's, and it is the one the report's headline uses;
- the *mean of per-force shares*: each force counts once, whatever its size, so a small
  force with an unusual share moves it as much as the Metropolitan Police does. It is shown
  beside the pooled share for context, never instead of it.

British Transport Police, the fraud recording bodies (Action Fraud, CIFAS, UK Finance, the
National Fraud Intelligence Bureau) and any aggregate row (England, Wales, totals) are not
territorial forces and are left out of both, and listed as left out.

A synthetic table in the published layout ships with plainsight for demonstrations and tests
(:func:`synthetic_national_table_path`); its counts are invented.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from scipy import stats

from plainsight.crime.national_table import (
    NationalTable,
    NationalTableError,
    normalise_financial_year,
)
from plainsight.crime.records import MDSHT_CODES_DEFAULT, is_mdsht_code
from plainsight.stats.trends import poisson_interval

DEFAULT_FORCE = "London, City of"
"""How the Home Office names the City of London Police's force area."""

NON_TERRITORIAL: dict[str, str] = {
    "british transport police": "not a territorial force (it polices the railways)",
    "btp": "not a territorial force (it polices the railways)",
    "action fraud": "fraud recording body, not a territorial force",
    "cifas": "fraud recording body, not a territorial force",
    "uk finance": "fraud recording body, not a territorial force",
    "national fraud intelligence bureau": "fraud recording body, not a territorial force",
    "nfib": "fraud recording body, not a territorial force",
}
"""Force names (lower case) that are in the table but are not territorial police forces."""

_AGGREGATES = {"england", "wales", "england and wales", "england & wales"}


@dataclass(frozen=True, slots=True)
class ForceShare:
    """One territorial force's MDSHT crimes as a share of its crime (``share`` in %)."""

    rank: int  # 1 = the highest share
    force: str
    mdsht: int
    all_crime: int
    share: float | None  # None when the force recorded no crime at all


@dataclass(frozen=True, slots=True)
class NationalComparison:
    """A force's MDSHT share against the other territorial forces', for one financial year.

    Shares are percentages, unrounded. ``share_low``..``share_high`` is the exact Poisson
    interval for the force's share (its count is small, so it is wide). ``p_value`` is the
    exact binomial test of the force's count against the others' pooled share. ``headline``
    uses the pooled share (see the module's documentation for why).
    """

    financial_year: str
    quarters: tuple[int, ...]  # quarters of the year present in the table; () if not given
    force: str
    mdsht_codes: tuple[str, ...]
    mdsht: int
    all_crime: int
    share: float | None
    share_low: float | None
    share_high: float | None
    others: int  # how many other territorial forces
    others_mdsht: int
    others_all_crime: int
    others_pooled_share: float | None
    others_mean_share: float | None
    p_value: float | None
    forces: list[ForceShare]
    excluded: list[tuple[str, str]]  # (force name, why it is left out)
    years: list[str]
    headline: str
    level: float = 0.95


# --- reading --------------------------------------------------------------------------------


def _force_key(name: str) -> tuple[str, ...]:
    """Words of a force name, sorted, without "police": "London, City of" = "City of London
    Police"."""
    words = re.findall(r"[a-z0-9&]+", name.lower())
    return tuple(sorted(w for w in words if w not in {"police", "constabulary", "service"}))


def _resolve_force(table: NationalTable, force: str) -> str:
    names = table.forces()
    for name in names:
        if name.lower() == force.strip().lower():
            return name
    matches = [name for name in names if _force_key(name) == _force_key(force)]
    if len(matches) == 1:
        return matches[0]
    import difflib

    close = difflib.get_close_matches(force, names, n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise NationalTableError(f"no force named {force!r} in {table.source}{hint}")


def _why_excluded(name: str) -> str | None:
    key = " ".join(name.lower().split())
    if key in NON_TERRITORIAL:
        return NON_TERRITORIAL[key]
    if key in _AGGREGATES or "total" in key:
        return "an aggregate of forces, not a force"
    return None


def _pct(part: float, whole: float) -> float | None:
    return None if whole <= 0 else part / whole * 100.0


def national_comparison(
    table: NationalTable,
    *,
    force: str = DEFAULT_FORCE,
    financial_year: str | None = None,
    mdsht_codes: Sequence[str] = MDSHT_CODES_DEFAULT,
    level: float = 0.95,
) -> NationalComparison:
    """Compare ``force``'s MDSHT share of recorded crime with the other territorial forces'.

    ``financial_year`` (``"2022/23"``) defaults to the latest year in which the force has
    rows. ``force`` matches the table's name ignoring case, word order and the word "Police"
    (``"City of London Police"`` finds ``"London, City of"``).

    >>> table = read_national_table(synthetic_national_table_path())
    >>> c = national_comparison(table)
    >>> c.financial_year, round(c.share or 0, 2), round(c.others_pooled_share or 0, 2)
    ('2022/23', 0.13, 0.24)

    Raises:
        NationalTableError: no such force or year in the table.
    """
    name = _resolve_force(table, force)
    codes = tuple(str(c).strip().upper() for c in mdsht_codes)
    force_years = sorted({r.financial_year for r in table.rows if r.force_name == name})
    if financial_year is None:
        year = force_years[-1]
    else:
        wanted = normalise_financial_year(financial_year)
        if wanted is None or wanted not in force_years:
            raise NationalTableError(
                f"no rows for {name} in financial year {financial_year!r}; "
                f"the table has {', '.join(force_years)}"
            )
        year = wanted
    mdsht: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    quarters: set[int] = set()
    for row in table.rows:
        if row.financial_year != year:
            continue
        total[row.force_name] += row.offences
        if is_mdsht_code(row.offence_code, codes):
            mdsht[row.force_name] += row.offences
        if row.financial_quarter is not None:
            quarters.add(row.financial_quarter)
    excluded: list[tuple[str, str]] = []
    territorial: list[str] = []
    for other in sorted(total):
        why = _why_excluded(other)
        if why is None:
            territorial.append(other)
        elif other != name:
            excluded.append((other, why))
    if name not in territorial:
        territorial.append(name)  # compared as asked, even if the name looks non-territorial
    others = [f for f in territorial if f != name]
    others_mdsht = sum(mdsht[f] for f in others)
    others_all = sum(total[f] for f in others)
    pooled = _pct(others_mdsht, others_all)
    shares = [s for f in others if (s := _pct(mdsht[f], total[f])) is not None]
    mean = sum(shares) / len(shares) if shares else None
    count, crimes = mdsht[name], total[name]
    share = _pct(count, crimes)
    low, high = poisson_interval(count, level)
    share_low, share_high = _pct(low, crimes), _pct(high, crimes)
    p_value: float | None = None
    if crimes > 0 and pooled is not None and 0 < pooled < 100:
        p_value = float(stats.binomtest(count, crimes, pooled / 100.0).pvalue)

    def highest_share_first(force: str) -> tuple[float, str]:
        share = _pct(mdsht[force], total[force])
        return (1.0 if share is None else -share, force)  # no crime at all: last

    ranked = sorted(territorial, key=highest_share_first)
    forces = [
        ForceShare(
            rank=i,
            force=f,
            mdsht=mdsht[f],
            all_crime=total[f],
            share=_pct(mdsht[f], total[f]),
        )
        for i, f in enumerate(ranked, start=1)
    ]
    comparison = NationalComparison(
        financial_year=year,
        quarters=tuple(sorted(quarters)),
        force=name,
        mdsht_codes=codes,
        mdsht=count,
        all_crime=crimes,
        share=share,
        share_low=share_low,
        share_high=share_high,
        others=len(others),
        others_mdsht=others_mdsht,
        others_all_crime=others_all,
        others_pooled_share=pooled,
        others_mean_share=mean,
        p_value=p_value,
        forces=forces,
        excluded=excluded,
        years=force_years,
        headline="",
        level=level,
    )
    return replace(comparison, headline=_headline(comparison))


def _p(share: float | None) -> str:
    return "no crime recorded" if share is None else f"{share:.2f}%"


def _headline(c: NationalComparison) -> str:
    """The comparison in words, with the uncertainty the force's small count carries."""
    part_year = ""
    if c.quarters and c.quarters != (1, 2, 3, 4):
        part_year = f" (quarters {', '.join(str(q) for q in c.quarters)} only)"
    codes = ", ".join(c.mdsht_codes)
    if c.share is None:
        return f"{c.force} has no recorded crime in {c.financial_year}{part_year}."
    text = (
        f"In {c.financial_year}{part_year}, MDSHT offences (Home Office codes {codes}) were "
        f"{_p(c.share)} of crime recorded in {c.force} ({c.mdsht:,} of {c.all_crime:,})"
    )
    if c.others == 0 or c.others_pooled_share is None:
        return text + "; the table has no other territorial force to compare with."
    text += (
        f", compared with {_p(c.others_pooled_share)} across the other {c.others} territorial "
        f"forces taken together ({c.others_mdsht:,} of {c.others_all_crime:,}; the average of "
        f"their separate shares is {_p(c.others_mean_share)})."
    )
    level = f"{round(c.level * 100)}%"
    text += (
        f" With {c.mdsht:,} offences, its share could plausibly be anywhere from "
        f"{_p(c.share_low)} to {_p(c.share_high)} ({level} interval)"
    )
    if c.p_value is None:
        return text + "."
    if c.p_value < 1 - c.level:
        return text + (
            f"; a difference this large is unlikely from chance alone (p = {c.p_value:.2g})."
        )
    return text + (f"; the difference is within what chance alone gives (p = {c.p_value:.2g}).")
