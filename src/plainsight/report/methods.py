"""The methods note: how every figure in the report was counted, in words a member can read.

Written from the same settings the figures were made with (the period, the offence codes,
the age bands, the disclosure threshold), so the note cannot drift from what was done.
"""

from __future__ import annotations

from collections.abc import Sequence

from plainsight.crime.national import NationalComparison
from plainsight.crime.records import CrimeRecords
from plainsight.report.figures import Figures
from plainsight.report.model import ClaimCheck, Section, long_date


def methods_note(
    figures: Figures,
    records: CrimeRecords,
    *,
    threshold: int | None,
    national: NationalComparison | None,
    synthetic: bool,
    level: float = 0.95,
    omitted_charts: Sequence[str] = (),
) -> list[Section]:
    """The sections of the methods note, in reading order."""
    percent = f"{level:.0%}"
    codes = ", ".join(
        f"{code} (and {code}/…)" if code == "106" else code for code in records.mdsht_codes
    )
    sections = [
        Section(
            "Source",
            paragraphs=(
                (
                    "Synthetic records made by plainsight (`plainsight synth crime`) to "
                    "demonstrate and test this report: no real person or crime is described."
                    if synthetic
                    else "The force's crime records, exported from its records system as "
                    "crimes, victims and outcomes (plainsight's crime-data format)."
                ),
                f"{len(records.crimes):,} crime rows, {len(records.victims):,} victim rows "
                f"and {len(records.outcomes):,} outcome rows were read; "
                + (
                    f"{len(records.rejects):,} rows could not be read and were set aside "
                    "(`plainsight crime rejects` lists them with the reason)."
                    if records.rejects
                    else "none was set aside."
                ),
            ),
        ),
        Section(
            "Period and counting rules",
            bullets=(
                f"Period: crimes recorded from {long_date(figures.start)} to "
                f"{long_date(figures.end)} inclusive, counted in the year (and for outcomes, "
                "the column) of the date they were recorded.",
                "Home Office recordable crimes only; incidents are not included. Only crimes "
                "whose status is 'recorded' count: cancelled and transferred crimes do not.",
                f"A crime is MDSHT when its Home Office offence code is {codes}: the Modern "
                "Slavery Act 2015 offences and, before April 2015, trafficking for sexual "
                "exploitation.",
                "Victims are counted once for each crime they are a victim of: a crime with "
                "three victims counts three, and a person who is a victim twice counts twice.",
                "Age is in whole years on the date the offence was committed (the recorded "
                "date where that is not known), from the recorded age or the date of birth; "
                f"age bands: {', '.join(figures.bands)}.",
                "Ethnicity is the officer-observed IC code (IC1 to IC6; IC9 or blank is "
                "unknown). 'Whose ethnicity was recorded' means any code but unknown.",
                "The monthly profile counts crimes by the month the offence was committed "
                "(the recorded month where that is not known), all years together.",
                "Outcomes are the Home Office outcome types; where a crime has had several, "
                "the latest counts. 'Pending' means no outcome has been assigned yet (no "
                "outcome, or only outcome 0): the investigation may still be open.",
                "MDSHT share of all crime: MDSHT crimes ÷ all recorded crimes of every kind "
                "in the same year × 100, to two decimal places.",
            ),
        ),
        Section(
            "Uncertainty",
            paragraphs=(
                "Counts this small move a lot by chance from one year to the next, so each "
                f"yearly count has an exact (Garwood) {percent} Poisson interval: the range of "
                "underlying yearly rates that could plausibly have produced it.",
                "Two years are compared with an exact test conditional on their total (if "
                "both years had the same rate, the later year's share of the total would be "
                f"binomial), which gives a p-value and a {percent} interval for the ratio of "
                "the two rates. 'Within what chance alone gives' means p is 0.05 or more: "
                "the change may be real, but the counts cannot show it. A part year is "
                "compared by its rate, allowing for its length.",
                "Whether offences are spread evenly through the year is tested by simulating "
                "the chi-squared statistic for the same number of offences spread at random "
                "(100,000 simulations, fixed seed).",
                "Percentages in the text are rounded half up to whole numbers; in the tables "
                "to two decimal places.",
            ),
        ),
    ]
    if national is not None:
        sections.append(
            Section(
                "National comparison",
                paragraphs=(
                    f"From the Home Office's police recorded crime open data table for police "
                    f"force areas, financial year {national.financial_year}. The national "
                    "figure is the other territorial forces taken together (their MDSHT "
                    "crimes ÷ all their crimes); British Transport Police, the fraud recording "
                    "bodies and any totals rows are left out.",
                    national.headline,
                ),
            )
        )
    if threshold is not None:
        charts = (
            f" The charts of {' and '.join(omitted_charts)} are left out, as they would show "
            "withheld counts."
            if omitted_charts
            else ""
        )
        sections.append(
            Section(
                "Disclosure control (public version)",
                paragraphs=(
                    f"Counts of people and of outcomes from 1 to {threshold - 1} are shown as "
                    "[c]. Zeros are shown: that nobody falls in a group is not, on its own, "
                    "about any person (the Government Statistical Service's convention).",
                    "So that a withheld count cannot be worked out from the totals, wherever a "
                    "row or column would have only one withheld value the next smallest count "
                    "in it is withheld too, and this is repeated until no withheld value can "
                    "be found by subtracting from, or combining, the published totals.",
                    f"A percentage is shown only when its count is shown and its base is at "
                    f"least {threshold}. The text gives no withheld number.",
                    "Crimes by year and by month are counts of offences, not people, and are "
                    "shown in full, as the Home Office publishes police recorded crime for "
                    "every force." + charts,
                ),
            )
        )
    return sections


def claims_section(source: str, title: str, checks: Sequence[ClaimCheck]) -> Section:
    """Where the earlier report's own text and the records disagree (and where they agree)."""
    differ = [c.message for c in checks if not c.agrees]
    agree = sum(1 for c in checks if c.agrees)
    return Section(
        f"Checks against the earlier report ({source})",
        paragraphs=(
            f"The earlier report, {title}, states some figures in words. Each was computed "
            f"again from the records, at the precision the report gives: {agree} of "
            f"{len(checks)} agree, and {len(differ)} "
            f"{'differs' if len(differ) == 1 else 'differ'}, listed here. The tables above "
            "are computed from the records throughout.",
        ),
        bullets=tuple(differ),
    )
