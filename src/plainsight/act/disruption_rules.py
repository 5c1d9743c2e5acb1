"""The vocabulary and rules of the disruptions register, as pure functions.

The definitions are the national ones the committee report quotes (City of London Police,
"Modern Slavery and Human Trafficking" update, paragraph 20); the rules are the ones it relies
on (paragraph 21): one claim per activity, no double counting where several crimes are present
(the claim goes under one primary crime type), and a Major claim only at sentencing. Kept apart
from the database so the CLI help, the docs and the checks quote the same words.
"""

from __future__ import annotations

import re
from datetime import date

CATEGORIES: dict[str, str] = {
    "major": (
        "Significant, long term disruptive impact on the capability of the OCG, individual or "
        "vulnerability. This is recorded at sentencing stage."
    ),
    "moderate": (
        "Noticeable, medium term disruptive impact on the capability of the OCG, individual or "
        "vulnerability."
    ),
    "minor": (
        "Minimal, short term disruptive impact on the capability of the OCG, individual or "
        "vulnerability."
    ),
}
"""The three assessment categories and their national impact definitions."""

STRANDS: dict[str, str] = {
    "pursue": "Pursue: prosecuting and disrupting people engaged in serious and organised crime.",
    "prevent": "Prevent: preventing people from engaging in serious and organised crime.",
    "protect": "Protect: increasing protection against serious and organised crime.",
    "prepare": "Prepare: reducing the impact of serious and organised crime where it takes place.",
}
"""The 4P strands of the Serious and Organised Crime Strategy."""

CRIME_TYPES: dict[str, str] = {
    "mdsht": "Modern slavery and human trafficking",
    "drugs": "Drugs",
    "fraud": "Fraud",
    "money-laundering": "Money laundering",
    "immigration": "Organised immigration crime",
    "child-exploitation": "Child sexual abuse and exploitation",
    "acquisitive": "Organised acquisitive crime",
    "firearms": "Firearms",
    "cyber": "Cyber crime",
    "other": "Other serious and organised crime",
}
"""Crime types a group, an operation or a claim is recorded under (codes and names)."""

MDSHT = "mdsht"
"""The crime type that gives an operation or a group its "MDSHT link"."""

OCG_STATUSES = ("active", "dormant", "archived")
OUTCOME_STAGES = ("arrested", "charged", "convicted", "sentenced")
"""How far the criminal justice outcome behind a claim has got; Major needs "sentenced"."""

RANKS = (
    "staff",
    "constable",
    "sergeant",
    "inspector",
    "chief-inspector",
    "superintendent",
    "chief-superintendent",
    "commander",
)
"""Police ranks, lowest first; "staff" is police staff (an investigator without a rank), who
may claim but not approve. City of London Police has commanders where others have ACCs."""

APPROVAL_RANK: dict[str, str] = {"major": "inspector", "moderate": "sergeant", "minor": "sergeant"}
"""The lowest rank that may approve a claim of each category: Major needs an inspector."""

_YEAR = re.compile(r"^(?:FY)?\s*(\d{2}|\d{4})\s*[/-]\s*(\d{2}|\d{4})$", re.IGNORECASE)


def choose(kind: str, value: str, allowed: dict[str, str] | tuple[str, ...]) -> str:
    """``value`` normalised (lower case, trimmed) if it is one of ``allowed``.

    Raises:
        ValueError: naming what was given and what may be given.
    """
    code = value.strip().lower().replace(" ", "-")
    if code not in allowed:
        raise ValueError(f"unknown {kind} {value!r}; choose one of {', '.join(allowed)}")
    return code


def crime_types(values: list[str]) -> str:
    """Crime type codes, checked, deduplicated and sorted, stored as one comma-separated text."""
    if not values:
        raise ValueError("give at least one crime type")
    return ",".join(sorted({choose("crime type", v, CRIME_TYPES) for v in values}))


def split_types(stored: str) -> list[str]:
    """The codes of a stored comma-separated crime type list."""
    return [t for t in stored.split(",") if t]


def activity_key(reference: str) -> str:
    """An activity reference as stored: trimmed and upper case, so 'op-1/23 ' is 'OP-1/23'."""
    key = " ".join(reference.split()).upper()
    if not key:
        raise ValueError("a claim needs the reference of the activity it claims")
    return key


def year_of(day: date) -> str:
    """The UK financial year (April to March) a day falls in, as '2023/24'."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def year_bounds(text: str) -> tuple[str, date, date]:
    """'2023/24' (or '2023-24', 'FY23/24', '2023/2024') as its label, first day and last day.

    Raises:
        ValueError: not a financial year, or the second year does not follow the first.
    """
    found = _YEAR.match(text.strip())
    if not found:
        raise ValueError(f"not a financial year: {text!r}; write it like 2023/24")
    first, second = (int(g) for g in found.groups())
    start = first if first >= 100 else 2000 + first
    if second % 100 != (start + 1) % 100:
        raise ValueError(f"not a financial year: {text!r}; the second year must follow the first")
    label = f"{start}/{(start + 1) % 100:02d}"
    return label, date(start, 4, 1), date(start + 1, 3, 31)


def check_approval(category: str, rank: str) -> None:
    """Refuse an approver below the rank the category needs.

    Raises:
        ValueError: e.g. a sergeant approving a Major claim.
    """
    needed = APPROVAL_RANK[category]
    if RANKS.index(rank) < RANKS.index(needed):
        raise ValueError(
            f"a {category.capitalize()} claim needs approval by {_a(needed)} or above, "
            f"not {_a(rank)}"
        )


def _a(rank: str) -> str:
    """A rank with its article: 'an inspector', 'a sergeant', 'police staff'."""
    if rank == "staff":
        return "police staff"
    return ("an " if rank[0] in "aeiou" else "a ") + rank


def check_outcome(category: str, stage: str | None, on: date | None, claimed_on: date) -> None:
    """Refuse a Major claim before sentencing, and an outcome stage without its date.

    Raises:
        ValueError: the rule broken, in words.
    """
    if stage and on is None:
        raise ValueError(f"say when: the outcome stage {stage!r} needs its date")
    if on is not None and not stage:
        raise ValueError("an outcome date needs its outcome stage")
    if category == "major" and stage != "sentenced":
        raise ValueError(
            "Major is recorded only at sentencing: give --outcome sentenced with its date, "
            "or claim it as Moderate or Minor until then"
        )
    if on is not None and on < claimed_on:
        raise ValueError(f"the outcome date {on} is before the activity it follows ({claimed_on})")
