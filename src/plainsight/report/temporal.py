"""When in the year offences happen: the temporal highlight and its test.

Four consecutive months holding the most offences (the seed's "51% in January–April"),
months with none, the busiest month against the monthly average, and whether the pattern is
more uneven than chance spreading would give: with a few offences a month, peaks of a few
crimes are common by chance alone, and the highlight says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from plainsight.report.charts import MONTH_NAMES
from plainsight.report.model import percent

_SIMULATIONS = 100_000


def month_points(profile: Sequence[int]) -> list[str]:
    """The temporal highlight: busiest four months, empty months, the peak, and a test."""
    months = list(profile)
    total = sum(months)
    if total == 0:
        return []
    start, best = max(
        ((s, sum(months[(s + k) % 12] for k in range(4))) for s in range(12)),
        key=lambda r: (r[1], -r[0]),
    )
    window = f"{MONTH_NAMES[start]}–{MONTH_NAMES[(start + 3) % 12]}"
    text = (
        "Temporal analysis shows MDSHT offences peaking at different times of the year: "
        f"{percent(best, total)} of offences occur in {window}"
    )
    empty = [MONTH_NAMES[i] for i, n in enumerate(months) if n == 0]
    if empty:
        text += f" with none in {_join(empty)}"
    average = total / 12
    top = max(months)
    peaks = [MONTH_NAMES[i] for i, n in enumerate(months) if n == top]
    above = (top / average - 1) * 100
    text += (
        f". {_join(peaks)} {'shows' if len(peaks) == 1 else 'show'} the most, "
        f"{math.floor(above + 0.5)}% above the monthly average ({top} against {average:.1f})."
    )
    p = even_spread_p_value(months)
    p_text = "p < 0.001" if p < 0.001 else f"p = {p:.2f}" if p >= 0.01 else f"p = {p:.3f}"
    if p < 0.05:
        text += f" Offences this uneven through the year are unlikely from chance alone ({p_text})."
    else:
        text += (
            " A test of whether offences are spread evenly through the year finds the peaks "
            f"within what chance alone gives ({p_text})."
        )
    return [text]


def even_spread_p_value(months: Sequence[int], simulations: int = _SIMULATIONS) -> float:
    """How often counts spread evenly at random over 12 months are at least this uneven.

    The chi-squared statistic's distribution is simulated (fixed seed, so the report is
    reproducible) because with a few crimes a month its usual approximation is poor.
    """
    observed = np.asarray(months, dtype=float)
    n = int(observed.sum())
    if n == 0:
        return 1.0
    expected = n / len(observed)
    statistic = float(((observed - expected) ** 2).sum() / expected)
    rng = np.random.default_rng(20240222)
    draws = rng.multinomial(n, [1 / len(observed)] * len(observed), size=simulations)
    simulated = ((draws - expected) ** 2).sum(axis=1) / expected
    return float((np.count_nonzero(simulated >= statistic - 1e-9) + 1) / (simulations + 1))


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
