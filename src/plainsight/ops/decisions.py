"""Analysts' decisions on generic identifiers: recorded once, overriding the data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from plainsight.ops.models import IdentifierDecision

KINDS = ("phone", "email", "handle", "image", "image_phash", "sentence")


def decide(
    session: Session,
    *,
    kind: str,
    value: str,
    generic: bool,
    who: str,
    reason: str,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> IdentifierDecision:
    """Record (or replace) the decision for one identifier.

    Raises:
        ValueError: an unknown kind, or an empty reason (a decision must say why).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown identifier kind {kind!r}; choose one of {', '.join(KINDS)}")
    if not reason.strip():
        raise ValueError("say why: a decision on an identifier needs a reason")
    found = session.scalars(
        select(IdentifierDecision).where(
            IdentifierDecision.kind == kind, IdentifierDecision.value == value
        )
    ).first()
    decision = found or IdentifierDecision(kind=kind, value=value)
    decision.generic = generic
    decision.decided_by = who
    decision.decided_at = clock()
    decision.reason = reason
    session.add(decision)
    session.flush()
    return decision


def decisions(session: Session) -> dict[tuple[str, str], bool]:
    """Every decision, as (kind, value) -> generic."""
    return {(d.kind, d.value): d.generic for d in session.scalars(select(IdentifierDecision))}


def listed(session: Session) -> list[IdentifierDecision]:
    return list(session.scalars(select(IdentifierDecision).order_by(IdentifierDecision.kind)))
