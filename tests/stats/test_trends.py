"""Changes between periods: exact intervals and tests checked against published and
hand-computed values (binomial sums with ``math.comb``, not scipy), and the words."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from plainsight.stats.trends import (
    calendar_year,
    compare,
    financial_year,
    poisson_interval,
    year_changes,
)

SEED_YEARS = {"2019": 18, "2020": 5, "2021": 3, "2022": 6, "2023": 9}


def pmf(k: int, n: int, p: float) -> float:
    return math.comb(n, k) * p**k * (1 - p) ** (n - k)


def two_sided_p(k: int, n: int, p: float) -> float:
    """The exact two-sided binomial test by hand: the probability of every outcome no more
    likely than the one observed (the usual definition, as in R's ``binom.test``)."""
    observed = pmf(k, n, p)
    return min(1.0, sum(pmf(j, n, p) for j in range(n + 1) if pmf(j, n, p) <= observed * 1.0000001))


def upper_tail(k: int, n: int, p: float) -> float:
    return sum(pmf(j, n, p) for j in range(k, n + 1))


@pytest.mark.parametrize(
    ("count", "low", "high"),
    [
        # Published exact (Garwood) 95% limits for a Poisson mean.
        (0, 0.0, 3.689),
        (1, 0.0253, 5.572),
        (5, 1.6235, 11.668),
        (9, 4.115, 17.08),
    ],
)
def test_poisson_interval_matches_published_tables(count: int, low: float, high: float) -> None:
    got_low, got_high = poisson_interval(count)
    assert got_low == pytest.approx(low, abs=5e-4)
    assert got_high == pytest.approx(high, abs=5e-3)


def test_poisson_interval_widens_with_the_level_and_rejects_nonsense() -> None:
    low90, high90 = poisson_interval(9, level=0.90)
    low99, high99 = poisson_interval(9, level=0.99)
    assert low99 < low90 < 9 < high90 < high99
    with pytest.raises(ValueError, match="count"):
        poisson_interval(-1)
    with pytest.raises(ValueError, match="level"):
        poisson_interval(3, level=95)


def test_the_seeds_2022_to_2023_change_is_plus_50_percent_not_225() -> None:
    change = compare(6, 9, label_a="2022", label_b="2023")
    assert (change.difference, change.percent, change.ratio) == (3, 50.0, 1.5)
    # 15 crimes in all; under equal rates the 2023 count is Binomial(15, 1/2).
    assert change.p_value == pytest.approx(two_sided_p(9, 15, 0.5), rel=1e-9)
    assert change.p_value == pytest.approx(2 * 9949 / 2**15, rel=1e-9)
    assert not change.beyond_chance
    assert change.words.startswith("9 in 2023 against 6 in 2022: up 3 (+50%). ")
    assert "within what chance alone gives (p = 0.61)" in change.words
    assert "between 0.48 and 5.1 times that of 2022" in change.words
    assert "225" not in change.words


def test_the_seeds_2019_to_2023_change_is_minus_50_percent() -> None:
    change = compare(18, 9, label_a="2019", label_b="2023")
    assert (change.difference, change.percent) == (-9, -50.0)
    assert change.p_value == pytest.approx(two_sided_p(9, 27, 0.5), rel=1e-9)
    assert change.words.startswith("9 in 2023 against 18 in 2019: down 9 (-50%). ")
    assert not change.beyond_chance  # p = 0.12: a halving that chance could still give


def test_2019_to_2020_is_beyond_chance() -> None:
    change = compare(18, 5, label_a="2019", label_b="2020")
    assert change.p_value == pytest.approx(two_sided_p(5, 23, 0.5), rel=1e-9)
    assert change.p_value < 0.05 and change.beyond_chance
    assert "unlikely from chance alone (p = 0.011)" in change.words
    assert change.ratio_high is not None and change.ratio_high < 1


def test_the_rate_ratio_interval_is_clopper_pearson_on_the_share_of_the_total() -> None:
    change = compare(6, 9, label_a="2022", label_b="2023")
    assert change.ratio_high is not None
    # Map the ratio back to p = b / (a + b) and check the defining tail probabilities.
    p_low = change.ratio_low / (1 + change.ratio_low)
    p_high = change.ratio_high / (1 + change.ratio_high)
    assert upper_tail(9, 15, p_low) == pytest.approx(0.025, rel=1e-6)
    assert 1 - upper_tail(10, 15, p_high) == pytest.approx(0.025, rel=1e-6)
    assert change.ratio_low < change.ratio < change.ratio_high  # type: ignore[operator]


def test_nothing_in_either_period() -> None:
    change = compare(0, 0, label_a="2020", label_b="2021")
    assert change.percent is None and change.ratio is None
    assert (change.ratio_low, change.ratio_high, change.p_value) == (0.0, None, 1.0)
    assert not change.beyond_chance
    assert change.words == "None in 2021 and none in 2020: nothing to compare."


def test_from_none_to_some_has_no_percentage_and_no_upper_bound() -> None:
    change = compare(0, 4, label_a="2020", label_b="2021")
    assert change.percent is None and change.ratio is None and change.ratio_high is None
    assert change.ratio_low > 0
    assert change.p_value == pytest.approx(two_sided_p(4, 4, 0.5), rel=1e-9)  # 2 × 1/16
    assert "up 4 (from none, so no percentage change)" in change.words
    assert "with none in 2020, the rate in 2021 could plausibly be at least" in change.words


def test_from_some_to_none() -> None:
    change = compare(4, 0, label_a="2020", label_b="2021")
    assert change.percent == -100.0 and change.ratio == 0.0
    assert change.ratio_low == 0.0 and change.ratio_high is not None
    assert "down 4 (-100%)" in change.words


def test_a_part_year_is_compared_as_a_rate() -> None:
    # Nine months of 2024 with 7 crimes against all of 2023 with 9: fewer crimes, but a
    # slightly higher rate (7/9 per month against 9/12).
    change = compare(9, 7, label_a="2023", label_b="2024", exposure_a=12, exposure_b=9)
    assert change.difference == -2
    assert change.ratio == pytest.approx((7 / 9) / (9 / 12))
    assert change.percent == pytest.approx(((7 / 9) / (9 / 12) - 1) * 100)
    # Under equal monthly rates, the 2024 share of the 16 crimes is 9/21.
    assert change.p_value == pytest.approx(two_sided_p(7, 16, 9 / 21), rel=1e-9)
    assert "down 2; 2024 covers 0.75 times as long as 2023, so the rate is 4% higher" in (
        change.words
    )
    # Equal exposures in other units give the same answer as the default.
    same = compare(9, 7, label_a="2023", label_b="2024", exposure_a=4, exposure_b=4)
    plain = compare(9, 7, label_a="2023", label_b="2024")
    assert (same.p_value, same.ratio_low) == (plain.p_value, plain.ratio_low)


def test_large_counts_are_not_called_small() -> None:
    change = compare(6923, 7100, label_a="2022", label_b="2023")
    assert change.words.startswith("7,100 in 2023 against 6,923 in 2022: up 177 (+3%). The ")
    assert "numbers this small" not in change.words


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="count"):
        compare(-1, 3, label_a="a", label_b="b")
    with pytest.raises(ValueError, match="exposures"):
        compare(1, 3, label_a="a", label_b="b", exposure_b=0)


def test_year_changes_walk_the_seeds_years_in_order() -> None:
    changes = year_changes(dict(reversed(list(SEED_YEARS.items()))))
    assert [(c.label_a, c.label_b) for c in changes] == [
        ("2019", "2020"),
        ("2020", "2021"),
        ("2021", "2022"),
        ("2022", "2023"),
    ]
    assert [c.difference for c in changes] == [-13, -2, 3, 3]
    assert [c.beyond_chance for c in changes] == [True, False, False, False]
    assert year_changes({"2023": 9}) == []


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2022, 4, 1), "2022/23"),
        (date(2023, 3, 31), "2022/23"),
        (date(2023, 4, 1), "2023/24"),
        (date(1999, 12, 31), "1999/00"),
    ],
)
def test_financial_year(day: date, label: str) -> None:
    assert financial_year(day) == label


def test_calendar_year() -> None:
    assert calendar_year(date(2023, 12, 31)) == "2023"


def test_the_synthetic_crime_worlds_years_give_the_seeds_changes(tmp_path: Path) -> None:
    from plainsight.crime.importer import load_records
    from plainsight.synth.crime import generate_crime

    generate_crime(tmp_path, seed=0)
    records = load_records(tmp_path)
    by_year = Counter(
        calendar_year(c.recorded_day)
        for c in records.crimes
        if records.is_mdsht(c) and c.status == "recorded"
    )
    seed_years = {y: by_year[y] for y in SEED_YEARS}
    assert seed_years == SEED_YEARS
    changes = year_changes(seed_years)
    assert changes[-1].words.startswith("9 in 2023 against 6 in 2022: up 3 (+50%).")
    overall = compare(seed_years["2019"], seed_years["2023"], label_a="2019", label_b="2023")
    assert (overall.difference, overall.percent) == (-9, -50.0)
