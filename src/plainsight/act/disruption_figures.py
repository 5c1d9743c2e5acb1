"""Disruption figures for the committee report and the threat profile.

Counts approved claims per financial year (April to March), category, 4P strand and crime
type, and the report's "live operations with an MDSHT link" out of all live operations
(paragraph 21: "two operations out of 75 live jobs"). Claims awaiting approval are counted
apart and never in the figures: a claim counts once a supervisor has approved it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plainsight.act.disruption_rules import (
    CATEGORIES,
    CRIME_TYPES,
    MDSHT,
    STRANDS,
    split_types,
    year_bounds,
    year_of,
)
from plainsight.ops.disruptions import CrimeGroup, DisruptionClaim, Operation


def disruption_figures(session: Session, *, financial_year: str | None = None) -> dict[str, Any]:
    """The register's figures, for one financial year ('2023/24') or for every year.

    Returns a JSON-ready dict:

    - ``financial_year``: the year asked for ('2023/24'), or None for every year;
    - ``definitions``: category -> the national impact definition;
    - ``claims``: ``approved`` (counted below) and ``awaiting_approval``;
    - ``by_year``: financial year -> approved claims, oldest first;
    - ``by_category``, ``by_strand``, ``by_crime_type``: every code present, zeros included;
    - ``rows``: one row per (year, category, strand, crime type) with a count, for tables;
    - ``mdsht_claims``: approved claims under modern slavery and human trafficking;
    - ``live_operations``: ``total`` live now and ``mdsht_link`` among them (current state,
      whatever the year asked for), with ``mdsht_names``;
    - ``groups``: ``total`` groups and ``mdsht_link`` (groups recorded with that crime type).

    Raises:
        ValueError: ``financial_year`` is not a financial year.

    Example:
        >>> figures = disruption_figures(session, financial_year="2023/24")  # doctest: +SKIP
        >>> figures["live_operations"]  # doctest: +SKIP
        {'total': 75, 'mdsht_link': 2, 'mdsht_names': ['Op Sun', 'Op Tide']}
    """
    query = select(DisruptionClaim)
    label: str | None = None
    if financial_year is not None:
        label, first, last = year_bounds(financial_year)
        query = query.where(DisruptionClaim.claimed_on.between(first, last))
    claims = list(session.scalars(query.order_by(DisruptionClaim.claimed_on, DisruptionClaim.id)))
    approved = [c for c in claims if c.approved]
    rows = Counter((_year(c), c.category, c.strand, c.crime_type) for c in approved)
    live = list(
        session.scalars(
            select(Operation).where(Operation.closed_on.is_(None)).order_by(Operation.name)
        )
    )
    linked = [o.name for o in live if MDSHT in split_types(o.crime_types)]
    groups = list(session.scalars(select(CrimeGroup)))
    return {
        "financial_year": label,
        "definitions": dict(CATEGORIES),
        "claims": {"approved": len(approved), "awaiting_approval": len(claims) - len(approved)},
        "by_year": dict(sorted(Counter(_year(c) for c in approved).items())),
        "by_category": _counts(CATEGORIES, (c.category for c in approved)),
        "by_strand": _counts(STRANDS, (c.strand for c in approved)),
        "by_crime_type": _counts(CRIME_TYPES, (c.crime_type for c in approved)),
        "rows": [
            {"financial_year": y, "category": k, "strand": s, "crime_type": t, "claims": n}
            for (y, k, s, t), n in sorted(rows.items())
        ],
        "mdsht_claims": sum(1 for c in approved if c.crime_type == MDSHT),
        "live_operations": {"total": len(live), "mdsht_link": len(linked), "mdsht_names": linked},
        "groups": {
            "total": len(groups),
            "mdsht_link": sum(1 for g in groups if MDSHT in split_types(g.crime_types)),
        },
    }


def _year(claim: DisruptionClaim) -> str:
    return year_of(claim.claimed_on)


def _counts(codes: dict[str, str], values: Any) -> dict[str, int]:
    counted = Counter(values)
    return {code: counted.get(code, 0) for code in codes}
