"""The key points and highlights, written from the figures in the seed report's voice.

Each sentence is built from the same cells the tables show, so a withheld count (public
version) is never written into the text: where a number is withheld the sentence says so
instead of giving it, and a percentage is given only when its count is shown and its base
is at least the threshold. Percentages are whole numbers, rounded half up (the seed report's
style; one decimal would claim more precision than a few dozen crimes carry).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from plainsight.crime.codes import IC_NAMES, IC_UNKNOWN, PENDING, outcome_name
from plainsight.crime.national import NationalComparison
from plainsight.report.figures import Figures, commonest_profile
from plainsight.report.model import Cell, Table, percent
from plainsight.report.temporal import month_points
from plainsight.stats.trends import Change

SEX_WORDS = {"F": ("female", "females"), "M": ("male", "males"), "U": ("unknown", "unknown")}


def number_words(n: int) -> str:
    return "no" if n == 0 else f"{n:,}"


@dataclass(frozen=True)
class _Cells:
    """Reads the published tables, so the text shows exactly what the tables show."""

    tables: dict[str, Table]
    threshold: int | None

    def get(self, table: str, row: str, column: str) -> Cell | None:
        try:
            return self.tables[table].cell(row, column)
        except KeyError:
            return None

    def shown(self, table: str, row: str, column: str) -> bool:
        cell = self.get(table, row, column)
        return cell is None or not cell.withheld

    def share(self, table: str, row: str, column: str, value: int, base: int) -> str | None:
        """``"76% (n=31)"``; ``None`` when the count is withheld or the base is too small."""
        if not self.shown(table, row, column):
            return None
        if self.threshold is not None and base < self.threshold:
            return None
        return f"{percent(value, base)} (n={value:,})"


def summary_points(
    figures: Figures,
    tables: dict[str, Table],
    *,
    threshold: int | None,
    force_name: str,
    national: NationalComparison | None,
) -> list[str]:
    """The summary's key points: share of crime, sex, ethnicity, outcomes, charges."""
    cells = _Cells(tables, threshold)
    points = [p for p in (_share_point(figures, force_name, national),) if p]
    points.append(_sex_point(figures, cells))
    points.extend(p for p in (_ethnicity_point(figures, cells),) if p)
    points.extend(_outcome_points(figures, cells))
    return points


def highlight_points(
    figures: Figures,
    tables: dict[str, Table],
    *,
    threshold: int | None,
    span_change: Change | None,
    last_change: Change | None,
) -> list[str]:
    """The key highlights: trends with their uncertainty, victims' profile, the months."""
    cells = _Cells(tables, threshold)
    points = [
        "With such small numbers, a percentage increase or decrease can be large without "
        "meaning much: each change below says whether chance alone could produce it."
    ]
    if span_change is not None:
        points.append(change_sentence(span_change, since=True))
    if last_change is not None and last_change != span_change:
        points.append(change_sentence(last_change, since=False))
    points.extend(_profile_points(figures, cells))
    points.extend(_age_points(figures, cells))
    second = _second_ethnicity_point(figures, cells)
    if second:
        points.append(second)
    points.extend(month_points(figures.months))
    return points


def change_sentence(change: Change, *, since: bool) -> str:
    """A change in the seed report's voice, then what chance could do (from its words).

    ``since``: "MDSHT has decreased by 50% (−9) since 2019"; otherwise "... in 2023".
    """
    if change.difference == 0:
        lead = (
            f"MDSHT crimes were as many in {change.label_b} as in {change.label_a} "
            f"({change.a:,} each)."
        )
    else:
        verb = "increased" if change.difference > 0 else "decreased"
        size = f"{abs(change.difference)}"
        if change.percent is not None:
            size = f"{abs(change.percent):.0f}% ({'+' if change.difference > 0 else '−'}{size})"
        when = (
            f"since {change.label_a}"
            if since
            else f"in {change.label_b} compared with {change.label_a}"
        )
        lead = f"MDSHT has {verb} by {size} {when}, from {change.a:,} to {change.b:,}."
    _, dot, rest = change.words.partition(". ")
    return f"{lead} {rest}" if dot else f"{lead} {change.words}"


# --- summary ---------------------------------------------------------------------------


def _share_point(
    figures: Figures, force_name: str, national: NationalComparison | None
) -> str | None:
    if national is not None and national.share is not None:
        text = (
            f"MDSHT accounts for {national.share:.2f}% of crime recorded by {force_name} "
            f"(n={national.mdsht:,}, financial year {national.financial_year})"
        )
        if national.others_pooled_share is not None and national.others:
            text += (
                f" compared with the national average of all other forces at "
                f"{national.others_pooled_share:.2f}% ({national.others} territorial forces "
                "taken together)"
            )
        return text + "."
    year = latest_share_year(figures)
    if year is None:
        return None
    n = figures.crimes_by_year[year]
    return (
        f"MDSHT accounts for {figures.share_by_year[year]:.2f}% of crime recorded by "
        f"{force_name} in {year} (n={n:,} of {figures.all_crimes_by_year[year]:,})."
    )


def latest_share_year(figures: Figures) -> str | None:
    """The latest year of the period with the all-crime count known (whole years first)."""
    known = [y for y in figures.years if y in figures.share_by_year]
    whole = [y for y in known if _whole_year(figures, y)]
    chosen = whole or known
    return chosen[-1] if chosen else None


def _whole_year(figures: Figures, year: str) -> bool:
    y = int(year)
    return (figures.start.year < y or (figures.start.month, figures.start.day) == (1, 1)) and (
        figures.end.year > y or (figures.end.month, figures.end.day) == (12, 31)
    )


def _sex_point(figures: Figures, cells: _Cells) -> str:
    female, male = figures.victims_of_sex("F"), figures.victims_of_sex("M")
    if female == male:
        return (
            f"Equal numbers of males and females are recorded as victims of MDSHT ({male:,} each)."
        )
    sex = "M" if male > female else "F"
    n = max(male, female)
    share = cells.share("victims-sex-age", sex, "total", n, figures.victims)
    plural, other = SEX_WORDS[sex][1], SEX_WORDS["F" if sex == "M" else "M"][1]
    if share is None:
        return f"More {plural} than {other} report being a victim of MDSHT."
    return f"More {plural} report being a victim of MDSHT at {share}."


def _ethnicity_ranked(figures: Figures) -> list[tuple[str, int]]:
    ranked = [(code, figures.ethnicity_total(code)) for code in figures.codes if code != IC_UNKNOWN]
    return sorted((r for r in ranked if r[1] > 0), key=lambda r: (-r[1], r[0]))


def _ethnicity_point(figures: Figures, cells: _Cells) -> str | None:
    ranked = _ethnicity_ranked(figures)
    if not ranked:
        return None
    code, n = ranked[0]
    name = IC_NAMES[code]
    tie = len(ranked) > 1 and ranked[1][1] == n
    known = figures.known_ethnicity
    unknown = figures.ethnicity_total(IC_UNKNOWN)
    t = "victims-sex-ethnicity"
    of_all = cells.share(t, "total", code, n, figures.victims)
    # the number with a recorded ethnicity would give away a withheld count of unknowns
    of_known = (
        cells.share(t, "total", code, n, known) if cells.shown(t, "total", IC_UNKNOWN) else None
    )
    lead = f"{name} victims are {'joint ' if tie else ''}the largest group"
    if of_all is None:
        text = f"Among the victims whose ethnicity was recorded, {lead}"
    elif of_known is None:
        text = f"{lead}: {of_all} of all victims"
    else:
        text = (
            f"{lead}: {of_all} of all victims, or {percent(n, known)} of the {known:,} "
            "whose ethnicity was recorded"
        )
    unknown_share = cells.share(t, "total", IC_UNKNOWN, unknown, figures.victims)
    if unknown and unknown_share is not None:
        text += f"; ethnicity is unknown for {unknown_share}"
    elif unknown:
        text += "; for some victims ethnicity is unknown"
    return text + "."


def _second_ethnicity_point(figures: Figures, cells: _Cells) -> str | None:
    ranked = _ethnicity_ranked(figures)
    if len(ranked) < 2:
        return None
    code, n = ranked[1]
    share = cells.share("victims-sex-ethnicity", "total", code, n, figures.victims)
    if share is None:  # even its rank would say something about a withheld count
        return None
    return f"The second largest group of victims by ethnicity is {IC_NAMES[code]} at {share}."


def _outcome_points(figures: Figures, cells: _Cells) -> list[str]:
    t = "outcomes-by-year"
    finished = [
        (code, figures.outcome_total(code)) for code in figures.outcome_codes if code != PENDING
    ]
    finished.sort(key=lambda r: -r[1])
    points: list[str] = []
    parts = []
    for i, (code, n) in enumerate(finished[:2]):
        share = cells.share(t, code, "total", n, figures.crimes)
        verb = "of MDSHT offences end with" if i == 0 else "have"
        name = f"outcome {code}: {outcome_name(code)}"
        withheld = "A number (withheld)" if i == 0 else "a number (withheld)"
        parts.append(f"{share or withheld} {verb} {name}")
    if parts:
        points.append(", and ".join(parts) + ".")
    pending = figures.outcome_total(PENDING)
    if pending:
        share = cells.share(t, PENDING, "total", pending, figures.crimes)
        what = share if share is not None else "a number withheld"
        points.append(f"{what[0].upper()}{what[1:]} of MDSHT crimes have no outcome yet (pending).")
    charges = figures.outcome_total("1")
    since = (
        str(figures.start.year)
        if (figures.start.month, figures.start.day) == (1, 1)
        else figures.start.strftime("%-d %B %Y")
    )
    if not cells.shown(t, "1", "total"):
        withheld = (
            "fewer than " + str(cells.threshold) if charges < (cells.threshold or 0) else "withheld"
        )
        points.append(
            f"The number of charges since {since} is {withheld} and is not shown, "
            "to protect the people involved."
        )
    elif charges == 1:
        points.append(f"There has been 1 charge since {since}.")
    else:
        points.append(f"There have been {number_words(charges)} charges since {since}.")
    return points


# --- highlights ------------------------------------------------------------------------


def _profile_points(figures: Figures, cells: _Cells) -> list[str]:
    points = []
    for sex in ("M", "F"):
        total = figures.victims_of_sex(sex)
        if total == 0:
            continue
        band = _mode(figures.bands, figures.sex_age[sex], skip="unknown")
        eth = _mode(figures.codes, figures.sex_ethnicity[sex], skip=IC_UNKNOWN)
        if band is None or eth is None:
            continue
        if not (
            cells.shown("victims-sex-age", sex, band)
            and cells.shown("victims-sex-ethnicity", sex, eth)
        ):
            continue  # being the commonest would bound a withheld count
        word = SEX_WORDS[sex][0]
        text = (
            f"The typical profile for {word} victims is aged {band} years and of "
            f"{IC_NAMES[eth]} ethnicity"
        )
        if cells.threshold is None:
            n_band = figures.sex_age[sex][figures.bands.index(band)]
            n_eth = figures.sex_ethnicity[sex][figures.codes.index(eth)]
            text += f" ({n_band} of {total} are aged {band}; {n_eth} are {IC_NAMES[eth]})"
            joint = commonest_profile(figures.victim_facts or (), sex)
            if joint is not None and joint[0] == (band, eth):
                text += f"; {joint[1]} have both"
        points.append(text + ".")
    return points


def _mode(labels: Sequence[str], counts: Sequence[int], *, skip: str) -> str | None:
    options = [(n, label) for label, n in zip(labels, counts, strict=True) if label != skip]
    if not options:
        return None
    best = max(n for n, _ in options)
    winners = [label for n, label in options if n == best]
    return winners[0] if best > 0 and len(winners) == 1 else None


def _age_points(figures: Figures, cells: _Cells) -> list[str]:
    points = []
    t = "victims-sex-age"
    young = figures.victims_aged(0, 35)
    young_bands = [b for b in figures.bands if b in ("0-17", "18-25", "26-35")]
    young_shown = all(cells.shown(t, "total", b) for b in young_bands)
    if young is not None and figures.victims:
        if cells.threshold is None:
            text = f"{percent(young, figures.victims)} of victims are aged 35 or under (n={young})"
            youngest = figures.youngest
            if youngest is not None:
                text += f"; the youngest was {youngest}"
            points.append(text + ".")
        elif young_shown and young >= cells.threshold:
            points.append(
                f"{percent(young, figures.victims)} of victims are aged 35 or under (n={young})."
            )
    under = figures.victims_aged(0, 17)
    if under:
        males = figures.victims_aged(0, 17, "M") or 0
        band = "0-17" if "0-17" in figures.bands else None
        shown_total = band is None or cells.shown(t, "total", band)
        shown_male = band is None or cells.shown(t, "M", band)
        if shown_total and shown_male:
            points.append(
                f"There are {under} victims of MDSHT under the age of 18. Of these {males} "
                f"{'is' if males == 1 else 'are'} male."
            )
        elif shown_total:
            points.append(
                f"There are {under} victims of MDSHT under the age of 18 (how many are male "
                "is withheld)."
            )
        else:
            points.append("Some victims of MDSHT are under the age of 18 (the number is withheld).")
    return points
