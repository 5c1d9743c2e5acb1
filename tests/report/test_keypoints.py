"""The key points and highlights say the right numbers, in the seed report's voice."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time

import pytest

from plainsight.crime.records import Crime, CrimeRecords, Outcome, Victim, Where
from plainsight.report.build import build_report
from plainsight.report.model import Report, percent
from plainsight.report.temporal import even_spread_p_value


def test_summary_key_points_on_the_synthetic_world(report: Report) -> None:
    summary = report.summary
    assert summary[0] == (
        "MDSHT accounts for 0.13% of crime recorded by City of London Police (n=9, financial "
        "year 2022/23) compared with the national average of all other forces at 0.24% "
        "(8 territorial forces taken together)."
    )
    assert "More males report being a victim of MDSHT at 76% (n=31)." in summary
    assert (
        "White – North European victims are the largest group: 44% (n=18) of all victims, or "
        "53% of the 34 whose ethnicity was recorded; ethnicity is unknown for 17% (n=7)."
    ) in summary
    assert (
        "61% (n=25) of MDSHT offences end with outcome 18: Investigation complete – no suspect "
        "identified, and 24% (n=10) have outcome 14: Evidential difficulties: suspect not "
        "identified; victim does not support further action."
    ) in summary
    assert summary[-1] == "There has been 1 charge since 2019."


def test_highlights_give_trends_with_uncertainty_and_the_victim_profile(report: Report) -> None:
    text = "\n".join(report.highlights)
    assert "MDSHT has decreased by 50% (−9) since 2019, from 18 to 9." in text
    assert "MDSHT has increased by 50% (+3) in 2023 compared with 2022, from 6 to 9." in text
    assert "within what chance alone gives (p = 0.61)" in text
    assert (
        "The typical profile for male victims is aged 18-25 years and of White – North "
        "European ethnicity"
    ) in text
    assert "85% of victims are aged 35 or under (n=35); the youngest was 11." in text
    assert "There are 11 victims of MDSHT under the age of 18. Of these 8 are male." in text
    assert "White – South European at 17% (n=7)" in text
    assert "51% of offences occur in January–April with none in December" in text
    assert "January shows the most, 76% above the monthly average (6 against 3.4)" in text


def test_key_data_gives_the_period_and_the_force_s_own_share(report: Report) -> None:
    assert report.key_data[0].startswith("5 years (Jan 2019 – Dec 2023).")
    assert report.key_data[1].startswith(
        "0.13% of all crime recorded by City of London Police in 2023 was MDSHT (n=9 of 6,923)."
    )


def test_every_year_on_year_change_is_in_plain_words(report: Report) -> None:
    assert len(report.trends) == 4
    assert report.trends[0].startswith("5 in 2020 against 18 in 2019: down 13 (-72%).")
    assert "unlikely from chance alone" in report.trends[0]  # p = 0.011
    assert all("within what chance alone gives" in words for words in report.trends[1:])


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (31, 41, "76%"),
        (18, 41, "44%"),
        (25, 41, "61%"),
        (1, 2, "50%"),
        (1, 8, "13%"),
        (1, 400, "less than 1%"),
        (0, 5, "0%"),
    ],
)
def test_percentages_are_whole_numbers_rounded_half_up(
    part: int, whole: int, expected: str
) -> None:
    assert percent(part, whole) == expected


def test_an_even_spread_through_the_year_is_not_called_uneven() -> None:
    assert even_spread_p_value([3] * 12) == 1.0
    assert even_spread_p_value([6, 5, 5, 5, 2, 3, 3, 3, 3, 3, 3, 0]) > 0.5
    assert even_spread_p_value([30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) < 0.001


# --- small hand-made worlds --------------------------------------------------------------

WHERE = Where("crimes.csv", 2)


def _crime(ref: str, day: date, code: str = "106") -> Crime:
    return Crime(
        crime_ref=ref,
        recorded=datetime.combine(day, time(9)),
        recorded_date_only=False,
        reported=None,
        reported_date_only=False,
        committed=day,
        ho_offence_code=code,
        offence_title="",
        ms_flag=True,
        status="recorded",
        lsoa_code="",
        easting=None,
        northing=None,
        mo_text="",
        where=WHERE,
    )


def _victim(ref: str, sex: str, age: int | None, ic: str) -> Victim:
    return Victim(ref, f"V-{ref}", sex, age, None, ic, "", "", "", WHERE)


def small_world() -> CrimeRecords:
    """Five MDSHT crimes in 2022-2023, mostly women, two charged, one pending."""
    days = [
        date(2022, 3, 1),
        date(2022, 7, 9),
        date(2023, 2, 2),
        date(2023, 5, 5),
        date(2023, 9, 9),
    ]
    crimes = [_crime(f"C{i}", d) for i, d in enumerate(days)]
    crimes.append(_crime("X1", date(2023, 1, 1), code="8N"))  # not MDSHT: the denominator
    victims = [
        _victim("C0", "F", 19, "IC3"),
        _victim("C1", "F", 24, "IC3"),
        _victim("C2", "F", 30, "IC1"),
        _victim("C3", "M", 40, "IC9"),
        _victim("C4", "F", 16, "IC3"),
    ]
    outcomes = [
        Outcome("C0", "1", date(2022, 9, 1), WHERE),
        Outcome("C1", "1", date(2022, 12, 1), WHERE),
        Outcome("C2", "18", date(2023, 6, 1), WHERE),
        Outcome("C3", "0", None, WHERE),
    ]
    return CrimeRecords(crimes=crimes, victims=victims, outcomes=outcomes)


def test_a_female_majority_plural_charges_and_pending_crimes() -> None:
    report = build_report(small_world(), date(2022, 1, 1), date(2023, 12, 31))
    summary = report.summary
    assert "More females report being a victim of MDSHT at 80% (n=4)." in summary
    assert summary[-1] == "There have been 2 charges since 2022."
    assert "40% (n=2) of MDSHT offences end with outcome 1: Charged/summonsed" in summary[-3]
    assert "40% (n=2) of MDSHT crimes have no outcome yet (pending)." in summary
    outcome_rows = report.table("outcomes-by-year").row_keys
    assert outcome_rows == ("1", "18", "pending", "total")
    # the earlier report's claims are about another period: not checked here
    assert report.claim_checks == ()


def test_a_part_year_is_labelled_and_compared_by_its_rate() -> None:
    report = build_report(small_world(), date(2022, 1, 1), date(2023, 6, 30))
    years = report.table("crimes-by-year")
    assert years.cell("2023", "label").text == "2023 (part)"
    assert report.trends[0].startswith("2 in 2023 (part year) against 2 in 2022")
    assert "covers 0.50 times as long as 2022" in report.trends[0]


def test_a_period_without_mdsht_crimes_still_makes_a_report() -> None:
    records = small_world()
    report = build_report(records, date(2021, 1, 1), date(2021, 12, 31))
    assert report.summary == (
        "No MDSHT crimes were recorded by City of London Police in the period.",
    )
    assert report.table("crimes-by-year").cell("2021", "crimes").text == "0"


def test_victim_facts_are_dropped_when_they_count_differently_from_the_statistics() -> None:
    records = small_world()
    stats_records = replace(records, victims=records.victims[:-1])
    from plainsight.stats.counts import crime_stats

    stats = crime_stats(stats_records, date(2022, 1, 1), date(2023, 12, 31))
    report = build_report(records, date(2022, 1, 1), date(2023, 12, 31), stats=stats)
    # the youngest age (16) comes from the records only when they agree with the statistics
    assert not any("youngest" in point for point in report.highlights)
