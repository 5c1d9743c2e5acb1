"""Changes between periods, with the uncertainty that small counts carry, in plain English.

A force that records nine modern slavery crimes one year and six the year before has seen
"an increase of 50%", but chance alone moves counts that small by that much. Committee
papers quote such percentages; this module puts next to each one what the numbers can and
cannot support, using exact methods only (no normal approximations, which fail at these
sizes):

- a count is treated as a Poisson variable, and :func:`poisson_interval` gives the exact
  (Garwood) interval for its mean;
- two counts are compared *conditionally on their total*: if both periods had the same rate,
  the later count out of the total is binomial with p = ``exposure_b / (exposure_a +
  exposure_b)``. That gives an exact two-sided test (:func:`scipy.stats.binomtest`) and,
  from the Clopper–Pearson interval for p, an exact interval for the rate ratio.

>>> change = compare(6, 9, label_a="2022", label_b="2023")
>>> change.difference, change.percent, round(change.p_value, 2)
(3, 50.0, 0.61)
>>> change.words.split(":")[0]
'9 in 2023 against 6 in 2022'
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from scipy import stats


def _check_level(level: float) -> float:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1 (say 0.95), not {level}")
    return 1.0 - level


def _check_count(name: str, count: int) -> None:
    if count < 0:
        raise ValueError(f"{name} must be a count (0 or more), not {count}")


def poisson_interval(count: int, level: float = 0.95) -> tuple[float, float]:
    """The exact (Garwood) interval for the mean of a Poisson count.

    ``lower = χ²(α/2; 2k) / 2`` and ``upper = χ²(1 − α/2; 2k + 2) / 2``; for a count of 0 the
    lower end is 0. The interval is conservative: it covers the true mean at least ``level``
    of the time.

    >>> [round(x, 3) for x in poisson_interval(0)]
    [0.0, 3.689]
    >>> [round(x, 2) for x in poisson_interval(9)]
    [4.12, 17.08]

    Raises:
        ValueError: a negative count, or a level outside (0, 1).
    """
    _check_count("count", count)
    alpha = _check_level(level)
    lower = 0.0 if count == 0 else float(stats.chi2.ppf(alpha / 2, 2 * count)) / 2
    upper = float(stats.chi2.ppf(1 - alpha / 2, 2 * count + 2)) / 2
    return lower, upper


@dataclass(frozen=True)
class Change:
    """How a count changed from period A (earlier) to period B, and what chance could do.

    ``difference`` is ``b − a`` in counts. ``percent`` and ``ratio`` compare *rates* (counts
    per unit of exposure), so a part year is compared fairly; with equal exposures they are
    the plain percentage change and ``b / a``. Both are ``None`` when ``a`` is 0 (no finite
    percentage exists). ``ratio_low``..``ratio_high`` is the exact interval for the rate
    ratio B/A, conditional on ``a + b``; ``ratio_high`` is ``None`` when it is unbounded
    (``a`` is 0). ``p_value`` is the exact two-sided test of equal rates (1.0 when both
    counts are 0), and ``beyond_chance`` says whether it is below ``1 − level``.
    """

    label_a: str
    label_b: str
    a: int
    b: int
    difference: int
    percent: float | None
    ratio: float | None
    ratio_low: float
    ratio_high: float | None
    p_value: float
    beyond_chance: bool
    words: str
    level: float = 0.95
    exposure_a: float = 1.0
    exposure_b: float = 1.0


def compare(
    a: int,
    b: int,
    *,
    label_a: str,
    label_b: str,
    level: float = 0.95,
    exposure_a: float = 1.0,
    exposure_b: float = 1.0,
) -> Change:
    """Compare count ``b`` (period ``label_b``, the later) with count ``a`` (``label_a``).

    ``exposure_a`` and ``exposure_b`` are the lengths of the periods in any one unit (months,
    say: ``exposure_a=12, exposure_b=9`` for nine months of 2024 against all of 2023); only
    their ratio matters.

    >>> compare(18, 9, label_a="2019", label_b="2023").words.split(".")[0]
    '9 in 2023 against 18 in 2019: down 9 (-50%)'

    Raises:
        ValueError: a negative count, a level outside (0, 1), or an exposure that is not
            positive.
    """
    _check_count("a", a)
    _check_count("b", b)
    alpha = _check_level(level)
    if not (exposure_a > 0 and exposure_b > 0 and math.isfinite(exposure_a * exposure_b)):
        raise ValueError(f"exposures must be positive numbers, not {exposure_a} and {exposure_b}")
    n = a + b
    scale = exposure_a / exposure_b  # rate ratio = odds of p × scale
    ratio = None if a == 0 else (b / a) * scale
    percent = None if ratio is None else (ratio - 1.0) * 100.0
    # Clopper–Pearson interval for p = b / n, then mapped through p ↦ p / (1 − p) × scale.
    p_low = 0.0 if b == 0 else float(stats.beta.ppf(alpha / 2, b, n - b + 1))
    p_high = 1.0 if a == 0 else float(stats.beta.ppf(1 - alpha / 2, b + 1, n - b))
    ratio_low = p_low / (1.0 - p_low) * scale
    ratio_high = None if p_high >= 1.0 else p_high / (1.0 - p_high) * scale
    if n == 0:
        p_value = 1.0
    else:
        null_p = exposure_b / (exposure_a + exposure_b)
        p_value = min(1.0, float(stats.binomtest(b, n, null_p).pvalue))
    beyond = p_value < alpha
    change = Change(
        label_a=label_a,
        label_b=label_b,
        a=a,
        b=b,
        difference=b - a,
        percent=percent,
        ratio=ratio,
        ratio_low=ratio_low,
        ratio_high=ratio_high,
        p_value=p_value,
        beyond_chance=beyond,
        words="",
        level=level,
        exposure_a=exposure_a,
        exposure_b=exposure_b,
    )
    return replace(change, words=_words(change))


def year_changes(counts_by_year: Mapping[str, int], level: float = 0.95) -> list[Change]:
    """Each year against the one before it (labels sorted), e.g. 2019→2020, ..., 2022→2023.

    Labels are compared in sorted order, which is time order for ``"2019"`` and for
    ``"2019/20"``. Years with no entry are not filled in: give 0 for a year with no crimes.

    >>> [c.difference for c in year_changes({"2019": 18, "2020": 5, "2021": 3})]
    [-13, -2]
    """
    labels = sorted(counts_by_year)
    return [
        compare(
            counts_by_year[earlier],
            counts_by_year[later],
            label_a=earlier,
            label_b=later,
            level=level,
        )
        for earlier, later in itertools.pairwise(labels)
    ]


def financial_year(d: date) -> str:
    """The UK financial (police and Home Office statistics) year, April to March.

    >>> financial_year(date(2023, 3, 31)), financial_year(date(2023, 4, 1))
    ('2022/23', '2023/24')
    """
    start = d.year if d.month >= 4 else d.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def calendar_year(d: date) -> str:
    """The calendar year as a label: ``"2023"``."""
    return f"{d.year}"


# --- words -------------------------------------------------------------------------------

SMALL_TOTAL = 50
"""Below this many crimes in the two periods together, the words say the numbers are small."""


def _sig(x: float, digits: int = 2) -> str:
    """``x`` to ``digits`` significant figures, keeping a meaningful trailing zero (4.0)."""
    if x == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(x)))
    decimals = max(0, digits - 1 - magnitude)
    return f"{x:,.{decimals}f}"


def _p_words(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {_sig(p)}"


def _percent_words(percent: float) -> str:
    shown = round(percent)
    if shown == 0 and percent != 0:
        return f"{percent:+.1f}%"
    return f"{shown:+d}%"


def _words(c: Change) -> str:
    """The change as sentences an analyst can paste into a report."""
    equal_exposure = math.isclose(c.exposure_a, c.exposure_b)
    head = f"{c.b:,} in {c.label_b} against {c.a:,} in {c.label_a}"
    if c.difference == 0:
        counted = "no change in number"
    else:
        direction = "up" if c.difference > 0 else "down"
        counted = f"{direction} {abs(c.difference):,}"
    if c.a == 0 and c.b == 0:
        return f"None in {c.label_b} and none in {c.label_a}: nothing to compare."
    if equal_exposure:
        if c.percent is None:
            first = f"{head}: {counted} (from none, so no percentage change)."
        elif c.difference == 0:
            first = f"{head}: no change."
        else:
            first = f"{head}: {counted} ({_percent_words(c.percent)})."
    else:
        relative = c.exposure_b / c.exposure_a
        if c.percent is None:
            rate = "the rate is up from none (no percentage change)"
        elif round(c.percent) == 0:
            rate = "the rate is about the same"
        else:
            updown = "higher" if c.percent > 0 else "lower"
            rate = f"the rate is {abs(round(c.percent))}% {updown}"
        first = (
            f"{head}: {counted}; {c.label_b} covers {_sig(relative)} times as long as "
            f"{c.label_a}, so {rate}."
        )
    small = c.a + c.b < SMALL_TOTAL
    if c.beyond_chance:
        second = f" A change this large is unlikely from chance alone ({_p_words(c.p_value)})"
    else:
        lead = "With numbers this small the" if small else "The"
        second = f" {lead} change is within what chance alone gives ({_p_words(c.p_value)})"
    level = f"{round(c.level * 100):d}%"
    if c.ratio_high is None:
        bound = f"at least {_sig(c.ratio_low)} times" if c.ratio_low > 0 else "any multiple of"
        third = (
            f"; with none in {c.label_a}, the rate in {c.label_b} could plausibly be {bound} "
            f"that of {c.label_a} ({level} interval)."
        )
    else:
        third = (
            f"; the rate in {c.label_b} could plausibly be between {_sig(c.ratio_low)} and "
            f"{_sig(c.ratio_high)} times that of {c.label_a} ({level} interval)."
        )
    return first + second + third
