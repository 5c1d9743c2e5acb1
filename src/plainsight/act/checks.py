"""Welfare checks: task one on a persona or a network, record its outcome, see the history.

A welfare check sends a local officer to see whether someone advertised online is safe. It
is a safeguarding visit, not an enforcement action. A check is tasked with a briefing (who,
where, by when and what is known; see :mod:`plainsight.act.briefing`), and closed once with an
outcome from :class:`~plainsight.ops.checks.Outcome`. :func:`check_summary` gives the counts
the threat profile reports.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from plainsight.ops.checks import OUTCOME_TEXT, SUBJECT_KINDS, Outcome, WelfareCheck


def _day(at: datetime) -> date:
    """The UTC calendar day of a stored time (SQLite hands times back without a zone)."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC)
    return at.date()


def check_summary(
    session: Session,
    *,
    start: date | None = None,
    end: date | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Counts of welfare checks tasked from ``start`` to ``end`` (both inclusive, UTC days).

    Returns a dict with ``tasked`` (checks tasked in the period), ``completed`` (of those,
    with an outcome recorded), ``open`` (of those, without one), ``overdue`` (open and due
    before ``today``, default the current UTC day), ``by_outcome`` (every outcome value,
    zero included, counted over the completed checks) and ``start``/``end`` as given.
    Either bound may be None for an open-ended period.
    """
    today = today or datetime.now(UTC).date()
    by_outcome = {o.value: 0 for o in Outcome}
    tasked = completed = overdue = 0
    for check in session.scalars(select(WelfareCheck)):
        day = _day(check.tasked_at)
        if (start is not None and day < start) or (end is not None and day > end):
            continue
        tasked += 1
        if check.outcome is None:
            overdue += check.due < today
            continue
        completed += 1
        by_outcome[check.outcome] = by_outcome.get(check.outcome, 0) + 1
    return {
        "start": start,
        "end": end,
        "tasked": tasked,
        "completed": completed,
        "open": tasked - completed,
        "overdue": overdue,
        "by_outcome": by_outcome,
    }


def parse_outcome(value: str) -> Outcome:
    """The outcome named by ``value`` (its code, e.g. ``nrm_referral``, or its words).

    Raises:
        ValueError: not an outcome; the message lists the choices.
    """
    wanted = value.strip().lower().replace("-", "_").replace(" ", "_")
    for outcome in Outcome:
        if wanted in (outcome.value, OUTCOME_TEXT[outcome].replace(" ", "_")):
            return outcome
    choices = ", ".join(o.value for o in Outcome)
    raise ValueError(f"unknown outcome {value!r}; choose one of {choices}")


def task_check(
    session: Session,
    *,
    subject_kind: str,
    subject_id: str,
    officer: str,
    due: date,
    tasked_by: str,
    briefing: dict[str, Any],
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> WelfareCheck:
    """Record a new open welfare check with the briefing the officer is given.

    Raises:
        ValueError: an unknown subject kind, no officer, or a due date before today.
    """
    if subject_kind not in SUBJECT_KINDS:
        raise ValueError(f"a check is on a persona or a network, not {subject_kind!r}")
    if not officer.strip():
        raise ValueError("name the officer the check is tasked to")
    now = clock()
    if due < now.date():
        raise ValueError(f"the due date {due.isoformat()} is already past")
    check = WelfareCheck(
        subject_kind=subject_kind,
        subject_id=subject_id,
        officer=officer.strip(),
        due=due,
        tasked_at=now,
        tasked_by=tasked_by,
        briefing=dumps(briefing),
    )
    session.add(check)
    session.flush()
    return check


def record_outcome(
    session: Session,
    check_id: int,
    *,
    outcome: Outcome,
    notes: str,
    officer: str,
    on: date,
    recorded_by: str,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> WelfareCheck:
    """Close a check with its outcome, the officer's notes, who attended and when.

    An outcome is recorded once: a check that already has one is not overwritten, so the
    history stays as it was reported.

    Raises:
        KeyError: no such check.
        ValueError: the check already has an outcome, no notes, or a date in the future
            or before the check was tasked.
    """
    check = session.get(WelfareCheck, check_id)
    if check is None:
        raise KeyError(f"no welfare check {check_id}")
    if check.outcome is not None:
        raise ValueError(
            f"check {check_id} already has an outcome ({check.outcome}, {check.outcome_on})"
        )
    if not notes.strip():
        raise ValueError("say what happened: an outcome needs notes")
    if not officer.strip():
        raise ValueError("name the officer who attended")
    now = clock()
    if on > now.date():
        raise ValueError(f"the outcome date {on.isoformat()} is in the future")
    if on < _day(check.tasked_at):
        raise ValueError(f"the outcome date {on.isoformat()} is before the check was tasked")
    check.outcome = outcome.value
    check.notes = notes.strip()
    check.outcome_officer = officer.strip()
    check.outcome_on = on
    check.recorded_at = now
    check.recorded_by = recorded_by
    session.flush()
    return check


def history(
    session: Session,
    *,
    persona: str | None = None,
    network: str | None = None,
    open_only: bool = False,
) -> list[WelfareCheck]:
    """Checks, newest first: on one persona or network, or all; only open ones if asked."""
    query = select(WelfareCheck)
    if persona is not None:
        query = query.where(
            WelfareCheck.subject_kind == "persona", WelfareCheck.subject_id == persona
        )
    if network is not None:
        query = query.where(
            WelfareCheck.subject_kind == "network", WelfareCheck.subject_id == network
        )
    if open_only:
        query = query.where(WelfareCheck.outcome.is_(None))
    query = query.order_by(WelfareCheck.tasked_at.desc(), WelfareCheck.id.desc())
    return list(session.scalars(query))


def dumps(briefing: dict[str, Any]) -> str:
    """A briefing as the JSON text stored with its check."""
    return orjson.dumps(briefing, default=str).decode()


def briefing_of(check: WelfareCheck) -> dict[str, Any]:
    """The briefing snapshot stored with a check."""
    value: dict[str, Any] = orjson.loads(check.briefing or "{}")
    return value
