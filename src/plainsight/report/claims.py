"""Checking what an earlier report said against what the records give.

The claims live in a small data file (``data/seed_claims.json`` for the committee report
Pol 25-24): the words as published, the quantity they describe (a name from
:data:`QUANTITIES` with its arguments) and the value stated, written as the report wrote it.
Each is computed from the figures and compared at the precision the report claimed: "43%"
agrees with anything that rounds (half up) to 43, so 43.9% does not agree.

The result is evidence for the reader, never a verdict on the author: "the earlier report
says X; the records give Y".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from plainsight.crime.codes import IC_NAMES, IC_UNKNOWN, outcome_name
from plainsight.crime.national import NationalComparison
from plainsight.report.charts import MONTH_NAMES
from plainsight.report.figures import Figures, ReportDataError
from plainsight.report.model import ClaimCheck

SEED_CLAIMS = "seed_claims.json"


@dataclass(frozen=True)
class Claim:
    claim: str
    quantity: str
    args: dict[str, Any]
    stated: str
    unit: str  # "%", "" (a count) or "label"


@dataclass(frozen=True)
class ClaimSet:
    """The claims of one earlier report, for one force and period."""

    source: str
    title: str
    force: str
    start: date
    end: date
    claims: tuple[Claim, ...]

    def applies_to(self, force_name: str, start: date, end: date) -> bool:
        """Whether a report for this force and period can check these claims."""
        return (start, end) == (self.start, self.end) and _same_force(force_name, self.force)


def _same_force(a: str, b: str) -> bool:
    def key(name: str) -> set[str]:
        return {w for w in name.lower().replace(",", " ").split() if w not in {"police", "of"}}

    return key(a) == key(b)


def load_claims(path: Path | None = None) -> ClaimSet:
    """Read a claims file (by default the seed report's, shipped with plainsight).

    Raises :class:`ReportDataError` when the file is not a claims file.
    """
    try:
        if path is None:
            text = (
                resources.files("plainsight.report")
                .joinpath("data", SEED_CLAIMS)
                .read_text(encoding="utf-8")
            )
        else:
            text = path.read_text(encoding="utf-8")
        data = json.loads(text)
        claims = tuple(
            Claim(
                claim=str(c["claim"]),
                quantity=str(c["quantity"]),
                args=dict(c.get("args", {})),
                stated=str(c["stated"]),
                unit=str(c.get("unit", "")),
            )
            for c in data["claims"]
        )
        for c in claims:
            if c.quantity not in QUANTITIES:
                raise ReportDataError(f"claims file: unknown quantity {c.quantity!r}")
        return ClaimSet(
            source=str(data["source"]),
            title=str(data.get("title", "")),
            force=str(data.get("force", "")),
            start=date.fromisoformat(data["period"]["from"]),
            end=date.fromisoformat(data["period"]["to"]),
            claims=claims,
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReportDataError(f"cannot read the claims file {path or SEED_CLAIMS}: {exc}") from exc


def check_claims(
    claims: ClaimSet, figures: Figures, national: NationalComparison | None = None
) -> list[ClaimCheck]:
    """Every claim compared with the records; claims the figures cannot answer are left out."""
    checks: list[ClaimCheck] = []
    for claim in claims.claims:
        result = QUANTITIES[claim.quantity](figures, national, claim.args)
        if result is None:
            continue
        value, detail = result
        checks.append(_compare(claims.source, claim, value, detail))
    return checks


def _compare(source: str, claim: Claim, value: float | str, detail: str) -> ClaimCheck:
    stated_words = f"{claim.stated}{claim.unit if claim.unit == '%' else ''}"
    if claim.unit == "label" or isinstance(value, str):
        agrees = str(value) == claim.stated
        computed = _label(str(value))
        stated_words = _label(claim.stated)
    else:
        decimals = _decimals(claim.stated)
        shown = _round(value, decimals)
        agrees = shown == Decimal(claim.stated)
        more = decimals + 1 if claim.unit == "%" else decimals
        computed = f"{_round(value, more):f}{'%' if claim.unit == '%' else ''}"
    verdict = "agrees" if agrees else "differs"
    message = (
        f"{source} says {stated_words} (“{claim.claim}”); the records give {computed}"
        f"{f' ({detail})' if detail else ''}: {verdict}."
    )
    return ClaimCheck(claim.claim, stated_words, computed, agrees, message)


def _label(value: str) -> str:
    return f"{IC_NAMES[value]} ({value})" if value in IC_NAMES else value


def _decimals(text: str) -> int:
    try:
        exponent = Decimal(text).as_tuple().exponent
    except InvalidOperation:
        return 0
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _round(value: float, decimals: int) -> Decimal:
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP)


# --- quantities ------------------------------------------------------------------------

Result = tuple[float | str, str] | None
Quantity = Callable[[Figures, NationalComparison | None, Mapping[str, Any]], Result]


def _pct(part: int, whole: int, what: str) -> Result:
    if whole <= 0:
        return None
    return part / whole * 100, f"{part:,} of {whole:,} {what}"


def _share_of_all_crime(f: Figures, _n: NationalComparison | None, a: Mapping[str, Any]) -> Result:
    year = str(a["year"])
    if year not in f.all_crimes_by_year or year not in f.crimes_by_year:
        return None
    return _pct(f.crimes_by_year[year], f.all_crimes_by_year[year], f"recorded crimes in {year}")


def _crimes_in_year(f: Figures, _n: NationalComparison | None, a: Mapping[str, Any]) -> Result:
    year = str(a["year"])
    if year not in f.crimes_by_year:
        return None
    return f.crimes_by_year[year], f"MDSHT crimes recorded in {year}"


def _national_others(f: Figures, n: NationalComparison | None, a: Mapping[str, Any]) -> Result:
    if n is None or n.others_pooled_share is None:
        return None
    return n.others_pooled_share, (
        f"{n.others_mdsht:,} of {n.others_all_crime:,} crimes across the other {n.others} "
        f"territorial forces in {n.financial_year}, from the national table"
    )


def _change(f: Figures, a: Mapping[str, Any]) -> tuple[int, int, str] | None:
    first, last = str(a["from"]), str(a["to"])
    if first not in f.crimes_by_year or last not in f.crimes_by_year:
        return None
    before, after = f.crimes_by_year[first], f.crimes_by_year[last]
    return before, after, f"{before} in {first}, {after} in {last}"


def _percent_change(f: Figures, _n: NationalComparison | None, a: Mapping[str, Any]) -> Result:
    change = _change(f, a)
    if change is None or change[0] == 0:
        return None
    before, after, detail = change
    return (after - before) / before * 100, detail


def _count_change(f: Figures, _n: NationalComparison | None, a: Mapping[str, Any]) -> Result:
    change = _change(f, a)
    if change is None:
        return None
    before, after, detail = change
    return after - before, detail


def _victims_of_sex(f: Figures, _n: NationalComparison | None, a: Mapping[str, Any]) -> Result:
    return f.victims_of_sex(str(a["sex"])), f"of {f.victims:,} victims"


def _percent_of_sex(f: Figures, _n: NationalComparison | None, a: Mapping[str, Any]) -> Result:
    return _pct(f.victims_of_sex(str(a["sex"])), f.victims, "victims")


def _aged(f: Figures, a: Mapping[str, Any]) -> tuple[int, str, str] | None:
    """How many victims are in an age range: (count, who, "aged 11 to 35")."""
    low, high = int(a["low"]), a.get("high")
    sex = a.get("sex")
    count = f.victims_aged(low, None if high is None else int(high), sex)
    if count is None:
        return None
    who = {"M": "male victims", "F": "female victims"}.get(str(sex), "victims")
    span = f"aged {low} to {high}" if high is not None else f"aged {low} or over"
    return count, who, span


def _victims_aged(f: Figures, _n: NationalComparison | None, a: Mapping[str, Any]) -> Result:
    aged = _aged(f, a)
    return None if aged is None else (aged[0], f"{aged[1]} {aged[2]}")


def _percent_aged(f: Figures, _n: NationalComparison | None, a: Mapping[str, Any]) -> Result:
    aged = _aged(f, a)
    return None if aged is None else _pct(aged[0], f.victims, f"victims are {aged[2]}")


def _victims_ethnicity(f: Figures, _n: NationalComparison | None, a: Mapping[str, Any]) -> Result:
    code = str(a["code"])
    return f.ethnicity_total(code), f"{IC_NAMES[code]} victims"


def _percent_ethnicity(f: Figures, _n: NationalComparison | None, a: Mapping[str, Any]) -> Result:
    code = str(a["code"])
    return _pct(f.ethnicity_total(code), f.victims, f"victims are {IC_NAMES[code]}")


def _percent_known(f: Figures, _n: NationalComparison | None, a: Mapping[str, Any]) -> Result:
    code = str(a["code"])
    if code == IC_UNKNOWN:
        return None
    n = f.ethnicity_total(code)
    result = _pct(n, f.known_ethnicity, "victims with a recorded ethnicity")
    if result is None:
        return None
    return result[0], f"{result[1]}; of all {f.victims:,} victims it is {n / f.victims * 100:.1f}%"


def _months(f: Figures, a: Mapping[str, Any]) -> tuple[int, str]:
    months = [int(m) for m in a["months"]]
    names = ", ".join(MONTH_NAMES[m - 1] for m in months)
    return sum(f.months[m - 1] for m in months), names


def _percent_months(f: Figures, _n: NationalComparison | None, a: Mapping[str, Any]) -> Result:
    count, names = _months(f, a)
    return _pct(count, sum(f.months), f"offences committed in {names}")


def _crimes_months(f: Figures, _n: NationalComparison | None, a: Mapping[str, Any]) -> Result:
    count, names = _months(f, a)
    return count, f"offences committed in {names}"


def _above_average(f: Figures, _n: NationalComparison | None, a: Mapping[str, Any]) -> Result:
    month = int(a["month"])
    total = sum(f.months)
    if total == 0:
        return None
    average = total / 12
    n = f.months[month - 1]
    busiest = MONTH_NAMES[f.months.index(max(f.months))]
    return (n / average - 1) * 100, (
        f"{n} in {MONTH_NAMES[month - 1]} against a monthly average of {average:.2f}; "
        f"the busiest month is {busiest} with {max(f.months)}"
    )


def _percent_outcome(f: Figures, _n: NationalComparison | None, a: Mapping[str, Any]) -> Result:
    code = str(a["code"])
    return _pct(f.outcome_total(code), f.crimes, f"crimes have outcome {code}")


def _crimes_outcome(f: Figures, _n: NationalComparison | None, a: Mapping[str, Any]) -> Result:
    code = str(a["code"])
    return f.outcome_total(code), f"crimes with outcome {code} ({outcome_name(code)})"


def _commonest(labels: tuple[str, ...], counts: tuple[int, ...], skip: str) -> Result:
    options = [(n, label) for label, n in zip(labels, counts, strict=True) if label != skip]
    if not options or max(options)[0] == 0:
        return None
    best = max(n for n, _ in options)
    winners = [label for n, label in options if n == best]
    detail = f"{best} victims" + (
        f"; tied with {', '.join(winners[1:])}" if len(winners) > 1 else ""
    )
    return winners[0], detail


def _commonest_band(f: Figures, _n: NationalComparison | None, a: Mapping[str, Any]) -> Result:
    return _commonest(f.bands, f.sex_age[str(a["sex"])], "unknown")


def _commonest_ethnicity(f: Figures, _n: NationalComparison | None, a: Mapping[str, Any]) -> Result:
    return _commonest(f.codes, f.sex_ethnicity[str(a["sex"])], IC_UNKNOWN)


QUANTITIES: dict[str, Quantity] = {
    "share_of_all_crime": _share_of_all_crime,
    "crimes_in_year": _crimes_in_year,
    "national_others_share": _national_others,
    "percent_change": _percent_change,
    "count_change": _count_change,
    "victims_of_sex": _victims_of_sex,
    "percent_victims_of_sex": _percent_of_sex,
    "victims_aged": _victims_aged,
    "percent_victims_aged": _percent_aged,
    "victims_ethnicity": _victims_ethnicity,
    "percent_victims_ethnicity": _percent_ethnicity,
    "percent_known_ethnicity": _percent_known,
    "percent_crimes_in_months": _percent_months,
    "crimes_in_months": _crimes_months,
    "percent_above_monthly_average": _above_average,
    "percent_crimes_outcome": _percent_outcome,
    "crimes_outcome": _crimes_outcome,
    "commonest_age_band": _commonest_band,
    "commonest_ethnicity": _commonest_ethnicity,
}
"""The quantities a claim can name: each gives (value, how it was counted) or ``None``."""
