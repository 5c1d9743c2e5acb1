"""Welfare checks in the operational database, on SQLite and PostgreSQL: task, close, count."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from plainsight.act import checks
from plainsight.ops.checks import Outcome
from plainsight.ops.db import OpsDatabase
from tests.conftest import TickingClock

BRIEF = {"who": {"names": ["Anna"]}, "where": {"towns": ["Leeds"]}}


def _task(s: object, subject: str, due: date, clock: TickingClock, kind: str = "persona") -> int:
    check = checks.task_check(
        s,  # type: ignore[arg-type]
        subject_kind=kind,
        subject_id=subject,
        officer="PC 123 Khan",
        due=due,
        tasked_by="analyst",
        briefing=BRIEF,
        clock=clock,
    )
    return check.id


def _close(s: object, check_id: int, outcome: Outcome, on: date, clock: TickingClock) -> None:
    checks.record_outcome(
        s,  # type: ignore[arg-type]
        check_id,
        outcome=outcome,
        notes="Visited the flat; spoke with the occupant.",
        officer="PC 123 Khan",
        on=on,
        recorded_by="analyst",
        clock=clock,
    )


def test_summary_counts_tasked_completed_overdue_and_outcomes(ops_db: OpsDatabase) -> None:
    march = TickingClock(datetime(2024, 3, 1, 9, 0, tzinfo=UTC))
    april = TickingClock(datetime(2024, 4, 2, 9, 0, tzinfo=UTC))
    with ops_db.session() as s:
        a = _task(s, "P-aaaaaaaaaaaa", date(2024, 3, 8), march)
        b = _task(s, "P-bbbbbbbbbbbb", date(2024, 3, 8), march)
        _task(s, "P-cccccccccccc", date(2024, 3, 5), march)  # never closed: overdue
        _task(s, "N-dddddddddddd", date(2024, 4, 30), march, kind="network")  # open, not due
        d = _task(s, "P-eeeeeeeeeeee", date(2024, 4, 9), april)
    later = TickingClock(datetime(2024, 4, 5, tzinfo=UTC))
    with ops_db.session() as s:
        _close(s, a, Outcome.NRM_REFERRAL, date(2024, 3, 4), later)
        _close(s, b, Outcome.NO_ANSWER, date(2024, 3, 4), later)
        _close(s, d, Outcome.NRM_REFERRAL, date(2024, 4, 3), later)
    with ops_db.session() as s:
        whole = checks.check_summary(s, today=date(2024, 4, 10))
        in_march = checks.check_summary(
            s, start=date(2024, 3, 1), end=date(2024, 3, 31), today=date(2024, 4, 10)
        )
        in_may = checks.check_summary(s, start=date(2024, 5, 1), today=date(2024, 5, 10))
    assert (whole["tasked"], whole["completed"], whole["open"], whole["overdue"]) == (5, 3, 2, 1)
    assert whole["by_outcome"]["nrm_referral"] == 2
    assert whole["by_outcome"]["no_answer"] == 1
    assert set(whole["by_outcome"]) == {o.value for o in Outcome}
    assert (in_march["tasked"], in_march["completed"], in_march["overdue"]) == (4, 2, 1)
    assert in_march["by_outcome"]["nrm_referral"] == 1
    assert in_may["tasked"] == 0 and sum(in_may["by_outcome"].values()) == 0


def test_an_outcome_is_recorded_once_and_history_is_per_subject(ops_db: OpsDatabase) -> None:
    clock = TickingClock()
    with ops_db.session() as s:
        first = _task(s, "P-aaaaaaaaaaaa", date(2024, 3, 8), clock)
        second = _task(s, "P-aaaaaaaaaaaa", date(2024, 3, 20), clock)
        _task(s, "N-dddddddddddd", date(2024, 3, 20), clock, kind="network")
        _close(s, first, Outcome.SAFEGUARDED, date(2024, 3, 1), clock)
    with ops_db.session() as s:
        with pytest.raises(ValueError, match="already has an outcome"):
            _close(s, first, Outcome.NO_ANSWER, date(2024, 3, 1), clock)
        mine = checks.history(s, persona="P-aaaaaaaaaaaa")
        still_open = checks.history(s, open_only=True)
        network = checks.history(s, network="N-dddddddddddd")
    assert [c.id for c in mine] == [second, first]
    assert mine[1].outcome == "safeguarded" and mine[1].outcome_officer == "PC 123 Khan"
    assert {c.subject_id for c in still_open} == {"P-aaaaaaaaaaaa", "N-dddddddddddd"}
    assert len(network) == 1 and checks.briefing_of(network[0]) == BRIEF


def test_bad_input_is_refused_with_a_reason(ops_db: OpsDatabase) -> None:
    clock = TickingClock()
    with ops_db.session() as s:
        with pytest.raises(ValueError, match="already past"):
            _task(s, "P-aaaaaaaaaaaa", date(2024, 2, 1), clock)
        with pytest.raises(ValueError, match="persona or a network"):
            _task(s, "A-1", date(2024, 3, 8), clock, kind="advert")
        check = _task(s, "P-aaaaaaaaaaaa", date(2024, 3, 8), clock)
        with pytest.raises(ValueError, match="in the future"):
            _close(s, check, Outcome.SAFEGUARDED, date(2024, 3, 9), clock)
        with pytest.raises(KeyError):
            _close(s, 9999, Outcome.SAFEGUARDED, date(2024, 3, 1), clock)
    assert checks.parse_outcome("NRM referral") is Outcome.NRM_REFERRAL
    assert checks.parse_outcome("engaged-declined") is Outcome.ENGAGED_DECLINED
    with pytest.raises(ValueError, match="choose one of"):
        checks.parse_outcome("arrested")
