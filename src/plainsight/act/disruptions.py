"""The disruptions register: record groups, nominals, operations and disruption claims.

Each function checks its input against the rules in :mod:`plainsight.act.disruption_rules`
and raises ``ValueError`` with a message an analyst can act on; the caller's session commits.
The rule that matters most to the figures: an activity is claimed once, under one primary
crime type, so nothing is counted twice (committee report, paragraph 21).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from plainsight.act.disruption_rules import (
    CATEGORIES,
    CRIME_TYPES,
    OCG_STATUSES,
    OUTCOME_STAGES,
    RANKS,
    STRANDS,
    activity_key,
    check_approval,
    check_outcome,
    choose,
    crime_types,
    year_bounds,
)
from plainsight.ops.disruptions import CrimeGroup, DisruptionClaim, Nominal, Operation

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


def _text(what: str, value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise ValueError(f"{what} cannot be empty")
    return value


def describe(claim: DisruptionClaim) -> str:
    """A claim named in one line: 'claim 3 (OP-SUN/7, Drugs, Moderate, 2023-05-01)'."""
    return (
        f"claim {claim.id} ({claim.activity}, {CRIME_TYPES[claim.crime_type]}, "
        f"{claim.category.capitalize()}, {claim.claimed_on.isoformat()})"
    )


def group(session: Session, reference: str) -> CrimeGroup:
    """The group with this reference.

    Raises:
        ValueError: there is none.
    """
    found = session.scalars(
        select(CrimeGroup).where(CrimeGroup.reference == reference.strip().upper())
    ).first()
    if found is None:
        raise ValueError(f"no organised crime group {reference!r}: add it with `groups add`")
    return found


def operation(session: Session, name: str) -> Operation:
    """The operation with this name (case as recorded, compared trimmed).

    Raises:
        ValueError: there is none.
    """
    found = session.scalars(select(Operation).where(Operation.name == " ".join(name.split())))
    op = found.first()
    if op is None:
        raise ValueError(f"no operation {name!r}: add it with `operations add`")
    return op


def add_group(
    session: Session,
    *,
    reference: str,
    name: str,
    types: list[str],
    who: str,
    status: str = "active",
    clock: Clock = _now,
) -> CrimeGroup:
    """Record an organised crime group under its reference (stored upper case)."""
    ref = _text("a group's reference", reference).upper()
    if session.scalars(select(CrimeGroup).where(CrimeGroup.reference == ref)).first():
        raise ValueError(f"group {ref} is already recorded")
    found = CrimeGroup(
        reference=ref,
        name=_text("a group's name", name),
        crime_types=crime_types(types),
        status=choose("status", status, OCG_STATUSES),
        recorded_by=who,
        recorded_at=clock(),
    )
    session.add(found)
    session.flush()
    return found


def add_nominal(
    session: Session,
    *,
    group_reference: str,
    reference: str,
    name: str,
    who: str,
    role: str = "",
    clock: Clock = _now,
) -> Nominal:
    """Link a nominal (a person, with minimal personal data) to a group."""
    ocg = group(session, group_reference)
    ref = _text("a nominal's reference", reference).upper()
    if session.scalars(select(Nominal).where(Nominal.reference == ref)).first():
        raise ValueError(f"nominal {ref} is already recorded")
    nominal = Nominal(
        group=ocg,
        reference=ref,
        name=_text("a nominal's name", name),
        role=" ".join(role.split()),
        recorded_by=who,
        recorded_at=clock(),
    )
    session.add(nominal)
    session.flush()
    return nominal


def groups(session: Session) -> list[CrimeGroup]:
    return list(session.scalars(select(CrimeGroup).order_by(CrimeGroup.reference)))


def add_operation(
    session: Session,
    *,
    name: str,
    types: list[str],
    opened_on: date,
    who: str,
    group_references: list[str] | None = None,
    clock: Clock = _now,
) -> Operation:
    """Record a live operation with its crime types and the groups it targets."""
    name = _text("an operation's name", name)
    if session.scalars(select(Operation).where(Operation.name == name)).first():
        raise ValueError(f"operation {name!r} is already recorded")
    if opened_on > clock().date():
        raise ValueError(f"the opening date {opened_on} is in the future")
    op = Operation(
        name=name,
        crime_types=crime_types(types),
        opened_on=opened_on,
        recorded_by=who,
        recorded_at=clock(),
    )
    op.groups = [group(session, r) for r in dict.fromkeys(group_references or [])]
    session.add(op)
    session.flush()
    return op


def close_operation(session: Session, *, name: str, closed_on: date) -> Operation:
    """Close a live operation on a day no earlier than it opened."""
    op = operation(session, name)
    if op.closed_on is not None:
        raise ValueError(f"operation {op.name!r} was already closed on {op.closed_on}")
    if closed_on < op.opened_on:
        raise ValueError(f"operation {op.name!r} opened on {op.opened_on}, after {closed_on}")
    op.closed_on = closed_on
    session.flush()
    return op


def operations(session: Session, *, live_only: bool = False) -> list[Operation]:
    query = select(Operation).order_by(Operation.name)
    if live_only:
        query = query.where(Operation.closed_on.is_(None))
    return list(session.scalars(query))


def add_claim(
    session: Session,
    *,
    activity: str,
    claimed_on: date,
    strand: str,
    category: str,
    crime_type: str,
    narrative: str,
    claimant: str,
    claimant_rank: str,
    operation_name: str | None = None,
    group_reference: str | None = None,
    outcome_stage: str | None = None,
    outcome_on: date | None = None,
    clock: Clock = _now,
) -> DisruptionClaim:
    """Claim one disruption for one activity, under its one primary crime type.

    Raises:
        ValueError: an unknown code, a date in the future, a Major claim before sentencing,
            or an activity already claimed (naming the existing claim, and saying when it
            would be double counting under another crime type).
    """
    key = activity_key(activity)
    kind = choose("crime type", crime_type, CRIME_TYPES)
    category = choose("category", category, CATEGORIES)
    stage = choose("outcome stage", outcome_stage, OUTCOME_STAGES) if outcome_stage else None
    if claimed_on > clock().date():
        raise ValueError(f"the activity date {claimed_on} is in the future")
    check_outcome(category, stage, outcome_on, claimed_on)
    existing = session.scalars(
        select(DisruptionClaim).where(DisruptionClaim.activity == key)
    ).first()
    if existing is not None and existing.crime_type != kind:
        raise ValueError(
            f"no double counting: activity {key} is already claimed as {describe(existing)}; "
            f"an activity is claimed once, under its primary crime type, not again as "
            f"{CRIME_TYPES[kind]}"
        )
    if existing is not None:
        raise ValueError(
            f"one claim per activity: {key} is already claimed as {describe(existing)}"
        )
    claim = DisruptionClaim(
        activity=key,
        claimed_on=claimed_on,
        strand=choose("4P strand", strand, STRANDS),
        category=category,
        crime_type=kind,
        narrative=_text("the evidence narrative", narrative),
        operation=operation(session, operation_name) if operation_name else None,
        group=group(session, group_reference) if group_reference else None,
        outcome_stage=stage,
        outcome_on=outcome_on,
        claimant=_text("the claimant", claimant),
        claimant_rank=choose("rank", claimant_rank, RANKS),
        claimed_at=clock(),
    )
    session.add(claim)
    session.flush()
    return claim


def approve_claim(
    session: Session, *, claim_id: int, approver: str, rank: str, clock: Clock = _now
) -> DisruptionClaim:
    """A supervisor's approval: someone other than the claimant, of the rank the category needs.

    Raises:
        ValueError: no such claim, already approved, self-approval, or too low a rank.
    """
    claim = session.get(DisruptionClaim, claim_id)
    if claim is None:
        raise ValueError(f"no claim {claim_id}")
    if claim.approved:
        raise ValueError(f"{describe(claim)} was already approved by {claim.approved_by}")
    approver = _text("the approver", approver)
    if approver == claim.claimant:
        raise ValueError(f"{approver} made {describe(claim)}: a supervisor must approve it")
    rank = choose("rank", rank, RANKS)
    check_approval(claim.category, rank)
    claim.approved_by, claim.approver_rank, claim.approved_at = approver, rank, clock()
    session.flush()
    return claim


def regrade_claim(
    session: Session,
    *,
    claim_id: int,
    category: str,
    outcome_stage: str | None = None,
    outcome_on: date | None = None,
) -> DisruptionClaim:
    """Regrade a claim as its outcome moves on (e.g. Moderate at charge, Major at sentencing).

    The activity stays claimed once; a changed category clears the approval, so the claim
    needs approval again by the rank its new category needs.

    Raises:
        ValueError: no such claim, an unknown code, or Major before sentencing.
    """
    claim = session.get(DisruptionClaim, claim_id)
    if claim is None:
        raise ValueError(f"no claim {claim_id}")
    category = choose("category", category, CATEGORIES)
    stage = choose("outcome stage", outcome_stage, OUTCOME_STAGES) if outcome_stage else None
    stage, on = (stage, outcome_on) if stage else (claim.outcome_stage, claim.outcome_on)
    check_outcome(category, stage, on, claim.claimed_on)
    if category != claim.category:
        claim.approved_by, claim.approver_rank, claim.approved_at = None, None, None
    claim.category, claim.outcome_stage, claim.outcome_on = category, stage, on
    session.flush()
    return claim


def claims(
    session: Session, *, financial_year: str | None = None, pending_only: bool = False
) -> list[DisruptionClaim]:
    """Claims by date, optionally of one financial year or only those awaiting approval."""
    query = select(DisruptionClaim).order_by(DisruptionClaim.claimed_on, DisruptionClaim.id)
    if financial_year is not None:
        _, first, last = year_bounds(financial_year)
        query = query.where(DisruptionClaim.claimed_on.between(first, last))
    if pending_only:
        query = query.where(DisruptionClaim.approved_at.is_(None))
    return list(session.scalars(query))
